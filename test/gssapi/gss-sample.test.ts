/**
 * MIT's gss-sample programs against ours, on 127.0.0.1: `gss-client` (krb5 and -spnego) talks to
 * our acceptor speaking the gss-sample protocol (gss-misc.c framing), and our initiator talks to
 * `gss-server -inetd` run behind a loopback listener.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { SpnegoAcceptorContext, SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { InitiatorContext, type SecurityContext } from '../../src/gssapi/context.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { formatPrincipal } from '../../src/principal.js'
import { fromUtf8, utf8 } from '../../src/internal/bytes.js'
import { runTool, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import {
  GSS_CLIENT,
  GSS_SERVER,
  TOKEN,
  TokenReader,
  frameToken,
  setupService,
} from '../helpers/gss-peers.js'
import { clientFor } from '../client/helpers.js'

const skip =
  skipWithoutMIT() ||
  (existsSync(GSS_CLIENT) && existsSync(GSS_SERVER) ? false : 'krb5-gss-samples missing')
if (skip && process.env.CI === 'true')
  throw new Error(`gss-sample tests need MIT krb5-gss-samples in CI: ${skip}`)
if (skip) console.error(`*** ${skip}: gss-sample tests SKIPPED ***`)

interface Served {
  client?: string
  mech?: string
  enctype?: number
  messages: string[]
  error?: unknown
}

/** Our side of the gss-sample protocol, as gss-server's sign_server does it. */
async function serveOne(socket: Socket, acceptor: Acceptor, out: Served): Promise<void> {
  const reader = new TokenReader(socket)
  try {
    const hello = await reader.next()
    assert.ok(hello && (hello.flags & TOKEN.NOOP) !== 0 && (hello.flags & TOKEN.CONTEXT_NEXT) !== 0)
    const ctx = new SpnegoAcceptorContext({ acceptor })
    while (!ctx.complete) {
      const t = await reader.next()
      assert.ok(t && (t.flags & TOKEN.CONTEXT) !== 0)
      const reply = ctx.step(t.body)
      if (reply !== undefined) socket.write(frameToken(TOKEN.CONTEXT, reply))
    }
    out.client = formatPrincipal(ctx.client!)
    out.mech = ctx.raw ? 'krb5' : 'spnego'
    out.enctype = ctx.krb5.key.enctype
    for (;;) {
      const t = await reader.next()
      if (t === undefined || (t.flags & TOKEN.NOOP) !== 0) break
      const msg = (t.flags & TOKEN.WRAPPED) !== 0 ? ctx.krb5.unwrap(t.body).message : t.body
      out.messages.push(fromUtf8(msg))
      if ((t.flags & TOKEN.SEND_MIC) !== 0)
        socket.write(frameToken(TOKEN.MIC, ctx.krb5.getMIC(msg)))
      else socket.write(frameToken(TOKEN.NOOP, new Uint8Array(0)))
    }
  } catch (err) {
    out.error = err
  } finally {
    socket.end()
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as AddressInfo).port
}

