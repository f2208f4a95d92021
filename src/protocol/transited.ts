/**
 * The transited field of cross-realm tickets (RFC 4120 §2.7, §3.3.3.2): decoding the
 * DOMAIN-X500-COMPRESS encoding, and the acceptor's policy for realms the KDCs did not check.
 *
 * A ticket that went through intermediate realms lists them in `transited`; any of those realms'
 * KDCs could have issued it with any client name of a realm it does not own. The last KDC says it
 * checked the path against its policy with the TRANSITED-POLICY-CHECKED flag; without it the
 * application server must check itself (RFC 4120 §2.7) — by default this library then refuses.
 *
 * @module
 */
import type { EncTicketPart } from '../asn1/index.js'
import { hasFlag } from '../asn1/flags.js'
import { capathFor, type Krb5Config } from '../config/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { TicketFlags } from '../iana.js'

/** DOMAIN-X500-COMPRESS (RFC 4120 §7.5.5), the only transited encoding defined. */
export const DOMAIN_X500_COMPRESS = 1

/** Longest transited field decoded, in octets (real paths are a few realms long). */
export const MAX_TRANSITED_LENGTH = 4096

/** The transited realms of an accepted ticket. */
export interface TransitedInfo {
  /** The intermediate realms, decoded (client and server realms not included); `[]` for none. */
  readonly realms: readonly string[]
  /** True when the KDC set TRANSITED-POLICY-CHECKED (it checked the path against its policy). */
  readonly checkedByKDC: boolean
}

/** What a transited policy callback is asked about. */
export interface TransitedCheck extends TransitedInfo {
  /** The client's realm (from the ticket: authenticated). */
  readonly clientRealm: string
  /** The service's realm. */
  readonly serverRealm: string
}

/**
 * How an acceptor treats a ticket whose transited realms the KDC did not check: `'kdc'`
 * (default) refuses it; a function decides (return true to accept), e.g.
 * {@link capathsTransitedPolicy}. Tickets without intermediate realms, and tickets the KDC
 * checked, always pass.
 */
export type TransitedPolicy = 'kdc' | ((check: TransitedCheck) => boolean)

function transitedError(
  message: string,
  context: Readonly<Record<string, unknown>>,
): KerberosError {
  return new KerberosError(ErrorCodes.AP_ERROR, message, {
    context: { reason: 'transited', ...context },
  })
}

/**
 * Split on unescaped commas, dropping the escapes. `prefixDot`: ends with an unescaped `.`;
 * `xPrefix`: starts with `/` (relative X.500 name).
 */
function splitFields(text: string): { value: string; prefixDot: boolean; xPrefix: boolean }[] {
  const out: { value: string; prefixDot: boolean; xPrefix: boolean }[] = []
  let value = ''
  let lastEscaped = false
  let first = true
  let xPrefix = false
  let noPrefix = false
  const push = (): void => {
    const prefixDot = value.endsWith('.') && !lastEscaped && !noPrefix
    out.push({ value, prefixDot, xPrefix })
    value = ''
    lastEscaped = false
    first = true
    xPrefix = false
    noPrefix = false
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '\\') {
      if (i + 1 >= text.length) throw transitedError('transited encoding ends with a lone \\', {})
      value += text[++i]
      lastEscaped = true
      first = false
      continue
    }
    if (c === ',') {
      push()
      continue
    }
    if (first && c === ' ') {
      noPrefix = true // " /COM/DEC": a full X.500 name, not relative to the previous one
      first = false
      continue
    }
    if (first && c === '/' && !noPrefix) xPrefix = true
    value += c
    lastEscaped = false
    first = false
  }
  push()
  return out
}

/**
 * The hierarchical path between two domain-style realms (MIT's default without `[capaths]`): up
 * from the client realm to the common suffix, down to the server realm; intermediates only.
 *
 * @example
 * ```ts
 * hierarchicalPath('ENG.EXAMPLE.COM', 'SALES.EXAMPLE.COM') // ['EXAMPLE.COM']
 * ```
 */
export function hierarchicalPath(clientRealm: string, serverRealm: string): string[] {
  const c = clientRealm.split('.')
  const s = serverRealm.split('.')
  let k = 0
  while (k < c.length && k < s.length && c[c.length - 1 - k] === s[s.length - 1 - k]) k++
  const out: string[] = []
  for (let i = 1; i <= c.length - k; i++) {
    const r = c.slice(i).join('.')
    if (r !== '' && r !== serverRealm) out.push(r)
  }
  for (let j = s.length - k - 1; j >= 1; j--) {
    const r = s.slice(j).join('.')
    if (r !== '' && r !== clientRealm && !out.includes(r)) out.push(r)
  }
  return out
}

