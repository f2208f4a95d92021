/** `kerberos-ts kdc-proxy`: usage, argument errors, and a plain-HTTP start that relays nothing it should not. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../cli/run-cli.js'
import { wrapKKDCPRequest } from '../../src/protocol/kkdcp.js'
import { startOurProxy } from './peers.js'

test('kerberos-ts kdc-proxy --help prints the usage; bad arguments exit 2', () => {
  const help = runCli(['kdc-proxy', '--help'])
  assert.equal(help.status, 0)
  assert.match(help.stdout, /--listen HOST:PORT/)
  assert.equal(runCli(['kdc-proxy']).status, 2)
  assert.equal(runCli(['kdc-proxy', '--listen', '127.0.0.1:1', '--cert', 'x.pem']).status, 2)
  const noRealm = runCli(['kdc-proxy', '--listen', '127.0.0.1:0'])
  assert.equal(noRealm.status, 2)
  assert.match(noRealm.stderr, /default_realm/)
  assert.match(runCli(['--help']).stdout, /kdc-proxy/)
})

test('kerberos-ts kdc-proxy: default_realm is served, other realms are 403 (plain HTTP mode)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'krbts-kdcproxy-cli-'))
  const conf = join(dir, 'krb5.conf')
  writeFileSync(
    conf,
    '[libdefaults]\n default_realm = ONLY.TEST\n[realms]\n ONLY.TEST = {\n  kdc = 127.0.0.1:9\n }\n',
  )
  const proxy = await startOurProxy({ krb5Conf: conf, realms: [] })
  try {
    assert.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+\/KdcProxy$/)
    const post = (realm: string): Promise<Response> =>
      fetch(proxy.url, {
        method: 'POST',
        body: wrapKKDCPRequest(Uint8Array.of(0x6a, 0x00), realm) as Uint8Array<ArrayBuffer>,
      })
    assert.equal((await post('OTHER.TEST')).status, 403)
    assert.equal((await fetch(proxy.url.replace('/KdcProxy', '/elsewhere'))).status, 404)
  } finally {
    await proxy.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
