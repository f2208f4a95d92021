/**
 * One-call client setup on Node, with MIT's library defaults: krb5.conf from `KRB5_CONFIG` (else
 * `/etc/krb5.conf`), a transport built from it, the TGT of the default ccache (`KRB5CCNAME`, else
 * `default_ccache_name`, else `/tmp/krb5cc_<uid>`) when it holds one, and a login with the client
 * keytab (`KRB5_CLIENT_KTNAME`, else `default_client_keytab_name`) when asked. The core
 * ({@link KerberosClient}) stays sans-I/O: this module only gathers its inputs.
 *
 * @module
 */
import { KerberosClient, type KerberosClientOptions } from '../client/client.js'
import type { Transport } from '../client/transport.js'
import type { Krb5Config } from '../config/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import type { Keytab } from '../keytab/index.js'
import type { Principal } from '../principal.js'
import { formatPrincipal } from '../principal.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import { readCCache } from './ccache-store.js'
import { configNotLoaded, loadConfig } from './config.js'
import { resolveClientKeytabName, type EnvOptions } from './env.js'
import { readKeytab } from './files.js'
import { createNodeTransport, type NodeTransportOptions } from './transport.js'

/** Options for {@link createClient}; every field is optional. */
export interface CreateClientOptions
  extends Omit<KerberosClientOptions, 'transport' | 'config'>, EnvOptions {
  /** A loaded krb5.conf; default {@link loadConfig} (`KRB5_CONFIG`, else `/etc/krb5.conf`). */
  readonly config?: Krb5Config
  /** krb5.conf files to read instead of `KRB5_CONFIG` / `/etc/krb5.conf`. */
  readonly configPaths?: readonly string[]
  /** The transport; default {@link createNodeTransport} on the loaded config. */
  readonly transport?: Transport
  /** Options of the default transport (its `config` is the loaded krb5.conf). */
  readonly transportOptions?: Omit<NodeTransportOptions, 'config'>
  /**
   * The ccache to start from: its TGT (when not expired, and for `principal` when given) becomes
   * the client's. Default: `KRB5CCNAME`, else `default_ccache_name`, else `/tmp/krb5cc_<uid>`;
   * a missing cache is not an error. `false`: do not read a ccache.
   */
  readonly ccache?: string | false
  /**
   * Log in with a keytab when the ccache gave no TGT: `true` for the client keytab
   * (`KRB5_CLIENT_KTNAME`, else `default_client_keytab_name`), a file name, or a parsed keytab.
   * The principal is `principal`, else the keytab's first entry (as `kinit -k -i`).
   */
  readonly keytab?: boolean | string | Keytab
  /** The client principal: filters the ccache TGT and names the keytab login. */
  readonly principal?: string | Principal
}

/** The client {@link createClient} returns: errors that stem from a missing krb5.conf say so. */
class NodeKerberosClient extends KerberosClient {
  readonly #notLoaded: string | undefined

  constructor(options: KerberosClientOptions, notLoaded: string | undefined) {
    super(options)
    this.#notLoaded = notLoaded
  }

  override async login(
    ...args: Parameters<KerberosClient['login']>
  ): ReturnType<KerberosClient['login']> {
    return this.explained(() => super.login(...args))
  }

  override async getServiceTicket(
    ...args: Parameters<KerberosClient['getServiceTicket']>
  ): ReturnType<KerberosClient['getServiceTicket']> {
    return this.explained(() => super.getServiceTicket(...args))
  }

  override async renew(
    ...args: Parameters<KerberosClient['renew']>
  ): ReturnType<KerberosClient['renew']> {
    return this.explained(() => super.renew(...args))
  }

  private async explained<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (err) {
      throw explain(err, this.#notLoaded)
    }
  }
}

/** Prefix errors a krb5.conf would have prevented (no default realm, no KDC) with the reason. */
function explain(err: unknown, notLoaded: string | undefined): unknown {
  if (notLoaded === undefined || !(err instanceof KerberosError)) return err
  if (err.message.startsWith('krb5.conf was not loaded')) return err
  const missingRealm = err.code === ErrorCodes.CONFIG && err.message.startsWith('no realm for ')
  const missingKDC =
    err.code === ErrorCodes.KDC_UNREACHABLE && err.message.includes('no KDC is known')
  if (!missingRealm && !missingKDC) return err
  return new KerberosError(err.code, `${notLoaded}; ${err.message}`, {
    cause: err,
    context: err.context,
  })
}

