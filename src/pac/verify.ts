/**
 * Finding and verifying the PAC of a ticket (MS-PAC §2.8, §3; MS-KILE §3.4.5.3): the server
 * signature with the service key (keyed checksum types only), optionally the KDC and full
 * signatures with the krbtgt key or a caller's hook, CLIENT_INFO against the ticket's client
 * name and authtime, and only then the identity: user and group SIDs, names.
 *
 * @module
 */
import { decodeADIfRelevant, type AuthorizationData } from '../asn1/index.js'
import { makeChecksum, type CryptoOptions } from '../crypto/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { AuthorizationDataType } from '../iana.js'
import { constantTimeEqual } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import type { Principal } from '../principal.js'
import {
  decodeOtherBuffer,
  decodePACWithLayout,
  type OtherBufferDecoder,
  pacSigningData,
  PAC_SIGNATURE_KEY_USAGE,
  readPACLayout,
} from './pac.js'
import { sidWithRid } from './sid.js'
import type { PAC, PACSignature } from './types.js'
import { FILETIME_UNIX_EPOCH } from './types.js'

/** Why a PAC was refused (`context.reason` of ERR_KRB_PAC_VERIFY). */
export type PACVerifyFailure =
  | 'no-pac'
  | 'several-pacs'
  | 'missing-signature'
  | 'checksum-type'
  | 'server-signature'
  | 'kdc-signature'
  | 'full-signature'
  | 'ticket-signature'
  | 'missing-client-info'
  | 'client-name'
  | 'client-authtime'

function refuse(
  reason: PACVerifyFailure,
  message: string,
  context: Record<string, unknown> = {},
): KerberosError {
  return new KerberosError(ErrorCodes.PAC_VERIFY, message, { context: { reason, ...context } })
}

/**
 * The AD-WIN2K-PAC (ad-type 128) of a ticket's authorization data: inside AD-IF-RELEVANT
 * (ad-type 1), where KDCs put it, or at the top level. Undefined when there is none; two PACs
 * are refused (ERR_KRB_PAC_VERIFY, reason `several-pacs`), as MIT does.
 *
 * @example
 * ```ts
 * const bytes = findPAC(verified.authorizationData ?? [])
 * ```
 */
export function findPAC(ad: AuthorizationData): Uint8Array | undefined {
  const found: Uint8Array[] = []
  for (const e of ad) {
    if (e.adType === AuthorizationDataType.WIN2K_PAC) found.push(e.adData)
    if (e.adType !== AuthorizationDataType.IF_RELEVANT) continue
    // One level deep only: KDCs never nest containers around the PAC.
    for (const inner of decodeADIfRelevant(e.adData)) {
      if (inner.adType === AuthorizationDataType.WIN2K_PAC) found.push(inner.adData)
    }
  }
  if (found.length > 1) throw refuse('several-pacs', `the ticket carries ${found.length} PACs`)
  return found[0]
}

/** Input of a caller-supplied KDC signature check (for a krbtgt key held elsewhere). */
export interface KDCSignatureCheck {
  /** The checksum type of the KDC signature. */
  readonly type: number
  /** The KDC signature value. */
  readonly signature: Uint8Array
  /** What it signs: the server signature value. */
  readonly signedData: Uint8Array
  /** The key usage (17). */
  readonly usage: number
}

/** Options for {@link verifyPAC}. */
export interface VerifyPACOptions extends CryptoOptions {
  /** The service key that decrypted the ticket: checks the server signature. */
  readonly serviceKey: KerberosKey
  /** The ticket's client: CLIENT_INFO must name it (with or without the realm). */
  readonly clientName: Principal
  /** The ticket's authtime: CLIENT_INFO's ClientId must be this second. */
  readonly authTime: Date
  /** The krbtgt key, when the caller has it: checks the KDC (and full) signatures too. */
  readonly kdcKey?: KerberosKey
  /** A hook that checks the KDC signature (returns true when valid), instead of `kdcKey`. */
  readonly verifyKDCSignature?: (check: KDCSignatureCheck) => boolean
}

