/**
 * S4U (MS-SFU §2.2) PA-DATA contents, and MS-KILE's PA-PAC-OPTIONS.
 *
 * @module
 */
import {
  DerReader,
  DerWriter,
  Tag,
  type Mutable,
  decodeWith,
  encodeWith,
  rFlags,
  rOctets,
  rString,
  rUInt32,
  wFlags,
  wOctets,
  wString,
  wUInt32,
  writeField,
  writeOpt,
} from './der.js'
import { readChecksum, readPrincipalName, writeChecksum, writePrincipalName } from './basic.js'
import type { Checksum, PrincipalName } from './types.js'

/** PA-FOR-USER (MS-SFU §2.2.1), PA-DATA type 129. */
export interface PAForUser {
  readonly userName: PrincipalName
  readonly userRealm: string
  readonly cksum: Checksum
  readonly authPackage: string
}

/**
 * ```asn1
 * PA-FOR-USER ::= SEQUENCE {
 *   userName     [0] PrincipalName,
 *   userRealm    [1] Realm,
 *   cksum        [2] Checksum,
 *   auth-package [3] KerberosString
 * }
 * ```
 * @example
 * ```ts
 * encodePAForUser({ userName, userRealm: 'EXAMPLE.COM', cksum, authPackage: 'Kerberos' })
 * ```
 */
export function encodePAForUser(v: PAForUser): Uint8Array {
  return encodeWith(v, (w, x) => {
    const m = w.size
    writeField(w, 3, x.authPackage, wString)
    writeField(w, 2, x.cksum, writeChecksum)
    writeField(w, 1, x.userRealm, wString)
    writeField(w, 0, x.userName, writePrincipalName)
    w.wrap(Tag.SEQUENCE, m)
  })
}

/** Decode PA-FOR-USER; see {@link encodePAForUser}. */
export function decodePAForUser(bytes: Uint8Array): PAForUser {
  return decodeWith(bytes, 'PA-FOR-USER', (r) => {
    const s = r.enter(Tag.SEQUENCE, r.label)
    const userName = s.field(0, 'userName', readPrincipalName)
    const userRealm = s.field(1, 'userRealm', rString)
    const cksum = s.field(2, 'cksum', readChecksum)
    const authPackage = s.field(3, 'auth-package', rString)
    s.done()
    return { userName, userRealm, cksum, authPackage }
  })
}

/** S4UUserID (MS-SFU §2.2.2). */
export interface S4UUserID {
  readonly nonce: number
  readonly cname?: PrincipalName
  readonly crealm: string
  readonly subjectCertificate?: Uint8Array
  /** 32-bit options, RFC 4120 bit numbering (bit 0 = MSB). */
  readonly options?: number
}

/** PA-S4U-X509-USER (MS-SFU §2.2.2), PA-DATA type 130. */
export interface PAS4UX509User {
  readonly userId: S4UUserID
  readonly checksum: Checksum
}

function readS4UUserID(r: DerReader): S4UUserID {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const nonce = s.field(0, 'nonce', rUInt32)
  const cname = s.opt(1, 'cname', readPrincipalName)
  const crealm = s.field(2, 'crealm', rString)
  const subjectCertificate = s.opt(3, 'subject-certificate', rOctets)
  const options = s.opt(4, 'options', rFlags)
  s.skipExtensions(4)
  const v: Partial<Mutable<S4UUserID>> = { nonce }
  if (cname !== undefined) v.cname = cname
  v.crealm = crealm
  if (subjectCertificate !== undefined) v.subjectCertificate = subjectCertificate
  if (options !== undefined) v.options = options
  return v as S4UUserID
}

function writeS4UUserID(w: DerWriter, v: S4UUserID): void {
  const m = w.size
  writeOpt(w, 4, v.options, wFlags)
  writeOpt(w, 3, v.subjectCertificate, wOctets)
  writeField(w, 2, v.crealm, wString)
  writeOpt(w, 1, v.cname, writePrincipalName)
  writeField(w, 0, v.nonce, wUInt32)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * PA-S4U-X509-USER ::= SEQUENCE {
 *   user-id  [0] S4UUserID,
 *   checksum [1] Checksum
 * }
 * S4UUserID ::= SEQUENCE {
 *   nonce               [0] UInt32, -- the nonce in KDC-REQ-BODY
 *   cname               [1] PrincipalName OPTIONAL,
 *   crealm              [2] Realm,
 *   subject-certificate [3] OCTET STRING OPTIONAL,
 *   options             [4] BIT STRING (SIZE(32)) OPTIONAL,
 *   ...
 * }
 * ```
 * @example
 * ```ts
 * encodePAS4UX509User({ userId: { nonce, cname, crealm: 'EXAMPLE.COM' }, checksum })
 * ```
 */
export function encodePAS4UX509User(v: PAS4UX509User): Uint8Array {
  return encodeWith(v, (w, x) => {
    const m = w.size
    writeField(w, 1, x.checksum, writeChecksum)
    writeField(w, 0, x.userId, writeS4UUserID)
    w.wrap(Tag.SEQUENCE, m)
  })
}

/** Decode PA-S4U-X509-USER; see {@link encodePAS4UX509User}. */
export function decodePAS4UX509User(bytes: Uint8Array): PAS4UX509User {
  return decodeWith(bytes, 'PA-S4U-X509-USER', (r) => {
    const s = r.enter(Tag.SEQUENCE, r.label)
    const userId = s.field(0, 'user-id', readS4UUserID)
    const checksum = s.field(1, 'checksum', readChecksum)
    s.done()
    return { userId, checksum }
  })
}

/** Encode the S4UUserID alone (the bytes its checksum covers). */
export function encodeS4UUserID(v: S4UUserID): Uint8Array {
  return encodeWith(v, writeS4UUserID)
}

/** PA-PAC-OPTIONS (MS-KILE §2.2.10), PA-DATA type 167. */
export interface PAPacOptions {
  /** PAC-OPTIONS-FLAGS: claims(0), branch-aware(1), forward-to-full-dc(2), resource-based-constrained-delegation(3). */
  readonly flags: number
}

/**
 * ```asn1
 * PA-PAC-OPTIONS ::= SEQUENCE {
 *   KerberosFlags [0] PAC-OPTIONS-FLAGS
 * }
 * ```
 * @example
 * ```ts
 * encodePAPacOptions({ flags: setFlags(3) }) // resource-based constrained delegation
 * ```
 */
export function encodePAPacOptions(v: PAPacOptions): Uint8Array {
  return encodeWith(v, (w, x) => {
    const m = w.size
    writeField(w, 0, x.flags, wFlags)
    w.wrap(Tag.SEQUENCE, m)
  })
}

/** Decode PA-PAC-OPTIONS; see {@link encodePAPacOptions}. */
export function decodePAPacOptions(bytes: Uint8Array): PAPacOptions {
  return decodeWith(bytes, 'PA-PAC-OPTIONS', (r) => {
    const s = r.enter(Tag.SEQUENCE, r.label)
    const flags = s.field(0, 'flags', rFlags)
    s.done()
    return { flags }
  })
}
