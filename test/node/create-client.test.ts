/**
 * createClient() and the default krb5.conf load of createNodeTransport() against a real MIT realm:
 * no realm and no KDC are passed in code, only KRB5_CONFIG / KRB5CCNAME / KRB5_CLIENT_KTNAME.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { KerberosClient } from '../../src/client/index.js'
import { KerberosError } from '../../src/errors.js'
import { createClient } from '../../src/node/create-client.js'
import { createNodeTransport } from '../../src/node/transport.js'
import { formatPrincipal } from '../../src/principal.js'
import { skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'

const skip = skipWithoutMIT()
let realm: Realm | undefined

before(async () => {
  if (skip !== false) return
  realm = await startRealm({ realm: 'CREATE.TEST' })
  await realm.addPrincipal('svc', { randkey: true })
  await realm.ktadd('svc', realm.path('svc.keytab'))
  await realm.addPrincipal('alice', { password: 'alice pw', requiresPreauth: true })
  await realm.addPrincipal('HTTP/web.create.test', { randkey: true })
})

after(async () => {
  await realm?.stop()
})

/** Only the variables under test: nothing from the machine's own Kerberos setup. */
function env(extra: Record<string, string>): Record<string, string> {
  return { KRB5_CONFIG: realm!.krb5ConfPath, KRB5CCNAME: realm!.path('none.cc'), ...extra }
}

test(
  'issue 11 #3: createClient() with KRB5_CONFIG + the client keytab logs in and gets a service ticket, no realm or KDC in code',
  { skip },
  async () => {
    const client = await createClient({
      env: env({ KRB5_CLIENT_KTNAME: `FILE:${realm!.path('svc.keytab')}` }),
      keytab: true,
    })
    assert.equal(client.realm, 'CREATE.TEST')
    assert.equal(formatPrincipal(client.tgt!.client), 'svc@CREATE.TEST')
    const st = await client.getServiceTicket('HTTP/web.create.test')
    assert.equal(formatPrincipal(st.server), 'HTTP/web.create.test@CREATE.TEST')
  },
)

test(
  'issue 11 #3: createClient() reads KRB5_CONFIG and KRB5_CLIENT_KTNAME from process.env by default',
  { skip },
  async () => {
    const saved = { ...process.env }
    try {
      process.env.KRB5_CONFIG = realm!.krb5ConfPath
      process.env.KRB5CCNAME = realm!.path('none.cc')
      process.env.KRB5_CLIENT_KTNAME = realm!.path('svc.keytab')
      const client = await createClient({ keytab: true, principal: 'svc' })
      const st = await client.getServiceTicket('HTTP/web.create.test')
      assert.equal(st.server.realm, 'CREATE.TEST')
    } finally {
      for (const k of ['KRB5_CONFIG', 'KRB5CCNAME', 'KRB5_CLIENT_KTNAME']) {
        if (saved[k] === undefined) delete process.env[k]
        else process.env[k] = saved[k]
      }
    }
  },
)

test(
  'issue 11 #3: createClient() starts from the TGT in KRB5CCNAME (written by MIT kinit)',
  { skip },
  async () => {
    const cc = realm!.path('alice.cc')
    await realm!.kinit('alice', { password: 'alice pw', ccache: cc })
    const client = await createClient({ env: env({ KRB5CCNAME: `FILE:${cc}` }) })
    assert.equal(formatPrincipal(client.tgt!.client), 'alice@CREATE.TEST')
    const st = await client.getServiceTicket('HTTP/web.create.test')
    assert.equal(formatPrincipal(st.client), 'alice@CREATE.TEST')
    // A principal filter that does not match leaves the ccache alone.
    const other = await createClient({ env: env({ KRB5CCNAME: `FILE:${cc}` }), principal: 'bob' })
    assert.equal(other.tgt, undefined)
  },
)

test(
  'issue 11 #3: createNodeTransport() without config loads krb5.conf (the docs fetch example)',
  { skip },
  async () => {
    const saved = process.env.KRB5_CONFIG
    try {
      process.env.KRB5_CONFIG = realm!.krb5ConfPath
      const client = new KerberosClient({ transport: createNodeTransport() })
      await client.login({ principal: 'alice@CREATE.TEST', password: 'alice pw' })
      assert.equal(client.tgt!.client.realm, 'CREATE.TEST')
    } finally {
      if (saved === undefined) delete process.env.KRB5_CONFIG
      else process.env.KRB5_CONFIG = saved
    }
  },
)

test('issue 11 #3: errors caused by a missing krb5.conf say "krb5.conf was not loaded"', async () => {
  const e = { KRB5_CONFIG: '/nonexistent/krb5.conf', KRB5CCNAME: '/nonexistent/cc' }
  // No DNS: SRV lookups for the made-up realm find nothing at once.
  const resolver = {
    resolveSrv: () => Promise.reject(Object.assign(new Error('none'), { code: 'ENOTFOUND' })),
  }
  const client = await createClient({ env: e, transportOptions: { resolver } })
  await assert.rejects(client.login({ principal: 'alice', password: 'x' }), (err: unknown) => {
    assert.ok(err instanceof KerberosError)
    assert.match(
      err.message,
      /^krb5\.conf was not loaded: KRB5_CONFIG=\/nonexistent\/krb5\.conf names no readable file; no realm for alice/,
    )
    return true
  })
  await assert.rejects(
    client.login({ principal: 'alice@NOWHERE.TEST', password: 'x' }),
    (err: unknown) => {
      assert.ok(err instanceof KerberosError)
      assert.equal(err.code, 'ERR_KRB_KDC_UNREACHABLE')
      assert.match(
        err.message,
        /^krb5\.conf was not loaded: .*no KDC is known for realm NOWHERE\.TEST/,
      )
      return true
    },
  )
  // The bare transport says the same.
  const t = createNodeTransport({ env: e, resolver })
  await assert.rejects(
    t.sendToKDC('NOWHERE.TEST', new Uint8Array([1])),
    /^KerberosError: krb5\.conf was not loaded: KRB5_CONFIG=\/nonexistent\/krb5\.conf names no readable file; no KDC is known for realm NOWHERE\.TEST/,
  )
})
