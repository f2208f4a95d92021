/**
 * A throwaway MIT krb5 realm for tests: a temporary directory with kdc.conf, krb5.conf, a
 * database and a `krb5kdc` on a free loopback port (UDP and TCP on the same number).
 *
 * @example
 * ```ts
 * const realm = await startRealm()
 * try {
 *   await realm.addPrincipal('alice', { password: 'pw', requiresPreauth: true })
 *   await realm.kinit('alice', { password: 'pw', ccache: realm.path('alice.cc') })
 * } finally {
 *   await realm.stop()
 * }
 * ```
 *
 * See /work/shared/KDC-NOTES.md for the MIT pitfalls this works around.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { createSocket } from 'node:dgram'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where the MIT binaries live on Debian. */
export const MIT_BIN = {
  krb5kdc: '/usr/sbin/krb5kdc',
  kdb5_util: '/usr/sbin/kdb5_util',
  kadminLocal: '/usr/sbin/kadmin.local',
  kinit: '/usr/bin/kinit',
  klist: '/usr/bin/klist',
  kvno: '/usr/bin/kvno',
  ktutil: '/usr/bin/ktutil',
  kdestroy: '/usr/bin/kdestroy',
} as const

/** Every enctype a test realm gives new principals by default. */
export const DEFAULT_SUPPORTED_ENCTYPES: readonly string[] = [
  'aes256-cts-hmac-sha1-96:normal',
  'aes128-cts-hmac-sha1-96:normal',
  'aes256-cts-hmac-sha384-192:normal',
  'aes128-cts-hmac-sha256-128:normal',
  'arcfour-hmac:normal',
]

/** Options for {@link startRealm}. */
export interface RealmOptions {
  /** Realm name; default `KRBTS.TEST`. */
  readonly realm?: string
  /** `[libdefaults] udp_preference_limit` in the client krb5.conf: 1 forces TCP; omitted = MIT default (1465). */
  readonly udpPreferenceLimit?: number
  /** `[libdefaults] allow_weak_crypto = true`. */
  readonly allowWeakCrypto?: boolean
  /** `[libdefaults] permitted_enctypes` (and default_tkt/tgs_enctypes) in the client krb5.conf. */
  readonly permittedEnctypes?: readonly string[]
  /** `allow_rc4 = true` for the KDC (Debian's CVE-2025-3576 backport refuses rc4 session keys otherwise). */
  readonly allowRc4?: boolean
  /** Key/salt list for new principals; default {@link DEFAULT_SUPPORTED_ENCTYPES}. */
  readonly supportedEnctypes?: readonly string[]
  /** Realm max ticket life, kadmin/kdc.conf syntax; default `10h`. */
  readonly maxLife?: string
  /** Realm max renewable life; default `7d`. Also applied to the krbtgt principal. */
  readonly maxRenewableLife?: string
  /** Extra `[libdefaults]` lines for the client krb5.conf. */
  readonly libdefaults?: Readonly<Record<string, string>>
  /** Extra `[kdcdefaults]` lines for kdc.conf, e.g. `{ kdc_max_dgram_reply_size: '100' }`. */
  readonly kdcdefaults?: Readonly<Record<string, string>>
  /** How long to wait for the KDC to accept TCP connections; default 5000 ms. */
  readonly startTimeoutMs?: number
}

/** Options for {@link Realm.addPrincipal}. */
export interface AddPrincipalOptions {
  /** A password (`-pw`); without it the key is random (`-randkey`). */
  readonly password?: string
  /** Use a random key even when no password is given (the default then anyway). */
  readonly randkey?: boolean
  /** Mark the principal `+requires_preauth` (users only: on services it breaks TGS). */
  readonly requiresPreauth?: boolean
  /** Enctypes for the keys, e.g. `['aes256-cts-hmac-sha1-96']`; `:normal` salt unless `salt` says otherwise. */
  readonly enctypes?: readonly string[]
  /** Salt type for `enctypes`: `normal`, `special` (random salt), `norealm`, `onlyrealm`. */
  readonly salt?: string
  /** A full key/salt list (`aes256-cts-hmac-sha1-96:special`); wins over `enctypes`/`salt`. */
  readonly keysalts?: readonly string[]
  /** `-maxrenewlife`, e.g. `7d`; default the realm's max renewable life. */
  readonly maxRenewLife?: string
  /** `-maxlife`, e.g. `10h`. */
  readonly maxLife?: string
  /** Extra kadmin flags, e.g. `['+ok_as_delegate']`. */
  readonly flags?: readonly string[]
  /** `setstr PRINC session_enctypes ...` (Debian backport: needed for rc4 or aes-sha2 session keys). */
  readonly sessionEnctypes?: readonly string[]
}