for (const rc4 of [false, true])
  describe(
    `MIT gss-sample peers${rc4 ? ' (issue 12: rc4-hmac service, RFC 4757 tokens)' : ''}`,
    { skip, timeout: 60_000 },
    () => {
      let realm: Realm
      let env: Record<string, string>
      let keytabPath: string
      let acceptor: Acceptor
      let server: Server
      let port: number
      const served: Served[] = []

      before(async () => {
        realm = await startRealm(rc4 ? { allowRc4: true, allowWeakCrypto: true } : {})
        const s = await setupService(realm, { rc4 })
        keytabPath = s.keytab
        env = { ...realm.env, KRB5CCNAME: `FILE:${s.ccache}` }
        acceptor = new Acceptor({
          keytab: parseKeytab(await readFile(keytabPath)),
          allowWeakCrypto: rc4,
        })
        server = createServer((sock) => {
          const out: Served = { messages: [] }
          served.push(out)
          void serveOne(sock, acceptor, out)
        })
        port = await listen(server)
      })
      after(async () => {
        await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
        await realm?.stop()
      })

      for (const spnego of [false, true]) {
        it(`gss-client${spnego ? ' -spnego' : ''} → our acceptor: context, wrapped messages, our MICs verified`, async () => {
          const start = served.length
          const args = [
            '-port',
            String(port),
            ...(spnego ? ['-spnego'] : []),
            '-seq',
            '-mcount',
            '2',
            'localhost',
            'host@localhost',
            'hello from mit',
          ]
          const r = await runTool(GSS_CLIENT, args, env, { allowFailure: true })
          assert.equal(r.code, 0, r.stdout + r.stderr)
          assert.match(r.stdout, /Signature verified/)
          const s = served[start]!
          assert.equal(s.error, undefined)
          assert.equal(s.client, `alice@${realm.realm}`)
          assert.equal(s.mech, spnego ? 'spnego' : 'krb5')
          assert.deepEqual(s.messages, ['hello from mit', 'hello from mit'])
          assert.equal(s.enctype, rc4 ? 23 : 18)
        })
      }

      it('gss-client -nx (integrity-only wrap) and -nomutual', async () => {
        for (const extra of [['-nx'], ['-nomutual']]) {
          const start = served.length
          const r = await runTool(
            GSS_CLIENT,
            ['-port', String(port), ...extra, 'localhost', 'host@localhost', 'plain'],
            env,
            { allowFailure: true },
          )
          assert.equal(r.code, 0, r.stdout + r.stderr)
          assert.deepEqual(served[start]!.messages, ['plain'])
        }
      })

      /** Run gss-server -inetd for one connection behind a loopback listener; returns its log. */
      async function withGssServer(run: (port: number) => Promise<void>): Promise<string> {
        const log = realm.path(`gss-server-${Date.now()}.log`)
        const exits: Promise<void>[] = []
        const children: ReturnType<typeof spawn>[] = []
        // pauseOnConnect: the socket is handed to gss-server untouched (nothing read by this process).
        const listener = createServer({ pauseOnConnect: true }, (sock) => {
          const child = spawn(
            GSS_SERVER,
            ['-inetd', '-keytab', keytabPath, '-logfile', log, 'host@localhost'],
            {
              env: { ...process.env, ...realm.env },
              stdio: [sock, sock, 'ignore'],
            },
          )
          children.push(child)
          exits.push(new Promise((r) => child.once('exit', () => r())))
          // The child holds its own copy of the connection; drop ours so the listener can close.
          sock.destroy()
        })
        const p = await listen(listener)
        try {
          await run(p)
          await Promise.all(exits)
        } finally {
          for (const c of children) if (c.exitCode === null) c.kill()
          await new Promise<void>((r) => listener.close(() => r()))
        }
        return readFile(log, 'utf8')
      }

      /** An initiator seen through the gss-sample loop: first token, then replies until complete. */
      interface Initiator {
        step(token?: Uint8Array): Uint8Array | undefined
        readonly complete: boolean
      }

      async function callGssServer(
        p: number,
        ctx: Initiator,
        krb5: SecurityContext,
        conf: boolean,
        text: string,
      ): Promise<void> {
        const sock = connect(p, '127.0.0.1')
        await new Promise<void>((r) => sock.once('connect', () => r()))
        try {
          const reader = new TokenReader(sock)
          sock.write(frameToken(TOKEN.NOOP | TOKEN.CONTEXT_NEXT, new Uint8Array(0)))
          sock.write(frameToken(TOKEN.CONTEXT, ctx.step()!))
          while (!ctx.complete) {
            const t = await reader.next()
            assert.ok(t, 'gss-server closed the connection during establishment')
            const reply = ctx.step(t.body)
            if (reply !== undefined) sock.write(frameToken(TOKEN.CONTEXT, reply))
          }
          const msg = utf8(text)
          sock.write(
            frameToken(
              TOKEN.DATA | TOKEN.WRAPPED | (conf ? TOKEN.ENCRYPTED : 0) | TOKEN.SEND_MIC,
              krb5.wrap(msg, { conf }),
            ),
          )
          const mic = await reader.next()
          assert.ok(mic && (mic.flags & TOKEN.MIC) !== 0)
          krb5.verifyMIC(msg, mic.body)
          sock.write(frameToken(TOKEN.NOOP, new Uint8Array(0)))
        } finally {
          sock.end()
        }
      }

      it('our initiator (krb5 and SPNEGO) → MIT gss-server -inetd: wrapped message read, its MIC verified', async () => {
        const { client } = clientFor(realm, { allowWeakCrypto: rc4 })
        await client.login({ principal: 'alice', password: 'alice-pw-1' })
        const creds = await client.getServiceTicket('host@localhost')
        assert.equal(creds.sessionKey.enctype, rc4 ? 23 : 18)
        const log = await withGssServer(async (p) => {
          const k = new InitiatorContext({ credentials: creds, allowWeakCrypto: rc4 })
          await callGssServer(p, k, k, true, 'sealed from ts')
        })
        assert.match(log, /Received message: "sealed from ts"/)
        const log2 = await withGssServer(async (p) => {
          const s = new SpnegoInitiatorContext({ credentials: creds, allowWeakCrypto: rc4 })
          await callGssServer(p, s, s.krb5, false, 'signed via spnego')
        })
        assert.match(log2, /Received message: "signed via spnego"/)
      })
    },
  )