/** Who the PAC says the client is. SIDs as text. */
export interface PACIdentity {
  /** The user's SID (logon domain SID + UserId), when the PAC has logon info. */
  readonly userSid?: string
  /** The primary group's SID. */
  readonly primaryGroupSid?: string
  /** Every group SID: domain groups, extra SIDs, resource groups; no duplicates. */
  readonly groupSids: readonly string[]
  /** sAMAccountName (logon info EffectiveName, else UPN_DNS_INFO SamName, else CLIENT_INFO name). */
  readonly accountName: string
  readonly fullName?: string
  readonly upn?: string
  readonly dnsDomainName?: string
  /** NetBIOS domain name (logon info LogonDomainName). */
  readonly logonDomainName?: string
  readonly logonDomainSid?: string
  readonly logonServer?: string
  readonly userAccountControl?: number
  /** The client name as CLIENT_INFO has it. */
  readonly clientName: string
}

/** What {@link verifyPAC} returns. */
export interface VerifiedPAC {
  readonly pac: PAC
  readonly identity: PACIdentity
  /** True when the KDC signature was checked (with `kdcKey` or the hook). */
  readonly kdcSignatureVerified: boolean
}

/** Keyed checksum types a PAC signature may use, and the enctypes of their keys. */
const KEYED_SIGNATURES: Readonly<Record<number, readonly number[]>> = {
  15: [17],
  16: [18],
  19: [19],
  20: [20],
  [-138]: [23, 24],
}

function checkSignature(
  sig: PACSignature,
  key: KerberosKey,
  data: Uint8Array,
  reason: 'server-signature' | 'kdc-signature' | 'full-signature',
  options: CryptoOptions,
): void {
  const etypes = KEYED_SIGNATURES[sig.type]
  if (etypes === undefined || !etypes.includes(key.enctype)) {
    throw refuse(
      'checksum-type',
      `PAC ${reason} of checksum type ${sig.type} does not fit a key of enctype ${key.enctype}`,
      { cksumtype: sig.type, enctype: key.enctype },
    )
  }
  // -138 goes through makeChecksum's weak-crypto gate (ERR_KRB_WEAK_CRYPTO without allowWeak).
  const want = makeChecksum(sig.type, key, PAC_SIGNATURE_KEY_USAGE, data, options)
  if (!constantTimeEqual(want, sig.signature)) {
    throw refuse(reason, `PAC ${reason.replace('-', ' ')} does not verify`)
  }
}

/**
 * Verify a PAC and say who it names. Takes the PAC bytes or the ticket's authorization data.
 * Checks, in order: the server signature with `serviceKey` (keyed types 15/16/19/20, -138 only
 * with `allowWeak`), the KDC and full signatures when `kdcKey` or `verifyKDCSignature` is given,
 * CLIENT_INFO against `clientName` and `authTime`. Throws ERR_KRB_PAC_VERIFY (`context.reason`)
 * or ERR_KRB_PAC_FORMAT.
 *
 * @example
 * ```ts
 * const { identity } = verifyPAC(v.authorizationData!, {
 *   serviceKey, clientName: v.client, authTime: v.authtime,
 * })
 * identity.groupSids.includes('S-1-5-21-1-2-3-1108')
 * ```
 */
export function verifyPAC(
  input: Uint8Array | AuthorizationData,
  options: VerifyPACOptions,
): VerifiedPAC {
  return verifyPACWith(input, options, decodeOtherBuffer)
}

/**
 * {@link verifyPAC} that decodes only what verification and the identity use: the signatures,
 * CLIENT_INFO, LOGON_INFO and UPN_DNS_INFO (claims raw, as always); every other buffer stays raw
 * in `pac.buffers` (decodePAC decodes them). The same checks, in the same order. What a lean
 * Acceptor runs after enablePAC() (docs/bundling.md), so the other decoders stay out of its
 * bundle.
 *
 * @internal
 */
