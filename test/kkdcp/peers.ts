/**
 * Real peers for the KKDCP tests: a test CA and a 127.0.0.1 server certificate made with
 * openssl, our `kerberos-ts kdc-proxy` command, and Debian's python3-kdcproxy behind python's
 * wsgiref + ssl. Everything listens on 127.0.0.1 only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../helpers/paths.js'

/** Debian's python (python3-kdcproxy is installed for it only). */
export const PYTHON = '/usr/bin/python3'

/** True when python3-kdcproxy can be imported. */
export function kdcproxyAvailable(): boolean {
  return (
    existsSync(PYTHON) &&
    spawnSync(PYTHON, ['-c', 'import kdcproxy'], { stdio: 'ignore' }).status === 0
  )
}

/** For `test(..., { skip })`: false when present; a loud skip outside CI; throws under CI=true. */
export function skipWithoutKdcproxy(): string | false {
  if (kdcproxyAvailable()) return false
  const msg = 'python3-kdcproxy is not installed (apt-get install python3-kdcproxy)'
  if (process.env.CI === 'true') throw new Error(`${msg}: required when CI=true`)
  console.warn(`\n!!!!! SKIPPING KDCPROXY TEST: ${msg} !!!!!\n`)
  return msg
}

/** MIT's HTTPS (MS-KKDCP) client is the k5tls plugin, Debian package krb5-k5tls. */
export const K5TLS = '/usr/lib/x86_64-linux-gnu/krb5/plugins/tls/k5tls.so'

/** Like {@link skipWithoutKdcproxy}, for MIT's k5tls plugin. */
export function skipWithoutK5tls(): string | false {
  if (existsSync(K5TLS)) return false
  const msg = 'MIT k5tls plugin missing (apt-get install krb5-k5tls): MIT cannot use https KDCs'
  if (process.env.CI === 'true') throw new Error(`${msg}: required when CI=true`)
  console.warn(`\n!!!!! SKIPPING MIT KKDCP TEST: ${msg} !!!!!\n`)
  return msg
}

/** Paths of a test CA and a server certificate for 127.0.0.1 / localhost. */
export interface TestTLS {
  readonly ca: string
  readonly cert: string
  readonly key: string
}

function openssl(args: readonly string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr.toString()}`)
}

/** Make a CA and a server certificate (SAN IP:127.0.0.1, DNS:localhost) in `dir`. */
export function makeTestTLS(dir: string): TestTLS {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=kerberos-ts test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir) // prettier-ignore
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir) // prettier-ignore
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  )
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'], dir) // prettier-ignore
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') }
}

/** A child process that printed a ready line. */
export interface Peer {
  readonly url: string
  readonly proc: ChildProcess
  readonly output: () => string
  stop(): Promise<void>
}

function waitForReady(
  proc: ChildProcess,
  pattern: RegExp,
  what: string,
): Promise<{ match: RegExpExecArray; output: () => string }> {
  let text = ''
  const output = (): string => text
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not ready in 10 s: ${text}`)), 10_000)
    const onData = (chunk: Buffer): void => {
      text += chunk.toString()
      const m = pattern.exec(text)
      if (m !== null) {
        clearTimeout(timer)
        resolve({ match: m, output })
      }
    }
    proc.stdout!.on('data', onData)
    proc.stderr!.on('data', (c: Buffer) => (text += c.toString()))
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${what} exited (${code}): ${text}`))
    })
  })
}

async function stopProc(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  proc.kill('SIGTERM')
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))])
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
}

/** Start `kerberos-ts kdc-proxy` (the built CLI) on 127.0.0.1 with a free port. */
export async function startOurProxy(options: {
  readonly krb5Conf: string
  readonly tls?: TestTLS
  readonly realms: readonly string[]
  readonly extra?: readonly string[]
}): Promise<Peer> {
  const cli = join(repoRoot, 'build', 'src', 'cli', 'main.js')
  const args = [cli, 'kdc-proxy', '--listen', '127.0.0.1:0', '--path', '/KdcProxy']
  if (options.tls !== undefined) args.push('--cert', options.tls.cert, '--key', options.tls.key)
  for (const r of options.realms) args.push('--realm', r)
  args.push(...(options.extra ?? []))
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, KRB5_CONFIG: options.krb5Conf },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const { match, output } = await waitForReady(proc, /ready on (\S+)/, 'kerberos-ts kdc-proxy')
  return { url: match[1]!, proc, output, stop: () => stopProc(proc) }
}

const KDCPROXY_SERVER = String.raw`
import os, ssl, sys
from wsgiref.simple_server import make_server, WSGIRequestHandler
import kdcproxy
class Quiet(WSGIRequestHandler):
    def log_message(self, *a): pass
srv = make_server('127.0.0.1', 0, kdcproxy.Application(), handler_class=Quiet)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print('ready', srv.server_port, flush=True)
srv.serve_forever()
`

/** Start Python's kdcproxy (WSGI, TLS) relaying `realm` to the KDC on 127.0.0.1:`kdcPort` over TCP. */
export async function startPythonKdcproxy(options: {
  readonly dir: string
  readonly realm: string
  readonly kdcPort: number
  readonly tls: TestTLS
}): Promise<Peer> {
  const conf = join(options.dir, 'kdcproxy.conf')
  writeFileSync(
    conf,
    `[global]\nuse_dns = false\n\n[${options.realm}]\nkerberos = kerberos+tcp://127.0.0.1:${options.kdcPort}\n`,
  )
  const script = join(options.dir, 'kdcproxy-server.py')
  writeFileSync(script, KDCPROXY_SERVER)
  const proc = spawn(PYTHON, [script, options.tls.cert, options.tls.key], {
    env: { ...process.env, KDCPROXY_CONFIG: conf },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const { match, output } = await waitForReady(proc, /ready (\d+)/, 'python3 kdcproxy')
  return {
    url: `https://127.0.0.1:${match[1]}/KdcProxy`,
    proc,
    output,
    stop: () => stopProc(proc),
  }
}
