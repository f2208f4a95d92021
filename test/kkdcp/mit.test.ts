/**
 * MS-KKDCP against real peers, all over TLS on 127.0.0.1 with a CA made by the test:
 * MIT kinit/kvno (`kdc = https://…`, `http_anchors`) → our `kerberos-ts kdc-proxy` → MIT KDC;
 * our Node transport and our fetch transport → Debian's python3-kdcproxy → MIT KDC.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { KerberosClient } from '../../src/client/index.js'
import { parseConfig } from '../../src/config/index.js'
import { readFileSync } from 'node:fs'
import { createNodeTransport, type TransportTraceEvent } from '../../src/node/transport.js'
import { MIT_BIN, findFreePort, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { repoRoot } from '../helpers/paths.js'
import {
  makeTestTLS,
  skipWithoutK5tls,
  skipWithoutKdcproxy,
  startOurProxy,
  startPythonKdcproxy,
  type Peer,
  type TestTLS,
} from './peers.js'

const skip = skipWithoutMIT()
const skipPy = skip !== false ? skip : skipWithoutKdcproxy()
const skipTls = skip !== false ? skip : skipWithoutK5tls()
const PW = 'kkdcp-pw-1'
let realm: Realm | undefined
let tls: TestTLS
let ours: Peer | undefined
let py: Peer | undefined

before(async () => {
  if (skip !== false) return
  realm = await startRealm()
  await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
  await realm.addPrincipal('HTTP/localhost', { randkey: true })
  tls = makeTestTLS(realm.dir)
  ours = await startOurProxy({ krb5Conf: realm.krb5ConfPath, tls, realms: [realm.realm] })
  if (skipPy === false)
    py = await startPythonKdcproxy({
      dir: realm.dir,
      realm: realm.realm,
      kdcPort: realm.kdcPort,
      tls,
    })
})

after(async () => {
  await ours?.stop()
  await py?.stop()
  await realm?.stop()
})

/** A krb5.conf whose only KDC entries are `kdc` (with the test CA as `http_anchors`). */
function confWith(name: string, kdc: readonly string[]): string {
  const anchored = [...kdc]
  anchored[anchored.length - 1] += `\n    http_anchors = FILE:${tls.ca}`
  return realm!.writeKrb5Conf(name, { kdc: anchored })
}

function clientWith(confPath: string, trace?: (e: TransportTraceEvent) => void): KerberosClient {
  const config = parseConfig(readFileSync(confPath, 'utf8'), { path: confPath })
  const transport = createNodeTransport({
    config,
    attemptTimeoutMs: 3000,
    deadlineMs: 8000,
    ...(trace !== undefined ? { trace } : {}),
  })
  return new KerberosClient({ config, transport })
}

test(
  'MIT kinit and kvno through kerberos-ts kdc-proxy (https, http_anchors) to the MIT KDC',
  { skip: skipTls },
  async () => {
    const conf = confWith('mit-via-ours.conf', [ours!.url])
    const env = { KRB5_CONFIG: conf, KRB5CCNAME: `FILE:${realm!.path('cc-mit-ours')}` }
    const before = ours!.output().length
    await realm!.run(MIT_BIN.kinit, [realm!.qualify('alice')], { input: `${PW}\n`, env })
    const kvno = await realm!.run(MIT_BIN.kvno, [`HTTP/localhost@${realm!.realm}`], { env })
    assert.match(kvno.stdout, /kvno = \d+/)
    const log = ours!.output().slice(before)
    // PREAUTH_REQUIRED round, the preauthenticated AS-REQ, the TGS-REQ: all relayed.
    assert.ok((log.match(new RegExp(`^200 ${realm!.realm} `, 'gm')) ?? []).length >= 3, log)
  },
)

test(
  'MIT kinit refuses our proxy when http_anchors does not name its CA (TLS is checked)',
  { skip: skipTls },
  async () => {
    const conf = realm!.writeKrb5Conf('mit-no-anchor.conf', { kdc: [ours!.url] })
    const env = {
      KRB5_CONFIG: conf,
      KRB5CCNAME: `FILE:${realm!.path('cc-mit-noanchor')}`,
      SSL_CERT_FILE: '/dev/null',
      SSL_CERT_DIR: '/nonexistent',
    }
    const r = await realm!.run(MIT_BIN.kinit, [realm!.qualify('alice')], {
      input: `${PW}\n`,
      env,
      allowFailure: true,
    })
    assert.notEqual(r.code, 0)
  },
)

