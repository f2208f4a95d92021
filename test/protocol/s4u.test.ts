/**
 * Issue 17 item 2 without a network: the S4U2Self and S4U2Proxy requests (PA-FOR-USER and its
 * HMAC-MD5 checksum against an independent node:crypto computation, PA-S4U-X509-USER bound to
 * the nonce and keyed with the subkey, CNAME-IN-ADDL-TKT, additional-tickets, PA-PAC-OPTIONS),
 * and hostile replies from a KDC that holds every key: for another user than asked, for another
 * service, with a forged or missing PA-S4U-X509-USER. Each must be refused.
 */
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { describe, test } from 'node:test'
import {
  decodeAPReq,
  decodeAuthenticator,
  decodePAForUser,
  decodePAPacOptions,
  decodePAS4UX509User,
  decodeTGSReq,
  encodeS4UUserID,
  encodePAS4UX509User,
  encodeEncTGSRepPart,
  encodeTGSRep,
  hasFlag,
  type KDCReq,
  type PAData,
  type PrincipalName,
} from '../../src/asn1/index.js'
import { KerberosClient, type Credentials } from '../../src/client/index.js'
import {
  decrypt,
  encrypt,
  makeChecksum,
  randomKey,
  verifyChecksum,
} from '../../src/crypto/index.js'
import { KDCError, KerberosError } from '../../src/errors.js'
import { KDCOptions, PADataType, TicketFlags } from '../../src/iana.js'
import type { KerberosKey } from '../../src/key.js'
import { formatPrincipal, parsePrincipal, tgsPrincipal } from '../../src/principal.js'
import {
  buildS4U2ProxyReq,
  buildS4U2SelfReq,
  evidenceFrom,
  forUserChecksumData,
  PAC_OPTIONS_RBCD,
  readS4U2ProxyReply,
  readS4U2SelfReply,
  S4U_OPTS_USE_REPLY_KEY_USAGE,
  ticketDER,
  type S4U2SelfRequest,
} from '../../src/protocol/index.js'
import { fakeTransport, makeKDCRep, makeKRBError, opaqueTicket } from '../client/fake-kdc.js'

const REALM = 'AD.TEST'
const svc = parsePrincipal(`svc-front@${REALM}`)
const alice = parsePrincipal(`alice@${REALM}`)
const backEnd = parsePrincipal(`cifs/back.ad.test@${REALM}`)
const nameOf = (p: string): PrincipalName => ({ nameType: 1, nameString: p.split('/') })

function serviceTGT(flags = 0x40000000): Credentials {
  const ticket = opaqueTicket(REALM, { nameType: 2, nameString: ['krbtgt', REALM] })
  const now = Date.now()
  return {
    client: svc,
    server: tgsPrincipal(REALM),
    sessionKey: randomKey(18),
    authtime: new Date(now - 1000),
    endtime: new Date(now + 3600_000),
    flags,
    ticket,
    ticketBytes: ticketDER(ticket),
  }
}

/** The subkey of a TGS-REQ (the fake KDC holds the TGT session key). */
function subkeyOf(req: KDCReq, tgt: Credentials): KerberosKey {
  const ap = decodeAPReq(req.padata!.find((p) => p.padataType === 1)!.padataValue)
  const plain = decrypt(tgt.sessionKey, 7, ap.authenticator.cipher, { allowWeak: true })
  return decodeAuthenticator(plain).subkey!
}

function pa(req: KDCReq, type: number): PAData | undefined {
  return req.padata?.find((p) => p.padataType === type)
}

/** The KDC's PA-S4U-X509-USER for `user`, signed with `key` (usage 27), as Samba/MIT send it. */
function replyS4U(req: KDCReq, key: KerberosKey, user = 'alice', nonce?: number): PAData {
  const asked = decodePAS4UX509User(pa(req, PADataType.FOR_X509_USER)!.padataValue)
  const userId = {
    ...asked.userId,
    ...(nonce !== undefined ? { nonce } : {}),
    cname: nameOf(user),
  }
  const checksum = { cksumtype: 16, checksum: makeChecksum(16, key, 27, encodeS4UUserID(userId)) }
  return {
    padataType: PADataType.FOR_X509_USER,
    padataValue: encodePAS4UX509User({ userId, checksum }),
  }
}

function selfRequest(tgt: Credentials, user = alice): S4U2SelfRequest {
  return buildS4U2SelfReq({
    tgt,
    user,
    etypes: [18],
    nonce: 4242,
    now: new Date(),
    forwardable: true,
  })
}

