/**
 * A hostile kpasswd server (TCP, RFC 3244 framing under the 4-byte length prefix). It holds the
 * realm's `kadmin/changepw` keys, so it can answer with valid-looking messages that have one
 * thing wrong.
 */
import type { Socket } from 'node:net'
import { encodeEncKrbPrivPart, encodeKRBError, encodeKRBPriv } from '../../src/asn1/index.js'
import { encrypt } from '../../src/crypto/index.js'
import { KeyUsage } from '../../src/iana.js'
import type { Keytab } from '../../src/keytab/index.js'
import { makeAPRep } from '../../src/protocol/ap-rep.js'
import { verifyAPReq } from '../../src/protocol/ap-verify.js'
import { frame, onFrame, startTCPServer } from './realm-net.js'

export type HostileKpasswdMode =
  /** Random bytes. */
  | 'garbage'
  /** A valid AP-REP, then a success KRB-PRIV with the wrong sequence number. */
  | 'wrong-seq'
  /** A valid AP-REP, then a success KRB-PRIV encrypted in the session key instead of the subkey. */
  | 'wrong-key'
  /** An unauthenticated KRB-ERROR whose e-data claims success. */
  | 'error-success'
  /** An unauthenticated KRB-ERROR with a soft error and AD's policy blob. */
  | 'error-policy'
  /** A valid reply whose length field lies. */
  | 'bad-length'
  /** Accept the connection, never answer. */
  | 'silent'

export interface HostileKpasswd {
  readonly port: number
  /** Requests received. */
  readonly requests: number
  close(): Promise<void>
}

function u16(n: number): number[] {
  return [(n >>> 8) & 0xff, n & 0xff]
}

function kpasswdFrame(ap: Uint8Array, rest: Uint8Array, lie = 0): Uint8Array {
  const total = 6 + ap.length + rest.length
  return new Uint8Array([...u16(total + lie), ...u16(1), ...u16(ap.length), ...ap, ...rest])
}

/** AD's policy blob: minimum length 12, history 24, complexity, max age 42 days, min age 1 day. */
export function adPolicyBlob(): Uint8Array {
  const b = new Uint8Array(30)
  const v = new DataView(b.buffer)
  v.setUint32(2, 12)
  v.setUint32(6, 24)
  v.setUint32(10, 1)
  v.setBigInt64(14, -42n * 86400n * 10_000_000n)
  v.setBigInt64(22, -1n * 86400n * 10_000_000n)
  return b
}

function krbError(result: number, blob: Uint8Array): Uint8Array {
  return encodeKRBError({
    pvno: 5,
    msgType: 30,
    stime: new Date(Math.floor(Date.now() / 1000) * 1000),
    susec: 0,
    errorCode: 60,
    realm: 'X',
    sname: { nameType: 1, nameString: ['kadmin', 'changepw'] },
    eData: new Uint8Array([...u16(result), ...blob]),
  })
}

function answer(mode: HostileKpasswdMode, req: Uint8Array, keytab: Keytab): Uint8Array {
  if (mode === 'garbage') return crypto.getRandomValues(new Uint8Array(80))
  if (mode === 'error-success')
    return kpasswdFrame(new Uint8Array(0), krbError(0, new Uint8Array(0)))
  if (mode === 'error-policy') return kpasswdFrame(new Uint8Array(0), krbError(4, adPolicyBlob()))
  const apLen = (req[4]! << 8) | req[5]!
  const v = verifyAPReq(req.subarray(6, 6 + apLen), { keytab, allowWeakCrypto: true })
  const seq = 4242
  const apRep = makeAPRep({
    sessionKey: v.sessionKey,
    ctime: v.ctime,
    cusec: v.cusec,
    seqNumber: seq,
  })
  const key = mode === 'wrong-key' ? v.sessionKey : (v.subkey ?? v.sessionKey)
  const part = encodeEncKrbPrivPart({
    userData: new Uint8Array([0, 0, ...new TextEncoder().encode('ok')]),
    seqNumber: mode === 'wrong-seq' ? seq + 1 : seq,
    sAddress: { addrType: 2, address: new Uint8Array([127, 0, 0, 1]) },
  })
  const cipher = encrypt(key, KeyUsage.KRB_PRIV_ENCPART, part)
  const priv = encodeKRBPriv({ pvno: 5, msgType: 21, encPart: { etype: key.enctype, cipher } })
  return kpasswdFrame(apRep, priv, mode === 'bad-length' ? 3 : 0)
}

/** Start a hostile kpasswd server on 127.0.0.1 (TCP). */
export async function startHostileKpasswd(
  mode: HostileKpasswdMode,
  keytab: Keytab,
): Promise<HostileKpasswd> {
  let requests = 0
  const server = await startTCPServer((socket: Socket) => {
    onFrame(socket, (req) => {
      requests++
      if (mode === 'silent') return
      let reply: Uint8Array
      try {
        reply = answer(mode, req, keytab)
      } catch {
        reply = crypto.getRandomValues(new Uint8Array(40))
      }
      socket.end(frame(reply))
    })
  })
  return {
    port: server.port,
    get requests() {
      return requests
    },
    close: () => server.close(),
  }
}
