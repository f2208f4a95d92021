/**
 * Value syntaxes used in krb5.conf, parsed as MIT does: booleans (prof_get.c), integers,
 * durations (`krb5_string_to_deltat`, lib/krb5/krb/deltat.y), enctype lists (init_ctx.c
 * `krb5int_parse_enctype_list`) and KDC addresses (`k5_parse_host_string`).
 *
 * @module
 */
import { KerberosError, ErrorCodes } from '../errors.js'
import { EncType, EncTypeAliases } from '../iana.js'

function bad(what: string, value: string, expected: string): never {
  throw new KerberosError(
    ErrorCodes.CONFIG,
    `invalid ${what} ${JSON.stringify(value)}: expected ${expected}`,
    {
      context: { value },
    },
  )
}

const YES = new Set(['y', 'yes', 'true', 't', '1', 'on'])
const NO = new Set(['n', 'no', 'false', 'nil', '0', 'off'])

/**
 * A profile boolean: `y yes true t 1 on` / `n no false nil 0 off`, any case (MIT conf_yes/conf_no).
 *
 * @example
 * ```ts
 * parseConfigBoolean('Yes') // true
 * ```
 */
export function parseConfigBoolean(value: string): boolean {
  const v = value.toLowerCase()
  if (YES.has(v)) return true
  if (NO.has(v)) return false
  return bad('boolean', value, 'one of y/yes/true/t/1/on or n/no/false/nil/0/off')
}

/**
 * A profile integer (MIT profile_get_integer: strtol base 0, so `0x10` and `010` are allowed;
 * the whole value must be used; 32-bit range).
 *
 * @example
 * ```ts
 * parseConfigInteger('1465') // 1465
 * ```
 */
export function parseConfigInteger(value: string): number {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(value)
  if (m === null) return bad('integer', value, 'a decimal, octal (0...) or hex (0x...) number')
  const digits = m[2]!
  const radix = /^0[xX]/.test(digits) ? 16 : digits.length > 1 && digits.startsWith('0') ? 8 : 10
  const n = parseInt(radix === 16 ? digits.slice(2) : digits, radix) * (m[1] === '-' ? -1 : 1)
  if (n > 0x7fffffff || n < -0x80000000) return bad('integer', value, 'a 32-bit number')
  return n
}

const INT32_MAX = 0x7fffffff
const INT32_MIN = -0x80000000

interface Lexer {
  readonly s: string
  i: number
}

function ws(lx: Lexer): void {
  while (lx.i < lx.s.length && /\s/.test(lx.s[lx.i]!)) lx.i++
}

/** deltat.y `wsnum`: optional blanks, optional `-`, digits. Returns undefined when absent. */
function wsnum(lx: Lexer): number | undefined {
  const start = lx.i
  ws(lx)
  const neg = lx.s[lx.i] === '-'
  if (neg) lx.i++
  const m = /^[0-9]+/.exec(lx.s.slice(lx.i))
  if (m === null) {
    lx.i = start
    return undefined
  }
  lx.i += m[0].length
  const n = Number(m[0])
  if (n > INT32_MAX) throw new RangeError('overflow')
  return neg ? -n : n
}

/** deltat.y `NUM` after `:` or `-`: one or two digits, no sign, no blanks. */
function shortNum(lx: Lexer): number | undefined {
  const m = /^[0-9]{1,2}(?![0-9])/.exec(lx.s.slice(lx.i))
  if (m === null) return undefined
  lx.i += m[0].length
  return Number(m[0])
}

/** The tail after a unit: `[N unit]...` for the remaining smaller units, then optional blanks. */
function unitTail(lx: Lexer, units: string): number | undefined {
  let total = 0
  let allowed = units
  for (;;) {
    const save = lx.i
    const n = wsnum(lx)
    if (n === undefined) break
    const u = lx.s[lx.i]
    const at = u === undefined ? -1 : allowed.indexOf(u)
    if (at < 0) {
      lx.i = save
      break
    }
    lx.i++
    total += n * UNIT[u!]!
    allowed = allowed.slice(at + 1)
  }
  if (allowed !== '') ws(lx) // deltat.y: blanks may end the value, but not right after `Ns`
  return lx.i === lx.s.length ? total : undefined
}

