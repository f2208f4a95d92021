/**
 * `kerberos-ts token dump [-k KEYTAB] <header|base64|hex|@file|->`: show a Negotiate header, a
 * SPNEGO token or a GSS krb5 token as a tree; with a keytab, decrypt the ticket and authenticator
 * and show what they say, or the structured error.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { readDumpInput } from './input.js'
import { decodeAPRep, decodeAPReq, decodeKRBError, listFlags } from '../asn1/index.js'
import { dumpASN1 } from '../asn1/dump.js'
import { KerberosError, KeytabLookupError } from '../errors.js'
import { unframeGSSToken, unframeKrb5Token, MechOID, TokenId } from '../gssapi/framing.js'
import {
  classifyToken,
  decodeNegTokenInit,
  decodeNegTokenResp,
  isNTLMSSP,
} from '../gssapi/spnego.js'
import { APOptions, TicketFlags, describeEncType, errorCodeName } from '../iana.js'
import { fromBase64, fromHex } from '../internal/bytes.js'
import { parseKeytab, type Keytab } from '../keytab/index.js'
import { formatPrincipal } from '../principal.js'
import { indexKeytab, verifyAPReq, type KeytabIndex } from '../protocol/ap-verify.js'
import { GSS_CHECKSUM_TYPE, GSSFlags, decodeGSSChecksum } from '../protocol/gss-checksum.js'
import { describeTicketPAC } from './pac-dump.js'

/** The usage text (`kerberos-ts token --help`). */
export const usage: string = `usage: kerberos-ts token dump [-k KEYTAB] [--no-asn1] <FILE|@FILE|-|header|base64|hex>
  a file path (or @path) holding raw token bytes or one of the text forms; - for stdin; a
  Negotiate header ("Negotiate YII..." or "Authorization: Negotiate ..."), a base64 or hex token.
  -k KEYTAB   decrypt the ticket and authenticator with the service keys in KEYTAB`

const MECH_NAMES: Readonly<Record<string, string>> = {
  [MechOID.KRB5]: 'krb5',
  [MechOID.MS_KRB5]: 'krb5 (Microsoft OID)',
  [MechOID.SPNEGO]: 'SPNEGO',
  [MechOID.NTLMSSP]: 'NTLMSSP',
  '1.3.6.1.4.1.311.2.2.30': 'NegoEx',
  '1.3.6.1.5.2.5': 'IAKERB',
}

/** Names of the set bits of RFC 4120 flags, from a `{ NAME: bit }` table. */
function flagNames(flags: number, table: Readonly<Record<string, number>>): string {
  const byBit = new Map(
    Object.entries(table).map(([k, v]) => [v, k.toLowerCase().replace(/_/g, '-')]),
  )
  const names = listFlags(flags).map((b) => byBit.get(b) ?? `bit-${b}`)
  return names.length === 0 ? 'none' : names.join(', ')
}

const mechName = (oid: string): string => `${oid} (${MECH_NAMES[oid] ?? 'unknown'})`

/** Text → bytes: a Negotiate header, hex, or base64. */
export function decodeTokenText(text: string): Uint8Array | null {
  let t = text.trim().replace(/^(authorization|www-authenticate)\s*:\s*/i, '')
  const m = /^negotiate\s+(\S+)$/i.exec(t)
  if (m) t = m[1]!
  const compact = t.replace(/[\s:]/g, '')
  if (compact.length > 0 && compact.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(compact))
    return fromHex(compact)
  return fromBase64(t.replace(/\s/g, ''))
}

function readInput(arg: string): Uint8Array | null {
  return readDumpInput(arg, decodeTokenText)
}

interface Out {
  line(depth: number, text: string): void
}

const fmtTime = (d: Date | undefined): string =>
  d === undefined ? '-' : d.toISOString().replace('.000Z', 'Z')

/**
 * Describe a token as text lines (the CLI's output without the ASN.1 dump).
 *
 * @example
 * ```ts
 * describeToken(bytes, { keytab }).join('\n')
 * ```
 */
export function describeToken(
  token: Uint8Array,
  options: {
    readonly keytab?: Keytab | KeytabIndex
    readonly asn1?: boolean
    readonly now?: Date
  } = {},
): string[] {
  const lines: string[] = []
  const out: Out = { line: (d, t) => lines.push('  '.repeat(d) + t) }
  const kind = classifyToken(token)
  if (kind === 'ntlmssp' || isNTLMSSP(token)) {
    out.line(
      0,
      `NTLMSSP message type ${token[8] ?? '?'} (${token.length} bytes): the client had no Kerberos ticket`,
    )
    out.line(
      1,
      'check the SPN (HTTP/<host>) in the KDC and the keytab, and that the client used the DNS name',
    )
    return lines
  }
  if (kind === 'spnego-init') describeInit(token, out, options)
  else if (kind === 'spnego-resp') describeResp(token, out, options)
  else if (kind === 'krb5') describeKrb5(token, out, 0, options)
  else {
    out.line(0, `unknown token (${token.length} bytes); raw DER:`)
    if (options.asn1 !== false) lines.push(indent(dumpASN1(token), 1))
  }
  return lines
}

