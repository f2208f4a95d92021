/**
 * A throwaway Samba 4 Active Directory DC for tests: only its KDC runs, on 127.0.0.1, on free
 * ports. Next to the MIT realm helper (./realm.ts), with the same conventions: tests that need it
 * FAIL when Samba is missing under `CI=true`, and skip with a loud message otherwise.
 *
 * Cost is paid once:
 * - **Template**: `test/helpers/samba-setup.sh` provisions the domain, creates the accounts
 *   ({@link AD_ACCOUNTS}) and exports their keytabs (~15–25 s on 2 cores). The result is cached
 *   under the OS temp dir as `krbts-samba-template-<hash>`, the hash covering the script and the
 *   Samba version, so it is built once per machine and rebuilt when either changes.
 * - **One running DC per test run**: `node --test` runs each file in a child process of the
 *   runner; the first file to ask copies the template into `krbts-samba-run-<hash>-<runner pid>`,
 *   starts `samba` there (~0.5–1 s) and records its pid and ports in `state.json`; the other files
 *   of that run find it through that file (a `mkdir` lock serialises the two). A small detached
 *   watchdog stops `samba` by its pid (SIGTERM, then SIGKILL) and removes the directory once the
 *   runner process has exited. Run outside `node --test`, the owner is the test process itself.
 *
 * The shared DC must not be changed by tests (no password changes): it is shared by every file
 * of the run. Use {@link startPrivateSambaDC} for a DC of your own.
 *
 * See /work/shared/SAMBA-NOTES.md for the facts this relies on.
 *
 * @example
 * ```ts
 * describe('AD', { skip: skipWithoutSamba() }, () => {
 *   let dc: SambaDC
 *   before(async () => (dc = await useSambaDC()))
 *   test('kinit', async () => { await dc.kinit('alice', { password: AD_ACCOUNTS.alice.password, ccache: ... }) })
 * })
 * ```
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './paths.js'
import { findFreePort, tcpAccepts, type RunOptions, type ToolResult } from './realm.js'

/** The Samba programs the helper uses. */
export const SAMBA_BIN = {
  samba: '/usr/sbin/samba',
  sambaTool: '/usr/bin/samba-tool',
  ldbmodify: '/usr/bin/ldbmodify',
} as const

/** The domain the setup script provisions. */
export const AD_REALM = 'AD.TEST'
/** Its DNS domain. */
export const AD_DOMAIN = 'ad.test'

/** One account of the test domain, as test/helpers/samba-setup.sh creates it. */
export interface ADAccount {
  /** sAMAccountName. */
  readonly sam: string
  /** Current password. */
  readonly password: string
  /** userPrincipalName, when the account has one. */
  readonly upn?: string
  /** SPNs registered on the account. */
  readonly spns: readonly string[]
  /** The salt the DC uses for this account's keys (measured). */
  readonly salt: string
  /** Keytab of the account name (`exportkeytab --principal=SAM`), in the keytabs directory. */
  readonly keytab: string
  /** Keytab of the first SPN, when it has one. */
  readonly spnKeytab?: string
}

