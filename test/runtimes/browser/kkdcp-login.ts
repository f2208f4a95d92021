/**
 * Browser entry (bundled with esbuild for the page kkdcp.html): log in through the web server's own
 * KDC proxy (MS-KKDCP over `fetch`) with our client, then call a Negotiate-protected API with
 * `negotiateFetch`. Imports the core only (no `kerberos-ts/node`): the bundle must run in a page.
 */
import { KerberosClient, createKKDCPTransport } from '../../../src/client/index.js'
import { negotiateFetch } from '../../../src/http/index.js'
import { formatPrincipal } from '../../../src/principal.js'

/** What the page reports back to the test (no keys, no password). */
export interface KKDCPLoginResult {
  readonly ok: boolean
  readonly client?: string
  readonly tgtServer?: string
  readonly status?: number
  readonly principal?: string
  readonly error?: string
  readonly code?: string
  readonly ms: number
}

/** Log in as `principal` through the proxy at `proxyURL`, then GET `apiURL` with Negotiate. */
export async function kkdcpLogin(options: {
  readonly realm: string
  readonly principal: string
  readonly password: string
  readonly proxyURL: string
  readonly apiURL: string
}): Promise<KKDCPLoginResult> {
  const t0 = Date.now()
  try {
    const transport = createKKDCPTransport({ proxies: options.proxyURL, timeoutMs: 20_000 })
    const client = new KerberosClient({ realm: options.realm, transport })
    const tgt = await client.login({ principal: options.principal, password: options.password })
    const kfetch = negotiateFetch({ client })
    const res = await kfetch(options.apiURL, { credentials: 'omit' })
    const body = (await res.json()) as { principal?: string }
    return {
      ok: res.status === 200,
      client: formatPrincipal(tgt.client),
      tgtServer: formatPrincipal(tgt.server),
      status: res.status,
      ...(body.principal !== undefined ? { principal: body.principal } : {}),
      ms: Date.now() - t0,
    }
  } catch (err) {
    const e = err as { message?: string; code?: string }
    return {
      ok: false,
      error: String(e.message ?? err),
      ...(e.code !== undefined ? { code: e.code } : {}),
      ms: Date.now() - t0,
    }
  }
}
