/**
 * The kerberos-ts demo: a throwaway realm on 127.0.0.1 — by default the embedded KDC
 * (`startKDC`, Node alone, no system packages), with `--mit` a throwaway MIT realm — then a
 * keytab login, a service ticket for HTTP/localhost verified by our acceptor with mutual
 * authentication, an HTTP Negotiate round trip (our fetch client, and curl when installed), each
 * step printed. MIT's klist and curl are used only when found on PATH. Bounded in time;
 * everything it starts it stops.
 *
 * Run with `bash scripts/demo.sh` (or `bash scripts/demo.sh --mit`), which builds and then runs
 * `node build/scripts/demo.js [--mit]`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { listFlags } from '../src/asn1/index.js'
import { KerberosClient, type Credentials } from '../src/client/index.js'
import { parseConfig } from '../src/config/index.js'
import { randomKey } from '../src/crypto/index.js'
import { negotiateFetch, negotiateMiddleware, type NegotiateUser } from '../src/http/index.js'
import { encTypeName, TicketFlagLetters } from '../src/iana.js'
import { parseKeytab, type Keytab } from '../src/keytab/index.js'
import { writeCCache } from '../src/node/ccache-store.js'
import { createNodeTransport } from '../src/node/transport.js'
import { formatPrincipal } from '../src/principal.js'
import { makeAPReq, randomSeqNumber } from '../src/protocol/ap-req.js'
import { verifyAPRep } from '../src/protocol/ap-rep.js'
import { Acceptor } from '../src/protocol/ap-verify.js'
import { mitAvailable, runTool, startRealm } from '../test/helpers/realm.js'
import { startTestKDC } from '../src/node/kdc-server.js'

/** A program on PATH (the demo never assumes MIT's tools are installed). */
function onPath(name: string): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : ['']
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const ext of exts) {
      const p = join(dir, name + ext)
      if (dir !== '' && existsSync(p)) return p
    }
  }
  return undefined
}

/** What the demo needs from a realm: the embedded KDC or an MIT one. */
interface DemoRealm {
  readonly realm: string
  readonly kdc: string
  readonly krb5ConfPath: string
  /** Create a service principal with random keys and write its keytab; returns the path. */
  addService(name: string): Promise<string>
  path(name: string): string
  /** Environment for MIT tools (KRB5_CONFIG). */
  readonly env: Readonly<Record<string, string>>
  stop(): Promise<void>
}

async function embeddedRealm(): Promise<DemoRealm> {
  const kdc = await startTestKDC({ realm: 'DEMO.TEST' })
  return {
    realm: kdc.realm,
    kdc: `127.0.0.1:${kdc.port} (UDP and TCP), the embedded KDC (kerberos-ts/node startKDC)`,
    krb5ConfPath: kdc.krb5ConfPath,
    async addService(name) {
      kdc.addPrincipal({ name })
      return kdc.writeKeytab(name)
    },
    path: (name) => join(kdc.dir, name),
    env: { KRB5_CONFIG: kdc.krb5ConfPath },
    stop: () => kdc.stop(),
  }
}

async function mitRealm(): Promise<DemoRealm> {
  const realm = await startRealm({ realm: 'DEMO.TEST' })
  return {
    realm: realm.realm,
    kdc: `127.0.0.1:${realm.kdcPort} (UDP and TCP), MIT krb5kdc`,
    krb5ConfPath: realm.krb5ConfPath,
    async addService(name) {
      await realm.addPrincipal(name)
      const path = realm.path(`${name.replace(/\W/g, '_')}.keytab`)
      await realm.ktadd(name, path)
      return path
    },
    path: (name) => realm.path(name),
    env: realm.env,
    stop: () => realm.stop(),
  }
}

const DEADLINE_MS = 90_000

const step = (n: number, title: string): void => console.log(`\n== ${n}. ${title}`)
const kv = (k: string, v: string): void => console.log(`   ${k.padEnd(16)} ${v}`)
const when = (d: Date | undefined): string => (d === undefined ? '-' : d.toISOString())

