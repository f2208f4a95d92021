/**
 * The salt probe (`ktutil addent -f`) without a KDC: what a PREAUTH_REQUIRED error and an AS-REP
 * tell, and hostile replies (etypes nobody asked for, repeats, PW-SALT, other errors).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  decodeASReq,
  encodeETypeInfo2,
  encodeKRBError,
  encodeMethodData,
} from '../../src/asn1/index.js'
import { fetchSaltInfo } from '../../src/client/index.js'
import { KDCError } from '../../src/errors.js'
import { PADataType } from '../../src/iana.js'
import { fromUtf8 } from '../../src/internal/bytes.js'
import { parsePrincipal } from '../../src/principal.js'
import { buildSaltProbe, readSaltProbeReply } from '../../src/protocol/index.js'

const client = parsePrincipal('HTTP/web.ad.test@AD.TEST')
const probe = (etypes: readonly number[] = [18, 17]) =>
  buildSaltProbe({ client, etypes, now: new Date(1_700_000_000_000), nonce: 42 })

function krbError(
  code: number,
  padata?: readonly { padataType: number; padataValue: Uint8Array }[],
) {
  return encodeKRBError({
    pvno: 5,
    msgType: 30,
    stime: new Date(1_700_000_000_000),
    susec: 0,
    errorCode: code,
    realm: 'AD.TEST',
    sname: { nameType: 2, nameString: ['krbtgt', 'AD.TEST'] },
    ...(padata !== undefined ? { eData: encodeMethodData(padata) } : {}),
  })
}

const info2 = (entries: Parameters<typeof encodeETypeInfo2>[0]) => ({
  padataType: PADataType.ETYPE_INFO2,
  padataValue: encodeETypeInfo2(entries),
})

describe('salt probe', () => {
  it('the probe is an AS-REQ with no preauth for krbtgt/REALM', () => {
    const req = probe()
    assert.equal(req.req.padata, undefined)
    assert.deepEqual(req.req.reqBody.sname?.nameString, ['krbtgt', 'AD.TEST'])
    assert.deepEqual(req.req.reqBody.etype, [18, 17])
  })

  it('PREAUTH_REQUIRED: ETYPE-INFO2 salts and s2kparams per etype; an absent salt is the default', () => {
    const params = new Uint8Array([0, 0, 0x10, 0])
    const bytes = krbError(25, [
      { padataType: 2, padataValue: new Uint8Array() },
      info2([{ etype: 18, salt: 'AD.TESTsvc', s2kparams: params }, { etype: 17 }]),
    ])
    const r = readSaltProbeReply(bytes, probe())
    assert.equal(r.source, 'preauth-required')
    assert.deepEqual(
      r.entries.map((e) => [e.etype, fromUtf8(e.salt), e.saltFromKDC]),
      [
        [18, 'AD.TESTsvc', true],
        [17, 'AD.TESTHTTPweb.ad.test', false],
      ],
    )
    assert.deepEqual(r.entries[0]!.s2kparams, params)
  })

  it('hostile: etypes not asked for are dropped, a repeated etype keeps its first salt', () => {
    const bytes = krbError(25, [
      info2([
        { etype: 23, salt: 'x' },
        { etype: 1, salt: 'des' },
        { etype: 18, salt: 'first' },
        { etype: 18, salt: 'second' },
      ]),
    ])
    const r = readSaltProbeReply(bytes, probe([18]))
    assert.deepEqual(
      r.entries.map((e) => [e.etype, fromUtf8(e.salt)]),
      [[18, 'first']],
    )
  })

  it('PW-SALT (no etype) holds for every etype asked', () => {
    const bytes = krbError(25, [
      { padataType: PADataType.PW_SALT, padataValue: new TextEncoder().encode('S') },
    ])
    const r = readSaltProbeReply(bytes, probe())
    assert.deepEqual(
      r.entries.map((e) => [e.etype, fromUtf8(e.salt)]),
      [
        [18, 'S'],
        [17, 'S'],
      ],
    )
  })

  it('any other KRB-ERROR throws KDCError (unknown principal, ...)', () => {
    assert.throws(
      () => readSaltProbeReply(krbError(6), probe()),
      (e: unknown) => e instanceof KDCError && e.errorName === 'KDC_ERR_C_PRINCIPAL_UNKNOWN',
    )
  })

  it('garbage is a KerberosError, not a TypeError', () => {
    assert.throws(
      () => readSaltProbeReply(new Uint8Array([0x7e, 0x03, 0x30, 0x01]), probe()),
      (e: unknown) => e instanceof Error && 'code' in e && /^ERR_KRB_/.test(String(e.code)),
    )
  })

  it('fetchSaltInfo asks again, alone, for an etype the first answer left out', async () => {
    const asked: number[][] = []
    const transport = {
      async sendToKDC(_realm: string, bytes: Uint8Array) {
        const req = decodeASReq(bytes)
        assert.equal(req.padata, undefined)
        asked.push([...req.reqBody.etype])
        return asked.length === 1
          ? krbError(25, [info2([{ etype: 18, salt: 'A' }])])
          : krbError(25, [info2([{ etype: 17, salt: 'B' }])])
      },
    }
    const info = await fetchSaltInfo({ transport, principal: client, etypes: [18, 17] })
    assert.deepEqual(
      info.map((i) => [i.etype, fromUtf8(i.salt)]),
      [
        [18, 'A'],
        [17, 'B'],
      ],
    )
    assert.deepEqual(asked, [[18, 17], [17]])
  })
})
