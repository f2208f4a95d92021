// `npm run docs:check`: regenerate the TypeDoc API reference into a temporary folder and fail
// when it differs from the committed docs/api (run `npm run docs` and commit to fix).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

function listFiles(dir) {
  const out = []
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(relative(dir, p))
    }
  }
  walk(dir)
  return out.sort()
}

const tmp = mkdtempSync(join(tmpdir(), 'kts-api-'))
try {
  execFileSync('npx', ['typedoc', '--out', tmp, '--logLevel', 'Warn'], { stdio: 'inherit' })
  const fresh = listFiles(tmp)
  const committed = listFiles('docs/api')
  const stale = []
  for (const f of new Set([...fresh, ...committed])) {
    const a = fresh.includes(f) ? readFileSync(join(tmp, f), 'utf8') : null
    const b = committed.includes(f) ? readFileSync(join('docs/api', f), 'utf8') : null
    if (a !== b) stale.push(f)
  }
  if (stale.length > 0) {
    console.error(
      `docs/api is stale (${stale.length} files differ: ${stale.slice(0, 5).join(', ')}); run npm run docs`,
    )
    process.exitCode = 1
  } else {
    console.log(`docs/api is up to date (${fresh.length} files)`)
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
