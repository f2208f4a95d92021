/** `kerberos-ts kpasswd` and `kerberos-ts keytab rotate` against MIT kadmind (issue 13). */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { MIT_BIN, requireMIT, startRealm, type Realm } from '../helpers/realm.js'
import { startKadmind, type Kadmind } from '../helpers/kadmind.js'
import { runCli } from '../cli/run-cli.js'

let realm: Realm | undefined
let kadmind: Kadmind | undefined
let conf = ''

before(async () => {
  if (!requireMIT({ skip() {} })) return
  realm = await startRealm()
  kadmind = await startKadmind(realm)
  conf = realm.path('krb5-kpasswd.conf')
  writeFileSync(
    conf,
    readFileSync(realm.krb5ConfPath, 'utf8').replace(
      /(\n\s*kdc = [^\n]*\n)/,
      `$1    kpasswd_server = 127.0.0.1:${kadmind.kpasswdPort}\n`,
    ),
  )
})
after(async () => {
  await kadmind?.stop()
  await realm?.stop()
})

test('cli kpasswd: old password then the new one twice on stdin, as MIT kpasswd; MIT kinit takes the new one', async (t) => {
  if (!requireMIT(t) || realm === undefined) return
  await realm.addPrincipal('dave', { password: 'dave old pw' })
  const env = { KRB5_CONFIG: conf, KRB5CCNAME: `FILE:${realm.path('none.cc')}` }
  const bad = runCli(['kpasswd', 'dave'], { env, input: 'dave old pw\nNew-dave-1\nNew-dave-2\n' })
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /Password mismatch/)
  const r = runCli(['kpasswd', 'dave'], { env, input: 'dave old pw\nNew-dave-1\nNew-dave-1\n' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'Password changed.\n')
  await realm.kinit('dave', { password: 'New-dave-1', ccache: realm.path('dave.cc') })
})

test('cli keytab rotate -k KEYTAB -p PRINCIPAL --keep 2: MIT kvno -k accepts the rotated keytab', async (t) => {
  if (!requireMIT(t) || realm === undefined) return
  await realm.addPrincipal('svcx/localhost')
  await realm.addPrincipal('erin', { password: 'erin pw' })
  const kt = realm.path('svcx.keytab')
  await realm.ktadd('svcx/localhost', kt, { enctypes: ['aes256-cts-hmac-sha1-96:normal'] })
  const before = await realm.getKvno('svcx/localhost')
  const r = runCli(['keytab', 'rotate', '-k', kt, '-p', 'svcx/localhost', '--keep', '2'], {
    env: { KRB5_CONFIG: conf },
  })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`kvno ${before} -> ${before + 1}`))
  const cc = realm.path('erin.cc')
  await realm.kinit('erin', { password: 'erin pw', ccache: cc })
  const out = await realm.run(MIT_BIN.kvno, ['-c', cc, '-k', kt, 'svcx/localhost'])
  assert.match(out.stdout, /keytab entry valid/)
})
