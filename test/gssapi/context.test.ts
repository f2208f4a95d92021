/**
 * GSS krb5 contexts: our initiator and acceptor together (no KDC), and against MIT through
 * python3-gssapi in both roles, with wrap/unwrap sealed and integrity-only, MICs, sequence checks.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { AcceptorContext, InitiatorContext } from '../../src/gssapi/context.js'
import { makeWrapToken, rotateRight, unwrapToken } from '../../src/gssapi/per-message.js'
import {
  GSSFlags,
  GSS_CHECKSUM_TYPE,
  KERB_AP_OPTIONS_CBT,
  channelBindingsHash,
  delegatedCredentials,
  encodeGSSChecksum,
  kerbAPOptions,
  kerbAPOptionsAD,
} from '../../src/protocol/gss-checksum.js'
import { makeAPReq } from '../../src/protocol/ap-req.js'
import { frameKrb5Token, unframeKrb5Token } from '../../src/gssapi/framing.js'

const unframeBody = (t: Uint8Array): Uint8Array => unframeKrb5Token(t).body
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { formatPrincipal } from '../../src/principal.js'
import { KerberosError } from '../../src/errors.js'
import { utf8, fromUtf8 } from '../../src/internal/bytes.js'
import { encodeEncKrbCredPart, encodeKRBCred } from '../../src/asn1/index.js'
import type { KrbCredInfo } from '../../src/asn1/index.js'
import { encrypt, randomKey } from '../../src/crypto/index.js'
import { startRealm, skipWithoutMIT, type Realm } from '../helpers/realm.js'
import {
  PythonGss,
  b64,
  fakeService,
  pythonGssAvailable,
  setupService,
  unb64,
} from '../helpers/gss-peers.js'
import { clientFor } from '../client/helpers.js'

const code = (e: unknown): string => (e instanceof KerberosError ? e.code : String(e))

function pair(options: { flags?: number; enctype?: number } = {}): {
  init: InitiatorContext
  acc: AcceptorContext
} {
  const svc = fakeService('HTTP/localhost@TEST.REALM', { enctype: options.enctype ?? 18 })
  const acc = new AcceptorContext({ acceptor: new Acceptor({ keytab: svc.keytab }) })
  const init = new InitiatorContext({
    credentials: svc.issue(),
    ...(options.flags === undefined ? {} : { flags: options.flags }),
  })
  const t1 = init.step()!
  const t2 = acc.step(t1)
  if (t2 !== undefined) assert.equal(init.step(t2), undefined)
  return { init, acc }
}

describe('krb5 contexts, ours on both sides', () => {
  for (const enctype of [17, 18, 19, 20]) {
    it(`establishes with mutual auth and protects messages (enctype ${enctype})`, () => {
      const { init, acc } = pair({ enctype })
      assert.ok(init.complete && acc.complete)
      assert.equal(formatPrincipal(acc.client!), 'alice@TEST.REALM')
      assert.ok(acc.result?.acceptorSubkey, 'acceptor subkey asserted')
      assert.ok(init.key.equals(acc.key))
      for (const conf of [true, false]) {
        const m = utf8(`hello ${conf}`)
        const w = init.wrap(m, { conf })
        assert.deepEqual(acc.unwrap(w), { message: m, conf })
        const back = acc.wrap(m, { conf })
        assert.deepEqual(init.unwrap(back), { message: m, conf })
      }
      acc.verifyMIC(utf8('x'), init.getMIC(utf8('x')))
      init.verifyMIC(utf8('y'), acc.getMIC(utf8('y')))
      assert.throws(
        () => acc.verifyMIC(utf8('z'), init.getMIC(utf8('x'))),
        (e) => code(e) === 'ERR_KRB_INTEGRITY',
      )
    })
  }

  it('without mutual authentication: no AP-REP, both sides use the initiator subkey', () => {
    const { init, acc } = pair({ flags: GSSFlags.INTEG | GSSFlags.CONF | GSSFlags.REPLAY })
    assert.equal(acc.result?.apRep, undefined)
    assert.deepEqual(fromUtf8(acc.unwrap(init.wrap(utf8('a'))).message), 'a')
    assert.deepEqual(fromUtf8(init.unwrap(acc.wrap(utf8('b'))).message), 'b')
  })

  it('refuses replayed, reflected and modified tokens; handles RRC on input', () => {
    const { init, acc } = pair()
    const w = init.wrap(utf8('once'))
    acc.unwrap(w)
    assert.throws(
      () => acc.unwrap(w),
      (e) =>
        code(e) === 'ERR_KRB_GSS_SEQUENCE' && (e as KerberosError).context.problem === 'duplicate',
    )
    // Our own token bounced back: wrong direction.
    assert.throws(
      () => init.unwrap(init.wrap(utf8('x'))),
      (e) => code(e) === 'ERR_KRB_GSS_TOKEN',
    )
    const m = init.wrap(utf8('mod'))
    m[m.length - 3]! ^= 0x40
    assert.throws(
      () => acc.unwrap(m),
      (e) => code(e) === 'ERR_KRB_INTEGRITY',
    )
    // Out of order with SEQUENCE: the later token first → gap, then the earlier → unseq.
    const a = init.wrap(utf8('1'))
    const b = init.wrap(utf8('2'))
    assert.throws(
      () => acc.unwrap(b),
      (e) => (e as KerberosError).context.problem === 'gap',
    )
    assert.throws(
      () => acc.unwrap(a),
      (e) => (e as KerberosError).context.problem === 'unseq',
    )
    // A Windows-style rotated token (RRC 28) reads the same.
    const keys = { key: init.key, acceptorSubkey: true, isAcceptor: false }
    for (const conf of [true, false]) {
      const rot = makeWrapToken(keys, 99, utf8('rotated'), conf, { rrc: 28 })
      assert.equal(new DataView(rot.buffer).getUint16(6), 28)
      const plain = unwrapToken({ ...keys, isAcceptor: true }, rot)
      assert.equal(fromUtf8(plain.message), 'rotated')
    }
    assert.deepEqual(rotateRight(Uint8Array.of(1, 2, 3, 4), 1), Uint8Array.of(4, 1, 2, 3))
  })

  it('review #4: a sealed Wrap token with an altered EC is refused (CVE-2024-37370 class)', () => {
    const { init, acc } = pair()
    for (const ec of [1, 5, 16, 0xffff]) {
      const w = init.wrap(utf8('transfer 100 to bob, not 1000000'))
      // A man in the middle raises the clear EC so the receiver trims the end of the message.
      new DataView(w.buffer, w.byteOffset).setUint16(4, ec)
      assert.throws(
        () => acc.unwrap(w),
        (e) => code(e) === 'ERR_KRB_INTEGRITY' || code(e) === 'ERR_KRB_GSS_TOKEN',
        `EC ${ec}`,
      )
    }
    // The same with a rotated token (RRC may change in transit; EC may not).
    const keys = { key: init.key, acceptorSubkey: true, isAcceptor: false }
    const rot = makeWrapToken(keys, 7, utf8('rotated and cut'), true, { rrc: 28 })
    new DataView(rot.buffer).setUint16(4, 3)
    assert.throws(
      () => unwrapToken({ ...keys, isAcceptor: true }, rot),
      (e) => code(e) === 'ERR_KRB_INTEGRITY',
    )
    // Untouched tokens still read, whatever the RRC.
    const ok = makeWrapToken(keys, 8, utf8('whole'), true, { rrc: 5 })
    assert.equal(fromUtf8(unwrapToken({ ...keys, isAcceptor: true }, ok).message), 'whole')
  })

  it('review #11: a delegated KRB-CRED naming another client is dropped; absent names are filled', () => {
    const svc = fakeService()
    const tgt = svc.issue({ client: 'bob@TEST.REALM' }).ticket
    const cred = (info: Partial<KrbCredInfo>, etype: 0 | 18): Uint8Array => {
      const part = encodeEncKrbCredPart({
        ticketInfo: [
          {
            key: randomKey(18),
            srealm: 'TEST.REALM',
            sname: { nameType: 2, nameString: ['krbtgt', 'TEST.REALM'] },
            endtime: new Date(Date.now() + 3_600_000),
            ...info,
          },
        ],
      })
      return encodeKRBCred({
        pvno: 5,
        msgType: 22,
        tickets: [tgt],
        encPart: { etype, cipher: part },
      })
    }
    const run = (delegation: Uint8Array) => {
      const acc = new AcceptorContext({ acceptor: new Acceptor({ keytab: svc.keytab }) })
      const init = new InitiatorContext({ credentials: svc.issue(), delegation })
      init.step(acc.step(init.step()!)!)
      assert.ok(init.complete && acc.complete, 'the context itself is established')
      return acc
    }
    // alice authenticates but hands over a credential labelled as bob's (or bob in another realm).
    for (const info of [
      { pname: { nameType: 1, nameString: ['bob'] }, prealm: 'TEST.REALM' },
      { pname: { nameType: 1, nameString: ['alice'] }, prealm: 'OTHER.REALM' },
      { pname: { nameType: 1, nameString: ['bob'] } },
    ]) {
      const acc = run(cred(info, 0))
      assert.equal(acc.result?.delegated, undefined, JSON.stringify(info))
      assert.equal((acc.flags & GSSFlags.DELEG) !== 0, false)
      assert.equal(code(acc.result?.delegationRefused), 'ERR_KRB_AP_ERROR')
      assert.equal(acc.result?.delegationRefused?.context.reason, 'delegation-client')
    }
    // Matching names pass; absent ones are filled from the authenticated client.
    for (const info of [
      { pname: { nameType: 1, nameString: ['alice'] }, prealm: 'TEST.REALM' },
      {},
    ]) {
      const acc = run(cred(info, 0))
      const d = acc.result?.delegated
      assert.ok(d, JSON.stringify(info))
      assert.equal(acc.result?.delegationRefused, undefined)
      assert.deepEqual(d.info.ticketInfo[0]?.pname?.nameString, ['alice'])
      assert.equal(d.info.ticketInfo[0]?.prealm, 'TEST.REALM')
      assert.equal(formatPrincipal(delegatedCredentials(d)[0]!.client), 'alice@TEST.REALM')
      assert.ok((acc.flags & GSSFlags.DELEG) !== 0)
    }
    // The check does not depend on the KRB-CRED being unencrypted.
    const sessionKey = randomKey(18)
    const creds = svc.issue()
    const wrongEnc = encodeKRBCred({
      pvno: 5,
      msgType: 22,
      tickets: [tgt],
      encPart: {
        etype: 18,
        cipher: encrypt(
          creds.sessionKey,
          14,
          encodeEncKrbCredPart({
            ticketInfo: [
              {
                key: sessionKey,
                pname: { nameType: 1, nameString: ['bob'] },
                prealm: 'TEST.REALM',
              },
            ],
          }),
        ),
      },
    })
    const acc = new AcceptorContext({ acceptor: new Acceptor({ keytab: svc.keytab }) })
    const init = new InitiatorContext({ credentials: creds, delegation: wrongEnc })
    acc.step(init.step()!)
    assert.equal(acc.result?.delegated, undefined)
    assert.equal(acc.result?.delegationRefused?.context.reason, 'delegation-client')
  })

  it('review #9: channel bindings — CBT honoured, requireChannelBindings, channel-bound flag', () => {
    const svc = fakeService()
    const hashA = channelBindingsHash({ applicationData: utf8('tls-server-end-point:A') })
    const hashB = channelBindingsHash({ applicationData: utf8('tls-server-end-point:B') })
    const attempt = (
      init: { hash?: Uint8Array; cbt?: boolean },
      acc: { hash?: Uint8Array; require?: boolean },
    ): AcceptorContext => {
      const a = new AcceptorContext({
        acceptor: new Acceptor({ keytab: svc.keytab, replayCache: false }),
        ...(acc.hash ? { channelBindingsHash: acc.hash } : {}),
        ...(acc.require ? { requireChannelBindings: true } : {}),
      })
      const i = new InitiatorContext({
        credentials: svc.issue(),
        ...(init.hash ? { channelBindingsHash: init.hash } : {}),
        ...(init.cbt ? { requireChannelBindings: true } : {}),
      })
      i.step(a.step(i.step()!)!)
      return a
    }
    const refused = (f: () => unknown, reason: string): void =>
      assert.throws(
        f,
        (e) => code(e) === 'ERR_KRB_BAD_BINDINGS' && (e as KerberosError).context.reason === reason,
      )
    // Matching bindings: channel-bound, reported in the result field and the flags.
    const ok = attempt({ hash: hashA }, { hash: hashA, require: true })
    assert.equal(ok.channelBound, true)
    assert.ok((ok.flags & GSSFlags.CHANNEL_BOUND) !== 0)
    refused(() => attempt({ hash: hashB }, { hash: hashA }), 'mismatch')
    // No bindings from the initiator: accepted (not bound) unless someone requires them.
    const loose = attempt({}, { hash: hashA })
    assert.equal(loose.channelBound, false)
    assert.equal(loose.flags & GSSFlags.CHANNEL_BOUND, 0)
    refused(() => attempt({}, { hash: hashA, require: true }), 'missing')
    // The initiator set KERB_AP_OPTIONS_CBT (a channel-aware client): an acceptor with bindings
    // must see matching ones, so a man in the middle cannot strip them to zeros.
    const zeroWithCBT = (): AcceptorContext => {
      const creds = svc.issue()
      const checksum = encodeGSSChecksum({
        bindings: new Uint8Array(16),
        flags: GSSFlags.MUTUAL | GSSFlags.INTEG | GSSFlags.CONF,
      })
      const req = makeAPReq({
        ticket: creds.ticket,
        sessionKey: creds.sessionKey,
        client: creds.client,
        checksum: { cksumtype: GSS_CHECKSUM_TYPE, checksum },
        subkey: randomKey(18),
        seqNumber: 1,
        mutualRequired: true,
        authorizationData: kerbAPOptionsAD(KERB_AP_OPTIONS_CBT),
      })
      const a = new AcceptorContext({
        acceptor: new Acceptor({ keytab: svc.keytab }),
        channelBindingsHash: hashA,
      })
      a.step(frameKrb5Token(0x0100, req.bytes))
      return a
    }
    refused(zeroWithCBT, 'missing')
    // Our initiator sends CBT on request, and it decodes as MIT's does.
    assert.equal(kerbAPOptions(kerbAPOptionsAD(KERB_AP_OPTIONS_CBT)), KERB_AP_OPTIONS_CBT)
    refused(() => attempt({ hash: hashB, cbt: true }, { hash: hashA }), 'mismatch')
    assert.equal(attempt({ hash: hashA, cbt: true }, { hash: hashA }).channelBound, true)
    // A bindings hash that is not 16 octets is refused: an empty one used to match anything.
    for (const bad of [new Uint8Array(0), hashA.subarray(0, 8), new Uint8Array(32)]) {
      assert.throws(
        () =>
          new AcceptorContext({
            acceptor: new Acceptor({ keytab: svc.keytab }),
            channelBindingsHash: bad,
          }),
        RangeError,
      )
      assert.throws(
        () => new InitiatorContext({ credentials: svc.issue(), channelBindingsHash: bad }),
        RangeError,
      )
    }
    // Bnd of another length in the checksum (Lgth != 16) is refused by the decoder.
    const creds = svc.issue()
    const cks = encodeGSSChecksum({ bindings: hashB, flags: GSSFlags.INTEG })
    new DataView(cks.buffer).setUint32(0, 8, true)
    const req = makeAPReq({
      ticket: creds.ticket,
      sessionKey: creds.sessionKey,
      client: creds.client,
      checksum: { cksumtype: GSS_CHECKSUM_TYPE, checksum: cks },
    })
    assert.throws(
      () =>
        new AcceptorContext({
          acceptor: new Acceptor({ keytab: svc.keytab }),
          channelBindingsHash: hashA,
        }).step(frameKrb5Token(0x0100, req.bytes)),
      (e) => code(e) === 'ERR_KRB_GSS_TOKEN',
    )
    assert.throws(
      () =>
        new AcceptorContext({
          acceptor: new Acceptor({ keytab: svc.keytab }),
          requireChannelBindings: true,
        }),
      TypeError,
    )
  })

  it('refuses rc4-hmac contexts without allowWeakCrypto, naming the option', () => {
    const svc = fakeService('HTTP/localhost@TEST.REALM', { enctype: 23 })
    const init = new InitiatorContext({ credentials: svc.issue() })
    assert.throws(
      () => init.step(),
      (e) => code(e) === 'ERR_KRB_WEAK_CRYPTO' && /allowWeakCrypto/.test((e as Error).message),
    )
  })

  it('a KRB-ERROR token from the acceptor surfaces as a KDCError on the initiator', () => {
    const svc = fakeService()
    const acc = new AcceptorContext({
      acceptor: new Acceptor({ keytab: svc.keytab, now: () => Date.now() + 3_600_000 }),
    })
    const init = new InitiatorContext({ credentials: svc.issue() })
    const t1 = init.step()!
    let err: unknown
    try {
      acc.step(t1)
    } catch (e) {
      err = e
    }
    assert.equal(code(err), 'ERR_KRB_CLOCK_SKEW')
    assert.throws(
      () => init.step(acc.errorToken(err)),
      (e) => (e as { errorName?: string }).errorName === 'KRB_AP_ERR_SKEW',
    )
  })
})

const skip = skipWithoutMIT() || (pythonGssAvailable() ? false : 'python3-gssapi missing')
if (skip && process.env.CI === 'true')
  throw new Error(`GSS peer tests need MIT + python3-gssapi in CI: ${skip}`)
if (skip) console.error(`*** ${skip}: GSS peer tests SKIPPED ***`)

describe('krb5 contexts against MIT (python3-gssapi)', { skip }, () => {
  let realm: Realm
  let env: Record<string, string>
  let keytabPath: string

  before(async () => {
    realm = await startRealm()
    const s = await setupService(realm)
    keytabPath = s.keytab
    env = { ...realm.env, KRB5CCNAME: `FILE:${s.ccache}`, KRB5_KTNAME: `FILE:${s.keytab}` }
  })
  after(async () => {
    await realm?.stop()
  })

  it('MIT initiator → our acceptor; wrap/unwrap both ways, sealed and not; MICs', async () => {
    const py = new PythonGss(env)
    try {
      const first = unb64((await py.call({ op: 'init', target: 'HTTP@localhost' })).token)
      const acc = new AcceptorContext({
        acceptor: new Acceptor({ keytab: parseKeytab(await readFile(keytabPath)) }),
      })
      const reply = acc.step(first)
      assert.ok(reply)
      const done = await py.call({ op: 'step', token: b64(reply) })
      assert.equal(done.complete, true)
      assert.equal(formatPrincipal(acc.client!), `alice@${realm.realm}`)
      for (const conf of [true, false]) {
        const w = await py.call({ op: 'wrap', msg: b64(utf8(`from mit ${conf}`)), conf })
        assert.deepEqual(acc.unwrap(unb64(w.token)), { message: utf8(`from mit ${conf}`), conf })
        const back = await py.call({
          op: 'unwrap',
          token: b64(acc.wrap(utf8(`from us ${conf}`), { conf })),
        })
        assert.equal(fromUtf8(unb64(back.msg)), `from us ${conf}`)
        assert.equal(back.encrypted, conf)
      }
      const mic = await py.call({ op: 'mic', msg: b64(utf8('signed')) })
      acc.verifyMIC(utf8('signed'), unb64(mic.token))
      await py.call({ op: 'verify', msg: b64(utf8('ours')), token: b64(acc.getMIC(utf8('ours'))) })
    } finally {
      await py.close()
    }
  })

  it('our initiator (KerberosClient ticket) → MIT acceptor; wrap/unwrap both ways', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: 'alice-pw-1' })
    const creds = await client.getServiceTicket('HTTP@localhost')
    const init = new InitiatorContext({ credentials: creds })
    const py = new PythonGss(env)
    try {
      await py.call({ op: 'accept' })
      const r = await py.call({ op: 'step', token: b64(init.step()!) })
      assert.equal(r.complete, true)
      assert.equal(r.initiator, `alice@${realm.realm}`)
      init.step(unb64(r.token))
      assert.ok(init.complete)
      for (const conf of [true, false]) {
        const u = await py.call({
          op: 'unwrap',
          token: b64(init.wrap(utf8(`to mit ${conf}`), { conf })),
        })
        assert.equal(fromUtf8(unb64(u.msg)), `to mit ${conf}`)
        const w = await py.call({ op: 'wrap', msg: b64(utf8(`to us ${conf}`)), conf })
        assert.deepEqual(init.unwrap(unb64(w.token)), { message: utf8(`to us ${conf}`), conf })
      }
      await py.call({ op: 'verify', msg: b64(utf8('m')), token: b64(init.getMIC(utf8('m'))) })
      init.verifyMIC(utf8('n'), unb64((await py.call({ op: 'mic', msg: b64(utf8('n')) })).token))
    } finally {
      await py.close()
    }
  })

  it('channel bindings: MIT hash matches ours; a different binding is refused', async () => {
    const appData = utf8('tls-server-end-point:0123456789abcdef')
    for (const [ours, ok] of [
      [appData, true],
      [utf8('tls-server-end-point:other'), false],
    ] as const) {
      const py = new PythonGss(env)
      try {
        const first = unb64(
          (await py.call({ op: 'init', target: 'HTTP@localhost', cb: b64(appData) })).token,
        )
        const acc = new AcceptorContext({
          acceptor: new Acceptor({ keytab: parseKeytab(await readFile(keytabPath)) }),
          channelBindingsHash: channelBindingsHash({ applicationData: ours }),
        })
        if (ok) {
          assert.ok(acc.step(first))
          assert.equal(acc.channelBound, true)
          assert.ok((acc.flags & GSSFlags.CHANNEL_BOUND) !== 0)
        } else
          assert.throws(
            () => acc.step(first),
            (e) => code(e) === 'ERR_KRB_BAD_BINDINGS',
          )
      } finally {
        await py.close()
      }
    }
  })

  it('review #9: MIT initiator with client_aware_channel_bindings (KERB_AP_OPTIONS_CBT) → our acceptor', async () => {
    const aware = {
      ...env,
      KRB5_CONFIG: realm.writeKrb5Conf('krb5-cbt.conf', {
        libdefaults: { client_aware_channel_bindings: 'true' },
      }),
    }
    const appData = utf8('tls-server-end-point:0123456789abcdef')
    const ours = channelBindingsHash({ applicationData: appData })
    const other = channelBindingsHash({ applicationData: utf8('tls-server-end-point:other') })
    const keytab = parseKeytab(await readFile(keytabPath))
    const attempt = async (
      pyEnv: Record<string, string>,
      cb: Uint8Array | undefined,
      acc: { hash: Uint8Array; require?: boolean },
    ): Promise<AcceptorContext> => {
      const py = new PythonGss(pyEnv)
      try {
        const first = unb64(
          (
            await py.call({
              op: 'init',
              target: 'HTTP@localhost',
              ...(cb ? { cb: b64(cb) } : {}),
            })
          ).token,
        )
        const ctx = new AcceptorContext({
          acceptor: new Acceptor({ keytab }),
          channelBindingsHash: acc.hash,
          ...(acc.require ? { requireChannelBindings: true } : {}),
        })
        const reply = ctx.step(first)
        assert.ok(reply)
        const done = await py.call({ op: 'step', token: b64(reply) })
        assert.equal(done.complete, true)
        return ctx
      } finally {
        await py.close()
      }
    }
    const refused = async (p: Promise<unknown>, reason: string): Promise<void> =>
      assert.rejects(
        p,
        (e) => code(e) === 'ERR_KRB_BAD_BINDINGS' && (e as KerberosError).context.reason === reason,
      )
    // MIT's authenticator really carries the option, and we read it.
    const py = new PythonGss(aware)
    try {
      const first = unb64((await py.call({ op: 'init', target: 'HTTP@localhost' })).token)
      const r = new Acceptor({ keytab }).accept(unframeBody(first))
      assert.ok((kerbAPOptions(r.authenticator.authorizationData) & KERB_AP_OPTIONS_CBT) !== 0)
    } finally {
      await py.close()
    }
    // Matching bindings, with requireChannelBindings: channel-bound.
    const bound = await attempt(aware, appData, { hash: ours, require: true })
    assert.equal(bound.channelBound, true)
    assert.ok((bound.flags & GSSFlags.CHANNEL_BOUND) !== 0)
    await refused(attempt(aware, appData, { hash: other }), 'mismatch')
    // A CBT-aware MIT initiator without bindings: refused by an acceptor that has some.
    await refused(attempt(aware, undefined, { hash: ours }), 'missing')
    // A plain MIT initiator without bindings: accepted unbound, refused under requireChannelBindings.
    assert.equal((await attempt(env, undefined, { hash: ours })).channelBound, false)
    await refused(attempt(env, undefined, { hash: ours, require: true }), 'missing')
  })

  it('review #9: our initiator with requireChannelBindings (CBT) → MIT acceptor enforces it', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: 'alice-pw-1' })
    const appData = utf8('tls-server-end-point:fedcba9876543210')
    const try1 = async (hash: Uint8Array, cbt: boolean): Promise<Record<string, unknown>> => {
      const init = new InitiatorContext({
        credentials: await client.getServiceTicket('HTTP@localhost'),
        channelBindingsHash: hash,
        ...(cbt ? { requireChannelBindings: true } : {}),
      })
      const py = new PythonGss(env)
      try {
        await py.call({ op: 'accept', cb: b64(appData) })
        return await py.call({ op: 'step', token: b64(init.step()!) })
      } finally {
        await py.close()
      }
    }
    const ok = await try1(channelBindingsHash({ applicationData: appData }), true)
    assert.equal(ok.complete, true)
    // MIT sets GSS_C_CHANNEL_BOUND_FLAG (0x800) when bindings matched.
    assert.ok((Number(ok.flags) & 0x800) !== 0)
    const wrong = channelBindingsHash({ applicationData: utf8('tls-server-end-point:wrong') })
    await assert.rejects(try1(wrong, true), /python gssapi/)
    // No bindings (zeros): MIT accepts them, unless our KERB_AP_OPTIONS_CBT asks it not to —
    // which proves MIT reads the option as we encode it.
    const none = new Uint8Array(16)
    const loose = await try1(none, false)
    assert.equal(loose.complete, true)
    assert.equal(Number(loose.flags) & 0x800, 0)
    await assert.rejects(try1(none, true), /python gssapi/)
  })

  it('MIT delegation: a forwarded TGT arrives decrypted', async () => {
    const py = new PythonGss(env)
    try {
      const first = unb64(
        (await py.call({ op: 'init', target: 'HTTP@localhost', deleg: true })).token,
      )
      const acc = new AcceptorContext({
        acceptor: new Acceptor({ keytab: parseKeytab(await readFile(keytabPath)) }),
      })
      acc.step(first)
      const d = acc.result?.delegated
      assert.ok(d, 'delegated credential')
      assert.equal(d.info.ticketInfo[0]?.sname?.nameString[0], 'krbtgt')
      assert.ok((acc.flags & GSSFlags.DELEG) !== 0)
      // The forwarded TGT works: our client uses it for a ticket to another service.
      const [tgt] = delegatedCredentials(d)
      assert.ok(tgt)
      assert.equal(formatPrincipal(tgt.client), `alice@${realm.realm}`)
      assert.equal(formatPrincipal(tgt.server), `krbtgt/${realm.realm}@${realm.realm}`)
      const { client } = clientFor(realm)
      const st = await client.getServiceTicket('host@localhost', { tgt })
      assert.equal(formatPrincipal(st.client), `alice@${realm.realm}`)
    } finally {
      await py.close()
    }
  })
})
