// Run before `npm run build`: remove dist/ so files of deleted modules (and source maps of an older
// build) never reach the published package.
import { rmSync } from 'node:fs'

rmSync('dist', { recursive: true, force: true })
