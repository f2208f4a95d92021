/**
 * `kerberos-ts kinit -T ARMOR_CCACHE` against MIT krb5, with MIT `kinit -T` as the reference:
 * a realm whose KDC has encrypted timestamp disabled, so the user can only log in with FAST.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { MIT_BIN, runTool, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { disableEncryptedTimestamp } from '../helpers/fast.js'
import { MAIN } from './run-cli.js'

const PW = 'cli-fast-pw'
const HOST = 'host/armor.fast.test'

describe('kerberos-ts kinit -T (FAST armor, issue 17 item 3)', { skip: skipWithoutMIT() }, () => {
  let realm: Realm
  before(async () => {
    realm = await startRealm({ realm: 'CLIFAST.TEST' })
    await disableEncryptedTimestamp(realm)
    await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
    await realm.addPrincipal(HOST)
    await realm.addPrincipal('HTTP/web.clifast.test')
    await realm.ktadd(HOST, realm.path('armor.keytab'))
  })
  after(async () => {
    await realm?.stop()
  })

  const cli = (
    args: readonly string[],
    o: { input?: string; ccache: string; allowFailure?: boolean },
  ) =>
    runTool(process.execPath, [MAIN, ...args], realm.env, {
      ...(o.input !== undefined ? { input: o.input } : {}),
      env: { KRB5CCNAME: `FILE:${o.ccache}` },
      allowFailure: o.allowFailure ?? false,
    })
  const klist = async (cc: string) => (await realm.run(MIT_BIN.klist, ['-C', '-c', cc])).stdout

  test('our kinit -T with MIT armor and MIT kinit -T give equivalent ccaches', async () => {
    await realm.kinit(HOST, {
      keytab: realm.path('armor.keytab'),
      ccache: realm.path('mit-armor.cc'),
    })
    const ours = realm.path('ours.cc')
    const k = await cli(['kinit', '-T', realm.path('mit-armor.cc'), 'alice'], {
      input: `${PW}\n`,
      ccache: ours,
    })
    assert.equal(k.code, 0, k.stderr)
    const mit = realm.path('mit.cc')
    await realm.run(
      MIT_BIN.kinit,
      ['-T', realm.path('mit-armor.cc'), '-c', mit, 'alice@CLIFAST.TEST'],
      {
        input: `${PW}\n`,
      },
    )
    const a = await klist(ours)
    const b = await klist(mit)
    for (const text of [a, b]) {
      assert.match(text, /Default principal: alice@CLIFAST\.TEST/)
      assert.match(text, /krbtgt\/CLIFAST\.TEST@CLIFAST\.TEST/)
      assert.match(text, /config: fast_avail\(krbtgt\/CLIFAST\.TEST@CLIFAST\.TEST\) = yes/)
    }
    // MIT's kvno uses our FAST-obtained TGT.
    const kv = await realm.run(MIT_BIN.kvno, ['-c', ours, 'HTTP/web.clifast.test@CLIFAST.TEST'])
    assert.match(kv.stdout, /kvno = \d+/)
  })

  test('MIT kinit -T uses an armor ccache our kinit -k wrote', async () => {
    const armor = realm.path('our-armor.cc')
    const k = await cli(['kinit', '-k', '-t', realm.path('armor.keytab'), HOST], { ccache: armor })
    assert.equal(k.code, 0, k.stderr)
    const mit = realm.path('mit2.cc')
    const r = await realm.run(MIT_BIN.kinit, ['-T', armor, '-c', mit, 'alice@CLIFAST.TEST'], {
      input: `${PW}\n`,
      env: { KRB5_TRACE: realm.path('mit2.trace') },
    })
    assert.equal(r.code, 0)
    assert.match(await klist(mit), /krbtgt\/CLIFAST\.TEST@CLIFAST\.TEST/)
  })

  test('kinit without -T names the cause and the fix', async () => {
    const k = await cli(['kinit', 'alice'], {
      input: `${PW}\n`,
      ccache: realm.path('none.cc'),
      allowFailure: true,
    })
    assert.notEqual(k.code, 0)
    assert.match(k.stderr, /requires FAST armor/)
    assert.match(k.stderr, /kinit -T/)
  })

  test('kinit -T with a ccache that has no TGT for the realm says so', async () => {
    const k = await cli(['kinit', '-T', realm.path('missing.cc'), 'alice'], {
      input: `${PW}\n`,
      ccache: realm.path('none2.cc'),
      allowFailure: true,
    })
    assert.notEqual(k.code, 0)
  })
})
