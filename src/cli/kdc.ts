/**
 * `kerberos-ts kdc`: run the embedded KDC on loopback for tests and demos.
 *
 * @module
 */
import { writeFile } from 'node:fs/promises'
import { startKDC, type KDCPrincipalSpec } from '../node/kdc-server.js'
import { writeFileAtomic } from '../node/files.js'
import { useNodeCrypto } from '../node/crypto-backend.js'
import { err, out } from './util.js'

/** The usage text (`kerberos-ts kdc --help`). */
export const usage: string = `usage: kerberos-ts kdc --realm REALM [--listen 127.0.0.1:PORT]
         [--user NAME:PASSWORD]... [--service NAME]... [--keytab NAME=FILE]...
         [--krb5-conf FILE] [--allow-weak-crypto] [--pac]
  --realm       the realm to serve (a krbtgt principal is created)
  --listen      address and port for UDP and TCP (default 127.0.0.1:0 = pick a free port)
  --user        a password principal, preauthentication required
  --service     a principal with random keys (e.g. HTTP/localhost)
  --keytab      write the principal's keys to FILE (mode 0600)
  --krb5-conf   write a client krb5.conf pointing at this KDC to FILE
  --allow-weak-crypto   give principals rc4-hmac keys too and allow them
  --pac         put a PAC in every ticket
Prints a line containing "ready" when listening; stops on SIGINT/SIGTERM.
A KDC for tests and demos: keys live in memory only, no admin protocol, not for production.`

interface KDCArgs {
  realm?: string
  listen?: string
  users: KDCPrincipalSpec[]
  services: string[]
  keytabs: [string, string][]
  krb5Conf?: string
  weak: boolean
  pac: boolean
}

const VALUED = new Set(['--realm', '--listen', '--user', '--service', '--keytab', '--krb5-conf'])

function parse(argv: readonly string[]): KDCArgs | string {
  const a: KDCArgs = { users: [], services: [], keytabs: [], weak: false, pac: false }
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!
    let value: string | undefined
    const eq = arg.indexOf('=')
    if (arg.startsWith('--') && eq > 0 && VALUED.has(arg.slice(0, eq))) {
      value = arg.slice(eq + 1)
      arg = arg.slice(0, eq)
    }
    if (arg === '--allow-weak-crypto') a.weak = true
    else if (arg === '--pac') a.pac = true
    else if (VALUED.has(arg)) {
      value ??= argv[++i]
      if (value === undefined) return `${arg} needs a value`
      if (arg === '--realm') a.realm = value
      else if (arg === '--listen') a.listen = value
      else if (arg === '--krb5-conf') a.krb5Conf = value
      else if (arg === '--service') a.services.push(value)
      else if (arg === '--user') {
        const c = value.indexOf(':')
        if (c <= 0)
          return `--user expects NAME:PASSWORD, got ${JSON.stringify(value.split(':')[0])}`
        a.users.push({ name: value.slice(0, c), password: value.slice(c + 1) })
      } else {
        const k = value.lastIndexOf('=')
        if (k <= 0) return `--keytab expects NAME=FILE`
        a.keytabs.push([value.slice(0, k), value.slice(k + 1)])
      }
    } else return `unknown option ${arg}`
  }
  if (a.realm === undefined) return '--realm is required'
  return a
}

/** Run `kerberos-ts kdc`. Resolves when the KDC has stopped (SIGINT/SIGTERM). */
export async function run(argv: readonly string[]): Promise<number> {
  const a = parse(argv)
  if (typeof a === 'string') {
    err('kdc', `${a}\n${usage}`)
    return 2
  }
  // A process of its own: node:crypto (OpenSSL) for AES and HMAC, as the client CLI commands do.
  useNodeCrypto()
  const enctypes = a.weak ? [18, 17, 20, 19, 23] : undefined
  const extra = enctypes !== undefined ? { enctypes } : {}
  const kdc = await startKDC({
    realm: a.realm!,
    ...(a.listen !== undefined ? { listen: a.listen } : {}),
    allowWeakCrypto: a.weak,
    alwaysPac: a.pac,
    principals: [
      ...a.users.map((u) => ({ ...u, ...extra })),
      ...a.services.map((name) => ({ name, ...extra })),
    ],
  })
  try {
    for (const [name, file] of a.keytabs)
      await writeFileAtomic(file, kdc.keytab(name), { kind: 'keytab' })
    if (a.krb5Conf !== undefined) await writeFile(a.krb5Conf, kdc.krb5Conf())
  } catch (e) {
    await kdc.stop()
    throw e
  }
  out(`kerberos-ts kdc: realm ${kdc.realm} ready on ${kdc.host}:${kdc.port} (udp, tcp)\n`)
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  await kdc.stop()
  out('kerberos-ts kdc: stopped\n')
  return 0
}
