/**
 * Real GSS-API peers for acceptor tests: python3-gssapi (Debian's /usr/bin/python3, on MIT
 * libgssapi_krb5) as initiator or acceptor driven line by line over stdin/stdout, and the
 * gss-sample token framing (MIT src/appl/gss-sample/gss-misc.c: 1 flag byte + 4-byte big-endian
 * length) used by gss-server/gss-client.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface, type Interface } from 'node:readline'
import type { Socket } from 'node:net'
import type { Realm } from './realm.js'
import { encodeEncTicketPart, setFlags } from '../../src/asn1/index.js'
import type { Ticket } from '../../src/asn1/index.js'
import { encrypt, randomKey } from '../../src/crypto/index.js'
import { TicketFlags } from '../../src/iana.js'
import type { KerberosKey } from '../../src/key.js'
import { createKeytab, makeKeytabEntry, type Keytab } from '../../src/keytab/index.js'
import { parsePrincipal, type Principal } from '../../src/principal.js'

/** Debian's python with python3-gssapi (another python3 may come first on PATH). */
export const PYTHON = '/usr/bin/python3'
export const GSS_SERVER = '/usr/bin/gss-server'
export const GSS_CLIENT = '/usr/bin/gss-client'
export const CURL = '/usr/bin/curl'

let pyGss: boolean | undefined
/** True when /usr/bin/python3 can import gssapi. */
export function pythonGssAvailable(): boolean {
  if (pyGss === undefined) {
    if (!existsSync(PYTHON)) return (pyGss = false)
    pyGss = spawnSync(PYTHON, ['-c', 'import gssapi'], { stdio: 'ignore' }).status === 0
  }
  return pyGss
}

/** Skip (or fail under CI) when a peer binary is missing. */
export function requirePeer(
  t: { skip(message?: string): void },
  ok: boolean,
  what: string,
): boolean {
  if (ok) return true
  const msg = `*** ${what} is not installed: test SKIPPED ***`
  if (process.env.CI === 'true') throw new Error(`${what} is required in CI`)
  console.error(msg)
  t.skip(msg)
  return false
}

/**
 * The python side: reads JSON commands on stdin, answers JSON lines. One context per process.
 * Commands: init {target, flags, spnego, deleg, cb}, accept {keytab?, cb}, step {token}, wrap {msg, conf},
 * unwrap {token}, mic {msg}, verify {msg, token}, info.
 */
const PY_SCRIPT = String.raw`
import sys, json, base64, gssapi
from gssapi.raw import misc
KRB5 = gssapi.OID.from_int_seq('1.2.840.113554.1.2.2')
SPNEGO = gssapi.OID.from_int_seq('1.3.6.1.5.5.2')
ctx = None
def b(x): return base64.b64encode(x).decode() if x is not None else None
def u(x): return base64.b64decode(x) if x is not None else None
for line in sys.stdin:
    cmd = json.loads(line)
    try:
        op = cmd['op']
        if op == 'init':
            flags = gssapi.RequirementFlag.mutual_authentication | gssapi.RequirementFlag.integrity | gssapi.RequirementFlag.confidentiality | gssapi.RequirementFlag.replay_detection | gssapi.RequirementFlag.out_of_sequence_detection
            if cmd.get('deleg'): flags |= gssapi.RequirementFlag.delegate_to_peer
            if cmd.get('nomutual'): flags &= ~gssapi.RequirementFlag.mutual_authentication
            name = gssapi.Name(cmd['target'], gssapi.NameType.hostbased_service)
            cb = gssapi.raw.ChannelBindings(application_data=u(cmd['cb'])) if cmd.get('cb') else None
            ctx = gssapi.SecurityContext(name=name, usage='initiate', flags=flags, mech=SPNEGO if cmd.get('spnego') else KRB5, channel_bindings=cb)
            out = {'token': b(ctx.step())}
        elif op == 'tokens':
            toks = []
            for i in range(cmd['count']):
                name = gssapi.Name(cmd['target'], gssapi.NameType.hostbased_service)
                c = gssapi.SecurityContext(name=name, usage='initiate', mech=KRB5)
                toks.append(b(c.step()))
            out = {'tokens': toks}
        elif op == 'accept':
            cb = gssapi.raw.ChannelBindings(application_data=u(cmd['cb'])) if cmd.get('cb') else None
            ctx = gssapi.SecurityContext(usage='accept', mech=None, channel_bindings=cb)
            out = {}
        elif op == 'step':
            tok = ctx.step(u(cmd['token']))
            out = {'token': b(tok), 'complete': ctx.complete}
            if ctx.complete:
                out['initiator'] = str(ctx.initiator_name)
                out['target'] = str(ctx.target_name)
                out['flags'] = int(ctx.actual_flags)
        elif op == 'wrap':
            r = ctx.wrap(u(cmd['msg']), cmd['conf'])
            out = {'token': b(r.message), 'encrypted': r.encrypted}
        elif op == 'unwrap':
            r = ctx.unwrap(u(cmd['token']))
            out = {'msg': b(r.message), 'encrypted': r.encrypted}
        elif op == 'mic':
            out = {'token': b(ctx.get_signature(u(cmd['msg'])))}
        elif op == 'verify':
            ctx.verify_signature(u(cmd['msg']), u(cmd['token']))
            out = {'ok': True}
        else:
            out = {'error': 'unknown op ' + op}
    except Exception as e:
        out = {'error': type(e).__name__ + ': ' + str(e)}
    sys.stdout.write(json.dumps(out) + '\n'); sys.stdout.flush()
`

