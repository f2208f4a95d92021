/**
 * Self-rotating keytabs: change a service account's password through kpasswd with the key the
 * keytab holds, derive and verify the new keys, and append them to the keytab atomically while
 * keeping the previous kvno(s) so tickets issued before the change still verify.
 *
 * @module
 */
import { open, rm, stat } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { KerberosClient, type KerberosClientOptions } from '../client/client.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { EncType, describeEncType } from '../iana.js'
import { randomBytes, type RandomSource } from '../internal/bytes.js'
import {
  createKeytab,
  keytabEntriesFromPassword,
  type Keytab,
  type KeytabEntry,
} from '../keytab/index.js'
import { formatPrincipal, parsePrincipal, type Principal } from '../principal.js'
import { keytabPath, readKeytab, writeKeytab } from './files.js'

/** The steps of a rotation, as named in `ERR_KRB_KEYTAB_ROTATE` errors (`context.step`). */
export type RotateStep =
  'lock' | 'read' | 'login' | 'change' | 'kvno' | 'salt' | 'derive' | 'stage' | 'verify' | 'commit'

/** Options for {@link rotateKeytab}. */
export interface RotateKeytabOptions {
  /** The keytab file (`FILE:` prefix allowed). */
  readonly keytab: string
  /** The account whose key rotates; must have keys in the keytab. */
  readonly principal: string | Principal
  /** How the client reaches the KDC and kpasswd (`transport`, `config`, ...). */
  readonly client: KerberosClientOptions
  /** How many kvnos of the principal to keep, the new one included; default 2 (new + previous). */
  readonly keep?: number
  /** Enctypes to try for the new keys; default aes256/aes128-sha1, aes256/aes128-sha2 (+rc4 when the keytab had it). */
  readonly enctypes?: readonly number[]
  /** A lock older than this is taken as abandoned; default 10 minutes. */
  readonly staleLockMs?: number
  /** Randomness for the new password; default `globalThis.crypto`. */
  readonly random?: RandomSource
  /**
   * Called with the keytab as staged (new keys added, before the password changes): give it to
   * an in-process `Acceptor` (`acceptor.setKeytab(kt)`) so no ticket in the new key is refused.
   */
  readonly onStaged?: (keytab: Keytab) => void
  /**
   * Wait this long after staging before changing the password, so acceptors in other processes
   * that poll the file (`watchKeytab` interval) load the new keys first; default 0.
   */
  readonly stageDelayMs?: number
  /** Length of the new password; default 32. */
  readonly passwordLength?: number
  readonly signal?: AbortSignal
}

/** What a rotation did. */
export interface RotateKeytabResult {
  readonly principal: string
  readonly previousKvno: number
  readonly kvno: number
  /** Enctypes of the new keys, all verified by a fresh login. */
  readonly enctypes: readonly number[]
  /** kvnos of the principal left in the keytab. */
  readonly kept: readonly number[]
}

function fail(
  step: RotateStep,
  message: string,
  cause?: unknown,
  extra: object = {},
): KerberosError {
  const why = cause instanceof Error ? `: ${cause.message}` : ''
  return new KerberosError(
    ErrorCodes.KEYTAB_ROTATE,
    `keytab rotation failed at step ${step}: ${message}${why}`,
    {
      context: { step, ...extra },
      ...(cause === undefined ? {} : { cause }),
    },
  )
}

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ'
const LOWER = 'abcdefghijkmnopqrstuvwxyz'
const DIGIT = '23456789'
const SYMBOL = '!#%+-.:=?@_~'
const ALL = UPPER + LOWER + DIGIT + SYMBOL

/** An unbiased integer in [0, n) (rejection sampling over 32 bits). */
function randIndex(n: number, random: RandomSource): number {
  const limit = 0x1_0000_0000 - (0x1_0000_0000 % n)
  for (;;) {
    const b = random(4)
    const v = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0
    if (v < limit) return v % n
  }
}

function pick(set: string, random: RandomSource): string {
  return set[randIndex(set.length, random)]!
}