/** The accounts of the test domain. Keep in step with samba-setup.sh. */
export const AD_ACCOUNTS = {
  /** A user; samba-tool's default UPN `alice@ad.test`. */
  alice: {
    sam: 'alice',
    password: 'Alice-Pw-1',
    upn: 'alice@ad.test',
    spns: [],
    salt: 'AD.TESTalice',
    keytab: 'alice.keytab',
  },
  /** A user whose UPN (`jdoe@ad.test`) differs from its sAMAccountName. */
  jdoe: {
    sam: 'JDoe',
    password: 'Jdoe-Pw-2',
    upn: 'jdoe@ad.test',
    spns: [],
    salt: 'AD.TESTjdoe',
    keytab: 'jdoe.keytab',
  },
  /** A user without a UPN. */
  bob: {
    sam: 'Bob.Smith',
    password: 'Bob-Pw-2',
    spns: [],
    salt: 'AD.TESTBob.Smith',
    keytab: 'bob.keytab',
  },
  /** ktpass-style: SPN, UPN = SPN, msDS-SupportedEncryptionTypes 24, kvno > 1. */
  svcWeb: {
    sam: 'svc-web',
    password: 'Web-Pw-3',
    upn: 'HTTP/web.ad.test@AD.TEST',
    spns: ['HTTP/web.ad.test'],
    salt: 'AD.TESTHTTPweb.ad.test',
    keytab: 'svc-web.keytab',
    spnKeytab: 'http-web.keytab',
  },
  /** setspn-style: an HTTP SPN on a user account (default UPN), msDS-SupportedEncryptionTypes 24. */
  vault: {
    sam: 'Svc-Vault',
    password: 'Vault-Pw-1',
    upn: 'Svc-Vault@ad.test',
    spns: ['HTTP/vault.ad.test'],
    salt: 'AD.TESTSvc-Vault',
    keytab: 'vault.keytab',
    spnKeytab: 'http-vault.keytab',
  },
  /** rc4 only (msDS-SupportedEncryptionTypes 4): its SPN keytab holds only the rc4 key. */
  legacy: {
    sam: 'svc-legacy',
    password: 'Legacy-Pw-1',
    upn: 'svc-legacy@ad.test',
    spns: ['cifs/legacy.ad.test'],
    salt: 'AD.TESTsvc-legacy',
    keytab: 'legacy.keytab',
    spnKeytab: 'cifs-legacy.keytab',
  },
  /** A computer account (member of WebServers), password from `--prepare-oldjoin`. */
  web01: {
    sam: 'WEB01$',
    password: 'web01',
    spns: ['host/web01.ad.test'],
    salt: 'AD.TESThostweb01.ad.test',
    keytab: 'web01.keytab',
    spnKeytab: 'host-web01.keytab',
  },
  /**
   * Front-end service for constrained delegation: TRUSTED_TO_AUTH_FOR_DELEGATION (protocol
   * transition), msDS-AllowedToDelegateTo cifs/back.ad.test.
   */
  svcFront: {
    sam: 'svc-front',
    password: 'Front-Pw-1',
    upn: 'svc-front@ad.test',
    spns: ['HTTP/front.ad.test'],
    salt: 'AD.TESTsvc-front',
    keytab: 'svc-front.keytab',
    spnKeytab: 'http-front.keytab',
  },
  /** The back-end service svc-front may delegate to. */
  svcBack: {
    sam: 'svc-back',
    password: 'Back-Pw-1',
    upn: 'svc-back@ad.test',
    spns: ['cifs/back.ad.test'],
    salt: 'AD.TESTsvc-back',
    keytab: 'svc-back.keytab',
    spnKeytab: 'cifs-back.keytab',
  },
  /** A front-end with no delegation setting of its own, allowed by svc-rbcd (RBCD). */
  svcRbfront: {
    sam: 'svc-rbfront',
    password: 'Rbfront-Pw-1',
    upn: 'svc-rbfront@ad.test',
    spns: ['HTTP/rbfront.ad.test'],
    salt: 'AD.TESTsvc-rbfront',
    keytab: 'svc-rbfront.keytab',
  },
  /** RBCD resource: msDS-AllowedToActOnBehalfOfOtherIdentity names svc-rbfront. */
  svcRbcd: {
    sam: 'svc-rbcd',
    password: 'Rbcd-Pw-1',
    upn: 'svc-rbcd@ad.test',
    spns: ['HTTP/rbcd.ad.test'],
    salt: 'AD.TESTsvc-rbcd',
    keytab: 'http-rbcd.keytab',
    spnKeytab: 'http-rbcd.keytab',
  },
  /** A user marked "sensitive and cannot be delegated" (NOT_DELEGATED). */
  carol: {
    sam: 'carol',
    password: 'Carol-Pw-1',
    upn: 'carol@ad.test',
    spns: [],
    salt: 'AD.TESTcarol',
    keytab: 'carol.keytab',
  },
} as const satisfies Readonly<Record<string, ADAccount>>