/** A python3-gssapi process speaking {@link PY_SCRIPT}'s line protocol. */
export class PythonGss {
  readonly child: ChildProcessWithoutNullStreams
  readonly #lines: Interface
  readonly #waiting: ((line: string) => void)[] = []
  stderr = ''

  constructor(env: Readonly<Record<string, string>>) {
    this.child = spawn(PYTHON, ['-c', PY_SCRIPT], { env: { ...process.env, ...env } })
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()))
    this.#lines = createInterface({ input: this.child.stdout })
    this.#lines.on('line', (l) => this.#waiting.shift()?.(l))
  }

  /** Send a command; resolves with the JSON answer (throws on `{error}`). */
  async call(cmd: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`python gssapi timed out: ${this.stderr}`)),
        15000,
      )
      this.#waiting.push((l) => {
        clearTimeout(timer)
        resolve(l)
      })
      this.child.stdin.write(JSON.stringify(cmd) + '\n')
    })
    const out = JSON.parse(line) as Record<string, unknown>
    if (typeof out.error === 'string') throw new Error(`python gssapi: ${out.error}`)
    return out
  }

  /** Close stdin and wait for the process. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return
    const done = new Promise<void>((r) => this.child.once('exit', () => r()))
    this.child.stdin.end()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000)
    await done
    clearTimeout(timer)
  }
}

export const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64')
export const unb64 = (s: unknown): Uint8Array => new Uint8Array(Buffer.from(String(s), 'base64'))

/** `count` fresh MIT initiator tokens (GSS-framed krb5 AP-REQs) for `target` (`HTTP@localhost`). */
export async function mitInitiatorTokens(
  env: Readonly<Record<string, string>>,
  target: string,
  count: number,
): Promise<Uint8Array[]> {
  const py = new PythonGss(env)
  try {
    const out = await py.call({ op: 'tokens', target, count })
    return (out.tokens as string[]).map(unb64)
  } finally {
    await py.close()
  }
}

// ---- gss-sample framing (gss-misc.c send_token/recv_token) ----

/** gss-sample token flags. */
export const TOKEN = {
  NOOP: 1 << 0,
  CONTEXT: 1 << 1,
  DATA: 1 << 2,
  MIC: 1 << 3,
  CONTEXT_NEXT: 1 << 4,
  WRAPPED: 1 << 5,
  ENCRYPTED: 1 << 6,
  SEND_MIC: 1 << 7,
} as const

/** One framed token: flags byte, 4-byte big-endian length, bytes. */
export function frameToken(flags: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length)
  out[0] = flags
  new DataView(out.buffer).setUint32(1, body.length)
  out.set(body, 5)
  return out
}

/** Reads framed tokens from a socket or stream. */
export class TokenReader {
  #buf: Uint8Array = new Uint8Array(0)
  readonly #waiters: (() => void)[] = []
  #ended = false

