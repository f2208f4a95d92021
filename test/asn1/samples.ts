/**
 * Realistic sample messages, shaped like what MIT krb5 1.20 sends: an AP-REQ carrying an aes256
 * service ticket whose EncTicketPart holds a PAC-sized AD-IF-RELEVANT, and its Authenticator with
 * a GSS-API checksum, a subkey and a sequence number. Used by the fuzz tests and bench/asn1.ts.
 */
import { KerberosKey } from '../../src/key.js'
import * as k from '../../src/asn1/index.js'

const aesOverhead = 16 + 12 // confounder + HMAC-SHA1-96 (RFC 3962)

function filled(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}

/** The sample structures and their encodings. */
export interface APReqSample {
  readonly encTicketPart: k.EncTicketPart
  readonly encTicketPartDer: Uint8Array
  readonly authenticator: k.Authenticator
  readonly authenticatorDer: Uint8Array
  readonly apReq: k.APReq
  readonly apReqDer: Uint8Array
}

/** Build the sample; `pacBytes` sets the size of the PAC inside the ticket. */
export function makeAPReqSample(pacBytes = 160): APReqSample {
  const t0 = new Date(Date.UTC(2026, 10, 23, 5, 0, 0))
  const encTicketPart: k.EncTicketPart = {
    flags: k.setFlags(1, 8, 10, 15), // forwardable, renewable, initial... as MIT sets for a service ticket
    key: new KerberosKey(18, filled(32, 1)),
    crealm: 'EXAMPLE.COM',
    cname: { nameType: 1, nameString: ['alice'] },
    transited: { trType: 1, contents: new Uint8Array(0) },
    authtime: t0,
    starttime: t0,
    endtime: new Date(t0.getTime() + 10 * 3600_000),
    renewTill: new Date(t0.getTime() + 7 * 86400_000),
    authorizationData: [
      {
        adType: 1, // AD-IF-RELEVANT
        adData: k.encodeADIfRelevant([{ adType: 128, adData: filled(pacBytes, 2) }]),
      },
    ],
  }
  const encTicketPartDer = k.encodeEncTicketPart(encTicketPart)
  const authenticator: k.Authenticator = {
    authenticatorVno: 5,
    crealm: 'EXAMPLE.COM',
    cname: { nameType: 1, nameString: ['alice'] },
    cksum: { cksumtype: 0x8003, checksum: filled(24, 3) },
    cusec: 123456,
    ctime: new Date(t0.getTime() + 60_000),
    subkey: new KerberosKey(18, filled(32, 4)),
    seqNumber: 0x7a3f0c11,
  }
  const authenticatorDer = k.encodeAuthenticator(authenticator)
  const ticketDer = k.encodeTicket({
    tktVno: 5,
    realm: 'EXAMPLE.COM',
    sname: { nameType: 3, nameString: ['HTTP', 'web.example.com'] },
    encPart: { etype: 18, kvno: 2, cipher: filled(encTicketPartDer.length + aesOverhead, 5) },
  })
  const apReq: k.APReq = {
    pvno: 5,
    msgType: 14,
    apOptions: k.setFlags(2), // mutual-required
    ticket: k.decodeTicket(ticketDer),
    authenticator: { etype: 18, cipher: filled(authenticatorDer.length + aesOverhead, 6) },
  }
  return {
    encTicketPart,
    encTicketPartDer,
    authenticator,
    authenticatorDer,
    apReq,
    apReqDer: k.encodeAPReq(apReq),
  }
}
