/**
 * The runtime matrix's scenario suite (issue 15 #3): the core's main paths on messages made by
 * MIT krb5 (fixtures/runtimes, embedded), runnable unchanged in Node, Bun, Deno, browsers and
 * workerd. Runtime-agnostic on purpose: no `node:*`, no `Buffer`, no `process`, no file or
 * network access; only the core's public entry points (so the same file also runs against the
 * packed package with `kerberos-ts/...` specifiers, see bundle.ts). Time is fixed per scenario,
 * randomness of the replayed client is deterministic.
 *
 * `runScenarios()` reports each scenario (never throws); `runBench()` measures accept() and
 * string-to-key per second with bounded loops.
 */
import {
  Acceptor,
  KerberosClient,
  KerberosError,
  MemoryReplayCache,
  createKKDCPTransport,
  decodeKDCProxyMessage,
  encodeKDCProxyMessage,
  formatPrincipal,
  frameKerbMessage,
  parseKeytab,
  unframeKerbMessage,
  type Transport,
} from '../../src/index.js'
import { decodeKerberosMessage, encodeKerberosMessage } from '../../src/asn1/index.js'
import { decrypt, encrypt, randomKey, stringToKey } from '../../src/crypto/index.js'
import {
  AcceptorContext,
  InitiatorContext,
  SpnegoAcceptorContext,
  unframeKrb5Token,
} from '../../src/gssapi/index.js'
import { negotiate, negotiateHandler } from '../../src/http/index.js'
import { FIXTURES } from '../../fixtures/runtimes/fixtures.js'
import { deterministicRandom } from './det-random.js'

/** One scenario's outcome. */
export interface ScenarioResult {
  readonly name: string
  readonly ok: boolean
  readonly error?: string
  readonly ms: number
}

/** accept() and string-to-key per second in this runtime. */
export interface BenchResult {
  /** Per second of wall-clock time. */
  readonly acceptPerSec: number
  readonly s2kPerSec: number
  /** Per second of the runtime's CPU time, when `cpuClock` was given (or measured outside). */
  readonly acceptPerCpuSec?: number
  readonly s2kPerCpuSec?: number
  /** Operations run, warm-up included (what a caller measuring CPU from outside divides by). */
  readonly acceptOps: number
  readonly s2kOps: number
}

function unb64(s: string): Uint8Array {
  const bin = atob(s)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function hex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message)
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const acceptNow = (): Date => new Date(FIXTURES.acceptNow)
const mitKeytab = () => parseKeytab(unb64(FIXTURES.keytab))
const mitAcceptor = (): Acceptor => new Acceptor({ keytab: mitKeytab(), now: acceptNow })

function scenarioKeytab(): void {
  const kt = mitKeytab()
  const http = kt.entries.filter((e) => formatPrincipal(e.principal) === FIXTURES.service)
  check(http.length >= 2, `expected HTTP/localhost keys, got ${http.length}`)
  check(
    http.some((e) => e.enctype === 18),
    'expected an aes256-cts-hmac-sha1-96 key',
  )
}

function scenarioStringToKey(): void {
  // RFC 3962 appendix B, 1200 iterations; and MIT's key for alice's password in the realm.
  const params = new Uint8Array([0, 0, 0x04, 0xb0])
  const k = stringToKey(18, 'password', 'ATHENA.MIT.EDUraeburn', {
    params,
    allowLowIterations: true,
  })
  check(
    hex(k.bytes) === '55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a',
    'RFC 3962 aes256 vector (1200 iterations) mismatch',
  )
  const k128 = stringToKey(17, 'password', 'ATHENA.MIT.EDUraeburn', {
    params,
    allowLowIterations: true,
  })
  check(hex(k128.bytes) === '4c01cd46d632d01e6dbe230a01ed642a', 'RFC 3962 aes128 vector mismatch')
}

function scenarioEncrypt(): void {
  for (const etype of [17, 18, 19, 20]) {
    const key = randomKey(etype)
    const msg = utf8(`runtime matrix ${etype}`)
    const ct = encrypt(key, 11, msg)
    check(equalBytes(decrypt(key, 11, ct), msg), `etype ${etype}: round trip failed`)
    const bad = ct.slice()
    bad[bad.length - 1]! ^= 1
    let refused = false
    try {
      decrypt(key, 11, bad)
    } catch (e) {
      refused = e instanceof KerberosError
    }
    check(refused, `etype ${etype}: a tampered ciphertext was not refused with KerberosError`)
  }
}

function scenarioCodec(): void {
  const names = Object.keys(FIXTURES.captured) as (keyof typeof FIXTURES.captured)[]
  check(names.length >= 6, 'expected the captured MIT messages')
  for (const name of names) {
    const der = unb64(FIXTURES.captured[name])
    const again = encodeKerberosMessage(decodeKerberosMessage(der))
    check(equalBytes(again, der), `${name}: decode → encode changed the bytes`)
  }
}

