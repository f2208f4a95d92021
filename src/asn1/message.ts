/**
 * Decode any Kerberos message or APPLICATION-tagged structure by its tag.
 *
 * @module
 */
import { KerberosError, ErrorCodes } from '../errors.js'
import { DerReader, DerWriter, decodeWith, describeTag, encodeWith } from './der.js'
import {
  readAPRep,
  readAPReq,
  readAuthenticator,
  readEncAPRepPart,
  writeAPRep,
  writeAPReq,
  writeAuthenticator,
  writeEncAPRepPart,
} from './ap.js'
import {
  readEncKrbCredPart,
  readEncKrbPrivPart,
  readKRBCred,
  readKRBPriv,
  readKRBSafe,
  writeEncKrbCredPart,
  writeEncKrbPrivPart,
  writeKRBCred,
  writeKRBPriv,
  writeKRBSafe,
} from './cred.js'
import { readKRBError, writeKRBError } from './error.js'
import {
  readEncKDCRepPart,
  readKDCRep,
  readKDCReq,
  writeEncASRepPart,
  writeEncTGSRepPart,
  writeKDCRep,
  writeKDCReq,
} from './kdc.js'
import { readEncTicketPart, readTicket, writeEncTicketPart, writeTicket } from './ticket.js'
import type {
  APRep,
  APReq,
  Authenticator,
  EncAPRepPart,
  EncKDCRepPart,
  EncKrbCredPart,
  EncKrbPrivPart,
  EncTicketPart,
  KDCRep,
  KDCReq,
  KRBCred,
  KRBError,
  KRBPriv,
  KRBSafe,
  Ticket,
} from './types.js'

/** Every APPLICATION-tagged structure of RFC 4120, tagged by its ASN.1 name. */
export type KerberosMessage =
  | { readonly type: 'Ticket'; readonly value: Ticket }
  | { readonly type: 'Authenticator'; readonly value: Authenticator }
  | { readonly type: 'EncTicketPart'; readonly value: EncTicketPart }
  | { readonly type: 'AS-REQ'; readonly value: KDCReq }
  | { readonly type: 'AS-REP'; readonly value: KDCRep }
  | { readonly type: 'TGS-REQ'; readonly value: KDCReq }
  | { readonly type: 'TGS-REP'; readonly value: KDCRep }
  | { readonly type: 'AP-REQ'; readonly value: APReq }
  | { readonly type: 'AP-REP'; readonly value: APRep }
  | { readonly type: 'KRB-SAFE'; readonly value: KRBSafe }
  | { readonly type: 'KRB-PRIV'; readonly value: KRBPriv }
  | { readonly type: 'KRB-CRED'; readonly value: KRBCred }
  | { readonly type: 'EncASRepPart'; readonly value: EncKDCRepPart }
  | { readonly type: 'EncTGSRepPart'; readonly value: EncKDCRepPart }
  | { readonly type: 'EncAPRepPart'; readonly value: EncAPRepPart }
  | { readonly type: 'EncKrbPrivPart'; readonly value: EncKrbPrivPart }
  | { readonly type: 'EncKrbCredPart'; readonly value: EncKrbCredPart }
  | { readonly type: 'KRB-ERROR'; readonly value: KRBError }

/** The names of the APPLICATION tags (RFC 4120 §5.10), by tag number. */
export const ApplicationTagNames: Readonly<Record<number, KerberosMessage['type']>> = {
  1: 'Ticket',
  2: 'Authenticator',
  3: 'EncTicketPart',
  10: 'AS-REQ',
  11: 'AS-REP',
  12: 'TGS-REQ',
  13: 'TGS-REP',
  14: 'AP-REQ',
  15: 'AP-REP',
  20: 'KRB-SAFE',
  21: 'KRB-PRIV',
  22: 'KRB-CRED',
  25: 'EncASRepPart',
  26: 'EncTGSRepPart',
  27: 'EncAPRepPart',
  28: 'EncKrbPrivPart',
  29: 'EncKrbCredPart',
  30: 'KRB-ERROR',
}

function readMessage(r: DerReader): KerberosMessage {
  const id = r.peek()
  const type = (id & 0xe0) === 0x60 ? ApplicationTagNames[id & 0x1f] : undefined
  if (type === undefined) r.fail(`expected a Kerberos APPLICATION tag, found ${describeTag(id)}`)
  switch (type) {
    case 'Ticket':
      return { type, value: readTicket(r) }
    case 'Authenticator':
      return { type, value: readAuthenticator(r) }
    case 'EncTicketPart':
      return { type, value: readEncTicketPart(r) }
    case 'AS-REQ':
    case 'TGS-REQ':
      return { type, value: readKDCReq(r) }
    case 'AS-REP':
    case 'TGS-REP':
      return { type, value: readKDCRep(r) }
    case 'AP-REQ':
      return { type, value: readAPReq(r) }
    case 'AP-REP':
      return { type, value: readAPRep(r) }
    case 'KRB-SAFE':
      return { type, value: readKRBSafe(r) }
    case 'KRB-PRIV':
      return { type, value: readKRBPriv(r) }
    case 'KRB-CRED':
      return { type, value: readKRBCred(r) }
    case 'EncASRepPart':
    case 'EncTGSRepPart':
      return { type, value: readEncKDCRepPart(r).value }
    case 'EncAPRepPart':
      return { type, value: readEncAPRepPart(r) }
    case 'EncKrbPrivPart':
      return { type, value: readEncKrbPrivPart(r) }
    case 'EncKrbCredPart':
      return { type, value: readEncKrbCredPart(r) }
    case 'KRB-ERROR':
      return { type, value: readKRBError(r) }
  }
}

