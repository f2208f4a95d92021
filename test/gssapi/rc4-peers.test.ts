/**
 * Issue 12 item 5 against MIT (python3-gssapi on libgssapi_krb5, curl --negotiate): rc4-hmac
 * service accounts (AD accounts without msDS-SupportedEncryptionTypes) — RFC 4757 per-message
 * tokens both ways, sealed and integrity-only, MICs, SPNEGO and HTTP Negotiate with
 * allowWeakCrypto; and our SPNEGO NegTokenInit with reqFlags accepted by MIT's acceptor.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AcceptorContext, InitiatorContext } from '../../src/gssapi/context.js'
import {
  SpnegoAcceptorContext,
  decodeNegTokenResp,
  encodeNegTokenInit,
} from '../../src/gssapi/spnego.js'
import { MechOID, unframeGSSToken } from '../../src/gssapi/framing.js'
import { negotiateMiddleware, type NegotiateUser } from '../../src/http/index.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { parseKeytab, type Keytab } from '../../src/keytab/index.js'
import { formatPrincipal } from '../../src/principal.js'
import { fromUtf8, utf8 } from '../../src/internal/bytes.js'
import { runTool, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { CURL, PythonGss, b64, pythonGssAvailable, unb64 } from '../helpers/gss-peers.js'
import { clientFor } from '../client/helpers.js'

const skip =
  skipWithoutMIT() ||
  (pythonGssAvailable() ? false : 'python3-gssapi missing') ||
  (existsSync(CURL) ? false : 'curl missing')
if (skip && process.env.CI === 'true')
  throw new Error(`rc4 GSS peer tests need MIT + python3-gssapi + curl in CI: ${skip}`)
if (skip) console.error(`*** ${skip}: rc4 GSS peer tests SKIPPED ***`)

const PASSWORD = 'alice-pw-1'

/** Both directions of wrap (sealed and not) and MIC between a python peer and our context. */
async function exchange(
  py: PythonGss,
  ours: { wrap: InitiatorContext['wrap']; unwrap: InitiatorContext['unwrap'] } & Pick<
    InitiatorContext,
    'getMIC' | 'verifyMIC'
  >,
): Promise<void> {
  for (const conf of [true, false]) {
    const w = await py.call({ op: 'wrap', msg: b64(utf8(`from mit ${conf}`)), conf })
    // MIT's token is an RFC 4757 Wrap token: framed, TOK_ID 02 01, SGN_ALG 11 00.
    const inner = unframeGSSToken(unb64(w.token)).inner
    assert.deepEqual(
      [...inner.subarray(0, 6)],
      [2, 1, 0x11, 0, ...(conf ? [0x10, 0] : [0xff, 0xff])],
    )
    assert.deepEqual(ours.unwrap(unb64(w.token)), { message: utf8(`from mit ${conf}`), conf })
    const back = await py.call({
      op: 'unwrap',
      token: b64(ours.wrap(utf8(`from us ${conf}`), { conf })),
    })
    assert.equal(fromUtf8(unb64(back.msg)), `from us ${conf}`)
    assert.equal(back.encrypted, conf)
  }
  const mic = await py.call({ op: 'mic', msg: b64(utf8('signed')) })
  ours.verifyMIC(utf8('signed'), unb64(mic.token))
  await py.call({ op: 'verify', msg: b64(utf8('ours')), token: b64(ours.getMIC(utf8('ours'))) })
  // Tampering with MIT's token is caught by our side.
  const w = unb64((await py.call({ op: 'wrap', msg: b64(utf8('x')), conf: true })).token)
  w[w.length - 2]! ^= 1
  assert.throws(
    () => ours.unwrap(w),
    (e: unknown) => (e as { code?: string }).code === 'ERR_KRB_INTEGRITY',
  )
}