/** An S4U2Self reply: ticket to svc-front, cname `cname`, the given outer padata. */
function selfReply(
  r: S4U2SelfRequest,
  tgt: Credentials,
  o: { cname?: string; padata?: PAData[]; sname?: string } = {},
) {
  const key = subkeyOf(r.req, tgt)
  return makeKDCRep(r.req, {
    key,
    usage: 9,
    cname: nameOf(o.cname ?? 'alice'),
    crealm: REALM,
    ...(o.sname !== undefined ? { sname: nameOf(o.sname) } : {}),
    flags: 0x40000000,
    padata: o.padata ?? [replyS4U(r.req, key)],
  })
}

describe('S4U requests', () => {
  test('PA-FOR-USER: the MS-SFU §2.2.1 checksum data and HMAC-MD5 with the TGT session key', () => {
    const tgt = serviceTGT()
    const r = selfRequest(tgt)
    const req = decodeTGSReq(r.bytes)
    const forUser = decodePAForUser(pa(req, PADataType.FOR_USER)!.padataValue)
    assert.deepEqual(forUser.userName.nameString, ['alice'])
    assert.equal(forUser.userRealm, REALM)
    assert.equal(forUser.authPackage, 'Kerberos')
    assert.equal(forUser.cksum.cksumtype, -138)
    const data = forUserChecksumData(alice, 'Kerberos')
    assert.deepEqual([...data.subarray(0, 4)], [1, 0, 0, 0]) // name type, little-endian
    assert.equal(new TextDecoder().decode(data.subarray(4)), 'aliceAD.TESTKerberos')
    // RFC 4757 §4 HMAC-MD5 (usage 17) computed independently with node:crypto.
    const key = tgt.sessionKey.bytes
    const ksign = createHmac('md5', key).update(Buffer.from('signaturekey\0')).digest()
    const usage = Buffer.from([17, 0, 0, 0])
    const inner = createHash('md5').update(usage).update(data).digest()
    const want = createHmac('md5', ksign).update(inner).digest()
    assert.deepEqual(Buffer.from(forUser.cksum.checksum), want)
  })

  test('PA-S4U-X509-USER: request nonce, USE-REPLY-KEY-USAGE, checksum (usage 26) by the subkey', () => {
    const tgt = serviceTGT()
    const r = selfRequest(tgt)
    const req = decodeTGSReq(r.bytes)
    const x = decodePAS4UX509User(pa(req, PADataType.FOR_X509_USER)!.padataValue)
    assert.equal(x.userId.nonce, req.reqBody.nonce)
    assert.equal(x.userId.options, S4U_OPTS_USE_REPLY_KEY_USAGE)
    assert.deepEqual(x.userId.cname?.nameString, ['alice'])
    const subkey = subkeyOf(req, tgt)
    assert.ok(
      verifyChecksum(
        x.checksum.cksumtype,
        subkey,
        26,
        encodeS4UUserID(x.userId),
        x.checksum.checksum,
      ),
    )
    assert.deepEqual(req.reqBody.sname?.nameString, ['svc-front'])
    assert.ok(hasFlag(req.reqBody.kdcOptions, KDCOptions.FORWARDABLE))
    assert.ok(hasFlag(req.reqBody.kdcOptions, KDCOptions.CANONICALIZE))
  })

  test('S4U2Proxy: CNAME-IN-ADDL-TKT, the evidence in additional-tickets, PA-PAC-OPTIONS RBCD', () => {
    const tgt = serviceTGT()
    const evidence = opaqueTicket(REALM, nameOf('svc-front'))
    const r = buildS4U2ProxyReq({
      tgt,
      evidence: { ticket: evidence, client: alice, flags: 0x40000000 },
      server: backEnd,
      etypes: [18],
      nonce: 7,
      now: new Date(),
    })
    const req = decodeTGSReq(r.bytes)
    assert.ok(hasFlag(req.reqBody.kdcOptions, KDCOptions.CONSTRAINED_DELEGATION))
    assert.equal(req.reqBody.additionalTickets?.length, 1)
    assert.deepEqual(req.reqBody.additionalTickets![0]!.encPart.cipher, evidence.encPart.cipher)
    const opts = decodePAPacOptions(pa(req, PADataType.PAC_OPTIONS)!.padataValue)
    assert.equal(opts.flags, PAC_OPTIONS_RBCD)
    assert.deepEqual(req.reqBody.sname?.nameString, ['cifs', 'back.ad.test'])
  })
})