/** Options for {@link Realm.ktadd}. */
export interface KtaddOptions {
  /** Keep the current keys and kvno (`-norandkey`); otherwise the kvno is bumped. */
  readonly norandkey?: boolean
  /** Key/salt list for the new keys, e.g. `['aes256-cts-hmac-sha1-96:normal']`. */
  readonly enctypes?: readonly string[]
}

/** Options for {@link Realm.kinit}. */
export interface KinitOptions {
  /** Password fed on stdin. */
  readonly password?: string
  /** Keytab path for `kinit -k -t`. */
  readonly keytab?: string
  /** Credential cache path (or `TYPE:residual`); required so tests never share the default cache. */
  readonly ccache: string
  /** Ask for a renewable ticket: `true` = `7d`, or a lifetime string. */
  readonly renewable?: boolean | string
  /** `-f`. */
  readonly forwardable?: boolean
  /** `-l`, e.g. `1h`. */
  readonly lifetime?: string
  /** Extra arguments before the principal. */
  readonly args?: readonly string[]
}

/** What a finished MIT tool run printed. */
export interface ToolResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Options for {@link Realm.run}. */
export interface RunOptions {
  /** Text written to stdin, then stdin is closed. */
  readonly input?: string
  /** Kill after this long; default 15000 ms. */
  readonly timeoutMs?: number
  /** Extra environment on top of {@link Realm.env}. */
  readonly env?: Readonly<Record<string, string>>
  /** Do not throw on a non-zero exit status. */
  readonly allowFailure?: boolean
}

/** A running throwaway realm. */
export interface Realm {
  /** Realm name. */
  readonly realm: string
  /** The temporary directory holding everything. */
  readonly dir: string
  /** Port of the KDC (UDP and TCP). */
  readonly kdcPort: number
  /** Client krb5.conf path. */
  readonly krb5ConfPath: string
  /** kdc.conf path. */
  readonly kdcConfPath: string
  /** Environment for spawning MIT tools: KRB5_CONFIG, KRB5_KDC_PROFILE, KRB5CCNAME, KRB5_KTNAME, KRB5RCACHEDIR. */
  readonly env: Readonly<Record<string, string>>
  /**
   * Write a variant of the client krb5.conf into the realm directory (e.g. pointing MIT tools at
   * a proxy, or forcing TCP) and return its path; use it as `KRB5_CONFIG` in `run(..., { env })`.
   */
  writeKrb5Conf(name: string, options: Krb5ConfVariant): string
  /** A path inside {@link Realm.dir}. */
  path(name: string): string
  /** `user` → `user@REALM`; names with `@` are returned as they are. */
  qualify(name: string): string
  /** Run a program with {@link Realm.env}; throws on a non-zero exit unless `allowFailure`. */
  run(file: string, args: readonly string[], options?: RunOptions): Promise<ToolResult>
  /** Run one `kadmin.local` query; throws when the output reports an error (kadmin.local exits 0 anyway). */
  kadmin(query: string): Promise<string>
  /** Add a principal (password or random key). */
  addPrincipal(name: string, options?: AddPrincipalOptions): Promise<void>
  /** `ktadd` one or more principals into a keytab; bumps the kvno unless `norandkey`. */
  ktadd(
    principals: string | readonly string[],
    keytabPath: string,
    options?: KtaddOptions,
  ): Promise<void>
  /** `cpw -randkey`: new random keys, kvno + 1. */
  cpwRandkey(name: string, options?: { readonly enctypes?: readonly string[] }): Promise<void>
  /** `cpw -pw`: new password, kvno + 1. */
  cpw(name: string, password: string): Promise<void>
  /** `setstr PRINC key value`. */
  setstr(name: string, key: string, value: string): Promise<void>
  /** The principal's current kvno per `getprinc`. */
  getKvno(name: string): Promise<number>
  /** MIT `kinit` with a password (stdin) or keytab into `ccache`. */
  kinit(principal: string, options: KinitOptions): Promise<ToolResult>
  /** Stop the KDC only (simulate a KDC that is down); the directory stays. */
  stopKDC(): Promise<void>
  /** Start the KDC again on the same port. */
  startKDC(): Promise<void>
  /** stopKDC + startKDC. */
  restart(): Promise<void>
  /** The KDC's process id, or undefined when it is stopped. */
  readonly kdcPid: number | undefined
  /** Stop the KDC, wait for it, remove the directory. Safe to call twice. */
  stop(): Promise<void>
}