  constructor(stream: Socket | NodeJS.ReadableStream) {
    stream.on('data', (d: Buffer) => {
      const next = new Uint8Array(this.#buf.length + d.length)
      next.set(this.#buf)
      next.set(d, this.#buf.length)
      this.#buf = next
      this.#waiters.splice(0).forEach((w) => w())
    })
    stream.on('end', () => {
      this.#ended = true
      this.#waiters.splice(0).forEach((w) => w())
    })
  }

  /** The next token, or undefined at end of stream. */
  async next(timeoutMs = 10000): Promise<{ flags: number; body: Uint8Array } | undefined> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (this.#buf.length >= 5) {
        const len = new DataView(this.#buf.buffer, this.#buf.byteOffset).getUint32(1)
        if (this.#buf.length >= 5 + len) {
          const flags = this.#buf[0]!
          const body = this.#buf.slice(5, 5 + len)
          this.#buf = this.#buf.slice(5 + len)
          return { flags, body }
        }
      }
      if (this.#ended) return undefined
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for a gss-sample token')
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }
}

/** Add the principals and keytab an acceptor test needs: HTTP/localhost, host/localhost, alice. */
export async function setupService(
  realm: Realm,
  options: {
    readonly services?: readonly string[]
    readonly keytab?: string
    /** Services with arcfour-hmac keys only and rc4 session keys (the realm needs allowRc4). */
    readonly rc4?: boolean
  } = {},
): Promise<{ keytab: string; ccache: string; password: string }> {
  const keytab = options.keytab ?? realm.path('service.keytab')
  const services = options.services ?? ['HTTP/localhost', 'host/localhost']
  const rc4 = options.rc4 === true ? ['arcfour-hmac'] : undefined
  for (const s of services)
    await realm.addPrincipal(s, rc4 ? { enctypes: rc4, sessionEnctypes: rc4 } : {})
  await realm.ktadd([...services], keytab, rc4 ? { enctypes: rc4 } : {})
  const password = 'alice-pw-1'
  await realm.addPrincipal('alice', { password })
  const ccache = realm.path('alice.ccache')
  await realm.kinit('alice', { password, ccache, forwardable: true })
  return { keytab, ccache, password }
}

// ---- A self-made service and ticket, for tests that need no KDC ----

/** A keytab for `service` and a function that issues tickets to it, as a KDC would. */
export interface FakeService {
  readonly keytab: Keytab
  readonly server: Principal
  readonly serviceKey: KerberosKey
  issue(options?: {
    readonly client?: string
    readonly enctype?: number
    readonly sessionEnctype?: number
    readonly authtime?: Date
    readonly endtime?: Date
    readonly flags?: number
    readonly kvno?: number
  }): { client: Principal; ticket: Ticket; sessionKey: KerberosKey }
}

export function fakeService(
  service = 'HTTP/localhost@TEST.REALM',
  options: { readonly enctype?: number; readonly kvno?: number } = {},
): FakeService {
  const server = parsePrincipal(service)
  const enctype = options.enctype ?? 18
  const kvno = options.kvno ?? 2
  const serviceKey = randomKey(enctype, { allowWeak: true })
  const keytab = createKeytab([
    makeKeytabEntry({ principal: server, kvno, key: serviceKey, timestamp: 1 }),
  ])
  return {
    keytab,
    server,
    serviceKey,
    issue(o = {}) {
      const client = parsePrincipal(o.client ?? `alice@${server.realm}`)
      const sessionKey = randomKey(o.sessionEnctype ?? enctype, { allowWeak: true })
      const now = Math.floor(Date.now() / 1000) * 1000
      const part = encodeEncTicketPart({
        flags: o.flags ?? setFlags(TicketFlags.PRE_AUTHENT),
        key: sessionKey,
        crealm: client.realm,
        cname: { nameType: 1, nameString: [...client.components] },
        transited: { trType: 1, contents: new Uint8Array(0) },
        authtime: o.authtime ?? new Date(now),
        endtime: o.endtime ?? new Date(now + 3_600_000),
      })
      const ticket: Ticket = {
        tktVno: 5,
        realm: server.realm,
        sname: { nameType: 3, nameString: [...server.components] },
        encPart: {
          etype: o.enctype ?? enctype,
          kvno: o.kvno ?? kvno,
          cipher: encrypt(serviceKey, 2, part, { allowWeak: true }),
        },
      }
      return { client, ticket, sessionKey }
    },
  }
}