function flagLetters(flags: number): string {
  const set = new Set(listFlags(flags))
  return TicketFlagLetters.filter(([bit]) => set.has(bit))
    .map(([, l]) => l)
    .join('')
}

function printKeytab(path: string, kt: Keytab): void {
  kv('keytab', path)
  for (const e of kt.entries) {
    kv('  entry', `${formatPrincipal(e.principal)}  kvno ${e.kvno}  ${encTypeName(e.enctype)}`)
  }
}

function printCredentials(c: Credentials): void {
  kv('client', formatPrincipal(c.client))
  kv('server', formatPrincipal(c.server))
  kv('ticket enctype', encTypeName(c.ticket.encPart.etype))
  kv('ticket kvno', String(c.ticketKvno ?? '-'))
  kv('session key', encTypeName(c.sessionKey.enctype))
  if (c.replyEtype !== undefined) kv('reply enctype', encTypeName(c.replyEtype))
  kv('auth time', when(c.authtime))
  kv('start time', when(c.starttime ?? c.authtime))
  kv('end time', when(c.endtime))
  kv('renew till', when(c.renewTill))
  kv('flags', flagLetters(c.flags))
}

/**
 * The acceptor step: an AP-REQ made with the service ticket (mutual authentication asked) is
 * verified by the `Acceptor` with the HTTP/localhost keytab, and its AP-REP checked by the client.
 */
function verifyWithAcceptor(st: Credentials, keytab: Keytab): void {
  const req = makeAPReq({
    ticket: st.ticket,
    sessionKey: st.sessionKey,
    client: st.client,
    mutualRequired: true,
    subkey: randomKey(st.sessionKey.enctype),
    seqNumber: randomSeqNumber(),
  })
  kv(
    'AP-REQ',
    `${req.bytes.length} bytes, mutual-required, subkey ${encTypeName(req.subkey!.enctype)}`,
  )
  const acceptor = new Acceptor({ keytab })
  const result = acceptor.accept(req.bytes)
  kv('accepted client', formatPrincipal(result.client))
  kv(
    'service key',
    `${formatPrincipal(result.server)} kvno ${result.kvno} ${encTypeName(result.enctype)}`,
  )
  if (result.apRep === undefined) throw new Error('the acceptor made no AP-REP')
  verifyAPRep(result.apRep, { sessionKey: st.sessionKey, ctime: req.ctime, cusec: req.cusec })
  kv('AP-REP', `${result.apRep.length} bytes, echoes our authenticator time: mutual auth OK`)
}

