/**
 * `kerberos-ts kdc`: start, "ready", keytab and krb5.conf written, MIT kinit against it, our
 * keytab reader, clean stop on SIGTERM.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAIN } from '../cli/run-cli.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { MIT_BIN, runTool, skipWithoutMIT } from '../helpers/realm.js'

test(
  'kerberos-ts kdc: --user/--service/--keytab/--krb5-conf, prints ready, MIT kinit works, stops on SIGTERM',
  { skip: skipWithoutMIT() },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kts-kdc-cli-'))
    const kt = join(dir, 'http.keytab')
    const conf = join(dir, 'krb5.conf')
    const child = spawn(
      process.execPath,
      [
        MAIN,
        'kdc',
        '--realm',
        'CLI.TEST',
        '--listen',
        '127.0.0.1:0',
        '--user',
        'alice:al:ice-pw',
        '--service',
        'HTTP/localhost',
        '--keytab',
        `HTTP/localhost=${kt}`,
        '--krb5-conf',
        conf,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    try {
      let output = ''
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no "ready" line: ${output}`)), 20_000)
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          output += d
          if (output.includes('ready')) {
            clearTimeout(t)
            resolve()
          }
        })
        child.once('exit', (c) => reject(new Error(`exited ${c}: ${output}`)))
      })
      assert.equal((await stat(kt)).mode & 0o777, 0o600)
      const keytab = parseKeytab(await readFile(kt))
      assert.ok(keytab.entries.some((e) => e.principal.components.join('/') === 'HTTP/localhost'))
      const env = { KRB5_CONFIG: conf, KRB5CCNAME: `FILE:${join(dir, 'cc')}` }
      await runTool(MIT_BIN.kinit, ['alice'], env, { input: 'al:ice-pw\n' })
      const k = await runTool(MIT_BIN.kvno, ['-k', kt, 'HTTP/localhost'], env)
      assert.match(k.stdout, /kvno = 1, keytab entry valid/)
      const exit = new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
      child.kill('SIGTERM')
      assert.equal(await exit, 0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
    }
  },
)

test('kerberos-ts kdc without --realm is a usage error (exit 2)', async () => {
  const child = spawn(process.execPath, [MAIN, 'kdc'], { stdio: 'ignore' })
  assert.equal(await new Promise((r) => child.once('exit', r)), 2)
})
