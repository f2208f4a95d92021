/** A ConfigReader over the real file system with paths relative to the repository root. */
import { readFileSync, readdirSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import type { ConfigReader } from '../../src/config/index.js'
import { repoRoot } from '../helpers/paths.js'

const abs = (p: string): string => (isAbsolute(p) ? p : join(repoRoot, p))

export const fixtureReader: ConfigReader = {
  readFile(path) {
    try {
      return readFileSync(abs(path), 'utf8')
    } catch {
      return undefined
    }
  },
  listDir(path) {
    try {
      return readdirSync(abs(path))
    } catch {
      return undefined
    }
  },
}

/** An in-memory reader: path → text; directories are the keys' prefixes. */
export function memoryReader(files: Record<string, string>): ConfigReader {
  return {
    readFile: (path) => files[path],
    listDir: (dir) => {
      const names = Object.keys(files)
        .filter((p) => p.startsWith(dir + '/'))
        .map((p) => p.slice(dir.length + 1))
        .filter((n) => !n.includes('/'))
      return names.length > 0 ? names : undefined
    },
  }
}
