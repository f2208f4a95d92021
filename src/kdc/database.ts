/**
 * The principal database of the embedded KDC: an interface and an in-memory implementation.
 * Keys are versioned (kvno); a key change bumps the kvno and keeps the old keys, so tickets in
 * flight still decrypt. Nothing is persisted.
 *
 * @module
 */
import { stringToKey, randomKey, type CryptoOptions } from '../crypto/index.js'
import { defaultSalt } from '../crypto/salt.js'
import { EncType, NameType } from '../iana.js'
import { fromUtf8, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, parsePrincipal, type Principal } from '../principal.js'
import type { Keytab, KeytabEntry } from '../keytab/format.js'

/** One long-term key of a principal. */
export interface KDCKey {
  readonly kvno: number
  readonly key: KerberosKey
  /** The salt the key was made with (password keys); sent in ETYPE-INFO2. */
  readonly salt?: string
  /** s2kparams the key was made with, when not the enctype's default. */
  readonly s2kparams?: Uint8Array
}

/** A PAC's LOGON_INFO identity for tickets of this client. */
export interface KDCPacInfo {
  /** The user's RID (default 1000 + an index). */
  readonly userId?: number
  /** The primary group RID (default 513, Domain Users). */
  readonly primaryGroupId?: number
  /** Group RIDs in the realm's domain. */
  readonly groupIds?: readonly number[]
  /** The domain SID, e.g. `S-1-5-21-1-2-3` (default: one derived from nothing, fixed). */
  readonly domainSid?: string
}

/** A principal as the KDC sees it. */
export interface KDCPrincipal {
  /** The canonical name (its realm is the KDC's realm, or another for cross-realm krbtgt). */
  readonly principal: Principal
  /** Every key at every kvno, in any order. */
  readonly keys: readonly KDCKey[]
  /** Demand PA-ENC-TIMESTAMP before an AS-REP (default false; `--user` principals set it). */
  readonly requiresPreauth?: boolean
  /** Longest ticket life in seconds (default: the KDC's). */
  readonly maxLife?: number
  /** Longest renewable life in seconds (default: the KDC's; 0 = not renewable). */
  readonly maxRenewableLife?: number
  /** May not be a server (tickets for it are refused with S_PRINCIPAL_UNKNOWN... MIT: POLICY). */
  readonly disallowServer?: boolean
  /** Session key enctypes this service takes (default: every enctype it has a key for). */
  readonly sessionEnctypes?: readonly number[]
  /** PAC identity; a PAC is put in tickets when the client asks (PA-PAC-REQUEST) or by policy. */
  readonly pac?: KDCPacInfo
}

/** What the KDC needs from a principal database. Lookups ignore the name type. */
export interface PrincipalDatabase {
  get(principal: Principal): KDCPrincipal | undefined
}

/** The enctypes new principals get keys for (aes-sha1 and aes-sha2). */
export const DEFAULT_KEY_ENCTYPES: readonly number[] = [
  EncType.AES256_CTS_HMAC_SHA1_96,
  EncType.AES128_CTS_HMAC_SHA1_96,
  EncType.AES256_CTS_HMAC_SHA384_192,
  EncType.AES128_CTS_HMAC_SHA256_128,
]

/** Options for {@link MemoryPrincipalDatabase.addPassword} and {@link MemoryPrincipalDatabase.addRandom}. */
export interface AddPrincipalOptions extends Omit<KDCPrincipal, 'principal' | 'keys'> {
  /** Enctypes to make keys for (default {@link DEFAULT_KEY_ENCTYPES}; add 23 for rc4-hmac). */
  readonly enctypes?: readonly number[]
  /** The salt for password keys (default: realm + components, RFC 4120 §4). */
  readonly salt?: string
  /** s2kparams for password keys (aes: 4-octet big-endian iteration count). */
  readonly s2kparams?: Uint8Array
  /** First kvno (default 1). */
  readonly kvno?: number
  readonly random?: RandomSource
}

const keyOf = (p: Principal): string => `${p.components.join('/')}@${p.realm}`

function toPrincipal(p: Principal | string, realm: string): Principal {
  return typeof p === 'string' ? parsePrincipal(p, { defaultRealm: realm }) : p
}

/**
 * An in-memory {@link PrincipalDatabase}.
 *
 * @example
 * ```ts
 * const db = new MemoryPrincipalDatabase('EXAMPLE.COM')
 * db.addPassword('alice', 'secret', { requiresPreauth: true })
 * db.addRandom('HTTP/web.example.com')
 * ```
 */
export class MemoryPrincipalDatabase implements PrincipalDatabase {
  /** The default realm of names given as text without `@REALM`. */
  readonly realm: string
  readonly #entries = new Map<string, KDCPrincipal>()
  // How password keys were made (enctypes, salt, s2kparams), for changeKey; never the password.
  readonly #passwordOptions = new Map<string, AddPrincipalOptions>()

  constructor(realm: string) {
    if (typeof realm !== 'string' || realm === '') throw new TypeError('expected a realm name')
    this.realm = realm
  }