/**
 * Decode any RFC 4120 message or APPLICATION-tagged structure, dispatching on its tag.
 *
 * @example
 * ```ts
 * const msg = decodeKerberosMessage(reply)
 * if (msg.type === 'KRB-ERROR') throw krbErrorToKDCError(msg.value)
 * if (msg.type === 'AS-REP') useReply(msg.value)
 * ```
 */
export function decodeKerberosMessage(bytes: Uint8Array): KerberosMessage {
  return decodeWith(bytes, 'Kerberos message', readMessage)
}

/** What {@link decodeKDCReplyMessage} gives: a decoded KDC reply, or the type of anything else. */
export type KDCReplyMessage =
  | Extract<KerberosMessage, { readonly type: 'AS-REP' | 'TGS-REP' | 'KRB-ERROR' }>
  | { readonly type: Exclude<KerberosMessage['type'], 'AS-REP' | 'TGS-REP' | 'KRB-ERROR'> }

/**
 * {@link decodeKerberosMessage} for what a KDC answers: decodes AS-REP, TGS-REP and KRB-ERROR;
 * any other Kerberos message is recognized by its tag but not decoded (a client refuses it
 * anyway), so a client carries no decoder for messages it never reads.
 *
 * @example
 * ```ts
 * const msg = decodeKDCReplyMessage(reply)
 * if (msg.type === 'KRB-ERROR') throw krbErrorToKDCError(msg.value)
 * ```
 */
export function decodeKDCReplyMessage(bytes: Uint8Array): KDCReplyMessage {
  return decodeWith(bytes, 'Kerberos message', (r: DerReader): KDCReplyMessage => {
    const id = r.peek()
    const type = (id & 0xe0) === 0x60 ? ApplicationTagNames[id & 0x1f] : undefined
    if (type === undefined) r.fail(`expected a Kerberos APPLICATION tag, found ${describeTag(id)}`)
    if (type === 'AS-REP' || type === 'TGS-REP') return { type, value: readKDCRep(r) }
    if (type === 'KRB-ERROR') return { type, value: readKRBError(r) }
    r.next(id)
    return { type }
  })
}

function writeMessage(w: DerWriter, m: KerberosMessage): void {
  switch (m.type) {
    case 'Ticket':
      return writeTicket(w, m.value)
    case 'Authenticator':
      return writeAuthenticator(w, m.value)
    case 'EncTicketPart':
      return writeEncTicketPart(w, m.value)
    case 'AS-REQ':
    case 'TGS-REQ':
      return writeKDCReq(w, m.value)
    case 'AS-REP':
    case 'TGS-REP':
      return writeKDCRep(w, m.value)
    case 'AP-REQ':
      return writeAPReq(w, m.value)
    case 'AP-REP':
      return writeAPRep(w, m.value)
    case 'KRB-SAFE':
      return writeKRBSafe(w, m.value)
    case 'KRB-PRIV':
      return writeKRBPriv(w, m.value)
    case 'KRB-CRED':
      return writeKRBCred(w, m.value)
    case 'EncASRepPart':
      return writeEncASRepPart(w, m.value)
    case 'EncTGSRepPart':
      return writeEncTGSRepPart(w, m.value)
    case 'EncAPRepPart':
      return writeEncAPRepPart(w, m.value)
    case 'EncKrbPrivPart':
      return writeEncKrbPrivPart(w, m.value)
    case 'EncKrbCredPart':
      return writeEncKrbCredPart(w, m.value)
    case 'KRB-ERROR':
      return writeKRBError(w, m.value)
  }
  throw new KerberosError(
    ErrorCodes.ASN1_ENCODE,
    `unknown message type ${String((m as { type: unknown }).type)}`,
  )
}

/**
 * Encode a {@link KerberosMessage} (the inverse of {@link decodeKerberosMessage}).
 *
 * @example
 * ```ts
 * encodeKerberosMessage({ type: 'KRB-ERROR', value: err })
 * ```
 */
export function encodeKerberosMessage(m: KerberosMessage): Uint8Array {
  return encodeWith(m, writeMessage)
}