export function verifyPACIdentity(
  input: Uint8Array | AuthorizationData,
  options: VerifyPACOptions,
): VerifiedPAC {
  return verifyPACWith(input, options, undefined)
}

function verifyPACWith(
  input: Uint8Array | AuthorizationData,
  options: VerifyPACOptions,
  others: OtherBufferDecoder | undefined,
): VerifiedPAC {
  const bytes = input instanceof Uint8Array ? input : findPAC(input)
  if (bytes === undefined) throw refuse('no-pac', 'the ticket carries no PAC')
  // The layout is read once, for decoding and for the signing data.
  const layout = readPACLayout(bytes)
  const pac = decodePACWithLayout(bytes, layout, others)
  const server = pac.serverSignature
  const kdc = pac.kdcSignature
  if (server === undefined || kdc === undefined) {
    throw refuse('missing-signature', 'the PAC lacks its server or KDC signature')
  }
  checkSignature(
    server,
    options.serviceKey,
    serverSigningData(bytes, server, kdc),
    'server-signature',
    options,
  )
  const kdcSignatureVerified = checkKDC(pac, bytes, layout, options)
  checkClientInfo(pac, options)
  return { pac, identity: pacIdentity(pac), kdcSignatureVerified }
}

/**
 * One copy of the PAC with the server and KDC signature fields zeroed in place (what
 * `pacSigningData` gives, without decoding the signature buffers again): the decoded
 * signatures are views into `bytes`, so their positions are known.
 */
function serverSigningData(bytes: Uint8Array, a: PACSignature, b: PACSignature): Uint8Array {
  const copy = bytes.slice()
  const base = bytes.byteOffset
  for (const s of [a, b]) {
    const at = s.signature.byteOffset - base
    // Always true for a decodePAC result; anything else takes the general path.
    if (s.signature.buffer !== bytes.buffer || at < 0 || at + s.signature.length > bytes.length) {
      return pacSigningData(bytes, readPACLayout(bytes))
    }
    copy.fill(0, at, at + s.signature.length)
  }
  return copy
}

function checkKDC(
  pac: PAC,
  bytes: Uint8Array,
  layout: ReturnType<typeof readPACLayout>,
  options: VerifyPACOptions,
): boolean {
  const kdc = pac.kdcSignature!
  const signedData = pac.serverSignature!.signature
  if (options.kdcKey !== undefined) {
    checkSignature(kdc, options.kdcKey, signedData, 'kdc-signature', options)
    if (pac.fullSignature !== undefined) {
      checkSignature(
        pac.fullSignature,
        options.kdcKey,
        pacSigningData(bytes, layout, true),
        'full-signature',
        options,
      )
    }
    return true
  }
  if (options.verifyKDCSignature === undefined) return false
  const ok = options.verifyKDCSignature({
    type: kdc.type,
    signature: kdc.signature,
    signedData,
    usage: PAC_SIGNATURE_KEY_USAGE,
  })
  if (ok !== true) throw refuse('kdc-signature', 'PAC kdc signature does not verify')
  return true
}

/** The display forms MIT compares CLIENT_INFO with: `a/b` and `a/b@REALM`, unescaped. */
function clientNames(p: Principal): string[] {
  const name = p.components.join('/')
  return p.realm === '' ? [name] : [name, `${name}@${p.realm}`]
}

function checkClientInfo(pac: PAC, options: VerifyPACOptions): void {
  const ci = pac.clientInfo
  if (ci === undefined) throw refuse('missing-client-info', 'the PAC has no CLIENT_INFO buffer')
  const names = clientNames(options.clientName)
  if (!names.includes(ci.name)) {
    throw refuse(
      'client-name',
      `PAC client ${ci.name} is not the ticket client ${names[names.length - 1]}`,
      {
        pacClient: ci.name,
        client: names[names.length - 1],
      },
    )
  }
  const pacSeconds = (ci.clientId - FILETIME_UNIX_EPOCH) / 10_000_000n
  const authSeconds = BigInt(Math.floor(options.authTime.getTime() / 1000))
  if (pacSeconds !== authSeconds) {
    throw refuse(
      'client-authtime',
      `PAC client info time differs from the ticket authtime ${options.authTime.toISOString()}`,
      {
        authtime: options.authTime,
      },
    )
  }
}