const UNIT: Readonly<Record<string, number>> = { d: 86400, h: 3600, m: 60, s: 1 }

function colonForm(lx: Lexer, first: number): number | undefined {
  const sep = lx.s[lx.i]
  lx.i++
  if (sep === '-') {
    const h = shortNum(lx)
    if (h === undefined || lx.s[lx.i++] !== ':') return undefined
    const rest = colonForm2(lx)
    return rest === undefined ? undefined : first * 86400 + h * 3600 + rest
  }
  const m = shortNum(lx)
  if (m === undefined) return undefined
  if (lx.i === lx.s.length) return first * 3600 + m * 60
  if (lx.s[lx.i++] !== ':') return undefined
  const s = shortNum(lx)
  return s === undefined || lx.i !== lx.s.length ? undefined : first * 3600 + m * 60 + s
}

function colonForm2(lx: Lexer): number | undefined {
  const m = shortNum(lx)
  if (m === undefined || lx.s[lx.i++] !== ':') return undefined
  const s = shortNum(lx)
  return s === undefined || lx.i !== lx.s.length ? undefined : m * 60 + s
}

function deltat(text: string): number | undefined {
  const lx: Lexer = { s: text, i: 0 }
  const first = wsnum(lx)
  if (first === undefined) return undefined
  if (lx.i === text.length) return first
  const u = text[lx.i]!
  if (u === ':' || u === '-') return colonForm(lx, first)
  const order = 'dhms'
  const at = order.indexOf(u)
  if (at < 0) return undefined
  lx.i++
  if (u === 's') return lx.i === text.length ? first : undefined
  const rest = unitTail(lx, order.slice(at + 1))
  return rest === undefined ? undefined : first * UNIT[u]! + rest
}

/**
 * A duration in seconds, with MIT's `krb5_string_to_deltat` grammar: `N` (seconds),
 * `NdNhNmNs` (units in that order, any subset, blanks allowed between parts), `h:mm[:ss]`
 * and `d-hh:mm:ss`. The result must fit a signed 32-bit number.
 *
 * @example
 * ```ts
 * parseDuration('10h')      // 36000
 * parseDuration('1d 2h')    // 93600
 * parseDuration('1:30')     // 5400
 * parseDuration('2-00:00:00') // 172800
 * ```
 */
export function parseDuration(value: string): number {
  let n: number | undefined
  try {
    n = deltat(value)
  } catch {
    n = undefined
  }
  if (n === undefined || n > INT32_MAX || n < INT32_MIN) {
    return bad('duration', value, 'N seconds, NdNhNmNs, h:m[:s] or d-h:m:s')
  }
  return n
}

/** MIT's DEFAULT enctype list (krb5.conf documentation, release 1.18 and later). */
export const DEFAULT_ENCTYPES: readonly number[] = Object.freeze([
  EncType.AES256_CTS_HMAC_SHA1_96,
  EncType.AES128_CTS_HMAC_SHA1_96,
  EncType.AES256_CTS_HMAC_SHA384_192,
  EncType.AES128_CTS_HMAC_SHA256_128,
  EncType.DES3_CBC_SHA1_KD,
  EncType.RC4_HMAC,
  EncType.CAMELLIA256_CTS_CMAC,
  EncType.CAMELLIA128_CTS_CMAC,
])

/** Enctypes MIT flags weak (dropped unless `allow_weak_crypto`): single DES and export RC4. */
export const WEAK_ENCTYPES: readonly number[] = Object.freeze([1, 2, 3, 24])

const FAMILIES: Readonly<Record<string, readonly number[]>> = {
  default: DEFAULT_ENCTYPES,
  aes: [18, 17, 20, 19],
  rc4: [23],
  camellia: [26, 25],
  des3: [16],
  des: [1, 3, 2],
}

function tokenEnctypes(token: string): readonly number[] {
  const lower = token.toLowerCase()
  const family = FAMILIES[lower]
  if (family !== undefined) return family
  const n = EncTypeAliases[lower]
  if (n !== undefined) return [n]
  if (/^-?[0-9]+$/.test(token)) return [Number(token)]
  return [] // MIT ignores unknown names
}

/** Options for {@link parseEncTypeList}. */
export interface ParseEncTypeListOptions {
  /** Keep weak enctypes (MIT `allow_weak_crypto`). Default false. */
  readonly allowWeak?: boolean
}