function indent(text: string, depth: number): string {
  return text
    .split('\n')
    .map((l) => '  '.repeat(depth) + l)
    .join('\n')
}

function describeInit(token: Uint8Array, out: Out, options: DescribeOptions): void {
  const init = decodeNegTokenInit(token)
  out.line(0, `SPNEGO NegTokenInit (${token.length} bytes)`)
  out.line(1, 'mechTypes:')
  for (const m of init.mechTypes) out.line(2, mechName(m))
  if (init.reqFlags !== undefined) out.line(1, `reqFlags: 0x${init.reqFlags.toString(16)}`)
  if (init.mechListMIC) out.line(1, `mechListMIC: ${init.mechListMIC.length} bytes`)
  if (init.mechToken === undefined) return out.line(1, 'mechToken: none')
  out.line(1, 'mechToken:')
  if (isNTLMSSP(init.mechToken))
    return out.line(2, 'NTLMSSP: the client had no Kerberos ticket for this service')
  describeKrb5(init.mechToken, out, 2, options)
}

function describeResp(token: Uint8Array, out: Out, options: DescribeOptions): void {
  const resp = decodeNegTokenResp(token)
  const states = ['accept-completed', 'accept-incomplete', 'reject', 'request-mic']
  out.line(0, `SPNEGO NegTokenResp (${token.length} bytes)`)
  if (resp.negState !== undefined) out.line(1, `negState: ${states[resp.negState]}`)
  if (resp.supportedMech) out.line(1, `supportedMech: ${mechName(resp.supportedMech)}`)
  if (resp.mechListMIC) out.line(1, `mechListMIC: ${resp.mechListMIC.length} bytes`)
  if (resp.responseToken) {
    out.line(1, 'responseToken:')
    describeKrb5(resp.responseToken, out, 2, options)
  }
}

interface DescribeOptions {
  readonly keytab?: Keytab | KeytabIndex
  readonly asn1?: boolean
  readonly now?: Date
}

function describeKrb5(token: Uint8Array, out: Out, d: number, options: DescribeOptions): void {
  let t: { mech: string; tokId: number; body: Uint8Array }
  try {
    t = unframeKrb5Token(token)
  } catch {
    const { mech } = unframeGSSToken(token)
    return out.line(d, `GSS token for ${mechName(mech)} (${token.length} bytes)`)
  }
  const names: Readonly<Record<number, string>> = {
    [TokenId.AP_REQ]: 'AP-REQ',
    [TokenId.AP_REP]: 'AP-REP',
    [TokenId.KRB_ERROR]: 'KRB-ERROR',
  }
  out.line(
    d,
    `krb5 token ${mechName(t.mech)}, TOK_ID ${t.tokId.toString(16).padStart(4, '0')} ${names[t.tokId] ?? '?'}`,
  )
  if (t.tokId === TokenId.AP_REQ) describeAPReq(t.body, out, d + 1, options)
  else if (t.tokId === TokenId.AP_REP) {
    const rep = decodeAPRep(t.body)
    out.line(
      d + 1,
      `enc-part: ${describeEncType(rep.encPart.etype)}, ${rep.encPart.cipher.length} bytes (session key needed)`,
    )
  } else if (t.tokId === TokenId.KRB_ERROR) {
    const e = decodeKRBError(t.body)
    out.line(
      d + 1,
      `error ${e.errorCode} ${errorCodeName(e.errorCode)}${e.eText ? `: ${e.eText}` : ''}`,
    )
    out.line(d + 1, `server time ${fmtTime(e.stime)}`)
  }
  if (options.asn1 !== false) {
    out.line(d + 1, 'ASN.1:')
    for (const l of dumpASN1(t.body).split('\n')) out.line(d + 2, l)
  }
}