/** A running Samba AD DC (KDC service only). */
export interface SambaDC {
  readonly realm: string
  /** The DC's directory (a copy of the template). */
  readonly dir: string
  /** KDC port (UDP and TCP). */
  readonly kdcPort: number
  /** kpasswd port. */
  readonly kpasswdPort: number
  /** The root `samba` process. */
  readonly pid: number
  /** A client krb5.conf for the realm (MIT tools and our client). */
  readonly krb5ConfPath: string
  /** Environment for MIT tools: KRB5_CONFIG, and a KRB5CCNAME inside a fresh scratch dir. */
  readonly env: Readonly<Record<string, string>>
  /** A scratch directory of this test process (removed by `release`). */
  readonly scratch: string
  /** A path in the scratch directory. */
  path(name: string): string
  /** The path of an exported keytab (`AD_ACCOUNTS.x.keytab`). */
  keytabPath(name: string): string
  /** Write a krb5.conf variant for the realm into the scratch directory, return its path. */
  writeKrb5Conf(name: string, libdefaults: Readonly<Record<string, string>>): string
  /** Run a program with {@link SambaDC.env}. */
  run(file: string, args: readonly string[], options?: RunOptions): Promise<ToolResult>
  /** Let go of the DC: removes the scratch dir; a private DC is stopped, a shared one stays. */
  release(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Availability

/** samba-ad-provision ships the schema files; without them, provisioning fails late. */
const SAMBA_SCHEMA = '/usr/share/samba/setup/ad-schema/AD_DS_Attributes__Windows_Server_2012_R2.ldf'

function missingSamba(): string[] {
  return [...Object.values(SAMBA_BIN), SAMBA_SCHEMA].filter((p) => !existsSync(p))
}

/** True when the Samba AD DC programs and provisioning data are installed. */
export function sambaAvailable(): boolean {
  return missingSamba().length === 0
}

/**
 * Guard for tests that need Samba. True when present. When absent: skip with a loud warning,
 * or throw under `CI=true` so CI fails.
 */
export function requireSamba(t: { skip(message?: string): void }): boolean {
  if (sambaAvailable()) return true
  const msg = `Samba AD DC missing (${missingSamba().join(', ')}): install samba samba-ad-dc winbind samba-ad-provision samba-dsdb-modules ldb-tools (--no-install-recommends)`
  if (process.env.CI === 'true') throw new Error(msg + ' — required when CI=true')
  console.warn(`\n!!!!! SKIPPING SAMBA-DEPENDENT TEST: ${msg} !!!!!\n`)
  t.skip(msg)
  return false
}

/** For `describe(name, { skip: skipWithoutSamba() }, ...)`: false when Samba is present. */
export function skipWithoutSamba(): string | false {
  let reason: string | false = false
  requireSamba({ skip: (m) => (reason = m ?? 'Samba missing') })
  return reason
}

// ---------------------------------------------------------------------------------------------
// Processes

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The process exists and is not a zombie (orphans may stay `<defunct>` where nothing reaps). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

function runTool(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  o: RunOptions = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, ...env, ...(o.env ?? {}) } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 15000)
    child.once('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      const r = { code, stdout, stderr }
      if (code !== 0 && o.allowFailure !== true) {
        reject(new Error(`${file} ${args.join(' ')} exited ${code}: ${stderr.trim()}`))
      } else resolve(r)
    })
    // A program that exits without reading its input must not crash the test with EPIPE.
    child.stdin.on('error', () => undefined)
    child.stdin.end(o.input ?? '')
  })
}

// ---------------------------------------------------------------------------------------------
// Locks: a directory made with mkdir (atomic), holding the owner's pid; a dead owner's lock is
// taken over.

