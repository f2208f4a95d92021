/** Shared by the keytab and ccache tests: read MIT klist listings and run klist live. */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** One line of `klist -k -t -K -e`. */
export interface KlistKeytabLine {
  readonly kvno: number
  readonly timestamp: string
  readonly principal: string
  readonly enctype: string
  readonly keyHex: string
}

const KT_LINE =
  /^\s*(\d+) (\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d) (.+) \((?:DEPRECATED:)?([^()]+)\)\s+\(0x([0-9a-f]*)\)$/

/** Parse `klist -k -t -K -e` output (header lines skipped). */
export function parseKlistKeytab(text: string): KlistKeytabLine[] {
  const out: KlistKeytabLine[] = []
  for (const line of text.split('\n')) {
    const m = KT_LINE.exec(line)
    if (!m) continue
    out.push({
      kvno: Number(m[1]),
      timestamp: m[2]!,
      principal: m[3]!,
      enctype: m[4]!,
      keyHex: m[5]!,
    })
  }
  return out
}

/** klist's `%x %X`-style time in UTC: `11/23/26 05:43:31`. */
export function klistTime(seconds: number): string {
  const d = new Date(seconds * 1000)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
}

/** True when /usr/bin/klist exists. */
export function haveKlist(): boolean {
  return existsSync('/usr/bin/klist')
}

/**
 * Skip loudly when klist is missing (fail under CI=true). Returns true when the test may run.
 */
export function requireKlist(t: { skip(message?: string): void }): boolean {
  if (haveKlist()) return true
  const msg = 'MIT klist missing (/usr/bin/klist): install krb5-user'
  if (process.env.CI === 'true') throw new Error(msg + ' — required when CI=true')
  console.warn(`\n!!!!! SKIPPING MIT-DEPENDENT TEST: ${msg} !!!!!\n`)
  t.skip(msg)
  return false
}

/** Write `bytes` to a temp file and run `klist ARGS FILE` with TZ=UTC; returns stdout. */
export function klistOn(bytes: Uint8Array, args: readonly string[], suffix: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kts-klist-'))
  try {
    const file = join(dir, `x.${suffix}`)
    writeFileSync(file, bytes, { mode: 0o600 })
    writeFileSync(join(dir, 'krb5.conf'), '[libdefaults]\n default_realm = EXAMPLE.COM\n')
    return execFileSync('/usr/bin/klist', [...args, file], {
      env: { PATH: '/usr/bin:/bin', TZ: 'UTC', LC_ALL: 'C', KRB5_CONFIG: join(dir, 'krb5.conf') },
      encoding: 'utf8',
      timeout: 10_000,
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
