/**
 * Sans-I/O protocol steps: the AS exchange (preauth hints, PA-ENC-TIMESTAMP, reply checks), the
 * TGS exchange (PA-TGS-REQ, referrals, renewal), making AP-REQs, and the acceptor side (AP-REQ
 * verification, AP-REP, the GSS checksum, replay caches). Nothing here sends bytes;
 * `kerberos-ts`'s `KerberosClient` drives these over a `Transport`.
 *
 * @example
 * ```ts
 * import { buildASReq, readASReply, makeNonce } from 'kerberos-ts/protocol'
 * const req = buildASReq({ client, etypes: [18, 17], now: new Date(), nonce: makeNonce() })
 * const out = readASReply(await transport.sendToKDC(client.realm, req.bytes), { request: req, keys })
 * ```
 *
 * @module
 */
export * from './kdc-rep.js'
export * from './as.js'
export * from './tgs.js'
export * from './ap-req.js'
export * from './ap-rep.js'
export * from './ap-verify.js'
export * from './gss-checksum.js'
export * from './replay-cache.js'
export * from './transited.js'
export * from './salt-probe.js'
export * from './kpasswd.js'
export * from './kkdcp.js'
export * from './fast.js'
export * from './fast-armor.js'
export * from './s4u.js'
export * from './s4u-reply.js'