/**
 * Decode a DOMAIN-X500-COMPRESS transited field (RFC 4120 §3.3.3.2): `,`-separated realms; a
 * domain-style name ending in `.` is completed with the previous realm (`EDU,MIT.` → EDU,
 * MIT.EDU); an X.500 name starting with `/` extends the previous one; a leading space keeps a
 * name as it is; `\` quotes the next character; an empty field stands for every realm of the
 * hierarchy between its neighbours (the client and server realms at the ends). Linear in the
 * input; malformed input throws ERR_KRB_AP_ERROR (`reason: 'transited'`).
 *
 * @example
 * ```ts
 * decodeTransitedRealms(new TextEncoder().encode('EDU,MIT.,ATHENA.'), 'A.ORG', 'B.ORG')
 * // ['EDU', 'MIT.EDU', 'ATHENA.MIT.EDU']
 * ```
 */
export function decodeTransitedRealms(
  contents: Uint8Array,
  clientRealm: string,
  serverRealm: string,
): string[] {
  if (contents.length === 0) return []
  if (contents.length > MAX_TRANSITED_LENGTH) {
    throw transitedError(
      `transited field of ${contents.length} octets is over the ${MAX_TRANSITED_LENGTH} limit`,
      { length: contents.length },
    )
  }
  const text = new TextDecoder('latin1').decode(contents)
  const fields = splitFields(text)
  const named: (string | null)[] = []
  let prev = ''
  for (const f of fields) {
    if (f.value === '') {
      named.push(null)
      continue
    }
    const name = f.prefixDot ? f.value + prev : f.xPrefix ? prev + f.value : f.value
    named.push(name)
    prev = name
  }
  const out = new Set<string>()
  for (let i = 0; i < named.length; i++) {
    const n = named[i]
    if (n !== null && n !== undefined) {
      out.add(n)
      continue
    }
    // An empty field: every realm of the hierarchy between the neighbours.
    if (named.length === 1) throw transitedError('transited encoding is an empty field', {})
    const before = i === 0 ? clientRealm : (named[i - 1] ?? clientRealm)
    const after = i === named.length - 1 ? serverRealm : (named[i + 1] ?? serverRealm)
    for (const r of hierarchicalPath(before, after)) out.add(r)
  }
  return [...out]
}

/**
 * Check a decrypted ticket's transited field against a policy; returns what it found. Throws
 * ERR_KRB_AP_ERROR (`reason: 'transited'`) for a path the KDC did not check and the policy does
 * not accept, or an encoding that is not DOMAIN-X500-COMPRESS.
 *
 * @example
 * ```ts
 * checkTransited(encTicketPart, 'EXAMPLE.COM', 'kdc') // { realms: [], checkedByKDC: false }
 * ```
 */
export function checkTransited(
  part: EncTicketPart,
  serverRealm: string,
  policy: TransitedPolicy = 'kdc',
): TransitedInfo {
  const checkedByKDC = hasFlag(part.flags, TicketFlags.TRANSITED_POLICY_CHECKED)
  const { trType, contents } = part.transited
  if (contents.length === 0) return checkedByKDC ? CHECKED_EMPTY : UNCHECKED_EMPTY
  const ctx = { clientRealm: part.crealm, serverRealm, trType }
  if (trType !== DOMAIN_X500_COMPRESS) {
    if (checkedByKDC) return CHECKED_EMPTY
    throw transitedError(`transited encoding type ${trType} is not DOMAIN-X500-COMPRESS (1)`, ctx)
  }
  const realms = decodeTransitedRealms(contents, part.crealm, serverRealm)
  const info: TransitedInfo = { realms, checkedByKDC }
  if (checkedByKDC || realms.length === 0) return info
  const ok =
    typeof policy === 'function'
      ? policy({ ...info, clientRealm: part.crealm, serverRealm }) === true
      : false
  if (ok) return info
  throw transitedError(
    `ticket from ${part.crealm} to ${serverRealm} transited ${realms.join(', ')}, which the KDC did not check (no TRANSITED-POLICY-CHECKED)`,
    { ...ctx, realms },
  )
}

const CHECKED_EMPTY: TransitedInfo = Object.freeze({
  realms: Object.freeze([]),
  checkedByKDC: true,
})
const UNCHECKED_EMPTY: TransitedInfo = Object.freeze({
  realms: Object.freeze([]),
  checkedByKDC: false,
})

/**
 * A {@link TransitedPolicy} that accepts a path when every transited realm is on the configured
 * path from the client realm to the server realm: `[capaths]` when it has an entry, else the
 * hierarchical path (MIT's krb5_check_transited_list).
 *
 * @example
 * ```ts
 * const acceptor = new Acceptor({ keytab, transitedPolicy: capathsTransitedPolicy(krb5conf) })
 * ```
 */
export function capathsTransitedPolicy(
  capaths:
    Krb5Config | ((clientRealm: string, serverRealm: string) => readonly string[] | undefined),
): (check: TransitedCheck) => boolean {
  const lookup =
    typeof capaths === 'function'
      ? capaths
      : (c: string, s: string): readonly string[] | undefined => capathFor(capaths, c, s)
  return (check) => {
    const path =
      lookup(check.clientRealm, check.serverRealm) ??
      hierarchicalPath(check.clientRealm, check.serverRealm)
    return check.realms.every((r) => path.includes(r))
  }
}
