/**
 * Make fixtures/runtimes/fixtures.ts (issue 15 #3) with real MIT krb5 tools: a throwaway MIT realm
 * on 127.0.0.1, its HTTP/localhost service keytab, AP-REQs and SPNEGO tokens made by MIT's
 * libgssapi_krb5 (python3-gssapi) from `alice`'s ccache, a wrap token MIT sealed for the
 * acceptor, and our `KerberosClient` (deterministic `random`, fixed `now`) logging in to the MIT
 * KDC and getting a service ticket, every request and reply recorded so the scenario suite can
 * replay the conversation through a fake `Transport` in any runtime.
 *
 * Run through `bash fixtures/runtimes/make.sh` (needs MIT krb5 and python3-gssapi), which passes
 * `--write`; without it the file does nothing.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { spawnSync } from 'node:child_process'
import { KerberosClient, type Transport } from '../../src/client/index.js'
import { createNodeTransport, loadConfig } from '../../src/node/index.js'
import { PythonGss, mitInitiatorTokens, setupService, unb64 } from '../helpers/gss-peers.js'
import { fixturePath } from '../helpers/paths.js'
import { startRealm } from '../helpers/realm.js'
import { deterministicRandom } from './det-random.js'

/** The seed of the client's deterministic random source; scenarios.ts uses the same. */
export const CLIENT_SEED = 0x5eed_1505

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64')

/** Bench tokens: distinct AP-REQs, so the replay cache stays on in accept()/s. */
const BENCH_TOKENS = 64

async function pyToken(
  env: Readonly<Record<string, string>>,
  cmd: Readonly<Record<string, unknown>>,
  wrap?: string,
): Promise<{ token: Uint8Array; wrapped?: Uint8Array }> {
  const py = new PythonGss(env)
  try {
    const token = unb64((await py.call({ op: 'init', target: 'HTTP@localhost', ...cmd })).token)
    if (wrap === undefined) return { token }
    const w = await py.call({ op: 'wrap', msg: b64(new TextEncoder().encode(wrap)), conf: true })
    return { token, wrapped: unb64(w.token) }
  } finally {
    await py.close()
  }
}

function recording(inner: Transport, log: { request: string; reply: string }[]): Transport {
  return {
    async sendToKDC(realm, request, options) {
      const reply = await inner.sendToKDC(realm, request, { ...options, preferTCP: true })
      log.push({ request: b64(request), reply: b64(reply) })
      return reply
    },
  }
}

function capturedDER(): Record<string, string> {
  const dir = fixturePath('asn1', 'captured')
  const out: Record<string, string> = {}
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.der'))
    .sort()) {
    out[f.slice(0, -4)] = b64(readFileSync(join(dir, f)))
  }
  return out
}

function mitVersion(): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'krb5-kdc'], { encoding: 'utf8' })
  return r.status === 0 ? `MIT krb5 ${r.stdout.trim()} (Debian)` : 'MIT krb5'
}

async function main(): Promise<void> {
  const realm = await startRealm()
  try {
    const s = await setupService(realm)
    const env = { ...realm.env, KRB5CCNAME: `FILE:${s.ccache}` }
    const [apReq, ...bench] = await mitInitiatorTokens(env, 'HTTP@localhost', 1 + BENCH_TOKENS)
    const spnego = await pyToken(env, { spnego: true })
    const negotiate = await pyToken(env, { spnego: true })
    const wrapMessage = 'sealed by MIT libgssapi_krb5'
    const wrap = await pyToken(env, { nomutual: true }, wrapMessage)
    // Every AP-REQ above was made in the last few seconds: accept them "now" forever after.
    const acceptNow = Date.now()

    // Preauth required, so the replayed login runs the preauth loop (ETYPE-INFO2, ENC-TIMESTAMP).
    await realm.kadmin('modprinc +requires_preauth alice')
    const clientNow = Math.floor(Date.now() / 1000) * 1000
    const conversation: { request: string; reply: string }[] = []
    const config = await loadConfig({ paths: [realm.krb5ConfPath] })
    const client = new KerberosClient({
      transport: recording(createNodeTransport({ config }), conversation),
      realm: realm.realm,
      now: () => new Date(clientNow),
      random: deterministicRandom(CLIENT_SEED),
    })
    await client.login({ principal: 'alice', password: s.password })
    const service = `HTTP/localhost@${realm.realm}`
    await client.getServiceTicket(service)

    const fixtures = {
      made: new Date().toISOString(),
      by: mitVersion(),
      realm: realm.realm,
      acceptNow,
      clientNow,
      clientSeed: CLIENT_SEED,
      client: `alice@${realm.realm}`,
      password: s.password,
      service,
      keytab: b64(readFileSync(s.keytab)),
      apReq: b64(apReq!),
      spnego: b64(spnego.token),
      negotiate: b64(negotiate.token),
      wrapInit: b64(wrap.token),
      wrapToken: b64(wrap.wrapped!),
      wrapMessage,
      benchTokens: bench.map(b64),
      captured: capturedDER(),
      conversation,
    }
    const out = fixturePath('runtimes', 'fixtures.ts')
    writeFileSync(
      out,
      [
        '// Generated by fixtures/runtimes/make.sh (test/runtimes/make-fixtures.ts): real MIT krb5',
        '// messages for the runtime matrix (issue 15 #3), embedded so no runtime needs file access.',
        '// Keys and passwords belong to a throwaway test realm. Do not edit; regenerate.',
        `export const FIXTURES = ${JSON.stringify(fixtures, null, 2)} as const`,
        '',
      ].join('\n'),
    )
    console.log(`wrote ${out} (${conversation.length} KDC exchanges, ${bench.length} bench tokens)`)
  } finally {
    await realm.stop()
  }
}

// Only when asked: `node --test build/test/` runs every file under test/ as a program, this one too.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv[2] === '--write')
  await main()
