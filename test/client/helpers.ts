/**
 * Helpers for client tests against a throwaway MIT realm: a KerberosClient wired to the realm's
 * krb5.conf and KDC, and keytab reading.
 */
import { readFileSync } from 'node:fs'
import {
  KerberosClient,
  type ClientTraceEvent,
  type KerberosClientOptions,
} from '../../src/client/index.js'
import { parseConfig, type Krb5Config } from '../../src/config/index.js'
import { parseKeytab, type Keytab } from '../../src/keytab/index.js'
import { discoveryConfigFromKrb5Config } from '../../src/node/kdc-discovery.js'
import { createNodeTransport, type NodeTransportOptions } from '../../src/node/transport.js'
import type { Realm } from '../helpers/realm.js'

/** Anything that wrote a client krb5.conf: an MIT realm, a Samba DC. */
export type HasKrb5Conf = Pick<Realm, 'krb5ConfPath'>

/** The realm's client krb5.conf, parsed. */
export function realmConfig(realm: HasKrb5Conf): Krb5Config {
  return parseConfig(readFileSync(realm.krb5ConfPath, 'utf8'), { path: realm.krb5ConfPath })
}

/** A client for `realm` (or for an explicit krb5.conf text), recording its trace events. */
export function clientFor(
  realm: HasKrb5Conf,
  options: Partial<KerberosClientOptions> & {
    readonly confText?: string
    readonly transportOptions?: NodeTransportOptions
  } = {},
): { client: KerberosClient; events: ClientTraceEvent[]; config: Krb5Config } {
  const config = options.confText !== undefined ? parseConfig(options.confText) : realmConfig(realm)
  const events: ClientTraceEvent[] = []
  const transport =
    options.transport ??
    createNodeTransport({
      config: discoveryConfigFromKrb5Config(config),
      attemptTimeoutMs: 2000,
      deadlineMs: 8000,
      ...(options.transportOptions ?? {}),
    })
  const client = new KerberosClient({
    config,
    trace: (e) => events.push(e),
    ...options,
    transport,
  })
  return { client, events, config }
}

/** Read a keytab file the realm wrote. */
export function keytabAt(path: string): Keytab {
  return parseKeytab(readFileSync(path))
}
