/** Test helpers for FAST (RFC 6113) against MIT krb5. */
import { readFileSync, writeFileSync } from 'node:fs'
import type { Realm } from './realm.js'

/**
 * Disable encrypted timestamp in the MIT KDC (kdc.conf `[plugins] kdcpreauth = { disable =
 * encrypted_timestamp }`) and restart it: a `+requires_preauth` principal can then only log in
 * with FAST's encrypted challenge. (`disable_encrypted_timestamp` in `[realms]` is a client-side
 * krb5.conf relation: the KDC ignores it.)
 */
export async function disableEncryptedTimestamp(realm: Realm): Promise<void> {
  const conf = readFileSync(realm.kdcConfPath, 'utf8')
  if (!conf.includes('disable = encrypted_timestamp')) {
    const plugins =
      '[plugins]\n  kdcpreauth = {\n    disable = encrypted_timestamp\n  }\n\n[logging]'
    writeFileSync(realm.kdcConfPath, conf.replace('[logging]', plugins))
  }
  await realm.restart()
}
