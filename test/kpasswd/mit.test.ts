/** kpasswd against MIT kadmind: change and set on users and on a randkey service (issue 13). */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { KerberosClient } from '../../src/client/index.js'
import { createNodeTransport } from '../../src/node/index.js'
import { MIT_BIN, requireMIT, startRealm, type Realm } from '../helpers/realm.js'
import { startKadmind, type Kadmind } from '../helpers/kadmind.js'

let realm: Realm | undefined
let kadmind: Kadmind | undefined

before(async () => {
  if (!requireMIT({ skip() {} })) return
  realm = await startRealm()
  kadmind = await startKadmind(realm)
})
after(async () => {
  await kadmind?.stop()
  await realm?.stop()
})

function client(r: Realm, k: Kadmind, udpLimit?: number): KerberosClient {
  const transport = createNodeTransport({
    config: {
      realms: {
        [r.realm]: {
          kdc: [`127.0.0.1:${r.kdcPort}`],
          kpasswdServer: [`127.0.0.1:${k.kpasswdPort}`],
        },
      },
      ...(udpLimit !== undefined ? { udpPreferenceLimit: udpLimit } : {}),
    },
  })
  return new KerberosClient({ transport, realm: r.realm })
}

test('MIT kadmind: changePassword with the old password, then MIT kinit with the new one (UDP and TCP)', async (t) => {
  if (!requireMIT(t) || realm === undefined || kadmind === undefined) return
  await realm.addPrincipal('alice', { password: 'old alice pw', requiresPreauth: true })
  const c = client(realm, kadmind)
  const out = await c.changePassword({
    principal: 'alice',
    oldPassword: 'old alice pw',
    newPassword: 'New-alice-pw-1',
  })
  assert.equal(out.reply.resultCode, 0)
  assert.equal(out.reply.authenticated, true)
  assert.equal(await realm.getKvno('alice'), 2)
  await realm.kinit('alice', { password: 'New-alice-pw-1', ccache: realm.path('alice.cc') })
  await assert.rejects(
    realm.kinit('alice', { password: 'old alice pw', ccache: realm.path('a2.cc') }),
  )
  // Over TCP (udp_preference_limit 1).
  const tcp = client(realm, kadmind, 1)
  await tcp.changePassword({
    principal: 'alice',
    oldPassword: 'New-alice-pw-1',
    newPassword: 'New-alice-pw-2',
  })
  await realm.kinit('alice', { password: 'New-alice-pw-2', ccache: realm.path('alice.cc') })
})

test('MIT kadmind: a wrong old password fails the AS login, the password is unchanged', async (t) => {
  if (!requireMIT(t) || realm === undefined || kadmind === undefined) return
  await realm.addPrincipal('carol', { password: 'carol pw', requiresPreauth: true })
  const c = client(realm, kadmind)
  await assert.rejects(
    c.changePassword({ principal: 'carol', oldPassword: 'nope', newPassword: 'x-Y-z-123456' }),
    (e: Error & { code?: string }) => e.code === 'ERR_KRB_KDC_ERROR',
  )
  await realm.kinit('carol', { password: 'carol pw', ccache: realm.path('carol.cc') })
})

test('MIT kadmind: setPassword by an admin (*/admin ACL) on a user and on a randkey service', async (t) => {
  if (!requireMIT(t) || realm === undefined || kadmind === undefined) return
  await realm.addPrincipal('root/admin', { password: 'admin pw' })
  await realm.addPrincipal('bob', { password: 'bob pw' })
  await realm.addPrincipal('svc/localhost')
  const c = client(realm, kadmind)
  await c.setPassword({
    principal: 'root/admin',
    password: 'admin pw',
    target: 'bob',
    newPassword: 'Bob-new-1',
  })
  await realm.kinit('bob', { password: 'Bob-new-1', ccache: realm.path('bob.cc') })
  // With the admin's TGT only: MIT's KDC gives kadmin/changepw tickets by AS only.
  await c.login({ principal: 'root/admin', password: 'admin pw' })
  await assert.rejects(
    c.setPassword({ target: 'svc/localhost', newPassword: 'Svc-new-0' }),
    /TGT BASED NOT ALLOWED/,
  )
  const kvno = await realm.getKvno('svc/localhost')
  await c.setPassword({
    principal: 'root/admin',
    password: 'admin pw',
    target: 'svc/localhost',
    newPassword: 'Svc-new-1',
  })
  assert.equal(await realm.getKvno('svc/localhost'), kvno + 1)
  await realm.kinit('svc/localhost', { password: 'Svc-new-1', ccache: realm.path('svc.cc') })
  const list = await realm.run(MIT_BIN.klist, ['-c', realm.path('svc.cc')])
  assert.match(list.stdout, /krbtgt/)
})

test('MIT kadmind: set-password without rights is refused with a typed, authenticated result', async (t) => {
  if (!requireMIT(t) || realm === undefined || kadmind === undefined) return
  await realm.addPrincipal('mallory', { password: 'mallory pw' })
  await realm.addPrincipal('victim', { password: 'victim pw' })
  const c = client(realm, kadmind)
  await assert.rejects(
    c.setPassword({
      principal: 'mallory',
      password: 'mallory pw',
      target: 'victim',
      newPassword: 'Owned-1234',
    }),
    (e: Error & { code?: string; context?: Record<string, unknown> }) => {
      assert.equal(e.code, 'ERR_KRB_KPASSWD')
      assert.equal(typeof e.context?.resultName, 'string')
      assert.notEqual(e.context?.resultCode, 0)
      return true
    },
  )
  await realm.kinit('victim', { password: 'victim pw', ccache: realm.path('victim.cc') })
})
