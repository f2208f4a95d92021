/**
 * GSS peers with tickets from the embedded KDC (a PAC in every ticket): MIT gss-client →
 * MIT gss-server (both sides MIT, only the KDC is ours), and python-gssapi (SPNEGO) → our
 * Negotiate core. Fails under CI=true when the peers are missing.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { startTestKDC, type TestKDC } from '../../src/node/kdc-server.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { negotiate } from '../../src/http/index.js'
import { MIT_BIN, runTool, skipWithoutMIT } from '../helpers/realm.js'
import { GSS_CLIENT, GSS_SERVER, PythonGss, pythonGssAvailable } from '../helpers/gss-peers.js'

const missing =
  skipWithoutMIT() ||
  (existsSync(GSS_CLIENT) && existsSync(GSS_SERVER) ? false : 'krb5-gss-samples missing') ||
  (pythonGssAvailable() ? false : 'python3-gssapi missing')
if (missing && process.env.CI === 'true') throw new Error(`GSS peer tests need in CI: ${missing}`)
if (missing) console.error(`*** ${missing}: embedded-KDC GSS peer tests SKIPPED ***`)

describe('GSS peers with tickets from the embedded KDC', { skip: missing }, () => {
  let kdc: TestKDC
  let env: Record<string, string>
  before(async () => {
    kdc = await startTestKDC({
      realm: 'GSS.TEST',
      alwaysPac: true,
      principals: [
        { name: 'alice', password: 'alice-pw' },
        { name: 'host/localhost' },
        { name: 'HTTP/localhost' },
      ],
    })
    env = { ...kdc.env, KRB5RCACHETYPE: 'none' }
    await runTool(MIT_BIN.kinit, ['alice'], env, { input: 'alice-pw\n' })
  })
  after(() => kdc?.stop())

  it('MIT gss-client → MIT gss-server -inetd: context, wrapped message, MIC verified', async () => {
    const keytab = await kdc.writeKeytab('host/localhost')
    const log = join(kdc.dir, 'gss-server.log')
    const exits: Promise<void>[] = []
    const listener = createServer({ pauseOnConnect: true }, (sock) => {
      const child = spawn(
        GSS_SERVER,
        ['-inetd', '-keytab', keytab, '-logfile', log, 'host@localhost'],
        {
          env: { ...process.env, ...env },
          stdio: [sock, sock, 'ignore'],
        },
      )
      exits.push(new Promise((r) => child.once('exit', () => r())))
      sock.destroy()
    })
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()))
    const port = (listener.address() as AddressInfo).port
    try {
      const r = await runTool(
        GSS_CLIENT,
        ['-port', String(port), 'localhost', 'host@localhost', 'hello'],
        env,
        {
          allowFailure: true,
        },
      )
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.match(r.stdout, /Signature verified/)
      await Promise.all(exits)
      assert.match(await readFile(log, 'utf8'), /Received message: "hello"/)
    } finally {
      await new Promise<void>((r) => listener.close(() => r()))
    }
  })

  it('python-gssapi (SPNEGO) → our negotiate(): the principal, and a PAC our acceptor verified', async () => {
    const py = new PythonGss(env)
    try {
      const { token } = await py.call({ op: 'init', target: 'HTTP@localhost', spnego: true })
      const acceptor = new Acceptor({
        keytab: kdc.database.keytab('HTTP/localhost'),
        pac: 'require',
      })
      const r = await negotiate({ acceptor, authorization: `Negotiate ${String(token)}` })
      assert.equal(r.status, 200)
      assert.equal(r.user?.principal, 'alice@GSS.TEST')
      assert.ok(r.user?.result.pac !== undefined)
    } finally {
      await py.close()
    }
  })
})
