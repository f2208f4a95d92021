/**
 * SPNEGO codecs and negotiation paths (no KDC), and MIT's SPNEGO initiator (python3-gssapi)
 * against our acceptor.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import {
  NegState,
  SpnegoAcceptorContext,
  classifyToken,
  decodeNegTokenInit,
  decodeNegTokenResp,
  encodeMechTypes,
  encodeNegTokenInit,
  encodeNegTokenResp,
} from '../../src/gssapi/spnego.js'
import { InitiatorContext } from '../../src/gssapi/context.js'
import { MechOID, decodeOID, encodeOID } from '../../src/gssapi/framing.js'
import { GSSFlags } from '../../src/protocol/gss-checksum.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { formatPrincipal } from '../../src/principal.js'
import { KerberosError } from '../../src/errors.js'
import { fromUtf8, utf8 } from '../../src/internal/bytes.js'
import { startRealm, skipWithoutMIT, type Realm } from '../helpers/realm.js'
import {
  PythonGss,
  b64,
  fakeService,
  pythonGssAvailable,
  setupService,
  unb64,
} from '../helpers/gss-peers.js'

const code = (e: unknown): string => (e instanceof KerberosError ? e.code : String(e))

describe('SPNEGO codecs', () => {
  it('OIDs round-trip', () => {
    for (const oid of Object.values(MechOID)) assert.equal(decodeOID(encodeOID(oid)), oid)
    assert.deepEqual([...encodeOID(MechOID.SPNEGO)], [0x2b, 0x06, 0x01, 0x05, 0x05, 0x02])
  })

  it('NegTokenInit and NegTokenResp round-trip', () => {
    const init = encodeNegTokenInit({
      mechTypes: [MechOID.MS_KRB5, MechOID.KRB5, MechOID.NTLMSSP],
      reqFlags: 0x06,
      mechToken: Uint8Array.of(1, 2, 3),
      mechListMIC: Uint8Array.of(9),
    })
    assert.equal(classifyToken(init), 'spnego-init')
    const d = decodeNegTokenInit(init)
    assert.deepEqual(d.mechTypes, [MechOID.MS_KRB5, MechOID.KRB5, MechOID.NTLMSSP])
    assert.deepEqual(d.mechTypesDER, encodeMechTypes(d.mechTypes))
    assert.deepEqual(d.mechToken, Uint8Array.of(1, 2, 3))
    assert.deepEqual(d.mechListMIC, Uint8Array.of(9))
    assert.equal(d.reqFlags, 0x06)
    const resp = {
      negState: NegState.ACCEPT_COMPLETED,
      supportedMech: MechOID.KRB5,
      responseToken: Uint8Array.of(4),
      mechListMIC: Uint8Array.of(5),
    }
    assert.deepEqual(decodeNegTokenResp(encodeNegTokenResp(resp)), resp)
    assert.equal(classifyToken(encodeNegTokenResp(resp)), 'spnego-resp')
    assert.throws(
      () => decodeNegTokenResp(Uint8Array.of(0xa1, 0x03, 0x30, 0x01, 0x00)),
      (e) => code(e) === 'ERR_KRB_SPNEGO',
    )
  })

  it('refuses a NegTokenInit without Kerberos', () => {
    const svc = fakeService()
    const ctx = new SpnegoAcceptorContext({ acceptor: new Acceptor({ keytab: svc.keytab }) })
    assert.throws(
      () => ctx.step(encodeNegTokenInit({ mechTypes: ['1.3.6.1.5.2.5'] })),
      (e) => code(e) === 'ERR_KRB_SPNEGO',
    )
  })

  it('krb5 not first: asks for a krb5 token, then exchanges mechListMICs both ways', () => {
    const svc = fakeService()
    const acc = new SpnegoAcceptorContext({ acceptor: new Acceptor({ keytab: svc.keytab }) })
    const mechTypes = [MechOID.NTLMSSP, MechOID.KRB5]
    const r1 = decodeNegTokenResp(acc.step(encodeNegTokenInit({ mechTypes }))!)
    assert.equal(r1.negState, NegState.ACCEPT_INCOMPLETE)
    assert.equal(r1.supportedMech, MechOID.KRB5)
    const init = new InitiatorContext({
      credentials: svc.issue(),
      flags: GSSFlags.INTEG | GSSFlags.CONF | GSSFlags.REPLAY,
    })
    const apReq = init.step()!
    const mic = init.getMIC(encodeMechTypes(mechTypes))
    const r2 = decodeNegTokenResp(
      acc.step(encodeNegTokenResp({ responseToken: apReq, mechListMIC: mic }))!,
    )
    assert.equal(r2.negState, NegState.ACCEPT_COMPLETED)
    assert.ok(acc.complete)
    init.verifyMIC(encodeMechTypes(mechTypes), r2.mechListMIC!)
    // A tampered list fails the MIC.
    const acc2 = new SpnegoAcceptorContext({ acceptor: new Acceptor({ keytab: svc.keytab }) })
    acc2.step(encodeNegTokenInit({ mechTypes }))
    const i2 = new InitiatorContext({ credentials: svc.issue(), flags: GSSFlags.INTEG })
    const t2 = i2.step()!
    const bad = i2.getMIC(encodeMechTypes([MechOID.KRB5]))
    assert.throws(
      () => acc2.step(encodeNegTokenResp({ responseToken: t2, mechListMIC: bad })),
      (e) => code(e) === 'ERR_KRB_SPNEGO',
    )
  })
})

const skip = skipWithoutMIT() || (pythonGssAvailable() ? false : 'python3-gssapi missing')
if (skip && process.env.CI === 'true')
  throw new Error(`SPNEGO peer tests need MIT + python3-gssapi in CI: ${skip}`)
if (skip) console.error(`*** ${skip}: SPNEGO peer tests SKIPPED ***`)

describe('MIT SPNEGO initiator (python3-gssapi) → our acceptor', { skip, timeout: 60_000 }, () => {
  let realm: Realm
  let env: Record<string, string>
  let keytabPath: string
  before(async () => {
    realm = await startRealm()
    const s = await setupService(realm)
    keytabPath = s.keytab
    env = { ...realm.env, KRB5CCNAME: `FILE:${s.ccache}` }
  })
  after(async () => {
    await realm?.stop()
  })

  it('negotiates krb5, completes MIT-side, wraps both ways', async () => {
    const py = new PythonGss(env)
    try {
      const first = unb64(
        (await py.call({ op: 'init', target: 'HTTP@localhost', spnego: true })).token,
      )
      assert.equal(classifyToken(first), 'spnego-init')
      const acc = new SpnegoAcceptorContext({
        acceptor: new Acceptor({ keytab: parseKeytab(await readFile(keytabPath)) }),
      })
      const reply = acc.step(first)!
      assert.ok(acc.complete)
      assert.equal(formatPrincipal(acc.client!), `alice@${realm.realm}`)
      const done = await py.call({ op: 'step', token: b64(reply) })
      assert.equal(done.complete, true)
      const w = await py.call({ op: 'wrap', msg: b64(utf8('via spnego')), conf: true })
      assert.equal(fromUtf8(acc.krb5.unwrap(unb64(w.token)).message), 'via spnego')
      const u = await py.call({ op: 'unwrap', token: b64(acc.krb5.wrap(utf8('back'))) })
      assert.equal(fromUtf8(unb64(u.msg)), 'back')
    } finally {
      await py.close()
    }
  })
})