function envOptions(options: CreateClientOptions): EnvOptions {
  return {
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.identity !== undefined ? { identity: options.identity } : {}),
  }
}

async function loadTheConfig(
  options: CreateClientOptions,
): Promise<{ config: Krb5Config; notLoaded: string | undefined }> {
  if (options.config !== undefined) return { config: options.config, notLoaded: undefined }
  const load = {
    ...envOptions(options),
    ...(options.configPaths !== undefined ? { paths: options.configPaths } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  }
  const config = await loadConfig(load)
  return { config, notLoaded: configNotLoaded(config, load) }
}

function samePrincipal(a: Principal, b: string | Principal | undefined, realm?: string): boolean {
  if (b === undefined) return true
  const want = typeof b === 'string' ? b : formatPrincipal(b)
  const have = formatPrincipal(a)
  return have === want || (realm !== undefined && have === `${want}@${realm}`)
}

/** Start from the ccache's TGT: returns it when it was usable. */
async function startFromCCache(
  client: KerberosClient,
  config: Krb5Config,
  options: CreateClientOptions,
): Promise<Credentials | undefined> {
  if (options.ccache === false) return undefined
  let cc
  try {
    cc = await readCCache(options.ccache, { ...envOptions(options), config })
  } catch (err) {
    if (err instanceof KerberosError && err.code === ErrorCodes.CCACHE_NOT_FOUND) return undefined
    throw err
  }
  if (!samePrincipal(cc.defaultPrincipal, options.principal, client.realm)) return undefined
  const tgt = client.fromCCache(cc)
  if (tgt === undefined || tgt.endtime.getTime() <= client.now().getTime()) return undefined
  return tgt
}

async function keytabLogin(
  client: KerberosClient,
  config: Krb5Config,
  options: CreateClientOptions,
): Promise<void> {
  const source = options.keytab
  if (source === undefined || source === false) return
  const keytab =
    typeof source === 'object'
      ? source
      : await readKeytab(
          source === true ? resolveClientKeytabName({ ...envOptions(options), config }) : source,
          { ...envOptions(options), config },
        )
  const principal = options.principal ?? keytab.entries[0]?.principal
  if (principal === undefined) {
    throw new KerberosError(ErrorCodes.NO_CREDENTIALS, 'the client keytab holds no entries')
  }
  await client.login({
    principal,
    keytab,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  })
}

/**
 * A {@link KerberosClient} set up as MIT's library sets up a context: krb5.conf loaded, a Node
 * transport on it, the default ccache's TGT loaded when present, else a keytab login when
 * `keytab` asks for one. Errors a missing krb5.conf causes (no default realm, no KDC for a realm)
 * start with `krb5.conf was not loaded: ` and say which files were tried.
 *
 * @example
 * ```ts
 * import { createClient } from 'kerberos-ts/node'
 * // KRB5_CONFIG=/etc/krb5.conf KRB5_CLIENT_KTNAME=/etc/svc.keytab
 * const client = await createClient({ keytab: true })
 * const ticket = await client.getServiceTicket('HTTP@web.example.com')
 * ```
 */
export async function createClient(options: CreateClientOptions = {}): Promise<KerberosClient> {
  const { config, notLoaded } = await loadTheConfig(options)
  const {
    transport,
    transportOptions,
    ccache: _cc,
    keytab: _kt,
    principal: _p,
    configPaths: _paths,
    env: _env,
    identity: _id,
    ...clientOptions
  } = options
  const client = new NodeKerberosClient(
    {
      ...clientOptions,
      config,
      transport: transport ?? createNodeTransport({ ...transportOptions, config }),
    },
    notLoaded,
  )
  try {
    if ((await startFromCCache(client, config, options)) === undefined) {
      await keytabLogin(client, config, options)
    }
  } catch (err) {
    throw explain(err, notLoaded)
  }
  return client
}