function scenarioAcceptor(): void {
  const acceptor = mitAcceptor()
  const apReq = unframeKrb5Token(unb64(FIXTURES.apReq)).body
  const r = acceptor.accept(apReq)
  check(formatPrincipal(r.client) === FIXTURES.client, `client ${formatPrincipal(r.client)}`)
  let replay = false
  try {
    acceptor.accept(apReq)
  } catch (e) {
    replay = e instanceof KerberosError
  }
  check(replay, 'a replayed AP-REQ was accepted')
}

function scenarioSpnego(): void {
  const ctx = new SpnegoAcceptorContext({ acceptor: mitAcceptor() })
  const reply = ctx.step(unb64(FIXTURES.spnego))
  check(ctx.complete, 'the SPNEGO context is not complete')
  check(reply !== undefined && reply.length > 0, 'no NegTokenResp (mutual authentication)')
  check(formatPrincipal(ctx.client!) === FIXTURES.client, 'wrong client')
}

async function scenarioNegotiate(): Promise<void> {
  const r = await negotiate({
    acceptor: mitAcceptor(),
    authorization: `Negotiate ${FIXTURES.negotiate}`,
  })
  check(r.status === 200, `status ${r.status}: ${r.error?.message ?? ''}`)
  check(r.user?.principal === FIXTURES.client, `user ${r.user?.principal}`)
  check(r.wwwAuthenticate?.startsWith('Negotiate ') === true, 'no mutual-auth header')
}

async function scenarioNegotiateHandler(): Promise<void> {
  const auth = negotiateHandler({ acceptor: mitAcceptor(), logger: false })
  const challenge = await auth(new Request('https://app.invalid/'))
  check(challenge instanceof Response && challenge.status === 401, 'no 401 without a header')
  check(challenge.headers.get('www-authenticate') === 'Negotiate', 'no Negotiate challenge')
  const r = await auth(
    new Request('https://app.invalid/', {
      headers: { authorization: `Negotiate ${FIXTURES.negotiate}` },
    }),
  )
  check(!(r instanceof Response), `refused: ${r instanceof Response ? r.status : ''}`)
  check(r.user.principal === FIXTURES.client, `user ${r.user.principal}`)
  const res = r.finish(new Response('hello'))
  check(res.headers.get('www-authenticate')?.startsWith('Negotiate ') === true, 'no mutual auth')
  check((await res.text()) === 'hello', 'body lost')
}

/** The message type of a DER Kerberos message: its APPLICATION tag number. */
const messageType = (der: Uint8Array): number => (der[0] ?? 0) & 0x1f

/**
 * A Transport that answers with the recorded MIT replies in order. Each request must be the
 * same kind (AS-REQ, TGS-REQ) as the recorded one; its bytes need not be identical (a later
 * change to what the client sends must not break the matrix): the client's own checks of each
 * reply (nonce, names, integrity under keys from the password) are what prove the exchange.
 */
function replayTransport(): Transport & { readonly left: () => number } {
  const turns = FIXTURES.conversation.map((t) => ({
    request: unb64(t.request),
    reply: unb64(t.reply),
  }))
  let i = 0
  return {
    left: () => turns.length - i,
    async sendToKDC(realm, request) {
      check(realm === FIXTURES.realm, `request for realm ${realm}`)
      const turn = turns[i++]
      check(turn !== undefined, 'the client sent more requests than were recorded')
      const [got, want] = [messageType(request), messageType(turn.request)]
      check(got === want, `request ${i}: message type ${got}, recorded ${want}`)
      return turn.reply
    },
  }
}

async function replayedServiceTicket() {
  const transport = replayTransport()
  const client = new KerberosClient({
    transport,
    realm: FIXTURES.realm,
    now: () => new Date(FIXTURES.clientNow),
    random: deterministicRandom(FIXTURES.clientSeed),
  })
  const tgt = await client.login({ principal: 'alice', password: FIXTURES.password })
  check(formatPrincipal(tgt.client) === FIXTURES.client, 'wrong TGT client')
  const st = await client.getServiceTicket(FIXTURES.service)
  check(transport.left() === 0, `${transport.left()} recorded exchanges unused`)
  return st
}

/**
 * The replay runs once per loaded suite: a second run in the same process would send another
 * TGS authenticator (the client keeps (ctime, cusec) unique within a second), and the second
 * service ticket would be the same one, so nothing new would be tested.
 */
let replayed: ReturnType<typeof replayedServiceTicket> | undefined

async function scenarioClient(): Promise<void> {
  const st = await (replayed ??= replayedServiceTicket())
  check(formatPrincipal(st.server) === FIXTURES.service, `server ${formatPrincipal(st.server)}`)
}

