/** Helpers for the embedded-KDC tests: an in-process transport and a realm with the usual principals. */
import { KerberosClient } from '../../src/client/index.js'
import { parseConfig } from '../../src/config/index.js'
import type { Transport } from '../../src/client/transport.js'
import { KDC, MemoryPrincipalDatabase, type KDCOptions } from '../../src/kdc/index.js'
import { tgsPrincipal } from '../../src/principal.js'
import { krb5ConfText } from '../../src/node/kdc-server.js'

export const REALM = 'EMB.TEST'

/** A transport that hands requests to sans-I/O KDCs by realm. */
export function inProcess(kdcs: Readonly<Record<string, KDC>>): Transport {
  return {
    async sendToKDC(realm, request) {
      const kdc = kdcs[realm]
      if (kdc === undefined) throw new Error(`no KDC for ${realm}`)
      const reply = kdc.handle(request)
      if (reply === undefined) throw new Error('the KDC said nothing')
      return reply
    },
  }
}

/** A database with krbtgt, alice (password, preauth), bob (password, no preauth), HTTP/localhost. */
export function makeRealm(
  realm = REALM,
  options: Partial<KDCOptions> = {},
): { db: MemoryPrincipalDatabase; kdc: KDC } {
  const db = new MemoryPrincipalDatabase(realm)
  db.addRandom(tgsPrincipal(realm))
  db.addPassword('alice', 'alice-pw', { requiresPreauth: true })
  db.addPassword('bob', 'bob-pw')
  db.addRandom('HTTP/localhost')
  return { db, kdc: new KDC({ realm, database: db, ...options }) }
}

/** Our client, talking to `kdcs` in process. */
export function clientOf(
  kdcs: Readonly<Record<string, KDC>>,
  realm = REALM,
  extra = '',
): KerberosClient {
  const config = parseConfig(krb5ConfText(realm, '127.0.0.1:1') + extra)
  return new KerberosClient({ config, transport: inProcess(kdcs) })
}
