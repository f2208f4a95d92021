/**
 * `kerberos-ts kdc-proxy`: an MS-KKDCP KDC proxy server (an npm-installable alternative to
 * Python's kdcproxy). KDCs come from krb5.conf (`KRB5_CONFIG`, else `/etc/krb5.conf`).
 *
 * @module
 */
import { readFile } from 'node:fs/promises'
import { createServer as createHTTPServer, type Server } from 'node:http'
import { createServer as createHTTPSServer } from 'node:https'
import { loadConfig } from '../node/config.js'
import { createKDCProxyHandler } from '../node/kdc-proxy.js'
import { err, optionValue, out, parseCommandArgs } from './util.js'

/** The usage text (`kerberos-ts kdc-proxy --help`). */
export const usage: string = `usage: kerberos-ts kdc-proxy --listen HOST:PORT [--cert FILE --key FILE]
                             [--realm REALM]... [--path /KdcProxy] [--max-bytes N] [-q]
  --listen   address to listen on (e.g. 127.0.0.1:8443; port 0 picks one)
  --cert/--key  PEM certificate and key: serve HTTPS (without them: plain HTTP, for a TLS
             terminator in front)
  --realm    a realm to serve (repeat for more; default: default_realm of krb5.conf)
  --path     only this URL path is served (default: any)
  --max-bytes  largest request body (default 65536)
  -q         no per-request log lines
Prints "kdc-proxy ready on URL" once listening.`

/** `--realm` may repeat: collect every value and drop them from argv. */
function takeRealms(argv: readonly string[]): { realms: string[]; rest: string[] } {
  const realms: string[] = []
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--realm' && argv[i + 1] !== undefined) realms.push(argv[++i]!)
    else if (a.startsWith('--realm=')) realms.push(a.slice(8))
    else rest.push(a)
  }
  return { realms, rest }
}

function parseListen(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text)
  if (m === null || Number(m[3]) > 65535) return undefined
  return { host: m[1] ?? m[2]!, port: Number(m[3]) }
}

/** Run `kerberos-ts kdc-proxy`; resolves when the server closes (SIGINT/SIGTERM). */
export async function run(argv: readonly string[]): Promise<number> {
  const { realms, rest } = takeRealms(argv)
  const spec = {
    '--listen': true,
    '--cert': true,
    '--key': true,
    '--path': true,
    '--max-bytes': true,
    '-q': false,
    '-h': false,
    '--help': false,
  }
  const args = parseCommandArgs('kdc-proxy', rest, spec, usage)
  if (typeof args === 'number') return args
  const listen = parseListen(optionValue(args, '--listen') ?? '')
  const cert = optionValue(args, '--cert')
  const key = optionValue(args, '--key')
  const maxBytes = Number(optionValue(args, '--max-bytes') ?? 65536)
  if (listen === undefined || (cert === undefined) !== (key === undefined) || !(maxBytes > 0)) {
    err('kdc-proxy', `expected --listen HOST:PORT, and --cert with --key\n${usage}`)
    return 2
  }
  const config = await loadConfig()
  if (realms.length === 0) {
    const def = config.get('libdefaults', 'default_realm')
    if (def === undefined) {
      err('kdc-proxy', 'no --realm given and krb5.conf has no default_realm')
      return 2
    }
    realms.push(def)
  }
  warnRealmsWithoutKDC(config, realms)
  const path = optionValue(args, '--path')
  const quiet = args.options.has('-q')
  const proxy = createKDCProxyHandler({
    realms,
    maxRequestBytes: maxBytes,
    transportOptions: { config },
    log: (e) => {
      if (!quiet) out(`${e.status} ${e.realm ?? '-'} ${e.ms}ms ${e.reason}\n`)
    },
  })
  const handler: Parameters<typeof createHTTPServer>[1] = (req, res) => {
    if (path !== undefined && (req.url ?? '').split('?')[0] !== path) {
      req.resume()
      res.statusCode = 404
      res.end()
      return
    }
    proxy(req, res)
  }
  const server: Server =
    cert !== undefined && key !== undefined
      ? createHTTPSServer({ cert: await readFile(cert), key: await readFile(key) }, handler)
      : createHTTPServer(handler)
  server.requestTimeout = 30_000
  server.headersTimeout = 10_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, () => resolve())
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr !== null ? addr.port : listen.port
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host
  out(
    `kdc-proxy ready on ${cert !== undefined ? 'https' : 'http'}://${host}:${port}${path ?? '/'} for ${realms.join(', ')}\n`,
  )
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      server.close(() => resolve())
      server.closeAllConnections()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  return 0
}

/**
 * A realm served but without a KDC the proxy can relay to (krb5.conf names none, `https` entries
 * are skipped): every request for it would be a 503. Said once at start, on stderr.
 */
function warnRealmsWithoutKDC(
  config: Awaited<ReturnType<typeof loadConfig>>,
  realms: readonly string[],
): void {
  const dns = !/^(false|no|off|0)$/i.test(config.get('libdefaults', 'dns_lookup_kdc') ?? 'true')
  for (const realm of realms) {
    const kdcs = config.getAll('realms', realm, 'kdc').filter((k) => !/^https?:/i.test(k.trim()))
    if (kdcs.length > 0) continue
    err(
      'kdc-proxy',
      dns
        ? `warning: krb5.conf names no KDC for ${realm} ([realms] ${realm} = { kdc = host }): the proxy will ask DNS (_kerberos SRV records), and answer 503 if that finds none`
        : `warning: krb5.conf names no KDC for ${realm} ([realms] ${realm} = { kdc = host }) and dns_lookup_kdc is off: every request for ${realm} will get 503`,
    )
  }
}