/** Changes for {@link Realm.writeKrb5Conf}. */
export interface Krb5ConfVariant {
  /** Replace the realm's `kdc = 127.0.0.1:PORT` line with these entries (krb5.conf syntax). */
  readonly kdc?: readonly string[]
  /** Extra or overriding `[libdefaults]` relations (added at the top of the section, so they win). */
  readonly libdefaults?: Readonly<Record<string, string>>
}

/** Options for {@link startRealmPair}. */
export interface RealmPairOptions {
  /** Default `ALPHA.TEST`. */
  readonly realmA?: string
  /** Default `BETA.TEST`. */
  readonly realmB?: string
  /** Password of both cross-realm krbtgt principals. */
  readonly crossPassword?: string
  /** Options applied to both realms (minus `realm`). */
  readonly common?: Omit<RealmOptions, 'realm'>
  /**
   * Whether the clients' krb5.conf maps the other realm's domain (default true). False leaves
   * that to the KDCs, so clients must use referrals (RFC 6806).
   */
  readonly clientDomainRealm?: boolean
}

/** Two realms that trust each other both ways. Hosts `*.alpha.test` map to A, `*.beta.test` to B. */
export interface RealmPair {
  readonly a: Realm
  readonly b: Realm
  /** Stop both. */
  stop(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// MIT availability

/** True when every MIT binary the realm helper uses is installed. */
export function mitAvailable(): boolean {
  return Object.values(MIT_BIN).every((p) => existsSync(p))
}

/**
 * Guard for tests that need MIT krb5. Returns true when the tools are present. When absent:
 * outside CI the test is skipped with a loud warning; with `CI=true` it throws so CI fails.
 *
 * @example
 * ```ts
 * test('kinit', async (t) => { if (!requireMIT(t)) return; ... })
 * ```
 */
export function requireMIT(t: { skip(message?: string): void }): boolean {
  if (mitAvailable()) return true
  const missing = Object.values(MIT_BIN).filter((p) => !existsSync(p))
  const msg = `MIT krb5 tools missing (${missing.join(', ')}): install krb5-kdc krb5-admin-server krb5-user`
  if (process.env.CI === 'true') throw new Error(msg + ' — required when CI=true')
  console.warn(`\n!!!!! SKIPPING MIT-DEPENDENT TEST: ${msg} !!!!!\n`)
  t.skip(msg)
  return false
}

/**
 * For `test(name, { skip: skipWithoutMIT() }, fn)` / `describe`: false when MIT is present,
 * a skip message otherwise (loud), throws under CI=true.
 */
export function skipWithoutMIT(): string | false {
  let reason: string | false = false
  requireMIT({ skip: (m) => (reason = m ?? 'MIT krb5 missing') })
  return reason
}

// ---------------------------------------------------------------------------------------------
// Ports

async function bindTcp(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(undefined))
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const addr = srv.address()
      const p = typeof addr === 'object' && addr !== null ? addr.port : undefined
      srv.close(() => resolve(p))
    })
  })
}

async function bindUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4')
    sock.once('error', () => {
      sock.close()
      resolve(false)
    })
    sock.bind({ address: '127.0.0.1', port, exclusive: true }, () =>
      sock.close(() => resolve(true)),
    )
  })
}

/** A port number free on 127.0.0.1 for both TCP and UDP right now. */
export async function findFreePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await bindTcp(0)
    if (port !== undefined && (await bindUdp(port))) return port
  }
  throw new Error('no port free for both TCP and UDP on 127.0.0.1 after 50 tries')
}

/** Resolve when 127.0.0.1:port accepts a TCP connection. */
export async function tcpAccepts(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      s.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    s.once('connect', () => done(true))
    s.once('error', () => done(false))
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Wait for `gone` up to `ms`; the timer is cleared either way so it never holds the process open. */
async function exitsWithin(gone: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))
  try {
    return await Promise.race([gone.then(() => true), late])
  } finally {
    clearTimeout(timer)
  }
}