function describeAPReq(body: Uint8Array, out: Out, d: number, options: DescribeOptions): void {
  const req = decodeAPReq(body)
  const tk = req.ticket
  out.line(d, `ap-options: ${flagNames(req.apOptions, APOptions)}`)
  const sname = formatPrincipal({
    nameType: tk.sname.nameType,
    components: tk.sname.nameString,
    realm: tk.realm,
  })
  out.line(
    d,
    `ticket: ${sname} (name type ${tk.sname.nameType}), ${describeEncType(tk.encPart.etype)}, kvno ${tk.encPart.kvno ?? 'none'}`,
  )
  out.line(
    d,
    `authenticator: ${describeEncType(req.authenticator.etype)}, ${req.authenticator.cipher.length} bytes`,
  )
  if (options.keytab === undefined) return
  out.line(d, 'with the keytab:')
  try {
    // No clock check here: show what the token says, then judge the times separately.
    const v = verifyAPReq(req, {
      keytab: options.keytab,
      clockSkew: Number.POSITIVE_INFINITY,
      allowWeakCrypto: true,
      pac: 'skip', // shown and judged below
    })
    const e = d + 1
    out.line(e, `client: ${formatPrincipal(v.client)}`)
    out.line(
      e,
      `server: ${formatPrincipal(v.server)} (keytab kvno ${v.kvno}, ${describeEncType(v.enctype)})`,
    )
    out.line(e, `session key: ${describeEncType(v.sessionKey.enctype)}`)
    out.line(e, `flags: ${flagNames(v.flags, TicketFlags)}`)
    out.line(
      e,
      `authtime ${fmtTime(v.authtime)}  starttime ${fmtTime(v.starttime)}  endtime ${fmtTime(v.endtime)}  renew-till ${fmtTime(v.renewTill)}`,
    )
    const now = options.now ?? new Date()
    out.line(e, `ticket ${v.endtime < now ? 'EXPIRED' : 'valid'} at ${fmtTime(now)}`)
    out.line(
      e,
      `authenticator ctime ${fmtTime(v.ctime)} cusec ${v.cusec}, ${Math.round((now.getTime() - v.ctime.getTime()) / 1000)} s ago`,
    )
    if (v.subkey) out.line(e, `subkey: ${describeEncType(v.subkey.enctype)}`)
    if (v.seqNumber !== undefined) out.line(e, `seq-number: ${v.seqNumber}`)
    if (v.authorizationData)
      out.line(
        e,
        `authorization-data: ${v.authorizationData.map((a) => `ad-type ${a.adType} (${a.adData.length} bytes)`).join(', ')}`,
      )
    describeTicketPAC(v, options.keytab, (depth, text) => out.line(depth, text), e)
    if (v.checksum?.cksumtype === GSS_CHECKSUM_TYPE) {
      const g = decodeGSSChecksum(v.checksum.checksum)
      const flags = Object.entries(GSSFlags)
        .filter(([, bit]) => (g.flags & bit) !== 0)
        .map(([n]) => n)
      out.line(
        e,
        `GSS checksum: flags ${flags.join(', ') || 'none'}, bindings ${g.bindings.every((b) => b === 0) ? 'none' : 'present'}${g.delegation ? `, delegated KRB-CRED ${g.delegation.length} bytes` : ''}`,
      )
    } else if (v.checksum) out.line(e, `checksum type ${v.checksum.cksumtype}`)
  } catch (err) {
    if (!(err instanceof KerberosError)) throw err
    out.line(d + 1, `error ${err.code}: ${err.message}`)
    if (err instanceof KeytabLookupError)
      out.line(
        d + 1,
        `reason ${err.reason}; keytab holds ${err.available.map((a) => `kvno ${a.kvno} ${describeEncType(a.enctype)}`).join(', ') || 'nothing for it'}`,
      )
  }
}

/** Run `kerberos-ts token ...`. */
export async function run(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === '-h' || sub === '--help') {
    process.stdout.write(usage + '\n')
    return 0
  }
  if (sub !== 'dump') {
    process.stderr.write(
      `kerberos-ts token: ${sub === undefined ? 'missing sub-command' : `unknown sub-command ${sub}`}\n${usage}\n`,
    )
    return 2
  }
  let keytabPath: string | undefined
  let asn1 = true
  const operands: string[] = []
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!
    if (a === '-k' || a === '--keytab') keytabPath = rest[++i]
    else if (a === '--no-asn1') asn1 = false
    else if (a.startsWith('-') && a !== '-') {
      process.stderr.write(`kerberos-ts token dump: unknown option ${a}\n${usage}\n`)
      return 2
    } else operands.push(a)
  }
  // A header given without quotes arrives as two words: "Negotiate" "YII...".
  const input = operands.join(' ')
  if (operands.length === 0 || (keytabPath === undefined && rest.includes('-k'))) {
    process.stderr.write(`kerberos-ts token dump: expected one input\n${usage}\n`)
    return 2
  }
  const token = readInput(input)
  if (token === null || token.length === 0) {
    process.stderr.write(
      `kerberos-ts token dump: input is neither a Negotiate header, hex nor base64\n`,
    )
    return 2
  }
  const keytab =
    keytabPath === undefined
      ? undefined
      : indexKeytab(parseKeytab(new Uint8Array(readFileSync(keytabPath))))
  const lines = describeToken(token, { ...(keytab ? { keytab } : {}), asn1 })
  process.stdout.write(lines.join('\n') + '\n')
  return 0
}
