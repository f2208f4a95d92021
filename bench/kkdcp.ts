/**
 * MS-KKDCP overhead (issue 15, "Speed"): a password login (two AS round trips, preauth) of our
 * client to an MIT KDC directly over TCP, and through `kerberos-ts kdc-proxy` over HTTPS (test CA
 * on 127.0.0.1), interleaved, medians of `rounds`. Needs MIT krb5 and openssl; skipped without.
 */
import { readFileSync } from 'node:fs'
import { KerberosClient } from '../src/client/index.js'
import { parseConfig } from '../src/config/index.js'
import { createNodeTransport } from '../src/node/transport.js'
import { makeTestTLS, startOurProxy } from '../test/kkdcp/peers.js'
import { mitAvailable, startRealm } from '../test/helpers/realm.js'
import { printRows } from './harness.js'

/** What {@link benchKKDCP} measured, in milliseconds per login. */
export interface KKDCPBench {
  readonly directMs: number
  readonly proxiedMs: number
  readonly overheadMs: number
}

const median = (v: number[]): number => [...v].sort((x, y) => x - y)[v.length >> 1]!

/** Time logins direct vs through our KDC proxy; undefined when MIT krb5 is missing. */
export async function benchKKDCP(
  options: { readonly rounds?: number; readonly print?: boolean } = {},
): Promise<KKDCPBench | undefined> {
  if (!mitAvailable()) {
    console.log('KKDCP overhead: MIT krb5 missing — skipped')
    return undefined
  }
  const rounds = options.rounds ?? 30
  const realm = await startRealm()
  let proxy: Awaited<ReturnType<typeof startOurProxy>> | undefined
  try {
    await realm.addPrincipal('alice', { password: 'kkdcp-pw-1', requiresPreauth: true })
    const tls = makeTestTLS(realm.dir)
    proxy = await startOurProxy({ krb5Conf: realm.krb5ConfPath, tls, realms: [realm.realm] })
    const client = (kdc: string): KerberosClient => {
      const path = realm.writeKrb5Conf(`bench-${Math.random().toString(36).slice(2)}.conf`, {
        kdc: [kdc],
      })
      const config = parseConfig(readFileSync(path, 'utf8'), { path })
      return new KerberosClient({ config, transport: createNodeTransport({ config }) })
    }
    const direct = client(`tcp/127.0.0.1:${realm.kdcPort}`)
    const proxied = client(`${proxy.url}\n    http_anchors = FILE:${tls.ca}`)
    const once = async (c: KerberosClient): Promise<number> => {
      const start = performance.now()
      await c.login({ principal: 'alice', password: 'kkdcp-pw-1' })
      return performance.now() - start
    }
    await once(direct)
    await once(proxied)
    const a: number[] = []
    const b: number[] = []
    for (let i = 0; i < rounds; i++) {
      a.push(await once(direct))
      b.push(await once(proxied))
    }
    const r = { directMs: median(a), proxiedMs: median(b), overheadMs: median(b) - median(a) }
    if (options.print !== false) {
      console.log(`\nKKDCP: password login (2 AS round trips), median of ${rounds}, interleaved`)
      printRows([
        ['path', 'ms per login'],
        ['direct TCP to the MIT KDC', r.directMs.toFixed(1)],
        ['kerberos-ts kdc-proxy over HTTPS', r.proxiedMs.toFixed(1)],
        ['overhead', r.overheadMs.toFixed(1)],
      ])
    }
    return r
  } finally {
    await proxy?.stop()
    await realm.stop()
  }
}
