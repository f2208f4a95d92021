/**
 * Fuzz targets past the integrity check: the peer holds the key, so it controls the plaintext.
 * An authenticated client writes its own Authenticator (GSS checksum, delegated KRB-CRED); a KDC
 * that knows the client key writes the EncASRepPart; the TGT session key covers EncTGSRepPart;
 * the acceptor writes EncAPRepPart. Each input is the plaintext, encrypted here (with a fixed
 * confounder, so runs reproduce) and put into an otherwise valid message.
 */
import {
  decodeAPReq,
  decodeASRep,
  decodeTGSRep,
  decodeEncTicketPart,
  encodeAPRep,
  encodeAPReq,
  encodeASRep,
  encodeAuthenticator,
  encodeEncKrbCredPart,
  encodeEncTicketPart,
  encodeKRBCred,
  encodeTGSRep,
  principalToName,
} from '../../src/asn1/index.js'
import { encrypt } from '../../src/crypto/index.js'
import {
  decodeGSSChecksum,
  encodeGSSChecksum,
  GSSFlags,
  readDelegatedCredential,
} from '../../src/protocol/gss-checksum.js'
import { KeyUsage } from '../../src/iana.js'
import type { KerberosKey } from '../../src/key.js'
import { peekKRBErrorCode } from '../../src/node/transport-peek.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { verifyAPRep } from '../../src/protocol/ap-rep.js'
import { readASReply } from '../../src/protocol/as.js'
import { MemoryReplayCache } from '../../src/protocol/replay-cache.js'
import { readTGSReply } from '../../src/protocol/tgs.js'
import type { FuzzTarget } from './targets.js'
import type { FuzzWorld } from './world.js'

const CONFOUNDER = new Uint8Array(16).fill(0x42)
const seal = (key: KerberosKey, usage: number, plain: Uint8Array): Uint8Array =>
  encrypt(key, usage, plain, { confounder: CONFOUNDER })

function delegation(w: FuzzWorld): Uint8Array {
  const info = encodeEncKrbCredPart({
    ticketInfo: [
      {
        key: w.serviceSessionKey,
        prealm: w.realm,
        pname: principalToName(w.client).name,
        flags: 0x40800000,
        endtime: new Date(w.now.getTime() + 3600_000),
        srealm: w.realm,
        sname: { nameType: 2, nameString: ['krbtgt', w.realm] },
      },
    ],
    nonce: 7,
  })
  return encodeKRBCred({
    pvno: 5,
    msgType: 22,
    tickets: [w.tgt.ticket],
    encPart: { etype: 18, cipher: seal(w.serviceSessionKey, KeyUsage.KRB_CRED_ENCPART, info) },
  })
}

function gssChecksums(w: FuzzWorld): Uint8Array[] {
  const bindings = new Uint8Array(16)
  return [
    encodeGSSChecksum({ bindings, flags: GSSFlags.MUTUAL | GSSFlags.INTEG | GSSFlags.CONF }),
    encodeGSSChecksum({
      bindings,
      flags: GSSFlags.MUTUAL | GSSFlags.DELEG | GSSFlags.INTEG,
      delegation: delegation(w),
    }),
  ]
}

