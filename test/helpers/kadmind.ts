/**
 * MIT kadmind's kpasswd service (port 464's equivalent) for a test realm: kadmind reads a copy of
 * the realm's kdc.conf with `kpasswd_listen`/`kadmind_listen` on free loopback ports.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { findFreePort, tcpAccepts, type Realm } from './realm.js'

export const KADMIND_BIN = '/usr/sbin/kadmind'

/** A running kadmind. */
export interface Kadmind {
  readonly kpasswdPort: number
  readonly kadmindPort: number
  readonly pid: number | undefined
  stop(): Promise<void>
}

/** Start kadmind for `realm`; kpasswd answers on 127.0.0.1:`kpasswdPort` (UDP and TCP). */
export async function startKadmind(realm: Realm): Promise<Kadmind> {
  const kpasswdPort = await findFreePort()
  let kadmindPort = await findFreePort()
  while (kadmindPort === kpasswdPort) kadmindPort = await findFreePort()
  const conf = readFileSync(realm.kdcConfPath, 'utf8').replace(
    /(\n    kdc_tcp_listen = [^\n]*\n)/,
    `$1    kpasswd_listen = 127.0.0.1:${kpasswdPort}\n    kadmind_listen = 127.0.0.1:${kadmindPort}\n    kpasswd_port = ${kpasswdPort}\n    kadmind_port = ${kadmindPort}\n`,
  )
  const path = realm.path(`kdc-kadmind-${kpasswdPort}.conf`)
  writeFileSync(path, conf)
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('KRB5')) env[k] = v
  Object.assign(env, realm.env, { KRB5_KDC_PROFILE: path })
  const child: ChildProcess = spawn(
    KADMIND_BIN,
    ['-nofork', '-r', realm.realm, '-p', '/usr/sbin/kdb5_util', '-P', realm.path('kadmind.pid')],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  let exited = false
  child.once('exit', () => (exited = true))
  const until = Date.now() + 10_000
  while (!(await tcpAccepts(kpasswdPort, 200))) {
    if (exited || Date.now() > until) {
      child.kill('SIGKILL')
      throw new Error(`kadmind did not start: ${stderr.trim()}`)
    }
    await sleep(50)
  }
  return {
    kpasswdPort,
    kadmindPort,
    pid: child.pid,
    async stop() {
      if (exited) return
      const done = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([done, sleep(3000)])
      if (!exited) child.kill('SIGKILL')
    },
  }
}