/**
 * The identity a (verified) PAC states: user SID, group SIDs (domain SID + RIDs, extra SIDs,
 * resource groups), names. Call it on a PAC from {@link verifyPAC} only.
 *
 * @example
 * ```ts
 * pacIdentity(pac).userSid // 'S-1-5-21-…-1105'
 * ```
 */
export function pacIdentity(pac: PAC): PACIdentity {
  const li = pac.logonInfo
  const upn = pac.upnDnsInfo
  const groups = new GroupSids(li?.logonDomainId)
  const id: { -readonly [K in keyof PACIdentity]: PACIdentity[K] } = {
    groupSids: [],
    accountName: li?.effectiveName || upn?.samName || pac.clientInfo?.name || '',
    clientName: pac.clientInfo?.name ?? '',
  }
  if (li !== undefined) {
    const domain = li.logonDomainId
    if (domain !== undefined) {
      id.userSid = sidWithRid(domain, li.userId)
      id.primaryGroupSid = sidWithRid(domain, li.primaryGroupId)
      id.logonDomainSid = domain
      groups.addRid(li.primaryGroupId)
      for (const g of li.groupIds) groups.addRid(g.rid)
    }
    for (const s of li.extraSids) groups.addSid(s.sid)
    const rg = li.resourceGroupDomainSid
    if (rg !== undefined) {
      for (const g of li.resourceGroupIds) groups.addSid(sidWithRid(rg, g.rid))
    }
    if (li.fullName !== '') id.fullName = li.fullName
    if (li.logonDomainName !== '') id.logonDomainName = li.logonDomainName
    if (li.logonServer !== '') id.logonServer = li.logonServer
    id.userAccountControl = li.userAccountControl
  } else if (upn?.sid !== undefined) {
    id.userSid = upn.sid
  }
  if (upn !== undefined) {
    if (upn.upn !== '') id.upn = upn.upn
    if (upn.dnsDomainName !== '') id.dnsDomainName = upn.dnsDomainName
  }
  id.groupSids = groups.list
  return id
}

/** A canonical decimal 32-bit RID (as `sidWithRid` writes it). */
const RID_TEXT = /^(?:0|[1-9][0-9]{0,9})$/

/**
 * Group SIDs without duplicates, in first-seen order (what a Set of the strings gives). RIDs of
 * the logon domain are deduplicated as numbers: hashing each freshly concatenated SID string
 * was most of pacIdentity's time. A SID given as text that is `domain-RID` joins the RIDs, so
 * it still matches the same group named by RID; any other SID is deduplicated as a string.
 */
class GroupSids {
  readonly list: string[] = []
  readonly #domain: string | undefined
  readonly #prefix: string | undefined
  readonly #rids = new Set<number>()
  #others: Set<string> | undefined

  constructor(domain: string | undefined) {
    this.#domain = domain
    this.#prefix = domain === undefined ? undefined : domain + '-'
  }

  /** A RID of the logon domain (only called when the domain SID is known). */
  addRid(rid: number): void {
    const r = rid >>> 0
    if (this.#rids.has(r)) return
    this.#rids.add(r)
    this.list.push(sidWithRid(this.#domain!, r))
  }

  addSid(sid: string): void {
    const prefix = this.#prefix
    if (prefix !== undefined && sid.startsWith(prefix)) {
      const tail = sid.slice(prefix.length)
      if (RID_TEXT.test(tail)) {
        const rid = Number(tail)
        if (rid <= 0xffffffff) return this.addRid(rid)
      }
    }
    const others = (this.#others ??= new Set<string>())
    if (others.has(sid)) return
    others.add(sid)
    this.list.push(sid)
  }
}