describe('hostile S4U replies (issue 17 item 2)', () => {
  test('S4U2Self: the honest reply is accepted and names the user asked for', () => {
    const tgt = serviceTGT()
    const r = selfRequest(tgt)
    const out = readS4U2SelfReply(selfReply(r, tgt), { request: r })
    assert.equal(out.kind, 'ok')
    assert.equal(out.kind === 'ok' && formatPrincipal(out.credentials.client), 'alice@AD.TEST')
  })

  test('S4U2Self: a reply whose client name was changed to another user is refused', () => {
    const tgt = serviceTGT()
    const r = selfRequest(tgt)
    assert.throws(
      () => readS4U2SelfReply(selfReply(r, tgt, { cname: 'administrator' }), { request: r }),
      {
        code: 'ERR_KRB_KDC_REPLY',
        message: /S4U2Self reply is for client administrator@AD\.TEST, expected alice@AD\.TEST/,
      },
    )
  })

  test('S4U2Self: a KDC that vouches for another user than asked (valid checksum) is refused', () => {
    const tgt = serviceTGT()
    const r = selfRequest(tgt)
    const key = subkeyOf(r.req, tgt)
    const bytes = selfReply(r, tgt, { cname: 'mallory', padata: [replyS4U(r.req, key, 'mallory')] })
    assert.throws(() => readS4U2SelfReply(bytes, { request: r }), {
      code: 'ERR_KRB_KDC_REPLY',
      message: /S4U2Self reply is for user mallory@AD\.TEST, expected alice@AD\.TEST/,
    })
  })

  test('S4U2Self: another user with PA-S4U-X509-USER stripped is refused', () => {
    const tgt = serviceTGT()
    const r = selfRequest(tgt)
    assert.throws(
      () => readS4U2SelfReply(selfReply(r, tgt, { cname: 'mallory', padata: [] }), { request: r }),
      {
        code: 'ERR_KRB_KDC_REPLY',
        message: /expected alice/,
      },
    )
  })

  test('S4U2Self: a PA-S4U-X509-USER with a forged checksum or another nonce is refused', () => {
    const tgt = serviceTGT()
    const r = selfRequest(tgt)
    const forged = replyS4U(r.req, randomKey(18))
    assert.throws(
      () => readS4U2SelfReply(selfReply(r, tgt, { padata: [forged] }), { request: r }),
      {
        code: 'ERR_KRB_KDC_REPLY',
        message: /checksum does not verify/,
      },
    )
    const key = subkeyOf(r.req, tgt)
    const stale = replyS4U(r.req, key, 'alice', 1)
    assert.throws(() => readS4U2SelfReply(selfReply(r, tgt, { padata: [stale] }), { request: r }), {
      code: 'ERR_KRB_KDC_REPLY',
      message: /nonce/,
    })
  })

  test('S4U2Self: a ticket for another service than the one asking is refused', () => {
    const tgt = serviceTGT()
    const r = selfRequest(tgt)
    assert.throws(
      () => readS4U2SelfReply(selfReply(r, tgt, { sname: 'svc-other' }), { request: r }),
      {
        code: 'ERR_KRB_KDC_REPLY',
        message: /ticket is for svc-other@AD\.TEST, expected svc-front@AD\.TEST/,
      },
    )
  })

  test('S4U2Proxy: a reply for another SPN or another client is refused', () => {
    const tgt = serviceTGT()
    const r = buildS4U2ProxyReq({
      tgt,
      evidence: {
        ticket: opaqueTicket(REALM, nameOf('svc-front')),
        client: alice,
        flags: 0x40000000,
      },
      server: backEnd,
      etypes: [18],
      nonce: 8,
      now: new Date(),
    })
    const key = subkeyOf(r.req, tgt)
    const reply = (cname: string, sname?: string) =>
      makeKDCRep(r.req, {
        key,
        usage: 9,
        cname: nameOf(cname),
        crealm: REALM,
        ...(sname ? { sname: nameOf(sname) } : {}),
      })
    assert.equal(readS4U2ProxyReply(reply('alice'), { request: r }).kind, 'ok')
    assert.throws(() => readS4U2ProxyReply(reply('alice', 'cifs/other.ad.test'), { request: r }), {
      code: 'ERR_KRB_KDC_REPLY',
      message:
        /ticket is for cifs\/other\.ad\.test@AD\.TEST, expected cifs\/back\.ad\.test@AD\.TEST/,
    })
    assert.throws(() => readS4U2ProxyReply(reply('administrator'), { request: r }), {
      code: 'ERR_KRB_KDC_REPLY',
      message: /S4U2Proxy reply is for client administrator@AD\.TEST, expected alice@AD\.TEST/,
    })
    const referral = reply('alice', 'krbtgt/OTHER.TEST')
    assert.throws(() => readS4U2ProxyReply(referral, { request: r }), {
      code: 'ERR_KRB_UNSUPPORTED',
    })
  })

  test('evidenceFrom: a ticket that is not forwardable is refused unless for RBCD', () => {
    const accepted = {
      ticket: opaqueTicket(REALM, nameOf('HTTP/front.ad.test')),
      client: alice,
      flags: 0,
    }
    assert.throws(() => evidenceFrom(accepted), { code: 'ERR_KRB_DELEGATION' })
    assert.equal(evidenceFrom(accepted, { rbcd: true }).client, alice)
    const fwd = { ...accepted, flags: 1 << (31 - TicketFlags.FORWARDABLE) }
    assert.equal(Object.keys(evidenceFrom(fwd)).sort().join(), 'client,flags,ticket')
  })
})