/** A node:http server on 127.0.0.1 protected by the Negotiate middleware; resolves to its port. */
async function startNegotiateServer(keytab: Keytab): Promise<{ port: number; close(): void }> {
  const auth = negotiateMiddleware({ acceptor: new Acceptor({ keytab }) })
  const server = createServer((req, res) =>
    auth(req, res, () => {
      const user = (req as unknown as { kerberos: NegotiateUser }).kerberos
      res.end(`hello ${formatPrincipal(user.client)}\n`)
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { port, close: () => server.close() }
}

/**
 * HTTP Negotiate both ways: our fetch client (tickets from our KerberosClient) and, when curl is
 * installed, `curl --negotiate` using MIT's GSS library on the ccache we wrote.
 */
async function httpRoundTrip(
  realm: DemoRealm,
  client: KerberosClient,
  keytab: Keytab,
  cc: string,
): Promise<void> {
  const server = await startNegotiateServer(keytab)
  try {
    const url = `http://localhost:${server.port}/`
    kv('server', `${url} (node:http + negotiateMiddleware)`)
    const fetchNegotiate = negotiateFetch({ client, spn: 'HTTP@localhost' })
    const res = await fetchNegotiate(url)
    kv(
      'our fetch',
      `${res.status} ${(await res.text()).trim()}; server's mutual-auth token verified`,
    )
    const curlBin = onPath('curl')
    if (curlBin === undefined) {
      kv('curl', 'not on PATH: skipped')
      return
    }
    const curl = await runTool(
      curlBin,
      ['-sS', '--negotiate', '-u', ':', url],
      { ...realm.env, KRB5CCNAME: `FILE:${cc}` },
      { allowFailure: true },
    )
    kv('curl --negotiate', curl.code === 0 ? curl.stdout.trim() : `failed: ${curl.stderr.trim()}`)
  } finally {
    server.close()
  }
}

async function demo(realm: DemoRealm): Promise<void> {
  step(1, 'A throwaway realm on 127.0.0.1')
  kv('realm', realm.realm)
  kv('KDC', realm.kdc)
  kv('krb5.conf', realm.krb5ConfPath)
  const clientKt = await realm.addService('demo-svc')
  const httpKt = await realm.addService('HTTP/localhost')
  const kt = parseKeytab(readFileSync(clientKt))
  const http = parseKeytab(readFileSync(httpKt))
  printKeytab(clientKt, kt)

  step(2, 'Keytab login (AS exchange)')
  const config = parseConfig(readFileSync(realm.krb5ConfPath, 'utf8'))
  const client = new KerberosClient({
    config,
    transport: createNodeTransport({ config }),
    trace: (e) => {
      if (e.type === 'as-req')
        kv('AS-REQ', `${e.client} offers ${(e.etypes ?? []).map(encTypeName).join(', ')}`)
      if (e.type === 'tgs-req') kv('TGS-REQ', `to ${e.realm} for ${e.server}`)
    },
  })
  kv(
    'keytab kvno',
    `${Math.max(...kt.entries.map((e) => e.kvno))} (the highest: its keys and enctypes are offered)`,
  )
  const tgt = await client.login({ principal: 'demo-svc', keytab: kt, renewLifetime: 3600 })
  printCredentials(tgt)

  step(3, 'Service ticket for HTTP@localhost (TGS exchange)')
  const st = await client.getServiceTicket('HTTP@localhost')
  printCredentials(st)

  step(4, 'Stored in a ccache (MIT klist reads it, when installed)')
  const cc = realm.path('demo.ccache')
  await writeCCache(`FILE:${cc}`, client.toCCache())
  const klistBin = onPath('klist')
  if (klistBin === undefined) kv('ccache', `${cc} (klist not on PATH: not listed)`)
  else {
    const klist = await runTool(klistBin, ['-e', '-c', cc], realm.env, { allowFailure: true })
    console.log(klist.stdout.replace(/^/gm, '   '))
  }

  step(5, 'The service side: the ticket verified by the acceptor')
  printKeytab(httpKt, http)
  verifyWithAcceptor(st, http)

  step(6, 'HTTP Negotiate (SPNEGO) round trip on 127.0.0.1')
  await httpRoundTrip(realm, client, http, cc)
}

async function main(): Promise<number> {
  const mit = process.argv.includes('--mit')
  if (mit && !mitAvailable()) {
    console.error(
      'MIT krb5 is not installed: run `bash scripts/demo.sh --mit` as root, or install krb5-kdc krb5-admin-server krb5-user (or drop --mit: the embedded KDC needs nothing)',
    )
    return 1
  }
  const started = Date.now()
  const realm = mit ? await mitRealm() : await embeddedRealm()
  let timer: NodeJS.Timeout | undefined
  const stop = async (): Promise<void> => {
    clearTimeout(timer)
    await realm.stop()
  }
  process.once('SIGINT', () => void stop().then(() => process.exit(130)))
  try {
    await Promise.race([
      demo(realm),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`demo took longer than ${DEADLINE_MS} ms`)),
          DEADLINE_MS,
        )
      }),
    ])
    console.log(
      `\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s; realm stopped and removed`,
    )
    return 0
  } catch (e) {
    console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  } finally {
    await stop()
  }
}

// Everything started is stopped by now; exit without waiting for helper timers to run out.
process.exit(await main())