/** The targets that fuzz plaintexts under a key the peer holds. */
export function authenticatedTargets(w: FuzzWorld): FuzzTarget[] {
  const acceptor = new Acceptor({
    keytab: w.serviceKeytab,
    now: () => w.now,
    replayCache: new MemoryReplayCache({ maxEntries: 1000, now: () => w.now.getTime() }),
  })
  const apReq = decodeAPReq(w.apReqs[0]!)
  const asRep = decodeASRep(w.asReply)
  const tgsRep = decodeTGSRep(w.tgsReply)
  const checksums = gssChecksums(w)
  const authenticators = [
    w.authenticator,
    ...checksums.map((c, i) =>
      encodeAuthenticator({
        authenticatorVno: 5,
        crealm: w.realm,
        cname: principalToName(w.client).name,
        cksum: { cksumtype: 0x8003, checksum: c },
        cusec: 1000 + i,
        ctime: w.now,
        subkey: w.clientKey,
        seqNumber: 99,
        authorizationData: [{ adType: 1, adData: new Uint8Array([0x30, 0x00]) }],
      }),
    ),
  ]
  return [
    {
      name: 'authenticator-plain',
      description:
        'Acceptor.accept with an Authenticator an authenticated client wrote (GSS checksum, KRB-CRED)',
      seeds: authenticators,
      run(b) {
        const cipher = seal(w.serviceSessionKey, KeyUsage.AP_REQ_AUTH, b)
        acceptor.accept(encodeAPReq({ ...apReq, authenticator: { etype: 18, cipher } }))
      },
    },
    {
      name: 'ticket-plain',
      description: 'Acceptor.accept with an EncTicketPart sealed in the service key',
      seeds: [
        w.encTicketPart,
        encodeEncTicketPart({
          ...decodeEncTicketPart(w.encTicketPart),
          renewTill: new Date(w.now.getTime() + 86400_000),
        }),
      ],
      run(b) {
        const cipher = seal(w.serviceKey, KeyUsage.KDC_REP_TICKET, b)
        const ticket = { ...apReq.ticket, encPart: { ...apReq.ticket.encPart, cipher } }
        delete (ticket as { raw?: Uint8Array }).raw
        new Acceptor({ keytab: w.serviceKeytab, now: () => w.now, replayCache: false }).accept(
          encodeAPReq({ ...apReq, ticket }),
        )
      },
    },
    {
      name: 'as-reply-plain',
      description:
        'readASReply with an EncASRepPart sealed in the client key (a KDC that knows it)',
      seeds: [w.encASRepPart, w.encTGSRepPart],
      run(b) {
        const cipher = seal(w.clientKey, KeyUsage.AS_REP_ENCPART, b)
        readASReply(encodeASRep({ ...asRep, encPart: { ...asRep.encPart, cipher } }), {
          request: w.asRequest,
          keys: () => [w.clientKey],
        })
      },
    },
    {
      name: 'tgs-reply-plain',
      description: 'readTGSReply with an EncTGSRepPart sealed in the TGT session key',
      seeds: [w.encTGSRepPart, w.encASRepPart],
      run(b) {
        const cipher = seal(w.tgt.sessionKey, KeyUsage.TGS_REP_ENCPART_SESSKEY, b)
        readTGSReply(encodeTGSRep({ ...tgsRep, encPart: { ...tgsRep.encPart, cipher } }), {
          request: w.tgsRequest,
          canonicalize: true,
        })
      },
    },
    {
      name: 'ap-rep-plain',
      description: 'verifyAPRep with an EncAPRepPart sealed in the session key (the acceptor)',
      seeds: [w.encAPRepPart],
      run(b) {
        const cipher = seal(w.serviceSessionKey, KeyUsage.AP_REP_ENCPART, b)
        verifyAPRep(encodeAPRep({ pvno: 5, msgType: 15, encPart: { etype: 18, cipher } }), {
          sessionKey: w.serviceSessionKey,
          ctime: w.apRep.ctime,
          cusec: w.apRep.cusec,
        })
      },
    },
    {
      name: 'gss-checksum',
      description: 'decodeGSSChecksum and readDelegatedCredential (0x8003 checksum contents)',
      seeds: checksums,
      run(b) {
        const c = decodeGSSChecksum(b)
        if (c.delegation !== undefined) readDelegatedCredential(c.delegation, [w.serviceSessionKey])
      },
    },
    {
      name: 'kdc-peek',
      description: 'peekKRBErrorCode (the transport reading a reply before the client does)',
      seeds: [w.asError, w.asReply],
      total: true,
      run(b) {
        peekKRBErrorCode(b)
      },
    },
  ]
}