async function withLock<T>(lockDir: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      mkdirSync(lockDir)
      writeFileSync(join(lockDir, 'pid'), String(process.pid))
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      let owner = NaN
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'))
      } catch {
        // Just made, pid not written yet.
      }
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        rmSync(lockDir, { recursive: true, force: true })
        continue
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${lockDir}`)
      await sleep(200)
    }
  }
  try {
    return await fn()
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------
// The template

const SETUP_SCRIPT = join(repoRoot, 'test', 'helpers', 'samba-setup.sh')

/** Hash of the setup script and the Samba version: the template's cache key. */
export function templateKey(): string {
  const version = spawnSync(SAMBA_BIN.samba, ['--version'], { encoding: 'utf8' }).stdout ?? ''
  return createHash('sha256')
    .update(readFileSync(SETUP_SCRIPT))
    .update(version)
    .digest('hex')
    .slice(0, 16)
}

/** Timings of the last {@link ensureTemplate} / DC start in this process, for reports. */
export const sambaTimings: { templateMs?: number; startMs?: number; reused?: boolean } = {}

/** Build the template unless it is cached; returns its directory. */
export async function ensureTemplate(key: string = templateKey()): Promise<string> {
  const dir = join(tmpdir(), `krbts-samba-template-${key}`)
  if (existsSync(join(dir, 'READY'))) return dir
  return withLock(`${dir}.lock`, 300_000, async () => {
    if (existsSync(join(dir, 'READY'))) return dir
    const t0 = Date.now()
    const building = `${dir}.building-${process.pid}`
    rmSync(building, { recursive: true, force: true })
    try {
      await runTool('/bin/bash', [SETUP_SCRIPT, building], {}, { timeoutMs: 300_000 })
    } catch (e) {
      rmSync(building, { recursive: true, force: true })
      throw e
    }
    renameSync(building, dir)
    sambaTimings.templateMs = Date.now() - t0
    removeOldTemplates(key)
    return dir
  })
}

/**
 * Templates of older scripts or Samba versions are 40 MB each: remove those unused for a day
 * (another checkout may still use one), and half-built ones whose builder died.
 */
function removeOldTemplates(key: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name)
    const building = /^krbts-samba-template-[0-9a-f]{16}\.building-(\d+)$/.exec(name)
    if (building !== null && !alive(Number(building[1]))) {
      rmSync(path, { recursive: true, force: true })
      continue
    }
    const m = /^krbts-samba-template-([0-9a-f]{16})$/.exec(name)
    if (m === null || m[1] === key || existsSync(`${path}.lock`)) continue
    if (Date.now() - statSync(path).mtimeMs < 86_400_000) continue
    rmSync(path, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------
// Starting a DC from the template

interface RunState {
  readonly pid: number
  readonly kdcPort: number
  readonly kpasswdPort: number
}

/** smb.conf of the template, moved to `dir` (it names the directory it was provisioned in). */
function smbConfFor(text: string, dir: string, s: Omit<RunState, 'pid'>): string {
  const from = /^\s*private dir = (.*)\/private\s*$/m.exec(text)?.[1]
  if (from === undefined) throw new Error('the template smb.conf has no private dir line')
  const global = [
    'interfaces = 127.0.0.1',
    'bind interfaces only = yes',
    'server services = kdc',
    `krb5 port = ${s.kdcPort}`,
    `kpasswd port = ${s.kpasswdPort}`,
    `pid directory = ${dir}/run`,
    `ntp signd socket directory = ${dir}/run/ntp_signd`,
    `winbindd socket directory = ${dir}/run/winbindd`,
  ]
  return text
    .split(from)
    .join(dir)
    .replace('[global]', '[global]\n' + global.map((l) => `\t${l}`).join('\n'))
}

function krb5ConfFor(
  s: Omit<RunState, 'pid'>,
  libdefaults: Readonly<Record<string, string>> = {},
): string {
  const lib: Record<string, string> = {
    default_realm: AD_REALM,
    dns_lookup_kdc: 'false',
    dns_lookup_realm: 'false',
    dns_canonicalize_hostname: 'false',
    rdns: 'false',
    qualify_shortname: '""',
    ...libdefaults,
  }
  return [
    '[libdefaults]',
    ...Object.entries(lib).map(([k, v]) => `  ${k} = ${v}`),
    '',
    '[realms]',
    `  ${AD_REALM} = {`,
    `    kdc = 127.0.0.1:${s.kdcPort}`,
    `    kpasswd_server = 127.0.0.1:${s.kpasswdPort}`,
    '  }',
    '',
    '[domain_realm]',
    `  .${AD_DOMAIN} = ${AD_REALM}`,
    `  ${AD_DOMAIN} = ${AD_REALM}`,
    '',
  ].join('\n')
}

/** Start `samba` in `dir` (a copy of the template); resolves when its KDC accepts TCP. */
async function startIn(dir: string, template: string): Promise<RunState> {
  let last: unknown
  for (let i = 0; i < 3; i++) {
    const kdcPort = await findFreePort()
    let kpasswdPort = await findFreePort()
    while (kpasswdPort === kdcPort) kpasswdPort = await findFreePort()
    const conf = join(dir, 'etc', 'smb.conf')
    const base = readFileSync(join(template, 'etc', 'smb.conf'), 'utf8')
    writeFileSync(conf, smbConfFor(base, dir, { kdcPort, kpasswdPort }))
    mkdirSync(join(dir, 'run'), { recursive: true })
    const log = openSync(join(dir, 'samba.out'), 'a')
    // Detached (its own session) so that it outlives this test file: the watchdog stops it.
    const child = spawn(SAMBA_BIN.samba, ['-i', '-s', conf], {
      detached: true,
      stdio: ['ignore', log, log],
    })
    closeSync(log)
    child.unref()
    const pid = child.pid
    if (pid === undefined) throw new Error('samba did not start')
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline && alive(pid)) {
      if (await tcpAccepts(kdcPort, 200)) return { pid, kdcPort, kpasswdPort }
      await sleep(50)
    }
    await stopPid(pid)
    const out = readFileSync(join(dir, 'samba.out'), 'utf8').split('\n').slice(-5).join(' ')
    last = new Error(`samba on 127.0.0.1:${kdcPort} did not start: ${out}`)
  }
  throw last
}

async function stopPid(pid: number): Promise<void> {
  if (!alive(pid)) return
  process.kill(pid, 'SIGTERM')
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(50)
  if (alive(pid)) process.kill(pid, 'SIGKILL')
}

/**
 * A detached shell that waits for `owner` to exit, then stops `samba` by its pid and removes
 * the run directory. It holds no file of the test process open.
 */
function spawnWatchdog(owner: number, pid: number, dir: string): void {
  const script = [
    `while kill -0 ${owner} 2>/dev/null; do sleep 1; done`,
    `kill -TERM ${pid} 2>/dev/null`,
    // Stop waiting when it is gone or a zombie (state Z in /proc: nothing may reap it).
    `for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 ${pid} 2>/dev/null || break; grep -q ') Z' /proc/${pid}/stat 2>/dev/null && break; sleep 0.5; done`,
    `kill -KILL ${pid} 2>/dev/null`,
    `rm -rf '${dir}'`,
  ].join('\n')
  spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref()
}

/** The process whose end ends the run: the `node --test` runner, or this process. */
function runOwner(): number {
  return process.env.NODE_TEST_CONTEXT !== undefined ? process.ppid : process.pid
}

/** Run directories whose owner and samba are both gone (a watchdog that never ran): remove. */
function removeStaleRuns(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^krbts-samba-run-[0-9a-f]{16}-(\d+)$/.exec(name)
    if (m === null || alive(Number(m[1]))) continue
    const dir = join(tmpdir(), name)
    const state = readState(dir)
    if (state !== undefined && alive(state.pid)) continue
    rmSync(dir, { recursive: true, force: true })
  }
}

function readState(dir: string): RunState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as RunState
  } catch {
    return undefined
  }
}

class SambaDCImpl implements SambaDC {
  readonly realm = AD_REALM
  readonly krb5ConfPath: string
  readonly env: Readonly<Record<string, string>>
  readonly scratch: string
  readonly kdcPort: number
  readonly kpasswdPort: number
  readonly pid: number
  readonly dir: string
  private readonly owned: boolean

  constructor(dir: string, state: RunState, owned: boolean) {
    this.dir = dir
    this.owned = owned
    this.kdcPort = state.kdcPort
    this.kpasswdPort = state.kpasswdPort
    this.pid = state.pid
    mkdirSync(join(dir, 'scratch'), { recursive: true })
    this.scratch = join(dir, 'scratch', String(process.pid))
    rmSync(this.scratch, { recursive: true, force: true })
    mkdirSync(this.scratch, { recursive: true })
    this.krb5ConfPath = join(this.scratch, 'krb5.conf')
    writeFileSync(this.krb5ConfPath, krb5ConfFor(state))
    this.env = {
      KRB5_CONFIG: this.krb5ConfPath,
      KRB5CCNAME: 'FILE:' + join(this.scratch, 'default.ccache'),
      KRB5_KTNAME: 'FILE:' + join(this.scratch, 'default.keytab'),
      KRB5RCACHETYPE: 'none',
    }
  }

  path(name: string): string {
    return join(this.scratch, name)
  }

  keytabPath(name: string): string {
    return join(this.dir, 'keytabs', name)
  }

  writeKrb5Conf(name: string, libdefaults: Readonly<Record<string, string>>): string {
    const p = this.path(name)
    writeFileSync(p, krb5ConfFor(this, libdefaults))
    return p
  }

  run(file: string, args: readonly string[], options?: RunOptions): Promise<ToolResult> {
    return runTool(file, args, this.env, options)
  }

  async release(): Promise<void> {
    rmSync(this.scratch, { recursive: true, force: true })
    if (!this.owned) return
    await stopPid(this.pid)
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/**
 * The run's shared DC: started by the first test file that asks, found by the others. Do not
 * change its accounts. Call `release()` in `after` (it keeps the DC running for other files).
 */
export async function useSambaDC(): Promise<SambaDC> {
  const key = templateKey()
  const template = await ensureTemplate(key)
  const owner = runOwner()
  const dir = join(tmpdir(), `krbts-samba-run-${key}-${owner}`)
  return withLock(`${dir}.lock`, 120_000, async () => {
    const known = readState(dir)
    if (known !== undefined && alive(known.pid) && (await tcpAccepts(known.kdcPort, 500))) {
      sambaTimings.reused = true
      return new SambaDCImpl(dir, known, false)
    }
    if (known !== undefined) await stopPid(known.pid)
    rmSync(dir, { recursive: true, force: true })
    removeStaleRuns()
    const t1 = Date.now()
    cpSync(template, dir, { recursive: true })
    let state: RunState
    try {
      state = await startIn(dir, template)
    } catch (e) {
      rmSync(dir, { recursive: true, force: true })
      throw e
    }
    spawnWatchdog(owner, state.pid, dir)
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state))
    sambaTimings.reused = false
    sambaTimings.startMs = Date.now() - t1
    return new SambaDCImpl(dir, state, false)
  })
}

/**
 * A DC of this test's own (copied from the template, ~1 s): change it as you like; `release()`
 * stops it by pid and removes its directory. A watchdog stops it too if the process dies first.
 */
export async function startPrivateSambaDC(): Promise<SambaDC> {
  const template = await ensureTemplate()
  const dir = join(tmpdir(), `krbts-samba-private-${process.pid}-${Date.now()}`)
  cpSync(template, dir, { recursive: true })
  try {
    const state = await startIn(dir, template)
    spawnWatchdog(process.pid, state.pid, dir)
    return new SambaDCImpl(dir, state, true)
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
}