describe('KerberosClient.impersonate / getServiceTicketFor over a fake KDC', () => {
  function client(handler: Parameters<typeof fakeTransport>[0]) {
    const transport = fakeTransport(handler)
    const c = new KerberosClient({ realm: REALM, transport })
    return { c, transport }
  }

  test('impersonate then S4U2Proxy; a KDC answering S4U2Proxy for another SPN is refused', async () => {
    const tgt = serviceTGT()
    let spn = 'cifs/back.ad.test'
    const { c, transport } = client((seen) => {
      const key = subkeyOf(seen.req, tgt)
      const proxy = hasFlag(seen.req.reqBody.kdcOptions, KDCOptions.CONSTRAINED_DELEGATION)
      return makeKDCRep(seen.req, {
        key,
        usage: 9,
        cname: nameOf('alice'),
        crealm: REALM,
        flags: 0x40000000,
        ...(proxy ? { sname: nameOf(spn) } : { padata: [replyS4U(seen.req, key)] }),
      })
    })
    const self = await c.impersonate('alice', { tgt })
    assert.equal(formatPrincipal(self.client), 'alice@AD.TEST')
    const st = await c.getServiceTicketFor('alice', 'cifs/back.ad.test', { tgt })
    assert.equal(formatPrincipal(st.server), 'cifs/back.ad.test@AD.TEST')
    const proxyReq = transport.seen.at(-1)!.req
    assert.equal(proxyReq.reqBody.additionalTickets?.length, 1)
    spn = 'cifs/evil.ad.test'
    await assert.rejects(c.getServiceTicketFor('alice', 'cifs/back.ad.test', { tgt }), {
      code: 'ERR_KRB_KDC_REPLY',
    })
  })

  test('an evidence ticket of another realm, or not forwardable with RBCD off, is refused before any request', async () => {
    const tgt = serviceTGT()
    const { c, transport } = client(() => {
      throw new Error('no request expected')
    })
    const foreign = {
      ticket: opaqueTicket('OTHER.TEST', nameOf('svc-front')),
      client: alice,
      flags: 0x40000000,
    }
    await assert.rejects(c.getServiceTicketFor(foreign, 'cifs/back.ad.test', { tgt }), {
      code: 'ERR_KRB_DELEGATION',
      message: /from another realm/,
    })
    const local = { ticket: opaqueTicket(REALM, nameOf('svc-front')), client: alice, flags: 0 }
    await assert.rejects(c.getServiceTicketFor(local, 'cifs/back.ad.test', { tgt, rbcd: false }), {
      code: 'ERR_KRB_DELEGATION',
      message: /not forwardable and RBCD is off/,
    })
    assert.equal(transport.seen.length, 0)
  })

  test('KDC_ERR_BADOPTION on S4U2Proxy is explained with what the directory must allow', async () => {
    const tgt = serviceTGT()
    const { c } = client((seen) => {
      if (hasFlag(seen.req.reqBody.kdcOptions, KDCOptions.CONSTRAINED_DELEGATION)) {
        return makeKRBError(seen.req, 13)
      }
      const key = subkeyOf(seen.req, tgt)
      return makeKDCRep(seen.req, {
        key,
        usage: 9,
        cname: nameOf('alice'),
        crealm: REALM,
        padata: [replyS4U(seen.req, key)],
      })
    })
    const err = await c
      .getServiceTicketFor('alice', 'cifs/back.ad.test', { tgt })
      .catch((e: unknown) => e)
    assert.ok(err instanceof KDCError)
    assert.equal(err.errorName, 'KDC_ERR_BADOPTION')
    assert.match(
      err.message,
      /refused svc-front@AD\.TEST delegation to cifs\/back\.ad\.test@AD\.TEST for alice@AD\.TEST/,
    )
    assert.match(String((err as KerberosError).hint), /msDS-AllowedToDelegateTo/)
  })
})

