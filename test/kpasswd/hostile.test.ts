/**
 * Hostile kpasswd servers (issue 13): garbage, a wrong sequence number, a reply in the wrong key,
 * an unauthenticated KRB-ERROR (claiming success, or a policy refusal), a lying length, and
 * silence. Each gives a typed error within the deadline, and a rotation leaves the keytab as it
 * was. The AS step runs against a real MIT KDC.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { KerberosClient, type KerberosClientOptions } from '../../src/client/index.js'
import { parseKeytab, type Keytab } from '../../src/keytab/index.js'
import { createNodeTransport, rotateKeytab } from '../../src/node/index.js'
import { requireMIT, startRealm, type Realm } from '../helpers/realm.js'
import { startHostileKpasswd, type HostileKpasswdMode } from '../helpers/hostile-kpasswd.js'

let realm: Realm | undefined
let changepwKeys: Keytab | undefined

before(async () => {
  if (!requireMIT({ skip() {} })) return
  realm = await startRealm()
  await realm.addPrincipal('alice', { password: 'alice pw' })
  const kt = realm.path('changepw.keytab')
  await realm.ktadd(`kadmin/changepw@${realm.realm}`, kt, { norandkey: true })
  changepwKeys = parseKeytab(new Uint8Array(await readFile(kt)))
})
after(async () => {
  await realm?.stop()
})

function options(r: Realm, port: number, deadlineMs = 10_000): KerberosClientOptions {
  const transport = createNodeTransport({
    config: {
      realms: {
        [r.realm]: { kdc: [`127.0.0.1:${r.kdcPort}`], kpasswdServer: [`tcp/127.0.0.1:${port}`] },
      },
    },
    deadlineMs,
    attemptTimeoutMs: 1000,
  })
  return { transport, realm: r.realm }
}

type Err = Error & { code?: string; context?: Record<string, unknown> }

const cases: [HostileKpasswdMode, string, (e: Err) => void][] = [
  ['garbage', 'garbage', (e) => assert.equal(e.code, 'ERR_KRB_KPASSWD_REPLY')],
  [
    'wrong-seq',
    'a success KRB-PRIV with a wrong sequence number',
    (e) => {
      assert.equal(e.code, 'ERR_KRB_KPASSWD_REPLY')
      assert.equal(e.context?.reason, 'sequence')
    },
  ],
  [
    'wrong-key',
    'a success KRB-PRIV in the session key instead of the subkey',
    (e) => {
      assert.equal(e.code, 'ERR_KRB_KPASSWD_REPLY')
      assert.equal(e.context?.reason, 'krb-priv')
    },
  ],
  [
    'error-success',
    'an unauthenticated KRB-ERROR claiming success',
    (e) => {
      assert.equal(e.code, 'ERR_KRB_KPASSWD')
      assert.equal(e.context?.authenticated, false)
    },
  ],
  [
    'error-policy',
    "an unauthenticated KRB-ERROR with AD's policy blob",
    (e) => {
      assert.equal(e.code, 'ERR_KRB_KPASSWD')
      assert.equal(e.context?.resultName, 'KRB5_KPASSWD_SOFTERROR')
      assert.equal(e.context?.authenticated, false)
      assert.match(e.message, /at least 12 characters/)
      assert.match(e.message, /last 24 passwords/)
      assert.deepEqual((e.context?.policy as { minPasswordLength: number }).minPasswordLength, 12)
    },
  ],
  [
    'bad-length',
    'a reply whose length field lies',
    (e) => {
      assert.equal(e.code, 'ERR_KRB_KPASSWD_REPLY')
      assert.equal(e.context?.reason, 'framing')
    },
  ],
]

for (const [mode, what, check] of cases) {
  test(`hostile kpasswd: ${what} is refused with a typed error, never a success`, async (t) => {
    if (!requireMIT(t) || realm === undefined || changepwKeys === undefined) return
    const server = await startHostileKpasswd(mode, changepwKeys)
    try {
      const c = new KerberosClient(options(realm, server.port))
      await assert.rejects(
        c.changePassword({
          principal: 'alice',
          oldPassword: 'alice pw',
          newPassword: 'Whatever-123',
        }),
        (e: Err) => {
          check(e)
          return true
        },
      )
      assert.equal(server.requests, 1)
    } finally {
      await server.close()
    }
  })
}

test('hostile kpasswd: a silent server gives ERR_KRB_KDC_UNREACHABLE within the deadline', async (t) => {
  if (!requireMIT(t) || realm === undefined || changepwKeys === undefined) return
  const server = await startHostileKpasswd('silent', changepwKeys)
  try {
    const c = new KerberosClient(options(realm, server.port, 1500))
    const t0 = Date.now()
    await assert.rejects(
      c.changePassword({
        principal: 'alice',
        oldPassword: 'alice pw',
        newPassword: 'Whatever-123',
      }),
      (e: Err) => e.code === 'ERR_KRB_KDC_UNREACHABLE',
    )
    assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`)
  } finally {
    await server.close()
  }
})

test('hostile kpasswd: an aborted change rejects with ERR_KRB_ABORTED', async (t) => {
  if (!requireMIT(t) || realm === undefined || changepwKeys === undefined) return
  const server = await startHostileKpasswd('silent', changepwKeys)
  try {
    const c = new KerberosClient(options(realm, server.port))
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 300)
    await assert.rejects(
      c.changePassword({
        principal: 'alice',
        oldPassword: 'alice pw',
        newPassword: 'Whatever-123',
        signal: ac.signal,
      }),
      (e: Err) => e.code === 'ERR_KRB_ABORTED',
    )
  } finally {
    await server.close()
  }
})

for (const mode of ['wrong-seq', 'error-success', 'garbage', 'silent'] as const) {
  test(`hostile kpasswd: rotateKeytab against ${mode} fails at step change and leaves the keytab untouched`, async (t) => {
    if (!requireMIT(t) || realm === undefined || changepwKeys === undefined) return
    const name = `h-${mode}/localhost`
    await realm.addPrincipal(name)
    const kt = realm.path(`h-${mode}.keytab`)
    await realm.ktadd(name, kt, { enctypes: ['aes256-cts-hmac-sha1-96:normal'] })
    const bytes = await readFile(kt)
    const server = await startHostileKpasswd(mode, changepwKeys)
    try {
      await assert.rejects(
        rotateKeytab({ keytab: kt, principal: name, client: options(realm, server.port, 1500) }),
        (e: Err) => e.code === 'ERR_KRB_KEYTAB_ROTATE' && e.context?.step === 'change',
      )
      assert.deepEqual(await readFile(kt), bytes)
    } finally {
      await server.close()
    }
  })
}
