/** Shared helpers for the asn1 tests: golden vectors, value normalisation, the asn1js oracle. */
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import * as asn1js from 'asn1js'
import { KerberosKey } from '../../src/key.js'
import { fixturePath } from '../helpers/paths.js'
import * as k from '../../src/asn1/index.js'

/** One line of MIT's reference_encode.out. */
export interface GoldenVector {
  readonly name: string
  readonly bytes: Uint8Array
}

export function loadReferenceVectors(): GoldenVector[] {
  const text = readFileSync(fixturePath('asn1', 'reference_encode.out'), 'utf8')
  const out: GoldenVector[] = []
  for (const line of text.split('\n')) {
    const at = line.indexOf(': ')
    if (at < 0) continue
    const hex = line.slice(at + 2).replace(/\s+/g, '')
    out.push({ name: line.slice(0, at), bytes: Uint8Array.from(Buffer.from(hex, 'hex')) })
  }
  return out
}

/** Every `*.der` under fixtures/asn1/captured (recursively). */
export function loadCaptured(): GoldenVector[] {
  const dir = fixturePath('asn1', 'captured')
  if (!existsSync(dir)) return []
  const out: GoldenVector[] = []
  const walk = (d: string, prefix: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${d}/${e.name}`, `${prefix}${e.name}/`)
      else if (e.name.endsWith('.der'))
        out.push({ name: prefix + e.name, bytes: new Uint8Array(readFileSync(`${d}/${e.name}`)) })
    }
  }
  walk(dir, '')
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

/** A codec: decode and encode for one type. */
export interface Codec {
  readonly decode: (b: Uint8Array) => unknown
  readonly encode: (v: never) => Uint8Array
}

const c = <T>(decode: (b: Uint8Array) => T, encode: (v: T) => Uint8Array): Codec => ({
  decode,
  encode: encode as (v: never) => Uint8Array,
})

/** reference_encode.out names (without the parenthesised variant) → codec. */
export const referenceCodecs: Readonly<Record<string, Codec>> = {
  encode_krb5_authenticator: c(k.decodeAuthenticator, k.encodeAuthenticator),
  encode_krb5_ticket: c(k.decodeTicket, k.encodeTicket),
  encode_krb5_keyblock: c(k.decodeEncryptionKey, k.encodeEncryptionKey),
  encode_krb5_enc_tkt_part: c(k.decodeEncTicketPart, k.encodeEncTicketPart),
  encode_krb5_enc_kdc_rep_part: c(k.decodeEncKDCRepPart, (d) =>
    d.tag === 'EncASRepPart' ? k.encodeEncASRepPart(d.value) : k.encodeEncTGSRepPart(d.value),
  ),
  encode_krb5_as_rep: c(k.decodeASRep, k.encodeASRep),
  encode_krb5_tgs_rep: c(k.decodeTGSRep, k.encodeTGSRep),
  encode_krb5_ap_req: c(k.decodeAPReq, k.encodeAPReq),
  encode_krb5_ap_rep: c(k.decodeAPRep, k.encodeAPRep),
  encode_krb5_ap_rep_enc_part: c(k.decodeEncAPRepPart, k.encodeEncAPRepPart),
  encode_krb5_as_req: c(k.decodeASReq, k.encodeASReq),
  encode_krb5_tgs_req: c(k.decodeTGSReq, k.encodeTGSReq),
  encode_krb5_kdc_req_body: c(k.decodeKDCReqBody, k.encodeKDCReqBody),
  encode_krb5_safe: c(k.decodeKRBSafe, k.encodeKRBSafe),
  encode_krb5_priv: c(k.decodeKRBPriv, k.encodeKRBPriv),
  encode_krb5_enc_priv_part: c(k.decodeEncKrbPrivPart, k.encodeEncKrbPrivPart),
  encode_krb5_cred: c(k.decodeKRBCred, k.encodeKRBCred),
  encode_krb5_enc_cred_part: c(k.decodeEncKrbCredPart, k.encodeEncKrbCredPart),
  encode_krb5_error: c(k.decodeKRBError, k.encodeKRBError),
  encode_krb5_authorization_data: c(k.decodeAuthorizationData, k.encodeAuthorizationData),
  encode_krb5_padata_sequence: c(k.decodeMethodData, k.encodeMethodData),
  encode_krb5_etype_info: c(k.decodeETypeInfo, k.encodeETypeInfo),
  encode_krb5_etype_info2: c(k.decodeETypeInfo2, k.encodeETypeInfo2),
  encode_krb5_pa_enc_ts: c(k.decodePAEncTSEnc, k.encodePAEncTSEnc),
  encode_krb5_enc_data: c(k.decodeEncryptedData, k.encodeEncryptedData),
  encode_krb5_ad_kdcissued: c(k.decodeADKDCIssued, k.encodeADKDCIssued),
  encode_krb5_pa_s4u_x509_user: c(k.decodePAS4UX509User, k.encodePAS4UX509User),
}

/** Names in reference_encode.out we do not implement (with the reason), reported by the tests. */
export const referenceSkipped: Readonly<Record<string, string>> = {
  encode_krb5_pwd_sequence: 'old kpasswd (pre-RFC 3244) structures',
  encode_krb5_pwd_data: 'old kpasswd (pre-RFC 3244) structures',
  encode_krb5_alt_method: 'PA-ALT-METHOD, obsolete',
  encode_krb5_sam_challenge: 'SAM preauth (draft), not implemented',
  encode_krb5_sam_response: 'SAM preauth (draft), not implemented',
  encode_krb5_sam_key: 'SAM preauth (draft), not implemented',
  encode_krb5_enc_sam_response_enc: 'SAM preauth (draft), not implemented',
  encode_krb5_predicted_sam_response: 'SAM preauth (draft), not implemented',
  encode_krb5_sam_response_2: 'SAM preauth (draft), not implemented',
  encode_krb5_enc_sam_response_enc_2: 'SAM preauth (draft), not implemented',
  encode_krb5_ad_signedpath_data: 'MIT-private signed-path authdata',
  encode_krb5_ad_signedpath: 'MIT-private signed-path authdata',
}

/** The codec for a reference vector name such as `encode_krb5_as_req(optionals NULL)`. */
export function referenceCodec(name: string): Codec | undefined {
  const base = name.replace(/\s*\(.*\)$/, '')
  return referenceCodecs[base]
}

export function baseName(name: string): string {
  return name.replace(/\s*\(.*\)$/, '')
}

/**
 * A deep copy that drops the non-enumerable `raw` of tickets and bodies, so encoding exercises the
 * field encoders rather than replaying the original bytes.
 */
export function stripRaw<T>(v: T): T {
  if (v instanceof Uint8Array || v instanceof Date || v instanceof KerberosKey) return v
  if (Array.isArray(v)) return v.map((x: unknown) => stripRaw(x)) as T
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, val] of Object.entries(v)) out[key] = stripRaw(val)
    return out as T
  }
  return v
}

/** Replace every KerberosKey by `{ enctype, bytes }` so deep equality compares key bytes too. */
export function normalize(v: unknown): unknown {
  if (v instanceof KerberosKey) return { enctype: v.enctype, bytes: Uint8Array.from(v.bytes) }
  if (v instanceof Uint8Array || v instanceof Date) return v
  if (Array.isArray(v)) return v.map(normalize)
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, val] of Object.entries(v)) out[key] = normalize(val)
    return out
  }
  return v
}

/** A generic tree of a DER encoding. */
export interface TreeNode {
  readonly cls: number
  readonly tag: number
  readonly constructed: boolean
  readonly content?: string
  readonly children?: readonly TreeNode[]
}

/** Our own reading of a DER tree (strict lengths, no indefinite form). */
export function ourTree(bytes: Uint8Array): TreeNode[] {
  const out: TreeNode[] = []
  let p = 0
  while (p < bytes.length) {
    const id = bytes[p++]!
    let len = bytes[p++]!
    if (len & 0x80) {
      const n = len & 0x7f
      len = 0
      for (let i = 0; i < n; i++) len = len * 256 + bytes[p++]!
    }
    const body = bytes.subarray(p, p + len)
    p += len
    const cls = id >> 6
    const constructed = (id & 0x20) !== 0
    const tag = id & 0x1f
    out.push(
      constructed
        ? { cls, tag, constructed, children: ourTree(body) }
        : { cls, tag, constructed, content: Buffer.from(body).toString('hex') },
    )
  }
  return out
}

function fromAsn1js(node: asn1js.AsnType): TreeNode {
  const cls = node.idBlock.tagClass - 1
  const tag = node.idBlock.tagNumber
  const constructed = node.idBlock.isConstructed
  if (constructed) {
    const kids = (node.valueBlock as unknown as { value: asn1js.AsnType[] }).value
    return { cls, tag, constructed, children: kids.map(fromAsn1js) }
  }
  const whole = new Uint8Array(node.valueBeforeDecodeView)
  const header = node.idBlock.blockLength + node.lenBlock.blockLength
  return { cls, tag, constructed, content: Buffer.from(whole.subarray(header)).toString('hex') }
}

/** asn1js's reading of the same bytes; throws when asn1js rejects them or leaves bytes over. */
export function asn1jsTree(bytes: Uint8Array): TreeNode[] {
  const parsed = asn1js.fromBER(bytes)
  if (parsed.offset === -1) throw new Error(`asn1js rejected the encoding: ${parsed.result.error}`)
  if (parsed.offset !== bytes.length)
    throw new Error(`asn1js left ${bytes.length - parsed.offset} bytes`)
  return [fromAsn1js(parsed.result)]
}

/** Check our DER against asn1js: same tree, and every length in minimal form. */
export function checkWithAsn1js(bytes: Uint8Array): TreeNode[] {
  const a = asn1jsTree(bytes)
  const o = ourTree(bytes)
  if (JSON.stringify(a) !== JSON.stringify(o)) throw new Error('asn1js reads a different tree')
  checkMinimalLengths(bytes)
  return a
}

function checkMinimalLengths(bytes: Uint8Array): void {
  let p = 0
  while (p < bytes.length) {
    const id = bytes[p++]!
    let len = bytes[p++]!
    if (len & 0x80) {
      const n = len & 0x7f
      if (bytes[p] === 0) throw new Error(`non-minimal length at ${p - 2}`)
      len = 0
      for (let i = 0; i < n; i++) len = len * 256 + bytes[p++]!
      if (len < 0x80) throw new Error(`long-form length for ${len} at ${p - n - 2}`)
    }
    if (id & 0x20) checkMinimalLengths(bytes.subarray(p, p + len))
    p += len
  }
}
