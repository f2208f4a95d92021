/**
 * Fuzz target for the kpasswd reply decoder (RFC 3244, issue 13): what a (possibly hostile)
 * kpasswd server sends back to a request made with a fixed clock and random source.
 */
import { encodeEncKrbPrivPart, encodeKRBError, encodeKRBPriv } from '../../src/asn1/index.js'
import { encrypt } from '../../src/crypto/index.js'
import { KeyUsage } from '../../src/iana.js'
import { makeAPRep } from '../../src/protocol/ap-rep.js'
import { verifyAPReq } from '../../src/protocol/ap-verify.js'
import type { Credentials } from '../../src/protocol/kdc-rep.js'
import { buildKpasswdRequest, readKpasswdReply } from '../../src/protocol/kpasswd.js'
import type { FuzzTarget } from './targets.js'
import { seededRandom, type FuzzWorld } from './world.js'

const u16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff]

function kpFrame(ap: Uint8Array, rest: Uint8Array): Uint8Array {
  return new Uint8Array([
    ...u16(6 + ap.length + rest.length),
    ...u16(1),
    ...u16(ap.length),
    ...ap,
    ...rest,
  ])
}

/** The kpasswd targets. */
export function kpasswdTargets(w: FuzzWorld): FuzzTarget[] {
  const credentials = {
    client: w.client,
    server: w.service,
    ticket: w.serviceTicket,
    sessionKey: w.serviceSessionKey,
  } as unknown as Credentials
  const at = new Date(w.now.getTime() + 9000)
  const req = buildKpasswdRequest({
    credentials,
    newPassword: 'Fuzz-pw-1',
    now: at,
    random: seededRandom(77),
  })
  const apLen = (req.bytes[4]! << 8) | req.bytes[5]!
  const v = verifyAPReq(req.bytes.subarray(6, 6 + apLen), {
    keytab: w.serviceKeytab,
    now: () => at,
  })
  const apRep = makeAPRep({
    sessionKey: v.sessionKey,
    ctime: v.ctime,
    cusec: v.cusec,
    seqNumber: 9,
    random: seededRandom(78),
  })
  const part = encodeEncKrbPrivPart({
    userData: new Uint8Array([0, 0, 0x6f, 0x6b]),
    seqNumber: 9,
    sAddress: { addrType: 2, address: new Uint8Array([127, 0, 0, 1]) },
  })
  const cipher = encrypt(v.key, KeyUsage.KRB_PRIV_ENCPART, part, { random: seededRandom(79) })
  const priv = encodeKRBPriv({ pvno: 5, msgType: 21, encPart: { etype: v.key.enctype, cipher } })
  const policy = new Uint8Array(30)
  policy[5] = 12
  const err = encodeKRBError({
    pvno: 5,
    msgType: 30,
    stime: new Date(Math.floor(w.now.getTime() / 1000) * 1000),
    susec: 0,
    errorCode: 60,
    realm: w.realm,
    sname: { nameType: 1, nameString: ['kadmin', 'changepw'] },
    eData: new Uint8Array([0, 4, ...policy]),
  })
  const seeds = [kpFrame(apRep, priv), kpFrame(new Uint8Array(0), err), err]
  // The seed reply must read as a success, or the target fuzzes nothing past the framing.
  if (readKpasswdReply(seeds[0]!, req).resultCode !== 0)
    throw new Error('kpasswd seed does not verify')
  return [
    {
      name: 'kpasswd-reply',
      description: 'readKpasswdReply on a kpasswd server answer (AP-REP + KRB-PRIV, or KRB-ERROR)',
      seeds,
      run(b) {
        readKpasswdReply(b, req)
      },
    },
  ]
}