  get(principal: Principal): KDCPrincipal | undefined {
    return this.#entries.get(keyOf(principal))
  }

  /** Every principal, canonical names. */
  list(): Principal[] {
    return [...this.#entries.values()].map((e) => e.principal)
  }

  /** Add or replace a principal with the given keys. */
  put(entry: KDCPrincipal): KDCPrincipal {
    if (entry.keys.length === 0) throw new RangeError('expected at least one key')
    this.#entries.set(keyOf(entry.principal), entry)
    return entry
  }

  /** Add a principal whose keys come from a password (string-to-key per enctype). */
  addPassword(
    name: Principal | string,
    password: string,
    options: AddPrincipalOptions & CryptoOptions = {},
  ): KDCPrincipal {
    const principal = toPrincipal(name, this.realm)
    const entry = this.put({
      ...entryOptions(options),
      principal: { ...principal, nameType: principal.nameType || NameType.PRINCIPAL },
      keys: passwordKeys(principal, password, options.kvno ?? 1, options),
    })
    this.#passwordOptions.set(keyOf(principal), options)
    return entry
  }

  /** Add a principal with random keys (a service). */
  addRandom(
    name: Principal | string,
    options: AddPrincipalOptions & CryptoOptions = {},
  ): KDCPrincipal {
    const principal = toPrincipal(name, this.realm)
    return this.put({
      ...entryOptions(options),
      principal,
      keys: randomKeys(options.kvno ?? 1, options),
    })
  }

  /**
   * Change a principal's keys: new keys at kvno + 1 (a new password, or random keys), the old
   * keys kept (at most `keep` older kvnos, default 2) so tickets in flight still decrypt.
   */
  changeKey(
    name: Principal | string,
    options: { readonly password?: string; readonly keep?: number } & CryptoOptions = {},
  ): KDCPrincipal {
    const principal = toPrincipal(name, this.realm)
    const old = this.get(principal)
    if (old === undefined) throw new RangeError(`no principal ${formatPrincipal(principal)}`)
    const kvno = Math.max(...old.keys.map((k) => k.kvno)) + 1
    const opts = { ...(this.#passwordOptions.get(keyOf(principal)) ?? {}), ...options }
    const fresh =
      options.password !== undefined
        ? passwordKeys(old.principal, options.password, kvno, opts)
        : randomKeys(kvno, { ...opts, enctypes: [...new Set(old.keys.map((k) => k.key.enctype))] })
    const keep = options.keep ?? 2
    const kept = old.keys.filter((k) => k.kvno >= kvno - keep)
    return this.put({ ...old, keys: [...fresh, ...kept] })
  }

  /** A keytab with the principal's keys (every kvno kept, newest first), MIT-readable. */
  keytab(name: Principal | string): Keytab {
    const principal = toPrincipal(name, this.realm)
    const entry = this.get(principal)
    if (entry === undefined) throw new RangeError(`no principal ${formatPrincipal(principal)}`)
    const timestamp = Math.floor(Date.now() / 1000)
    const entries: KeytabEntry[] = [...entry.keys]
      .sort((a, b) => b.kvno - a.kvno)
      .map((k) => ({
        principal: { ...entry.principal, nameType: NameType.PRINCIPAL },
        timestamp,
        kvno: k.kvno,
        enctype: k.key.enctype,
        key: k.key,
      }))
    return { version: 0x502, entries }
  }
}

function entryOptions(o: AddPrincipalOptions): Omit<KDCPrincipal, 'principal' | 'keys'> {
  const out: Record<string, unknown> = {}
  for (const k of [
    'requiresPreauth',
    'maxLife',
    'maxRenewableLife',
    'disallowServer',
    'sessionEnctypes',
    'pac',
  ] as const) {
    if (o[k] !== undefined) out[k] = o[k]
  }
  return out as Omit<KDCPrincipal, 'principal' | 'keys'>
}

function passwordKeys(
  principal: Principal,
  password: string,
  kvno: number,
  o: AddPrincipalOptions & CryptoOptions,
): KDCKey[] {
  const salt = o.salt ?? fromUtf8(defaultSalt(principal))
  const enctypes = o.enctypes ?? DEFAULT_KEY_ENCTYPES
  return enctypes.map((e) => {
    const params = e === EncType.RC4_HMAC ? undefined : o.s2kparams
    const key = stringToKey(e, password, salt, {
      ...(params !== undefined ? { params } : {}),
      allowWeak: true,
      ...(o.backend !== undefined ? { backend: o.backend } : {}),
    })
    return params !== undefined ? { kvno, key, salt, s2kparams: params } : { kvno, key, salt }
  })
}

function randomKeys(kvno: number, o: AddPrincipalOptions): KDCKey[] {
  const enctypes = o.enctypes ?? DEFAULT_KEY_ENCTYPES
  return enctypes.map((e) => ({
    kvno,
    key: randomKey(e, { allowWeak: true, ...(o.random !== undefined ? { random: o.random } : {}) }),
  }))
}
