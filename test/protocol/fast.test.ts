/**
 * FAST (RFC 6113) steps, sans I/O: what a KDC would check in an armored request (the armor key
 * from the AP-REQ armor, the req-checksum over the outer body or the PA-TGS-REQ AP-REQ, the
 * inner request), and the misuse errors. The real KDCs are in test/client/fast-mit.test.ts and
 * test/ad/fast.test.ts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  decodeAPReq,
  decodeAuthenticator,
  decodeKDCReq,
  decodeKrbFastReq,
  decodePAFxFastRequest,
  encodeKDCReqBody,
  principalToName,
  type KRBError,
} from '../../src/asn1/index.js'
import { cf2, decrypt, randomKey, verifyChecksum } from '../../src/crypto/index.js'
import { KeyUsage, PADataType } from '../../src/iana.js'
import { parsePrincipal, tgsPrincipal } from '../../src/principal.js'
import {
  FAST_ARMOR_AP_REQUEST,
  armorASRequest,
  armorTGSRequest,
  buildASReq,
  buildTGSReq,
  fastReplyKey,
  makeASArmor,
  unwrapFastError,
  type Credentials,
} from '../../src/protocol/index.js'

const client = parsePrincipal('alice@FAST.TEST')

function fakeTGT(server = tgsPrincipal('FAST.TEST')): Credentials {
  const now = Date.now()
  const ticket = {
    tktVno: 5 as const,
    realm: server.realm,
    sname: principalToName(server).name,
    encPart: { etype: 18, kvno: 1, cipher: new Uint8Array(64) },
  }
  return {
    client,
    server,
    sessionKey: randomKey(18),
    authtime: new Date(now),
    endtime: new Date(now + 3600_000),
    flags: 0,
    ticket,
    ticketBytes: new Uint8Array(0),
  }
}

test('an armored AS-REQ carries what a KDC needs: AP-REQ armor, req-checksum over the outer body, the inner request', () => {
  const tgt = fakeTGT()
  const now = new Date()
  const inner = buildASReq({ client, etypes: [18, 17], now, nonce: 4242 })
  const armor = makeASArmor({ tgt, now })
  const req = armorASRequest(inner, armor)
  const outer = decodeKDCReq(req.bytes)
  assert.deepEqual(
    outer.padata?.map((p) => p.padataType),
    [PADataType.FX_FAST],
  )
  const fx = decodePAFxFastRequest(outer.padata![0]!.padataValue)
  assert.equal(fx.armor?.armorType, FAST_ARMOR_AP_REQUEST)
  // The KDC's side: the subkey from the armor AP-REQ, then the armor key.
  const ap = decodeAPReq(fx.armor!.armorValue)
  const auth = decodeAuthenticator(
    decrypt(tgt.sessionKey, KeyUsage.AP_REQ_AUTH, ap.authenticator.cipher),
  )
  const armorKey = cf2(auth.subkey!, 'subkeyarmor', tgt.sessionKey, 'ticketarmor')
  assert.ok(armorKey.equals(armor.armorKey))
  const body = encodeKDCReqBody(outer.reqBody)
  assert.ok(
    verifyChecksum(
      fx.reqChecksum.cksumtype,
      armorKey,
      KeyUsage.FAST_REQ_CHKSUM,
      body,
      fx.reqChecksum.checksum,
    ),
  )
  const fastReq = decodeKrbFastReq(decrypt(armorKey, KeyUsage.FAST_ENC, fx.encFastReq.cipher))
  assert.equal(fastReq.reqBody.nonce, 4242)
  assert.deepEqual(
    fastReq.padata.map((p) => p.padataType),
    inner.req.padata?.map((p) => p.padataType),
  )
  assert.equal(req.fast?.nonce, 4242)
})

test('an armored TGS-REQ: implicit armor, req-checksum over the PA-TGS-REQ AP-REQ, PA-TGS-REQ first', () => {
  const tgt = fakeTGT()
  const built = buildTGSReq({
    tgt,
    server: parsePrincipal('HTTP/web.fast.test@FAST.TEST'),
    etypes: [18],
    nonce: 99,
    now: new Date(),
    subkey: true,
  })
  const req = armorTGSRequest(built)
  const outer = decodeKDCReq(req.bytes)
  assert.deepEqual(
    outer.padata?.map((p) => p.padataType),
    [PADataType.TGS_REQ, PADataType.FX_FAST],
  )
  const fx = decodePAFxFastRequest(outer.padata![1]!.padataValue)
  assert.equal(fx.armor, undefined)
  const armorKey = cf2(built.subkey!, 'subkeyarmor', tgt.sessionKey, 'ticketarmor')
  assert.ok(
    verifyChecksum(
      fx.reqChecksum.cksumtype,
      armorKey,
      KeyUsage.FAST_REQ_CHKSUM,
      outer.padata![0]!.padataValue,
      fx.reqChecksum.checksum,
    ),
  )
  const fastReq = decodeKrbFastReq(decrypt(armorKey, KeyUsage.FAST_ENC, fx.encFastReq.cipher))
  assert.equal(fastReq.padata.length, 0)
})

test('misuse: armor from a ticket that is not a TGT, a TGS-REQ without a subkey', () => {
  assert.throws(
    () => makeASArmor({ tgt: fakeTGT(parsePrincipal('HTTP/x@FAST.TEST')), now: new Date() }),
    RangeError,
  )
  const built = buildTGSReq({
    tgt: fakeTGT(),
    server: parsePrincipal('HTTP/web.fast.test@FAST.TEST'),
    etypes: [18],
    nonce: 1,
    now: new Date(),
  })
  assert.throws(() => armorTGSRequest(built), RangeError)
})

test('an error without PA-FX-FAST is unprotected; no strengthen key keeps the reply key', () => {
  const err: KRBError = {
    pvno: 5,
    msgType: 30,
    stime: new Date(0),
    susec: 0,
    errorCode: 25,
    realm: 'FAST.TEST',
    sname: principalToName(tgsPrincipal('FAST.TEST')).name,
  }
  const key = randomKey(18)
  assert.equal(
    unwrapFastError(err, { armorKey: key, nonce: 1, padata: [], required: true }),
    undefined,
  )
  assert.equal(fastReplyKey(undefined, key), key)
})