describe('issue 12: rc4-hmac service accounts against MIT', { skip }, () => {
  let realm: Realm
  let env: Record<string, string>
  let keytab: Keytab

  before(async () => {
    realm = await startRealm({ allowRc4: true, allowWeakCrypto: true })
    const services = ['HTTP/localhost', 'host/localhost']
    for (const s of services) {
      await realm.addPrincipal(s, {
        enctypes: ['arcfour-hmac'],
        sessionEnctypes: ['arcfour-hmac'],
      })
    }
    const keytabPath = realm.path('rc4.keytab')
    await realm.ktadd(services, keytabPath, { enctypes: ['arcfour-hmac'] })
    keytab = parseKeytab(await readFile(keytabPath))
    assert.ok(keytab.entries.every((e) => e.key.enctype === 23))
    await realm.addPrincipal('alice', { password: PASSWORD })
    const ccache = realm.path('alice.ccache')
    await realm.kinit('alice', { password: PASSWORD, ccache })
    env = { ...realm.env, KRB5CCNAME: `FILE:${ccache}`, KRB5_KTNAME: `FILE:${keytabPath}` }
  })
  after(async () => {
    await realm?.stop()
  })

  for (const mutual of [true, false]) {
    it(`MIT initiator → our acceptor (allowWeakCrypto), mutual ${mutual}: RFC 4757 wrap/unwrap and MICs both ways`, async () => {
      const py = new PythonGss(env)
      try {
        const first = unb64(
          (await py.call({ op: 'init', target: 'HTTP@localhost', nomutual: !mutual })).token,
        )
        const acc = new AcceptorContext({
          acceptor: new Acceptor({ keytab, allowWeakCrypto: true }),
        })
        const reply = acc.step(first)
        assert.equal(reply !== undefined, mutual)
        if (reply !== undefined) {
          const done = await py.call({ op: 'step', token: b64(reply) })
          assert.equal(done.complete, true)
        }
        assert.equal(acc.key.enctype, 23, 'an rc4 context')
        assert.equal(formatPrincipal(acc.client!), `alice@${realm.realm}`)
        await exchange(py, acc)
      } finally {
        await py.close()
      }
    })
  }

  it('our initiator (KerberosClient rc4 ticket) → MIT acceptor: RFC 4757 tokens both ways', async () => {
    const { client } = clientFor(realm, { allowWeakCrypto: true })
    await client.login({ principal: 'alice', password: PASSWORD })
    const creds = await client.getServiceTicket('HTTP@localhost')
    assert.equal(creds.sessionKey.enctype, 23)
    const init = new InitiatorContext({ credentials: creds, allowWeakCrypto: true })
    const py = new PythonGss(env)
    try {
      await py.call({ op: 'accept' })
      const r = await py.call({ op: 'step', token: b64(init.step()!) })
      assert.equal(r.complete, true)
      assert.equal(r.initiator, `alice@${realm.realm}`)
      init.step(unb64(r.token))
      assert.ok(init.complete)
      await exchange(py, init)
    } finally {
      await py.close()
    }
  })

  it('MIT SPNEGO initiator → our SPNEGO acceptor with an rc4 ticket; tokens both ways', async () => {
    const py = new PythonGss(env)
    try {
      const first = unb64(
        (await py.call({ op: 'init', target: 'HTTP@localhost', spnego: true })).token,
      )
      const ctx = new SpnegoAcceptorContext({
        acceptor: new Acceptor({ keytab, allowWeakCrypto: true }),
      })
      let reply = ctx.step(first)
      for (let i = 0; i < 3 && reply !== undefined; i++) {
        const r = await py.call({ op: 'step', token: b64(reply) })
        if (r.complete === true && r.token === null) break
        reply = r.token === null ? undefined : ctx.step(unb64(r.token))
      }
      assert.ok(ctx.complete)
      assert.equal(ctx.krb5.key.enctype, 23)
      await exchange(py, ctx.krb5)
    } finally {
      await py.close()
    }
  })

  it('issue 12: curl --negotiate with an rc4 ticket → our middleware: 200 with allowWeakCrypto, else 401 naming the option', async () => {
    const refused: string[] = []
    const serve = (allowWeakCrypto: boolean): Server => {
      const auth = negotiateMiddleware({
        acceptor: new Acceptor({ keytab, allowWeakCrypto }),
        onRefused: (r) => refused.push(r.error?.message ?? String(r.status)),
      })
      return createServer((req, res) =>
        auth(req, res, (err) => {
          if (err) {
            res.statusCode = 500
            res.end(String(err))
            return
          }
          res.end(`hello ${(req as unknown as { kerberos: NegotiateUser }).kerberos.principal}`)
        }),
      )
    }
    for (const allow of [true, false]) {
      const server = serve(allow)
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const port = (server.address() as AddressInfo).port
      try {
        const r = await runTool(
          CURL,
          [
            '-sS',
            '-v',
            '--negotiate',
            '-u',
            ':',
            '--resolve',
            `localhost:${port}:127.0.0.1`,
            `http://localhost:${port}/`,
          ],
          env,
          { allowFailure: true },
        )
        if (allow) {
          assert.equal(r.code, 0, r.stderr)
          assert.equal(r.stdout, `hello alice@${realm.realm}`)
          assert.match(r.stderr, /< HTTP\/1.1 200/)
          assert.doesNotMatch(r.stderr, /warning|failed|error/i)
        } else {
          assert.match(r.stderr, /< HTTP\/1.1 401/)
          assert.ok(
            refused.some((m) => /allowWeakCrypto: true/.test(m) && !/allowWeak:/.test(m)),
            refused.join('; '),
          )
        }
      } finally {
        await new Promise<void>((r) => server.close(() => r()))
      }
    }
  })

  it('issue 12: MIT SPNEGO acceptor accepts our NegTokenInit with reqFlags (03 02 01 xx), not the old 03 02 00 xx', async () => {
    const { client } = clientFor(realm, { allowWeakCrypto: true })
    await client.login({ principal: 'alice', password: PASSWORD })
    const creds = await client.getServiceTicket('HTTP@localhost')
    for (const old of [false, true]) {
      const init = new InitiatorContext({ credentials: creds, allowWeakCrypto: true })
      const reqFlags = 0x76 // mutual, replay, sequence, conf, integ
      const tok = encodeNegTokenInit({
        mechTypes: [MechOID.KRB5],
        reqFlags,
        mechToken: init.step()!,
      })
      const at = Buffer.from(tok).indexOf(Buffer.from([0xa1, 0x04, 0x03, 0x02, 0x01, reqFlags]))
      assert.ok(at > 0, 'reqFlags in DER minimal form')
      if (old) tok[at + 4] = 0x00 // what encodeNegTokenInit wrote before
      const py = new PythonGss(env)
      try {
        await py.call({ op: 'accept' })
        if (old) {
          await assert.rejects(py.call({ op: 'step', token: b64(tok) }), /defective|invalid/i)
          continue
        }
        const r = await py.call({ op: 'step', token: b64(tok) })
        assert.equal(r.complete, true)
        assert.equal(r.initiator, `alice@${realm.realm}`)
        const resp = decodeNegTokenResp(unb64(r.token))
        init.step(resp.responseToken!)
        assert.ok(init.complete)
        const u = await py.call({ op: 'unwrap', token: b64(init.wrap(utf8('after spnego'))) })
        assert.equal(fromUtf8(unb64(u.msg)), 'after spnego')
      } finally {
        await py.close()
      }
    }
  })
})
