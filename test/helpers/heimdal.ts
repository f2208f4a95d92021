/**
 * Heimdal's client tools (kinit, klist, kgetcred) unpacked from Debian's heimdal-clients without
 * installing it (it conflicts with krb5-user): scripts/heimdal-unpack.sh downloads the .debs and
 * `dpkg -x`es them into one root outside the repository ($KERBEROS_TS_HEIMDAL, else
 * $TMPDIR/kerberos-ts-heimdal, reused when present). Tools run with LD_LIBRARY_PATH at that root.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './paths.js'

export interface Heimdal {
  readonly root: string
  readonly kinit: string
  /** heimtools: `klist`, `kgetcred`, `kvno` as subcommands (klist.heimdal dispatches on argv[0]). */
  readonly heimtools: string
  readonly kgetcred: string
  readonly kdestroy: string
  /** Environment additions every Heimdal tool needs (LD_LIBRARY_PATH). */
  readonly env: Readonly<Record<string, string>>
}

function locate(root: string): Heimdal | undefined {
  const bin = (n: string): string => join(root, 'usr', 'bin', n)
  const h = {
    root,
    kinit: bin('kinit.heimdal'),
    heimtools: bin('heimtools'),
    kgetcred: bin('kgetcred'),
    kdestroy: bin('kdestroy.heimdal'),
    env: { LD_LIBRARY_PATH: join(root, 'usr', 'lib', 'x86_64-linux-gnu') },
  }
  return [h.kinit, h.heimtools, h.kgetcred, h.kdestroy].every((p) => existsSync(p)) ? h : undefined
}

let cached: { heimdal?: Heimdal; reason?: string } | undefined

/** Unpack (once per process; the script itself reuses an earlier unpack) and locate Heimdal. */
export function heimdal(): { heimdal?: Heimdal; reason?: string } {
  if (cached !== undefined) return cached
  const root = process.env.KERBEROS_TS_HEIMDAL ?? join(tmpdir(), 'kerberos-ts-heimdal')
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'heimdal-unpack.sh'), root], {
    encoding: 'utf8',
    timeout: 300_000,
  })
  const h = r.status === 0 ? locate(root) : undefined
  cached =
    h !== undefined
      ? { heimdal: h }
      : {
          reason:
            `Heimdal client tools could not be unpacked into ${root} ` +
            `(scripts/heimdal-unpack.sh exited ${r.status}: ${(r.stderr ?? '').trim() || r.error?.message})`,
        }
  return cached
}

/**
 * For `describe(name, { skip: skipWithoutHeimdal() }, ...)`: false when Heimdal is available, a
 * loud skip message otherwise; throws under CI=true, where the peer is required.
 */
export function skipWithoutHeimdal(): string | false {
  const { reason } = heimdal()
  if (reason === undefined) return false
  if (process.env.CI === 'true') throw new Error(reason + ' — required when CI=true')
  console.warn(`\n!!!!! SKIPPING HEIMDAL-DEPENDENT TEST: ${reason} !!!!!\n`)
  return reason
}