function countReadyLines(logPath: string): number {
  if (!existsSync(logPath)) return 0
  return readFileSync(logPath, 'utf8').split('commencing operation').length - 1
}

/** KDCs still running: killed when the test process exits, even if a test forgot stop(). */
const liveKDCs = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of liveKDCs) child.kill('SIGKILL')
})

// ---------------------------------------------------------------------------------------------
// Config files

interface ConfRealm {
  readonly name: string
  readonly port: number
}

interface Krb5ConfParams {
  readonly defaultRealm: string
  readonly realms: readonly ConfRealm[]
  readonly domainRealm: Readonly<Record<string, string>>
  readonly capaths?: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly options: RealmOptions
}

function krb5Conf(p: Krb5ConfParams): string {
  const o = p.options
  const lib: Record<string, string> = {
    default_realm: p.defaultRealm,
    dns_lookup_kdc: 'false',
    dns_lookup_realm: 'false',
    dns_canonicalize_hostname: 'false',
    rdns: 'false',
    qualify_shortname: '""',
    ignore_acceptor_hostname: 'false',
    forwardable: 'false',
  }
  if (o.udpPreferenceLimit !== undefined) lib.udp_preference_limit = String(o.udpPreferenceLimit)
  if (o.allowWeakCrypto === true) lib.allow_weak_crypto = 'true'
  if (o.permittedEnctypes !== undefined) {
    const list = o.permittedEnctypes.join(' ')
    lib.permitted_enctypes = list
    lib.default_tkt_enctypes = list
    lib.default_tgs_enctypes = list
  }
  Object.assign(lib, o.libdefaults ?? {})
  const out = ['[libdefaults]', ...Object.entries(lib).map(([k, v]) => `  ${k} = ${v}`), '']
  out.push('[realms]')
  for (const r of p.realms) out.push(`  ${r.name} = {`, `    kdc = 127.0.0.1:${r.port}`, '  }')
  out.push('', '[domain_realm]')
  for (const [host, realm] of Object.entries(p.domainRealm)) out.push(`  ${host} = ${realm}`)
  if (p.capaths !== undefined) {
    out.push('', '[capaths]')
    for (const [from, tos] of Object.entries(p.capaths)) {
      out.push(`  ${from} = {`, ...Object.entries(tos).map(([k, v]) => `    ${k} = ${v}`), '  }')
    }
  }
  return out.join('\n') + '\n'
}

function kdcConf(dir: string, realm: string, port: number, o: RealmOptions): string {
  const rc4 = o.allowRc4 === true ? ['    allow_rc4 = true'] : []
  const enctypes = (o.supportedEnctypes ?? DEFAULT_SUPPORTED_ENCTYPES).join(' ')
  return [
    '[kdcdefaults]',
    `  kdc_listen = 127.0.0.1:${port}`,
    `  kdc_tcp_listen = 127.0.0.1:${port}`,
    ...Object.entries(o.kdcdefaults ?? {}).map(([k, v]) => `  ${k} = ${v}`),
    // Debian's CVE-2025-3576 backport reads allow_rc4 from [libdefaults] (the KDC's profile is
    // kdc.conf + krb5.conf); [kdcdefaults] and the realm also get it in case a build moves it.
    ...(o.allowRc4 === true
      ? ['  allow_rc4 = true', '', '[libdefaults]', '  allow_rc4 = true']
      : []),
    '',
    '[realms]',
    `  ${realm} = {`,
    `    database_name = ${join(dir, 'principal')}`,
    `    key_stash_file = ${join(dir, 'stash')}`,
    `    acl_file = ${join(dir, 'kadm5.acl')}`,
    `    admin_keytab = FILE:${join(dir, 'kadm5.keytab')}`,
    `    kdc_listen = 127.0.0.1:${port}`,
    `    kdc_tcp_listen = 127.0.0.1:${port}`,
    `    max_life = ${o.maxLife ?? '10h'}`,
    `    max_renewable_life = ${o.maxRenewableLife ?? '7d'}`,
    '    master_key_type = aes256-cts-hmac-sha1-96',
    `    supported_enctypes = ${enctypes}`,
    ...rc4,
    '  }',
    '',
    '[logging]',
    `  kdc = FILE:${join(dir, 'kdc.log')}`,
    `  admin_server = FILE:${join(dir, 'kadmind.log')}`,
    `  default = FILE:${join(dir, 'krb5lib.log')}`,
    '',
  ].join('\n')
}

