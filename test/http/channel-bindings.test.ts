/**
 * Review #9: TLS channel bindings (RFC 5929 tls-server-end-point) for HTTP Negotiate. The
 * certificate hash is checked against openssl's fingerprints; an HTTPS server with
 * `channelBindings: tlsServerEndPointBindings` is driven by our fetch client (right, wrong and no
 * bindings), by an MIT initiator (python-gssapi) binding to the openssl fingerprint, and by
 * curl --negotiate (which sends no bindings).
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, request as httpsRequest, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  negotiate,
  negotiateFetch,
  negotiateMiddleware,
  type NegotiateResult,
  type NegotiateUser,
} from '../../src/http/index.js'
import { SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { parseKeytab } from '../../src/keytab/index.js'
import {
  tlsServerEndPoint,
  tlsServerEndPointBindings,
  tlsServerEndPointHash,
} from '../../src/node/tls-bindings.js'
import { channelBindingsHash } from '../../src/protocol/gss-checksum.js'
import { toBase64, utf8 } from '../../src/internal/bytes.js'
import { startRealm, skipWithoutMIT, runTool, type Realm } from '../helpers/realm.js'
import {
  CURL,
  PythonGss,
  b64,
  fakeService,
  pythonGssAvailable,
  setupService,
  unb64,
} from '../helpers/gss-peers.js'

const OPENSSL = '/usr/bin/openssl'
const haveOpenssl = existsSync(OPENSSL)
if (!haveOpenssl && process.env.CI === 'true') throw new Error('openssl is required in CI')

interface Cert {
  readonly pem: string
  readonly key: string
  readonly der: Uint8Array
  /** openssl's fingerprint with `digest`, as bytes: the independent oracle. */
  fingerprint(digest: string): Uint8Array
}

const dir = mkdtempSync(join(tmpdir(), 'kts-cb-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

function openssl(args: readonly string[]): string {
  const r = spawnSync(OPENSSL, args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

function makeCert(name: string, keyArgs: readonly string[], sigArgs: readonly string[]): Cert {
  const key = join(dir, `${name}.key`)
  const pem = join(dir, `${name}.pem`)
  openssl([
    'req',
    '-x509',
    '-nodes',
    ...keyArgs,
    '-keyout',
    key,
    '-out',
    pem,
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost',
    ...sigArgs,
  ])
  const der = new Uint8Array(
    spawnSync(OPENSSL, ['x509', '-in', pem, '-outform', 'DER']).stdout as Buffer,
  )
  return {
    pem: readFileSync(pem, 'utf8'),
    key: readFileSync(key, 'utf8'),
    der,
    fingerprint(digest) {
      const out = openssl(['x509', '-in', pem, '-noout', '-fingerprint', `-${digest}`])
      return new Uint8Array(Buffer.from(out.split('=')[1]!.trim().replace(/:/g, ''), 'hex'))
    },
  }
}

const code = (e: unknown): string => String((e as { code?: string })?.code ?? e)

/** A `fetch` over node:https trusting `ca` (undici's fetch cannot take a CA per call). */
function httpsFetch(ca: string): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers = Object.fromEntries(new Headers(init?.headers).entries())
    return new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(url, { method: init?.method ?? 'GET', headers, ca }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const h = new Headers()
          for (const [k, v] of Object.entries(res.headers)) {
            if (typeof v === 'string') h.set(k, v)
            else if (Array.isArray(v)) for (const x of v) h.append(k, x)
          }
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode!, headers: h }))
        })
      })
      req.on('error', reject)
      req.end()
    })
  }) as typeof fetch
}

/** An HTTPS server answering `hello <principal> bound=<channelBound>`, refusals recorded. */
async function startServer(
  cert: Cert,
  acceptor: Acceptor,
  requireChannelBindings: boolean,
): Promise<{ server: Server; port: number; refusals: NegotiateResult[] }> {
  const refusals: NegotiateResult[] = []
  const auth = negotiateMiddleware({
    acceptor,
    channelBindings: tlsServerEndPointBindings,
    requireChannelBindings,
    onRefused: (r) => refusals.push(r),
  })
  const server = createServer({ key: cert.key, cert: cert.pem }, (req, res) =>
    auth(req, res, (err) => {
      if (err) {
        res.statusCode = 500
        res.end(String(err))
        return
      }
      const user = (req as unknown as { kerberos: NegotiateUser }).kerberos
      res.end(`hello ${user.principal} bound=${user.channelBound}`)
    }),
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as AddressInfo).port, refusals }
}