/**
 * A random password that meets AD's complexity rule (upper, lower, digit and symbol, no account
 * name) at `length` (≥ 16) characters: about 6 bits per character from an 81-symbol alphabet.
 *
 * @example
 * ```ts
 * generatePassword() // 'q7R#...' (32 characters)
 * ```
 */
export function generatePassword(length = 32, random: RandomSource = randomBytes): string {
  if (!Number.isInteger(length) || length < 16 || length > 256)
    throw new RangeError(`expected a password length in 16..256, got ${length}`)
  const chars = [
    pick(UPPER, random),
    pick(LOWER, random),
    pick(DIGIT, random),
    pick(SYMBOL, random),
  ]
  while (chars.length < length) chars.push(pick(ALL, random))
  // Fisher-Yates, so the four required classes are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const k = randIndex(i + 1, random)
    ;[chars[i], chars[k]] = [chars[k]!, chars[i]!]
  }
  return chars.join('')
}

function samePrincipal(a: Principal, b: Principal): boolean {
  return a.realm === b.realm && a.components.join('/') === b.components.join('/')
}

/** Take `path.rotate-lock` (O_EXCL); break it when older than `staleMs`. */
async function lock(path: string, staleMs: number): Promise<() => Promise<void>> {
  const lockPath = `${path}.rotate-lock`
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, 'wx', 0o600)
      await fh.writeFile(`${process.pid} ${new Date().toISOString()}\n`)
      await fh.close()
      return () => rm(lockPath, { force: true })
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST')
        throw fail('lock', `cannot create ${lockPath}`, err)
      const st = await stat(lockPath).catch(() => undefined)
      if (st !== undefined && Date.now() - st.mtimeMs < staleMs) {
        throw fail(
          'lock',
          `another rotation of ${path} is in progress (${lockPath} exists)`,
          undefined,
          {
            path,
          },
        )
      }
      await rm(lockPath, { force: true })
    }
  }
  throw fail('lock', `cannot take ${lockPath}`, undefined, { path })
}

async function step<T>(name: RotateStep, what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (err) {
    if (err instanceof KerberosError && err.code === ErrorCodes.KEYTAB_ROTATE) throw err
    throw fail(name, what, err)
  }
}

type SaltEntry = { etype: number; salt: Uint8Array; s2kparams?: Uint8Array }

/** `kt` with `principal`'s entries at `kvno` replaced by `entries`. */
function withEntries(
  kt: Keytab,
  principal: Principal,
  kvno: number,
  entries: readonly KeytabEntry[],
): Keytab {
  const rest = kt.entries.filter((e) => !(samePrincipal(e.principal, principal) && e.kvno === kvno))
  return { ...kt, entries: [...rest, ...entries] }
}

/** The principal's entries and its highest kvno. */
function current(kt: Keytab, principal: Principal): { entries: KeytabEntry[]; kvno: number } {
  const entries = kt.entries.filter((e) => samePrincipal(e.principal, principal))
  const kvno = Math.max(...entries.map((e) => e.kvno))
  return { entries, kvno }
}

/** Which enctypes the account has: probe the KDC per enctype (ETYPE-INFO2 or the AS-REP). */
async function probeSalts(
  c: KerberosClient,
  principal: Principal,
  etypes: readonly number[],
  signal: AbortSignal | undefined,
): Promise<{ etype: number; salt: Uint8Array; s2kparams?: Uint8Array }[]> {
  const out: { etype: number; salt: Uint8Array; s2kparams?: Uint8Array }[] = []
  for (const etype of etypes) {
    try {
      const [info] = await c.fetchSaltInfo(principal, {
        etypes: [etype],
        ...(signal !== undefined ? { signal } : {}),
      })
      if (info !== undefined && info.etype === etype) out.push(info)
    } catch (err) {
      // KDC_ERR_ETYPE_NOSUPP: the account has no key of this enctype.
      if (err instanceof KerberosError && err.code === ErrorCodes.KDC_ERROR) continue
      throw err
    }
  }
  return out
}