test(
  'our Node transport follows kdc = https:// to python3-kdcproxy (login + service ticket)',
  { skip: skipPy },
  async () => {
    const conf = confWith('ours-via-py.conf', [py!.url])
    const events: string[] = []
    const client = clientWith(conf, (e) => events.push(`${e.type}:${e.protocol}`))
    await client.login({ principal: 'alice', password: PW })
    const st = await client.getServiceTicket('HTTP/localhost')
    assert.equal(st.server.components.join('/'), 'HTTP/localhost')
    assert.ok(events.length > 0 && events.every((e) => e.endsWith(':https')), events.join(' '))
  },
)

test(
  'mixed kdc lines are tried in order as MIT does: dead UDP/TCP KDC first, then the https proxy',
  { skip: skipPy },
  async () => {
    const dead = await findFreePort()
    const conf = confWith('mixed.conf', [`127.0.0.1:${dead}`, py!.url])
    const events: string[] = []
    const client = clientWith(conf, (e) => events.push(`${e.type}:${e.protocol}`))
    await client.login({ principal: 'alice', password: PW })
    const first = events.slice(0, 6)
    assert.deepEqual(first, [
      'attempt:udp',
      'failure:udp',
      'attempt:tcp',
      'failure:tcp',
      'attempt:https',
      'reply:https',
    ])
  },
)

test(
  'our core fetch transport (createKKDCPTransport) logs in through python3-kdcproxy',
  { skip: skipPy },
  async () => {
    // A child process: Node's fetch takes the test CA only from NODE_EXTRA_CA_CERTS at start-up.
    const script = join(realm!.dir, 'fetch-login.mjs')
    const mod = (p: string): string => pathToFileURL(join(repoRoot, 'build', 'src', p)).href
    writeFileSync(
      script,
      `import { KerberosClient, createKKDCPTransport } from '${mod('client/index.js')}'
import { parseConfig } from '${mod('config/index.js')}'
const config = parseConfig('[libdefaults]\\n default_realm = ${realm!.realm}\\n')
const transport = createKKDCPTransport({ proxies: { '${realm!.realm}': ['${py!.url}'] } })
const client = new KerberosClient({ config, transport })
await client.login({ principal: 'alice', password: '${PW}' })
const st = await client.getServiceTicket('HTTP/localhost')
console.log('ok', st.server.components.join('/'))
`,
    )
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, [script], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.ca },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let text = ''
      p.stdout.on('data', (c: Buffer) => (text += c.toString()))
      p.stderr.on('data', (c: Buffer) => (text += c.toString()))
      p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(text))))
    })
    assert.match(out, /^ok HTTP\/localhost/m)
  },
)

test('speed: login through kerberos-ts kdc-proxy (https) vs direct TCP', { skip }, async (t) => {
  const direct = realm!.writeKrb5Conf('direct-tcp.conf', {
    kdc: [`tcp/127.0.0.1:${realm!.kdcPort}`],
  })
  const proxied = confWith('speed-proxy.conf', [ours!.url])
  // Interleaved and reported as medians: the machine is shared, single runs are noisy.
  const direct1 = clientWith(direct)
  const proxied1 = clientWith(proxied)
  const once = async (c: KerberosClient): Promise<number> => {
    const start = performance.now()
    await c.login({ principal: 'alice', password: PW })
    return performance.now() - start
  }
  await once(direct1)
  await once(proxied1)
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i < 15; i++) {
    a.push(await once(direct1))
    b.push(await once(proxied1))
  }
  const median = (v: number[]): number => v.sort((x, y) => x - y)[v.length >> 1]!
  const tcp = median(a)
  const https = median(b)
  t.diagnostic(
    `login median of 15 (2 AS round trips): direct TCP ${tcp.toFixed(1)} ms, via kerberos-ts kdc-proxy over https ${https.toFixed(1)} ms, overhead ${(https - tcp).toFixed(1)} ms`,
  )
  assert.ok(https > 0 && tcp > 0)
})