/**
 * A KDC proxy (MS-KKDCP) in a `fetch` function, over the runtime's own Request and Response: it
 * reads the KDC-PROXY-MESSAGE, checks the target realm, and answers from the replayed MIT
 * conversation. The client's real KKDCP transport (AbortSignal.timeout/any, redirect: 'error',
 * credentials: 'omit', a size-limited body read) runs on top.
 */
function kkdcpFetch(): (input: string, init: RequestInit) => Promise<Response> {
  const kdc = replayTransport()
  return async (input, init) => {
    const req = new Request(input, init)
    check(req.method === 'POST', `method ${req.method}`)
    check(req.headers.get('content-type') === 'application/kerberos', 'content type')
    const msg = decodeKDCProxyMessage(new Uint8Array(await req.arrayBuffer()))
    check(msg.targetDomain === FIXTURES.realm, `target-domain ${msg.targetDomain}`)
    const reply = await kdc.sendToKDC(msg.targetDomain, unframeKerbMessage(msg.kerbMessage))
    const body = encodeKDCProxyMessage({ kerbMessage: frameKerbMessage(reply) })
    return new Response(body as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers: { 'content-type': 'application/kerberos' },
    })
  }
}

async function scenarioKKDCP(): Promise<void> {
  const client = new KerberosClient({
    transport: createKKDCPTransport({
      proxies: 'https://kdcproxy.invalid/KdcProxy',
      fetch: kkdcpFetch(),
    }),
    realm: FIXTURES.realm,
    now: () => new Date(FIXTURES.clientNow),
    random: deterministicRandom(FIXTURES.clientSeed),
  })
  const tgt = await client.login({ principal: 'alice', password: FIXTURES.password })
  check(formatPrincipal(tgt.client) === FIXTURES.client, 'wrong TGT client')
  const st = await client.getServiceTicket(FIXTURES.service)
  check(formatPrincipal(st.server) === FIXTURES.service, `server ${formatPrincipal(st.server)}`)
}

async function scenarioGSS(): Promise<void> {
  // MIT's sealed message to our acceptor.
  const acc = new AcceptorContext({ acceptor: mitAcceptor() })
  acc.step(unb64(FIXTURES.wrapInit))
  const u = acc.unwrap(unb64(FIXTURES.wrapToken))
  check(new TextDecoder().decode(u.message) === FIXTURES.wrapMessage, 'MIT wrap token')
  check(u.conf, 'MIT sealed the message but it came out unsealed')
  // Our initiator (ticket from the replayed MIT conversation) and acceptor (MIT keytab).
  const st = await (replayed ??= replayedServiceTicket())
  const now = () => new Date(FIXTURES.clientNow)
  const init = new InitiatorContext({ credentials: st, now })
  const svc = new AcceptorContext({
    acceptor: new Acceptor({ keytab: mitKeytab(), now }),
  })
  init.step(svc.step(init.step()!)!)
  check(init.complete && svc.complete, 'contexts not established')
  const a = svc.unwrap(init.wrap(utf8('to the service'), { conf: true }))
  const b = init.unwrap(svc.wrap(utf8('to the client'), { conf: true }))
  check(new TextDecoder().decode(a.message) === 'to the service', 'initiator → acceptor')
  check(new TextDecoder().decode(b.message) === 'to the client', 'acceptor → initiator')
}

const SCENARIOS: readonly (readonly [string, () => void | Promise<void>])[] = [
  ['keytab parsing (MIT service keytab)', scenarioKeytab],
  ['string-to-key (RFC 3962 vectors)', scenarioStringToKey],
  ['encrypt/decrypt (aes-sha1, aes-sha2; tampering refused)', scenarioEncrypt],
  ['codec round trip of captured MIT messages', scenarioCodec],
  ['Acceptor on an MIT AP-REQ (replay refused)', scenarioAcceptor],
  ['SPNEGO acceptor context on an MIT NegTokenInit', scenarioSpnego],
  ['negotiate() on an MIT Negotiate header', scenarioNegotiate],
  ['negotiateHandler() (Fetch API Request/Response) on an MIT header', scenarioNegotiateHandler],
  ['client over a replayed MIT KDC conversation', scenarioClient],
  ['client over MS-KKDCP (fetch, Request/Response) to the replayed conversation', scenarioKKDCP],
  ['GSS wrap/unwrap (MIT token; both directions)', scenarioGSS],
]

const clock = (): number => (typeof performance === 'object' ? performance.now() : Date.now())

/** Run every scenario; never throws: each result says ok or carries the error. */
export async function runScenarios(): Promise<ReadonlyArray<ScenarioResult>> {
  const results: ScenarioResult[] = []
  for (const [name, fn] of SCENARIOS) {
    const start = clock()
    try {
      await fn()
      results.push({ name, ok: true, ms: clock() - start })
    } catch (e) {
      const error =
        e instanceof Error
          ? `${e.name}${'code' in e ? ` ${String(e.code)}` : ''}: ${e.message}`
          : String(e)
      results.push({ name, ok: false, error, ms: clock() - start })
    }
  }
  return results
}