describe('S4U reply readers on mutated input', () => {
  test('bit flips, truncations and garbage: only KerberosError, each fast', () => {
    const tgt = serviceTGT()
    const r = selfRequest(tgt)
    const good = selfReply(r, tgt)
    const p = buildS4U2ProxyReq({
      tgt,
      evidence: { ticket: opaqueTicket(REALM, nameOf('svc-front')), client: alice, flags: 0 },
      server: backEnd,
      etypes: [18],
      nonce: 9,
      now: new Date(),
    })
    const proxyGood = makeKDCRep(p.req, {
      key: subkeyOf(p.req, tgt),
      usage: 9,
      cname: nameOf('alice'),
      crealm: REALM,
    })
    let seed = 17
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0
      return seed % n
    }
    for (let i = 0; i < 3000; i++) {
      const base = i % 2 === 0 ? good : proxyGood
      const bytes = base.slice(0, i % 7 === 0 ? rnd(base.length) : base.length)
      for (let k = 0; k <= rnd(3); k++)
        if (bytes.length > 0) bytes[rnd(bytes.length)]! ^= 1 << rnd(8)
      const t0 = performance.now()
      try {
        if (i % 2 === 0) readS4U2SelfReply(bytes, { request: r })
        else readS4U2ProxyReply(bytes, { request: p })
      } catch (e) {
        assert.ok(e instanceof KerberosError, `iteration ${i}: ${String(e)}`)
      }
      assert.ok(performance.now() - t0 < 200, `iteration ${i} took too long`)
    }
  })
})

describe('S4U with an rc4 session key (MS-SFU §2.2.2, MIT "not newer" enctypes)', () => {
  function rc4Setup() {
    const tgt = { ...serviceTGT(), sessionKey: randomKey(23, { allowWeak: true }) }
    const r = buildS4U2SelfReq({
      tgt,
      user: alice,
      etypes: [23],
      nonce: 77,
      now: new Date(),
      allowWeak: true,
    })
    const req = decodeTGSReq(r.bytes)
    const asked = decodePAS4UX509User(pa(req, PADataType.FOR_X509_USER)!.padataValue)
    return { tgt, r, req, asked }
  }

  test('the request checksum is unkeyed rsa-md4 over the S4UUserID', () => {
    const { asked } = rc4Setup()
    assert.equal(asked.checksum.cksumtype, 2)
    assert.ok(verifyChecksum(2, null, 26, encodeS4UUserID(asked.userId), asked.checksum.checksum))
  })

  test('the reply must carry the encrypted copy of both checksums', () => {
    const { tgt, r, asked } = rc4Setup()
    const key = subkeyOf(r.req, tgt)
    const userId = { ...asked.userId, cname: nameOf('alice') }
    const repCksum = {
      cksumtype: 2,
      checksum: makeChecksum(2, null, 27, encodeS4UUserID(userId)),
    }
    const outer = {
      padataType: PADataType.FOR_X509_USER,
      padataValue: encodePAS4UX509User({ userId, checksum: repCksum }),
    }
    const copy = (bytes: Uint8Array) => [
      { padataType: PADataType.FOR_X509_USER, padataValue: bytes },
    ]
    // makeKDCRep encrypts without allowWeak: the rc4 reply is built here.
    const reply = (encryptedPaData?: PAData[]) => {
      const now = Math.floor(Date.now() / 1000) * 1000
      const part = encodeEncTGSRepPart({
        key: randomKey(23, { allowWeak: true }),
        lastReq: [],
        nonce: r.nonce,
        flags: 0,
        authtime: new Date(now),
        endtime: new Date(now + 3600_000),
        srealm: REALM,
        sname: nameOf('svc-front'),
        ...(encryptedPaData !== undefined ? { encryptedPaData } : {}),
      })
      return encodeTGSRep({
        pvno: 5,
        msgType: 13,
        padata: [outer],
        crealm: REALM,
        cname: nameOf('alice'),
        ticket: opaqueTicket(REALM, nameOf('svc-front')),
        encPart: { etype: 23, cipher: encrypt(key, 9, part, { allowWeak: true }) },
      })
    }
    const both = new Uint8Array([...asked.checksum.checksum, ...repCksum.checksum])
    const read = (b: Uint8Array) => readS4U2SelfReply(b, { request: r, allowWeak: true })
    assert.equal(read(reply(copy(both))).kind, 'ok')
    assert.throws(() => read(reply()), { code: 'ERR_KRB_KDC_REPLY', message: /encrypted/ })
    const wrong = both.slice()
    wrong[0]! ^= 1
    assert.throws(() => read(reply(copy(wrong))), { code: 'ERR_KRB_KDC_REPLY', message: /copy/ })
  })
})