// ---------------------------------------------------------------------------------------------
// Processes

function cleanEnv(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('KRB5')) env[k] = v
  }
  return { ...env, ...extra }
}

/** Run a program to completion, bounded by a timeout. */
export async function runTool(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  options: RunOptions = {},
): Promise<ToolResult> {
  const child = spawn(file, [...args], {
    env: cleanEnv({ ...env, ...(options.env ?? {}) }),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  child.stdin.on('error', () => {}) // the tool may exit before reading stdin
  child.stdin.end(options.input ?? '')
  const timeoutMs = options.timeoutMs ?? 15_000
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${file} ${args.join(' ')} timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    child.once('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.once('close', (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  const result = { code, stdout, stderr }
  if (code !== 0 && options.allowFailure !== true) {
    throw new Error(`${file} ${args.join(' ')} exited ${code}: ${stderr.trim() || stdout.trim()}`)
  }
  return result
}

/** Quote one argument for kadmin's own command-line parser. */
function q(s: string): string {
  if (s.includes('"')) throw new RangeError('kadmin arguments cannot contain a double quote')
  return /[\s]/.test(s) || s === '' ? `"${s}"` : s
}

// kadmin.local prints these on success; anything else on stderr that matches ERROR_RE is an error.
const BENIGN_RE =
  /^(Authenticating as principal|No policy specified for|NOTICE: no policy specified|Entry for principal .* added to keytab|Principal ".*" (created|modified)\.|Key for ".*" randomized\.|Password for ".*" changed\.)/
const ERROR_RE =
  /(while |error|Error|unknown|Unknown|not found|does not exist|usage|Usage|invalid|Invalid|failed|cannot|Cannot|Missing|missing|Bad |bad |not allowed|denied)/

function kadminError(output: string): string | undefined {
  for (const line of output.split('\n')) {
    const l = line.trim()
    if (l === '' || BENIGN_RE.test(l)) continue
    if (ERROR_RE.test(l)) return l
  }
  return undefined
}

function keysaltList(o: {
  enctypes?: readonly string[]
  salt?: string
  keysalts?: readonly string[]
}): string | undefined {
  if (o.keysalts !== undefined) return o.keysalts.join(' ')
  if (o.enctypes === undefined) return undefined
  return o.enctypes.map((e) => (e.includes(':') ? e : `${e}:${o.salt ?? 'normal'}`)).join(' ')
}

// ---------------------------------------------------------------------------------------------
// The realm

interface Layout {
  readonly realm: string
  readonly dir: string
  readonly port: number
  readonly options: RealmOptions
  readonly krb5ConfText: string
  /** A different krb5.conf for the KDC itself (its domain_realm drives referrals). */
  readonly kdcKrb5ConfText?: string
}

class RealmImpl implements Realm {
  readonly realm: string
  readonly dir: string
  readonly kdcPort: number
  readonly krb5ConfPath: string
  readonly kdcConfPath: string
  readonly env: Readonly<Record<string, string>>
  private readonly options: RealmOptions
  private readonly kdcEnv: Readonly<Record<string, string>>
  private kdc: ChildProcess | undefined
  private stopped = false

  constructor(l: Layout) {
    this.realm = l.realm
    this.dir = l.dir
    this.kdcPort = l.port
    this.options = l.options
    this.krb5ConfPath = join(l.dir, 'krb5.conf')
    this.kdcConfPath = join(l.dir, 'kdc.conf')
    this.env = {
      KRB5_CONFIG: this.krb5ConfPath,
      KRB5_KDC_PROFILE: this.kdcConfPath,
      KRB5CCNAME: 'FILE:' + join(l.dir, 'default.ccache'),
      KRB5_KTNAME: 'FILE:' + join(l.dir, 'default.keytab'),
      KRB5_CLIENT_KTNAME: 'FILE:' + join(l.dir, 'client.keytab'),
      KRB5RCACHEDIR: l.dir,
    }
    writeFileSync(this.krb5ConfPath, l.krb5ConfText)
    this.kdcEnv = this.env
    if (l.kdcKrb5ConfText !== undefined) {
      const kdcKrb5 = join(l.dir, 'kdc-krb5.conf')
      writeFileSync(kdcKrb5, l.kdcKrb5ConfText)
      this.kdcEnv = { ...this.env, KRB5_CONFIG: kdcKrb5 }
    }
    writeFileSync(this.kdcConfPath, kdcConf(l.dir, l.realm, l.port, l.options))
    writeFileSync(join(l.dir, 'kadm5.acl'), `*/admin@${l.realm} *\n`)
  }

  get kdcPid(): number | undefined {
    return this.kdc?.pid
  }

  writeKrb5Conf(name: string, o: Krb5ConfVariant): string {
    let text = readFileSync(this.krb5ConfPath, 'utf8')
    if (o.kdc !== undefined) {
      const lines = o.kdc.map((k) => `kdc = ${k}`).join('\n    ')
      text = text.replace(`kdc = 127.0.0.1:${this.kdcPort}`, lines)
    }
    const extra = Object.entries(o.libdefaults ?? {}).map(([k, v]) => `\n  ${k} = ${v}`)
    text = text.replace('[libdefaults]', '[libdefaults]' + extra.join(''))
    const path = this.path(name)
    writeFileSync(path, text)
    return path
  }

  path(name: string): string {
    return join(this.dir, name)
  }

  qualify(name: string): string {
    return name.includes('@') ? name : `${name}@${this.realm}`
  }

  run(file: string, args: readonly string[], options?: RunOptions): Promise<ToolResult> {
    return runTool(file, args, this.env, options)
  }

  async kadmin(query: string): Promise<string> {
    const r = await this.run(MIT_BIN.kadminLocal, ['-r', this.realm, '-q', query], {
      allowFailure: true,
    })
    // Errors go to stderr (com_err); query output (getprinc) to stdout.
    const out = r.stdout + '\n' + r.stderr
    const err = r.code !== 0 ? `exit ${r.code}: ${r.stderr.trim()}` : kadminError(r.stderr)
    if (err !== undefined)
      throw new Error(`kadmin.local -q '${query.replace(/-pw \S+/, '-pw ***')}' failed: ${err}`)
    return out
  }

  async addPrincipal(name: string, o: AddPrincipalOptions = {}): Promise<void> {
    const args = ['addprinc']
    args.push(o.password !== undefined ? `-pw ${q(o.password)}` : '-randkey')
    if (o.requiresPreauth === true) args.push('+requires_preauth')
    const ks = keysaltList(o)
    if (ks !== undefined) args.push(`-e ${q(ks)}`)
    args.push(`-maxrenewlife ${q(o.maxRenewLife ?? this.options.maxRenewableLife ?? '7d')}`)
    if (o.maxLife !== undefined) args.push(`-maxlife ${q(o.maxLife)}`)
    for (const f of o.flags ?? []) args.push(f)
    args.push(q(this.qualify(name)))
    await this.kadmin(args.join(' '))
    if (o.sessionEnctypes !== undefined) {
      await this.setstr(name, 'session_enctypes', o.sessionEnctypes.join(','))
    }
  }

  async ktadd(
    principals: string | readonly string[],
    keytabPath: string,
    o: KtaddOptions = {},
  ): Promise<void> {
    const list = typeof principals === 'string' ? [principals] : principals
    const args = ['ktadd', `-k ${q(keytabPath)}`]
    if (o.norandkey === true) args.push('-norandkey')
    if (o.enctypes !== undefined) args.push(`-e ${q(keysaltList({ enctypes: o.enctypes }) ?? '')}`)
    args.push(...list.map((p) => q(this.qualify(p))))
    await this.kadmin(args.join(' '))
  }

  async cpwRandkey(name: string, o: { readonly enctypes?: readonly string[] } = {}): Promise<void> {
    const ks = keysaltList({ enctypes: o.enctypes })
    const e = ks !== undefined ? ` -e ${q(ks)}` : ''
    await this.kadmin(`cpw -randkey${e} ${q(this.qualify(name))}`)
  }

  async cpw(name: string, password: string): Promise<void> {
    await this.kadmin(`cpw -pw ${q(password)} ${q(this.qualify(name))}`)
  }

  async setstr(name: string, key: string, value: string): Promise<void> {
    await this.kadmin(`setstr ${q(this.qualify(name))} ${q(key)} ${q(value)}`)
  }

  async getKvno(name: string): Promise<number> {
    const out = await this.kadmin(`getprinc ${q(this.qualify(name))}`)
    const m = /Key: vno (\d+)/.exec(out)
    if (m === null) throw new Error(`no key version in getprinc output for ${name}`)
    return Number(m[1])
  }

  async kinit(principal: string, o: KinitOptions): Promise<ToolResult> {
    const args = ['-c', o.ccache]
    if (o.renewable !== undefined && o.renewable !== false) {
      args.push('-r', o.renewable === true ? '7d' : o.renewable)
    }
    if (o.forwardable === true) args.push('-f')
    if (o.lifetime !== undefined) args.push('-l', o.lifetime)
    if (o.keytab !== undefined) args.push('-k', '-t', o.keytab)
    args.push(...(o.args ?? []), this.qualify(principal))
    const input = o.password !== undefined ? o.password + '\n' : undefined
    return this.run(MIT_BIN.kinit, args, { input })
  }

  async startKDC(): Promise<void> {
    if (this.kdc !== undefined) return
    // "commencing operation" is logged after the sockets are bound: count it so a restart
    // waits for the new process, and a port taken by someone else is not mistaken for ours.
    const ready = countReadyLines(this.path('kdc.log'))
    const child = spawn(MIT_BIN.krb5kdc, ['-n', '-r', this.realm], {
      env: cleanEnv(this.kdcEnv),
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    let exited = false
    child.once('exit', () => (exited = true))
    child.once('error', () => (exited = true))
    this.kdc = child
    liveKDCs.add(child)
    child.once('exit', () => liveKDCs.delete(child))
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 5000)
    while (Date.now() < deadline && !exited) {
      if (countReadyLines(this.path('kdc.log')) > ready && (await tcpAccepts(this.kdcPort, 200))) {
        if (!exited) return
      }
      await sleep(20)
    }
    const log = existsSync(this.path('kdc.log')) ? readFileSync(this.path('kdc.log'), 'utf8') : ''
    await this.stopKDC()
    throw new Error(
      `krb5kdc for ${this.realm} on port ${this.kdcPort} did not start: ${stderr.trim()} ${log.split('\n').slice(-4).join(' ')}`,
    )
  }

  async stopKDC(): Promise<void> {
    const child = this.kdc
    if (child === undefined) return
    this.kdc = undefined
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()))
      child.kill('SIGTERM')
      if (!(await exitsWithin(gone, 3000))) {
        child.kill('SIGKILL')
        await exitsWithin(gone, 2000)
      }
    }
    // The listening sockets go with the process; wait until the port refuses.
    for (let i = 0; i < 50 && (await tcpAccepts(this.kdcPort, 100)); i++) await sleep(20)
  }

  async restart(): Promise<void> {
    await this.stopKDC()
    await this.startKDC()
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await this.stopKDC()
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** Create the database and tune krbtgt. */
  async init(): Promise<void> {
    await this.run(MIT_BIN.kdb5_util, ['create', '-s', '-r', this.realm, '-P', 'masterpw'])
    const rl = this.options.maxRenewableLife ?? '7d'
    await this.kadmin(`modprinc -maxrenewlife ${q(rl)} ${q(`krbtgt/${this.realm}@${this.realm}`)}`)
  }
}

async function createRealm(
  realm: string,
  port: number,
  options: RealmOptions,
  krb5ConfText: string,
  kdcKrb5ConfText?: string,
): Promise<RealmImpl> {
  const dir = mkdtempSync(join(tmpdir(), `krbts-realm-${realm.toLowerCase()}-`))
  try {
    const layout: Layout = { realm, dir, port, options, krb5ConfText }
    const r = new RealmImpl(kdcKrb5ConfText === undefined ? layout : { ...layout, kdcKrb5ConfText })
    await r.init()
    return r
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
}

/** Start the KDC; if its port was taken meanwhile, try again on a fresh port (bounded). */
async function startWithRetry(make: (port: number) => Promise<RealmImpl>): Promise<RealmImpl> {
  let lastError: unknown
  for (let i = 0; i < 3; i++) {
    const r = await make(await findFreePort())
    try {
      await r.startKDC()
      return r
    } catch (e) {
      lastError = e
      await r.stop()
    }
  }
  throw lastError
}

/**
 * Start a throwaway MIT realm. Always `stop()` it (in `after`/`finally`).
 *
 * @example
 * ```ts
 * const realm = await startRealm({ realm: 'EXAMPLE.TEST', udpPreferenceLimit: 1 })
 * await realm.addPrincipal('HTTP/localhost')
 * await realm.ktadd('HTTP/localhost', realm.path('http.keytab'))
 * await realm.stop()
 * ```
 */
export async function startRealm(options: RealmOptions = {}): Promise<Realm> {
  const realm = options.realm ?? 'KRBTS.TEST'
  return startWithRetry((port) =>
    createRealm(
      realm,
      port,
      options,
      krb5Conf({
        defaultRealm: realm,
        realms: [{ name: realm, port }],
        domainRealm: { localhost: realm, [`.${realm.toLowerCase()}`]: realm },
        options,
      }),
    ),
  )
}

function pairConf(
  def: string,
  names: readonly [string, string],
  ports: readonly [number, number],
  common: RealmOptions,
  mapOther: boolean,
): string {
  const domainRealm: Record<string, string> = { localhost: def }
  for (const name of names) {
    if (name !== def && !mapOther) continue
    domainRealm[`.${name.toLowerCase()}`] = name
    domainRealm[name.toLowerCase()] = name
  }
  const [a, b] = names
  return krb5Conf({
    defaultRealm: def,
    realms: names.map((name, i) => ({ name, port: ports[i]! })),
    domainRealm,
    capaths: { [a]: { [b]: '.' }, [b]: { [a]: '.' } },
    options: common,
  })
}

async function createPair(options: RealmPairOptions, ports: [number, number]): Promise<RealmPair> {
  const names: [string, string] = [options.realmA ?? 'ALPHA.TEST', options.realmB ?? 'BETA.TEST']
  const common = options.common ?? {}
  const mapOther = options.clientDomainRealm !== false
  const made: RealmImpl[] = []
  try {
    for (const [i, name] of names.entries()) {
      const client = pairConf(name, names, ports, common, mapOther)
      const kdc = mapOther ? undefined : pairConf(name, names, ports, common, true)
      made.push(await createRealm(name, ports[i]!, { ...common, realm: name }, client, kdc))
    }
    const pw = options.crossPassword ?? 'cross-realm-secret'
    const ks = ['aes256-cts-hmac-sha1-96', 'aes128-cts-hmac-sha1-96']
    for (const r of made) {
      await r.addPrincipal(`krbtgt/${names[1]}@${names[0]}`, { password: pw, enctypes: ks })
      await r.addPrincipal(`krbtgt/${names[0]}@${names[1]}`, { password: pw, enctypes: ks })
    }
    for (const r of made) await r.startKDC()
  } catch (e) {
    for (const r of made) await r.stop()
    throw e
  }
  const [a, b] = made as [RealmImpl, RealmImpl]
  return { a, b, stop: async () => void (await Promise.all([a.stop(), b.stop()])) }
}

/**
 * Two realms with cross-realm trust both ways (`krbtgt/B@A` and `krbtgt/A@B`, same password and
 * aes-sha1 keys in both databases) and `[capaths]` direct paths. Host names under the
 * lowercased realm name (`web.beta.test`) belong to that realm: the KDCs always know this
 * (`[domain_realm]` in their krb5.conf); clients know it too unless `clientDomainRealm: false`,
 * in which case a client of A must follow the KDC's referral to reach `host/web.beta.test`.
 *
 * @example
 * ```ts
 * const { a, b, stop } = await startRealmPair()
 * await b.addPrincipal('host/web.beta.test')
 * // a client of ALPHA.TEST: kvno host/web.beta.test@BETA.TEST
 * await stop()
 * ```
 */
export async function startRealmPair(options: RealmPairOptions = {}): Promise<RealmPair> {
  let lastError: unknown
  for (let i = 0; i < 3; i++) {
    const portA = await findFreePort()
    let portB = await findFreePort()
    for (let j = 0; j < 10 && portB === portA; j++) portB = await findFreePort()
    try {
      return await createPair(options, [portA, portB])
    } catch (e) {
      lastError = e
    }
  }
  throw lastError
}