/**
 * Rotate a service key (issue 13): under an exclusive lock on the keytab, log in with the
 * keytab's current key, change the password through kpasswd to a strong random one
 * ({@link generatePassword}), learn the new kvno (fresh login) and the salt per enctype (from the
 * KDC), derive the keys, verify every one by a fresh login, then append them to the keytab
 * atomically, keeping the `keep` newest kvnos. Any failure throws `ERR_KRB_KEYTAB_ROTATE` with
 * `context.step`. The new keys are staged into the keytab (kvno + 1 predicted) before the
 * change, so acceptors have them before the KDC issues the first ticket in them; a failure at
 * `change` writes the keytab back as it was; a failure after it leaves the staged keys in.
 *
 * @example
 * ```ts
 * const r = await rotateKeytab({ keytab: '/etc/http.keytab', principal: 'HTTP/web.example.com', client: { transport } })
 * console.log(`kvno ${r.previousKvno} -> ${r.kvno}`)
 * ```
 */
export async function rotateKeytab(o: RotateKeytabOptions): Promise<RotateKeytabResult> {
  const keep = o.keep ?? 2
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`expected keep ≥ 1, got ${keep}`)
  const path = keytabPath(o.keytab)
  const unlock = await lock(path, o.staleLockMs ?? 10 * 60_000)
  try {
    return await rotateLocked(o, path, keep)
  } finally {
    await unlock()
  }
}

async function rotateLocked(
  o: RotateKeytabOptions,
  path: string,
  keep: number,
): Promise<RotateKeytabResult> {
  const signal = o.signal
  const sig = signal !== undefined ? { signal } : {}
  const c = new KerberosClient(o.client)
  const principal =
    typeof o.principal === 'string'
      ? parsePrincipal(o.principal, c.realm !== undefined ? { defaultRealm: c.realm } : {})
      : o.principal
  const name = formatPrincipal(principal)
  const old = await step('read', `cannot read ${path}`, () => readKeytab(`FILE:${path}`))
  const cur = current(old, principal)
  if (cur.entries.length === 0)
    throw fail('read', `${path} has no key for ${name}`, undefined, { path })
  const oldKeys = createKeytab(cur.entries.filter((e) => e.kvno === cur.kvno))
  await step('login', `${name} cannot log in with kvno ${cur.kvno} of ${path}`, () =>
    new KerberosClient(o.client).login({ principal, keytab: oldKeys, ...sig }),
  )
  const password = generatePassword(o.passwordLength ?? 32, o.random ?? randomBytes)
  const hadRC4 = cur.entries.some((e) => e.enctype === EncType.RC4_HMAC)
  const etypes = o.enctypes ?? [
    EncType.AES256_CTS_HMAC_SHA1_96,
    EncType.AES128_CTS_HMAC_SHA1_96,
    EncType.AES256_CTS_HMAC_SHA384_192,
    EncType.AES128_CTS_HMAC_SHA256_128,
    ...(hadRC4 ? [EncType.RC4_HMAC] : []),
  ]
  const probe = (): Promise<SaltEntry[]> =>
    step('salt', `cannot learn the salts of ${name}`, () =>
      probeSalts(
        new KerberosClient({
          ...o.client,
          allowWeakCrypto: hadRC4 || o.client.allowWeakCrypto === true,
        }),
        principal,
        etypes,
        signal,
      ),
    )
  const derive = (salts: readonly SaltEntry[], kvno: number): Promise<KeytabEntry[]> =>
    step('derive', 'string-to-key failed', async () =>
      salts.flatMap((x) =>
        keytabEntriesFromPassword({
          principal,
          password,
          kvno,
          enctypes: [x.etype],
          salt: { type: 'explicit', salt: x.salt },
          ...(x.s2kparams !== undefined ? { params: x.s2kparams } : {}),
          allowWeak: true,
        }),
      ),
    )
  // Stage: the new keys (salts as the KDC has them now, kvno + 1 predicted) go into the keytab
  // before the change, so an acceptor has them when the first ticket in the new key arrives
  // (acceptors try every key of the enctype, whatever the kvno).
  const staged = await derive(await probe(), cur.kvno + 1)
  await step('stage', `cannot write ${path}`, async () => {
    await writeKeytab(`FILE:${path}`, withEntries(old, principal, cur.kvno + 1, staged), {
      mode: 'keep',
    })
    o.onStaged?.(withEntries(old, principal, cur.kvno + 1, staged))
    if ((o.stageDelayMs ?? 0) > 0) await sleep(o.stageDelayMs!, undefined, sig)
  })
  try {
    await step('change', `kpasswd refused the new password for ${name}`, () =>
      c.changePassword({ principal, keytab: oldKeys, newPassword: password, ...sig }),
    )
  } catch (err) {
    // Unchanged (or unknown) at the KDC: put the keytab back as it was, byte for byte.
    await writeKeytab(`FILE:${path}`, old, { mode: 'keep' }).catch(() => undefined)
    throw err
  }
  const fresh = await step('kvno', `${name} cannot log in with the new password`, () =>
    new KerberosClient(o.client).login({ principal, password, ...sig }),
  )
  const kvno = fresh.replyKvno ?? cur.kvno + 1
  const salts = await probe()
  if (salts.length === 0)
    throw fail(
      'salt',
      `the KDC offered none of ${etypes.map(describeEncType).join(', ')} for ${name}`,
    )
  const entries = await derive(salts, kvno)
  for (const e of entries) {
    await step(
      'verify',
      `the new ${describeEncType(e.enctype)} key (kvno ${kvno}) does not log in`,
      () =>
        new KerberosClient({ ...o.client, allowWeakCrypto: true }).login({
          principal,
          keytab: createKeytab([e]),
          etypes: [e.enctype],
          ...sig,
        }),
    )
  }
  const kept = await step('commit', `cannot update ${path}`, async () => {
    // Re-read under the lock: entries added by others since are kept.
    const now = await readKeytab(`FILE:${path}`)
    const others = now.entries.filter((e) => !samePrincipal(e.principal, principal))
    // The staged keys (kvno + 1 predicted) give way to the final ones.
    const mine = now.entries.filter(
      (e) => samePrincipal(e.principal, principal) && e.kvno !== kvno && e.kvno !== cur.kvno + 1,
    )
    const kvnos = [...new Set([kvno, ...mine.map((e) => e.kvno)])]
      .sort((a, b) => b - a)
      .slice(0, keep)
    const keptMine = mine.filter((e) => kvnos.includes(e.kvno))
    await writeKeytab(
      `FILE:${path}`,
      { ...now, entries: [...others, ...keptMine, ...entries] },
      { mode: 'keep' },
    )
    return kvnos
  })
  return {
    principal: name,
    previousKvno: cur.kvno,
    kvno,
    enctypes: entries.map((e) => e.enctype),
    kept,
  }
}