const close = (s: Server | undefined): Promise<void> =>
  new Promise<void>((r) => (s ? s.close(() => r()) : r()))

describe('review #9: tls-server-end-point bindings', { skip: !haveOpenssl }, () => {
  it('the certificate hash follows RFC 5929 (checked against openssl fingerprints)', () => {
    const cases: [string, readonly string[], readonly string[], string][] = [
      ['rsa-sha256', ['-newkey', 'rsa:2048'], ['-sha256'], 'sha256'],
      ['rsa-sha1', ['-newkey', 'rsa:2048'], ['-sha1'], 'sha256'],
      ['rsa-sha512', ['-newkey', 'rsa:2048'], ['-sha512'], 'sha512'],
      [
        'ec-sha384',
        ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
        ['-sha384'],
        'sha384',
      ],
      [
        'pss-sha384',
        ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048'],
        ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48'],
        'sha384',
      ],
    ]
    for (const [name, keyArgs, sigArgs, digest] of cases) {
      const cert = makeCert(name, keyArgs, sigArgs)
      assert.deepEqual(tlsServerEndPointHash(cert.der), cert.fingerprint(digest), name)
      const cb = tlsServerEndPoint(cert.der)
      assert.deepEqual(
        cb.applicationData,
        new Uint8Array([...utf8('tls-server-end-point:'), ...cert.fingerprint(digest)]),
      )
    }
    const ed = makeCert('ed25519', ['-newkey', 'ed25519'], [])
    assert.throws(
      () => tlsServerEndPointHash(ed.der),
      (e) => code(e) === 'ERR_KRB_UNSUPPORTED',
    )
    assert.throws(
      () => tlsServerEndPointHash(ed.der.subarray(0, 40)),
      (e) => code(e) === 'ERR_KRB_ASN1_DECODE',
    )
  })

  describe('HTTPS middleware with our fetch client', () => {
    const cert = makeCert('server', ['-newkey', 'rsa:2048'], ['-sha256'])
    const otherCert = makeCert('other', ['-newkey', 'rsa:2048'], ['-sha256'])
    const svc = fakeService()
    const acceptor = new Acceptor({ keytab: svc.keytab })
    const source = { getServiceTicket: async () => svc.issue() }
    let strict: Awaited<ReturnType<typeof startServer>>
    let loose: Awaited<ReturnType<typeof startServer>>
    before(async () => {
      strict = await startServer(cert, acceptor, true)
      loose = await startServer(cert, acceptor, false)
    })
    after(async () => {
      await close(strict?.server)
      await close(loose?.server)
    })

    const get = async (
      port: number,
      o: { cb?: Uint8Array; cbt?: boolean } = {},
    ): Promise<Response> => {
      const kfetch = negotiateFetch({
        client: source,
        spn: 'HTTP@localhost',
        fetch: httpsFetch(cert.pem),
        ...(o.cb ? { channelBindings: tlsServerEndPoint(o.cb) } : {}),
        ...(o.cbt ? { requireChannelBindings: true } : {}),
      })
      return kfetch(`https://localhost:${port}/`)
    }

    it('bindings to the server certificate: 200 and channelBound', async () => {
      const res = await get(strict.port, { cb: cert.der })
      assert.equal(res.status, 200)
      assert.equal(await res.text(), 'hello alice@TEST.REALM bound=true')
      // The same with KERB_AP_OPTIONS_CBT from our fetch client, on the lenient server too.
      const cbt = await get(loose.port, { cb: cert.der, cbt: true })
      assert.equal(cbt.status, 200)
      assert.equal(await cbt.text(), 'hello alice@TEST.REALM bound=true')
    })

    it("bindings to another certificate (a relay through a man in the middle's TLS): 401", async () => {
      for (const s of [strict, loose]) {
        s.refusals.length = 0
        const res = await get(s.port, { cb: otherCert.der })
        assert.equal(res.status, 401)
        await res.text()
        assert.equal(code(s.refusals.at(-1)?.error), 'ERR_KRB_BAD_BINDINGS')
        assert.equal(s.refusals.at(-1)?.error?.context.reason, 'mismatch')
      }
    })

    it('no bindings: 401 under requireChannelBindings, else 200 unbound', async () => {
      strict.refusals.length = 0
      const res = await get(strict.port)
      assert.equal(res.status, 401)
      await res.text()
      assert.equal(strict.refusals.at(-1)?.error?.context.reason, 'missing')
      const ok = await get(loose.port)
      assert.equal(ok.status, 200)
      assert.equal(await ok.text(), 'hello alice@TEST.REALM bound=false')
    })

    it('requireChannelBindings on a request without a channel (plain HTTP): 401', async () => {
      const ctx = new SpnegoInitiatorContext({ credentials: svc.issue() })
      const r = await negotiate({
        acceptor,
        authorization: `Negotiate ${toBase64(ctx.step()!)}`,
        requireChannelBindings: true,
      })
      assert.equal(r.status, 401)
      assert.equal(code(r.error), 'ERR_KRB_BAD_BINDINGS')
      const withHash = await negotiate({
        acceptor,
        authorization: `Negotiate ${toBase64(new SpnegoInitiatorContext({ credentials: svc.issue(), channelBindingsHash: channelBindingsHash(tlsServerEndPoint(cert.der)) }).step()!)}`,
        channelBindings: channelBindingsHash(tlsServerEndPoint(cert.der)),
        requireChannelBindings: true,
      })
      assert.equal(withHash.status, 200)
      assert.equal(withHash.user?.channelBound, true)
    })
  })
})