/** Options for {@link runBench}. */
export interface RunBenchOptions {
  /** Time per measurement in ms (default 1000). */
  readonly minMs?: number
  /** Most operations per measurement (default 1,000,000 accept, 10,000 s2k): loops are bounded. */
  readonly maxOps?: number
  /**
   * The runtime's CPU time in ms (e.g. from `process.cpuUsage()` where there is one): adds rates
   * per CPU-second, steadier than wall-clock rates on a shared machine.
   */
  readonly cpuClock?: () => number
  /** Measure only one of the two (default both; the other's figures are then 0). */
  readonly only?: 'accept' | 's2k'
}

interface Measured {
  /** Operations in the timed window. */
  readonly ops: number
  /** Operations including the warm-up (for a caller that measures CPU from outside). */
  readonly totalOps: number
  readonly ms: number
  readonly cpuMs?: number
}

const yieldTurn = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

/**
 * Run `fn` in growing batches until `ms` passed or `maxOps` ran. Yields to the event loop
 * between batches (workerd's clock only moves across such turns).
 */
async function runFor(
  fn: () => unknown,
  ms: number,
  maxOps: number,
  cpuClock: (() => number) | undefined,
): Promise<Measured> {
  let ops = 0
  let batch = 1
  const cpu0 = cpuClock?.()
  const start = clock()
  let elapsed = 0
  while (elapsed < ms && ops < maxOps) {
    for (let i = 0; i < batch; i++) fn()
    ops += batch
    await yieldTurn()
    elapsed = clock() - start
    if (elapsed < ms / 10) batch = Math.min(batch * 2, 1024, Math.max(1, maxOps - ops))
  }
  const cpuMs = cpu0 === undefined ? undefined : cpuClock!() - cpu0
  return { ops, totalOps: ops, ms: elapsed, ...(cpuMs === undefined ? {} : { cpuMs }) }
}

/** A warm-up of a quarter of `minMs` (bounded too), then the timed window. */
async function measure(
  fn: () => unknown,
  minMs: number,
  maxOps: number,
  cpuClock: (() => number) | undefined,
): Promise<Measured> {
  const warm = await runFor(fn, minMs / 4, Math.max(1, maxOps >> 2), undefined)
  const m = await runFor(fn, minMs, maxOps, cpuClock)
  return { ...m, totalOps: m.ops + warm.ops }
}

const perSec = (ops: number, ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : ops === 0 ? 0 : ms > 0 ? (ops * 1000) / ms : Number.NaN

function acceptLoop(): () => unknown {
  const tokens = FIXTURES.benchTokens.map((t) => unframeKrb5Token(unb64(t)).body)
  const replayCache = new MemoryReplayCache({ now: () => FIXTURES.acceptNow })
  const acceptor = new Acceptor({ keytab: mitKeytab(), now: acceptNow, replayCache })
  let i = 0
  return () => {
    if (i === tokens.length) {
      i = 0
      replayCache.clear()
    }
    return acceptor.accept(tokens[i++]!)
  }
}

/**
 * accept()/s on MIT's AP-REQs (MIT keytab, replay cache on, cleared when the token list wraps)
 * and aes256 string-to-key/s (4096 iterations), wall clock and, with `cpuClock`, per CPU-second.
 */
export async function runBench(options: RunBenchOptions = {}): Promise<BenchResult> {
  const minMs = options.minMs ?? 1000
  const none: Measured = { ops: 0, totalOps: 0, ms: 0 }
  const accept =
    options.only === 's2k'
      ? none
      : await measure(acceptLoop(), minMs, options.maxOps ?? 1_000_000, options.cpuClock)
  const s2k =
    options.only === 'accept'
      ? none
      : await measure(
          () => stringToKey(18, FIXTURES.password, `${FIXTURES.realm}alice`),
          minMs,
          Math.min(options.maxOps ?? 10_000, 10_000),
          options.cpuClock,
        )
  const acceptPerCpuSec = perSec(accept.ops, accept.cpuMs)
  const s2kPerCpuSec = perSec(s2k.ops, s2k.cpuMs)
  return {
    acceptPerSec: perSec(accept.ops, accept.ms) ?? 0,
    s2kPerSec: perSec(s2k.ops, s2k.ms) ?? 0,
    ...(acceptPerCpuSec === undefined ? {} : { acceptPerCpuSec }),
    ...(s2kPerCpuSec === undefined ? {} : { s2kPerCpuSec }),
    acceptOps: accept.totalOps,
    s2kOps: s2k.totalOps,
  }
}