/** Options for {@link scheduleKeytabRotation}. */
export interface ScheduleKeytabRotationOptions extends RotateKeytabOptions {
  /** Time between rotations in ms (e.g. 30 days). */
  readonly intervalMs: number
  readonly onRotate?: (result: RotateKeytabResult) => void
  /** Called with the `ERR_KRB_KEYTAB_ROTATE` error; the next run is still scheduled. */
  readonly onError?: (err: unknown) => void
}

/**
 * Run {@link rotateKeytab} every `intervalMs` (never two at once; the timer does not keep the
 * process alive). Pair it with `watchKeytab` so the acceptor picks the new keys up.
 *
 * @example
 * ```ts
 * const stop = scheduleKeytabRotation({ keytab, principal, client: { transport }, intervalMs: 30 * 86400e3 })
 * ```
 */
export function scheduleKeytabRotation(o: ScheduleKeytabRotationOptions): {
  close(): void
  runNow(): Promise<void>
} {
  if (!Number.isFinite(o.intervalMs) || o.intervalMs < 1000)
    throw new RangeError(`expected intervalMs ≥ 1000, got ${o.intervalMs}`)
  let running: Promise<void> | undefined
  const runNow = (): Promise<void> =>
    (running ??= rotateKeytab(o)
      .then(
        (r) => o.onRotate?.(r),
        (err: unknown) => o.onError?.(err),
      )
      .finally(() => (running = undefined)))
  const timer = setInterval(() => void runNow(), Math.min(o.intervalMs, 2 ** 31 - 1))
  timer.unref()
  return { close: () => clearInterval(timer), runNow }
}