const skipPeers =
  (haveOpenssl ? false : 'openssl missing') ||
  skipWithoutMIT() ||
  (existsSync(CURL) ? false : 'curl missing') ||
  (pythonGssAvailable() ? false : 'python3-gssapi missing')
if (skipPeers && process.env.CI === 'true')
  throw new Error(`HTTPS channel-binding peer tests need MIT, curl, openssl in CI: ${skipPeers}`)
if (skipPeers) console.error(`*** ${skipPeers}: HTTPS channel-binding peer tests SKIPPED ***`)

describe(
  'review #9: HTTPS Negotiate with channel bindings and real peers',
  { skip: skipPeers },
  () => {
    let realm: Realm
    let env: Record<string, string>
    let cert: Cert
    let strict: Awaited<ReturnType<typeof startServer>>
    let loose: Awaited<ReturnType<typeof startServer>>

    before(async () => {
      realm = await startRealm()
      const s = await setupService(realm)
      env = { ...realm.env, KRB5CCNAME: `FILE:${s.ccache}` }
      cert = makeCert('peer', ['-newkey', 'rsa:2048'], ['-sha256'])
      const acceptor = new Acceptor({ keytab: parseKeytab(readFileSync(s.keytab)) })
      strict = await startServer(cert, acceptor, true)
      loose = await startServer(cert, acceptor, false)
    })
    after(async () => {
      await close(strict?.server)
      await close(loose?.server)
      await realm?.stop()
    })

    it('MIT initiator binding to the openssl fingerprint → 200 and channelBound; wrong → 401', async () => {
      const send = async (appData: Uint8Array): Promise<Response> => {
        const py = new PythonGss(env)
        try {
          const out = await py.call({
            op: 'init',
            target: 'HTTP@localhost',
            spnego: true,
            cb: b64(appData),
          })
          return await httpsFetch(cert.pem)(`https://localhost:${strict.port}/`, {
            headers: { authorization: `Negotiate ${toBase64(unb64(out.token))}` },
          })
        } finally {
          await py.close()
        }
      }
      const right = new Uint8Array([
        ...utf8('tls-server-end-point:'),
        ...cert.fingerprint('sha256'),
      ])
      const ok = await send(right)
      assert.equal(ok.status, 200)
      assert.equal(await ok.text(), `hello alice@${realm.realm} bound=true`)
      const wrongHash = cert.fingerprint('sha256').map((b, i) => (i === 0 ? b ^ 1 : b))
      const bad = await send(new Uint8Array([...utf8('tls-server-end-point:'), ...wrongHash]))
      assert.equal(bad.status, 401)
      await bad.text()
    })

    it('curl --negotiate over HTTPS (sends no bindings): 401 when required, 200 unbound otherwise', async () => {
      const caFile = join(dir, 'peer.pem')
      const curl = (port: number) =>
        runTool(
          CURL,
          [
            '-sS',
            '--negotiate',
            '-u',
            ':',
            '--cacert',
            caFile,
            '--resolve',
            `localhost:${port}:127.0.0.1`,
            '-w',
            '\n%{http_code}',
            `https://localhost:${port}/`,
          ],
          env,
          { allowFailure: true },
        )
      const refused = await curl(strict.port)
      assert.match(refused.stdout, /401$/, refused.stderr)
      const ok = await curl(loose.port)
      assert.equal(ok.stdout, `hello alice@${realm.realm} bound=false\n200`, ok.stderr)
    })
  },
)
