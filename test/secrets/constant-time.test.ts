/**
 * MACs and checksums are compared in constant time: a source scan of src/crypto, src/gssapi,
 * src/protocol, src/http and src/client that fails when a comparison of a MAC, checksum, HMAC or
 * MIC uses anything but `constantTimeEqual` (`bytesEqual`, `Buffer.compare`, `.every` over bytes,
 * hex/base64 string equality), and checks the places that must use it still do.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from '../helpers/paths.js'

const DIRS = ['src/crypto', 'src/gssapi', 'src/protocol', 'src/http', 'src/client']
/** Words that name secret-dependent comparison values. */
const SECRET_WORDS = /(mac|cksum|checksum|hmac|\bmic\b|digest|hash|tag\b|want|expected)/i
/** Comparison forms that exit early. */
const VARIABLE_TIME = [
  /\bbytesEqual\(/,
  /Buffer\.compare\(/,
  /\.every\(\s*\(\s*\w+\s*,\s*\w+\s*\)\s*=>\s*\w+\s*===/,
  /toHex\([^)]*\)\s*[!=]==/,
  /toBase64\([^)]*\)\s*[!=]==/,
]
/**
 * Reviewed exceptions, by file and a fragment of the line: the GSS channel-bindings hash is an
 * MD5 of public data (RFC 4121 §4.1.1.2), not a secret.
 */
const ALLOWED: readonly { file: string; fragment: string }[] = [
  { file: 'src/gssapi/context.ts', fragment: 'gss.bindings[i]' },
]

function sources(dir: string): string[] {
  const abs = join(repoRoot, dir)
  const out: string[] = []
  for (const name of readdirSync(abs)) {
    const p = join(abs, name)
    if (statSync(p).isDirectory()) out.push(...sources(relative(repoRoot, p)))
    else if (name.endsWith('.ts')) out.push(p)
  }
  return out
}

test('no variable-time comparison of MACs, checksums or MICs', () => {
  const findings: string[] = []
  for (const dir of DIRS) {
    for (const file of sources(dir)) {
      const rel = relative(repoRoot, file)
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (!VARIABLE_TIME.some((re) => re.test(line))) return
          if (ALLOWED.some((a) => a.file === rel && line.includes(a.fragment))) return
          // Any early-exit comparison in crypto/ is suspect; elsewhere only on secret-looking names.
          if (rel.startsWith('src/crypto/') || SECRET_WORDS.test(line)) {
            findings.push(`${rel}:${i + 1}: ${line.trim()}`)
          }
        })
    }
  }
  assert.deepEqual(
    findings,
    [],
    'use constantTimeEqual from src/internal/bytes.ts:\n' + findings.join('\n'),
  )
})

test('the integrity checks use constantTimeEqual', () => {
  const mustUse = [
    'src/crypto/simplified.ts',
    'src/crypto/aes-sha2.ts',
    'src/crypto/rc4-hmac.ts',
    'src/crypto/checksum.ts',
    'src/gssapi/per-message.ts',
  ]
  for (const f of mustUse) {
    const text = readFileSync(join(repoRoot, f), 'utf8')
    assert.match(text, /constantTimeEqual\(/, `${f} should compare MACs with constantTimeEqual`)
  }
})

test('the scan catches a planted variable-time comparison', () => {
  const planted = '  if (!bytesEqual(mac, expectedMac)) throw integrityError()'
  assert.ok(VARIABLE_TIME.some((re) => re.test(planted)) && SECRET_WORDS.test(planted))
  const planted2 = '  if (!want.every((b, i) => b === token[i])) fail()'
  assert.ok(VARIABLE_TIME.some((re) => re.test(planted2)) && SECRET_WORDS.test(planted2))
})