/**
 * An enctype list as MIT reads it: names, aliases, numbers and families (`DEFAULT`, `aes`,
 * `rc4`, `camellia`, `des3`, `des`), separated by blanks or commas; `-name` removes,
 * `+name` or `name` appends what is not already there; unknown names are ignored. Weak enctypes
 * are dropped unless `allowWeak`.
 *
 * @example
 * ```ts
 * parseEncTypeList('DEFAULT -rc4 -des3') // [18, 17, 20, 19, 26, 25]
 * parseEncTypeList('aes256-cts rc4-hmac') // [18, 23]
 * ```
 */
export function parseEncTypeList(value: string, options: ParseEncTypeListOptions = {}): number[] {
  const list: number[] = []
  for (const raw of value.split(/[\s,]+/)) {
    if (raw === '') continue
    const remove = raw.startsWith('-')
    const token = remove || raw.startsWith('+') ? raw.slice(1) : raw
    for (const e of tokenEnctypes(token)) {
      const at = list.indexOf(e)
      if (remove && at >= 0) list.splice(at, 1)
      else if (!remove && at < 0) list.push(e)
    }
  }
  return options.allowWeak === true ? list : list.filter((e) => !WEAK_ENCTYPES.includes(e))
}

/** A server address from krb5.conf (`kdc`, `admin_server`, `kpasswd_server`). */
export interface ServerAddress {
  /** Host name or IP address (IPv6 without brackets); for `https://` entries, the URL's host. */
  readonly host: string
  /** The port, when the entry names one. */
  readonly port?: number
  /** `tcp/`/`udp/` prefixes force a transport; `https://` entries are MS-KKDCP proxies. */
  readonly transport?: 'tcp' | 'udp' | 'https'
  /** The full URL of an `https://` (MS-KKDCP) entry. */
  readonly url?: string
}

function parsePort(text: string, entry: string): number {
  if (!/^[0-9]{1,5}$/.test(text)) return bad('port in', entry, 'host[:port] with a port 1-65535')
  const port = Number(text)
  if (port < 1 || port > 65535) return bad('port in', entry, 'host[:port] with a port 1-65535')
  return port
}

/**
 * One KDC/admin server entry: `host`, `host:port`, `[v6addr]:port`, bare IPv6, with an optional
 * `tcp/` or `udp/` prefix, or an `https://` MS-KKDCP proxy URL (MIT k5_parse_host_string).
 *
 * @example
 * ```ts
 * parseServerAddress('kdc.example.com:88') // { host: 'kdc.example.com', port: 88 }
 * parseServerAddress('tcp/[2001:db8::1]:750') // { host: '2001:db8::1', port: 750, transport: 'tcp' }
 * ```
 */
export function parseServerAddress(entry: string): ServerAddress {
  let text = entry.trim()
  if (/^https:\/\//i.test(text)) {
    const host = /^https:\/\/(\[[^\]]*\]|[^/:]*)/i.exec(text)?.[1] ?? ''
    return { host: host.replace(/^\[|\]$/g, ''), transport: 'https', url: text }
  }
  let transport: 'tcp' | 'udp' | undefined
  if (/^(tcp|udp)\//i.test(text)) {
    transport = text.slice(0, 3).toLowerCase() as 'tcp' | 'udp'
    text = text.slice(4)
  }
  let host = text
  let port: number | undefined
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0) return bad('address', entry, '[IPv6]:port with a closing "]"')
    host = text.slice(1, close)
    const rest = text.slice(close + 1)
    if (rest !== '') {
      if (!rest.startsWith(':')) return bad('address', entry, '[IPv6]:port')
      port = parsePort(rest.slice(1), entry)
    }
  } else if (text.indexOf(':') >= 0 && text.indexOf(':') === text.lastIndexOf(':')) {
    host = text.slice(0, text.indexOf(':'))
    port = parsePort(text.slice(text.indexOf(':') + 1), entry)
  }
  if (host === '' || /\s/.test(host)) return bad('address', entry, 'a host name or address')
  return {
    host,
    ...(port !== undefined ? { port } : {}),
    ...(transport !== undefined ? { transport } : {}),
  }
}
