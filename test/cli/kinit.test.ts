/**
 * The CLI end to end against a real MIT KDC: our kinit (password on stdin, keytab), MIT klist
 * listing what it stored, our kvno, our kdestroy; KRB5_CONFIG / KRB5CCNAME from the environment.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { MIT_BIN, runTool, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const PW = 'cli-test-password'

describe('kerberos-ts kinit / kvno / kdestroy with MIT', { skip: skipWithoutMIT() }, () => {
  let realm: Realm
  before(async () => {
    realm = await startRealm({ realm: 'CLI.TEST' })
    await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
    await realm.addPrincipal('svc')
    await realm.addPrincipal('HTTP/localhost')
    await realm.ktadd('svc', realm.path('svc.keytab'))
  })
  after(async () => {
    await realm?.stop()
  })

  const cli = (
    args: readonly string[],
    o: { input?: string; ccache?: string; allowFailure?: boolean } = {},
  ) =>
    runTool(process.execPath, [MAIN, ...args], realm.env, {
      ...(o.input !== undefined ? { input: o.input } : {}),
      env: o.ccache !== undefined ? { KRB5CCNAME: `FILE:${o.ccache}` } : {},
      allowFailure: o.allowFailure ?? false,
    })

  test('kinit with a password on stdin, MIT klist lists it, kvno, kdestroy', async () => {
    const cc = realm.path('cli.ccache')
    const k = await cli(['kinit', '-f', '-l', '2h', 'alice'], { input: `${PW}\n`, ccache: cc })
    assert.equal(k.code, 0, k.stderr)
    assert.ok(!k.stdout.includes(PW) && !k.stderr.includes(PW))
    const list = await realm.run(MIT_BIN.klist, ['-f', '-c', cc])
    assert.match(list.stdout, /Default principal: alice@CLI\.TEST/)
    assert.match(list.stdout, /krbtgt\/CLI\.TEST@CLI\.TEST/)
    assert.match(list.stdout, /Flags: F/)
    const v = await cli(['kvno', 'HTTP/localhost@CLI.TEST', 'HTTP@localhost'], { ccache: cc })
    assert.equal(v.code, 0, v.stderr)
    assert.equal(v.stdout, 'HTTP/localhost@CLI.TEST: kvno = 1\nHTTP/localhost@CLI.TEST: kvno = 1\n')
    const list2 = await realm.run(MIT_BIN.klist, ['-c', cc])
    assert.match(list2.stdout, /HTTP\/localhost@CLI\.TEST/)
    const ours = await cli(['klist', '-c', cc])
    assert.match(ours.stdout, /HTTP\/localhost@CLI\.TEST/)
    const d = await cli(['kdestroy', '-c', cc])
    assert.equal(d.code, 0)
    assert.equal(existsSync(cc), false)
    const again = await cli(['kdestroy', '-c', cc], { allowFailure: true })
    assert.equal(again.code, 1)
  })

  test('kinit -k -t KEYTAB, then MIT kvno uses our ccache', async () => {
    const cc = realm.path('kt.ccache')
    const k = await cli(['kinit', '-k', '-t', realm.path('svc.keytab'), 'svc'], { ccache: cc })
    assert.equal(k.code, 0, k.stderr)
    const v = await realm.run(MIT_BIN.kvno, ['HTTP/localhost@CLI.TEST'], {
      env: { KRB5CCNAME: `FILE:${cc}` },
    })
    assert.match(v.stdout, /HTTP\/localhost@CLI\.TEST: kvno = 1/)
  })

  test('kinit -i takes the client keytab from KRB5_CLIENT_KTNAME', async () => {
    const cc = realm.path('ci.ccache')
    const k = await runTool(process.execPath, [MAIN, 'kinit', '-i', 'svc'], realm.env, {
      env: { KRB5CCNAME: `FILE:${cc}`, KRB5_CLIENT_KTNAME: `FILE:${realm.path('svc.keytab')}` },
    })
    assert.equal(k.code, 0, k.stderr)
    const list = await realm.run(MIT_BIN.klist, ['-c', cc])
    assert.match(list.stdout, /Default principal: svc@CLI\.TEST/)
  })

  test('KRB5_TRACE names a file that gets one line per step, no password', async () => {
    const cc = realm.path('trace.ccache')
    const trace = realm.path('trace.log')
    const k = await runTool(process.execPath, [MAIN, 'kinit', 'alice'], realm.env, {
      input: `${PW}\n`,
      env: { KRB5CCNAME: `FILE:${cc}`, KRB5_TRACE: trace },
    })
    assert.equal(k.code, 0, k.stderr)
    const text = readFileSync(trace, 'utf8')
    assert.match(text, /as-req CLI\.TEST alice@CLI\.TEST/)
    assert.match(text, /preauth-required/)
    assert.match(text, /as-rep/)
    assert.ok(!text.includes(PW))
  })

  test('kinit with the wrong password fails with the KDC error and writes nothing', async () => {
    const cc = realm.path('bad.ccache')
    const k = await cli(['kinit', 'alice'], { input: 'nope\n', ccache: cc, allowFailure: true })
    assert.equal(k.code, 1)
    assert.match(k.stderr, /KDC_ERR_PREAUTH_FAILED/)
    assert.equal(existsSync(cc), false)
  })

  test('kvno for an unknown service reports it and exits 1', async () => {
    const cc = realm.path('kvno.ccache')
    await cli(['kinit', 'alice'], { input: `${PW}\n`, ccache: cc })
    const v = await cli(['kvno', 'HTTP/missing@CLI.TEST'], { ccache: cc, allowFailure: true })
    assert.equal(v.code, 1)
    assert.match(v.stderr, /KDC_ERR_S_PRINCIPAL_UNKNOWN/)
  })

  test('usage errors exit 2', async () => {
    const v = await cli(['kvno'], { allowFailure: true })
    assert.equal(v.code, 2)
    const k = await cli(['kinit', '-Z'], { allowFailure: true })
    assert.equal(k.code, 2)
  })
})
