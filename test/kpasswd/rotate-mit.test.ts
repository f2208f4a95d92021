/** rotateKeytab against MIT (kadmind kpasswd + KDC), checked with MIT kvno -k and kinit -k (issue 13). */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { parseKeytab } from '../../src/keytab/index.js'
import { createNodeTransport, readKeytab, rotateKeytab, watchKeytab } from '../../src/node/index.js'
import { KerberosClient, type KerberosClientOptions } from '../../src/client/index.js'
import { Acceptor, makeAPReq } from '../../src/protocol/index.js'
import { MIT_BIN, requireMIT, startRealm, type Realm } from '../helpers/realm.js'
import { startKadmind, type Kadmind } from '../helpers/kadmind.js'

let realm: Realm | undefined
let kadmind: Kadmind | undefined

before(async () => {
  if (!requireMIT({ skip() {} })) return
  realm = await startRealm()
  kadmind = await startKadmind(realm)
  await realm.addPrincipal('alice', { password: 'alice pw' })
})
after(async () => {
  await kadmind?.stop()
  await realm?.stop()
})

function clientOptions(r: Realm, k: Kadmind): KerberosClientOptions {
  const transport = createNodeTransport({
    config: {
      realms: {
        [r.realm]: {
          kdc: [`127.0.0.1:${r.kdcPort}`],
          kpasswdServer: [`127.0.0.1:${k.kpasswdPort}`],
        },
      },
    },
  })
  return { transport, realm: r.realm }
}

async function kvnos(path: string): Promise<number[]> {
  const kt = parseKeytab(new Uint8Array(await readFile(path)))
  return [...new Set(kt.entries.map((e) => e.kvno))].sort((a, b) => a - b)
}

const AES = ['aes256-cts-hmac-sha1-96:normal', 'aes128-cts-hmac-sha1-96:normal']

test('rotateKeytab on MIT: new kvno appended, previous kept, MIT kvno -k and kinit -k accept it', async (t) => {
  if (!requireMIT(t) || realm === undefined || kadmind === undefined) return
  await realm.addPrincipal('rot/localhost', {
    enctypes: ['aes256-cts-hmac-sha1-96', 'aes128-cts-hmac-sha1-96'],
  })
  const kt = realm.path('rot.keytab')
  await realm.ktadd('rot/localhost', kt, { enctypes: AES })
  const before = await realm.getKvno('rot/localhost')
  // A ticket issued before the rotation.
  const cc = realm.path('alice-rot.cc')
  await realm.kinit('alice', { password: 'alice pw', ccache: cc })
  await realm.run(MIT_BIN.kvno, ['-c', cc, 'rot/localhost'])

  const r = await rotateKeytab({
    keytab: kt,
    principal: 'rot/localhost',
    client: clientOptions(realm, kadmind),
  })
  assert.equal(r.previousKvno, before)
  assert.equal(r.kvno, before + 1)
  assert.equal(await realm.getKvno('rot/localhost'), before + 1)
  assert.deepEqual(await kvnos(kt), [before, before + 1])
  assert.ok(r.enctypes.includes(18) && r.enctypes.includes(17), `enctypes ${r.enctypes.join(',')}`)

  // MIT: the old ticket (kvno before) and a new one (kvno before+1) both verify with the keytab.
  await realm.run(MIT_BIN.kvno, ['-c', cc, '-k', kt, 'rot/localhost'])
  const cc2 = realm.path('alice-rot2.cc')
  await realm.kinit('alice', { password: 'alice pw', ccache: cc2 })
  const out = await realm.run(MIT_BIN.kvno, ['-c', cc2, '-k', kt, 'rot/localhost'])
  assert.match(out.stdout, new RegExp(`kvno = ${before + 1}`))
  assert.match(out.stdout, /keytab entry valid/)
  await realm.kinit('rot/localhost', { keytab: kt, ccache: realm.path('rot.cc') })

  // Again, keep 2: the oldest kvno goes.
  const r2 = await rotateKeytab({
    keytab: kt,
    principal: 'rot/localhost',
    client: clientOptions(realm, kadmind),
    keep: 2,
  })
  assert.equal(r2.kvno, before + 2)
  assert.deepEqual(await kvnos(kt), [before + 1, before + 2])
})

test('rotateKeytab: two runs racing cannot lose keys (the second stops at the lock, keytab intact)', async (t) => {
  if (!requireMIT(t) || realm === undefined || kadmind === undefined) return
  await realm.addPrincipal('race/localhost')
  const kt = realm.path('race.keytab')
  await realm.ktadd('race/localhost', kt, { enctypes: AES })
  const o = { keytab: kt, principal: 'race/localhost', client: clientOptions(realm, kadmind) }
  const results = await Promise.allSettled([rotateKeytab(o), rotateKeytab(o)])
  const ok = results.filter((x) => x.status === 'fulfilled')
  const bad = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')
  assert.equal(ok.length, 1)
  assert.equal(bad.length, 1)
  assert.equal(bad[0]!.reason.code, 'ERR_KRB_KEYTAB_ROTATE')
  assert.equal(bad[0]!.reason.context.step, 'lock')
  const kvno = await realm.getKvno('race/localhost')
  assert.deepEqual(await kvnos(kt), [kvno - 1, kvno])
  await realm.kinit('race/localhost', { keytab: kt, ccache: realm.path('race.cc') })
})

test('rotateKeytab: a keytab whose key is stale fails at step login and is left untouched', async (t) => {
  if (!requireMIT(t) || realm === undefined || kadmind === undefined) return
  await realm.addPrincipal('stale/localhost')
  const kt = realm.path('stale.keytab')
  await realm.ktadd('stale/localhost', kt, { enctypes: AES })
  await realm.cpwRandkey('stale/localhost')
  const bytes = await readFile(kt)
  await assert.rejects(
    rotateKeytab({
      keytab: kt,
      principal: 'stale/localhost',
      client: clientOptions(realm, kadmind),
    }),
    (e: Error & { code?: string; context?: { step?: string } }) =>
      e.code === 'ERR_KRB_KEYTAB_ROTATE' && e.context?.step === 'login',
  )
  assert.deepEqual(await readFile(kt), bytes)
})

test('rotateKeytab: an Acceptor with watchKeytab refuses none of a steady stream of requests with tickets from before, during and after the rotation', async (t) => {
  if (!requireMIT(t) || realm === undefined || kadmind === undefined) return
  const r = realm
  const name = 'stream/localhost'
  await r.addPrincipal(name)
  const kt = r.path('stream.keytab')
  await r.ktadd(name, kt, { enctypes: AES })
  const acceptor = new Acceptor({ keytab: await readKeytab(`FILE:${kt}`) })
  const watcher = watchKeytab(kt, acceptor, { intervalMs: 100 })
  const opts = clientOptions(r, kadmind)
  const ticket = async () => {
    const c = new KerberosClient(opts)
    await c.login({ principal: 'alice', password: 'alice pw' })
    return c.getServiceTicket(`${name}@${r.realm}`, { hostBased: false })
  }
  const before = await ticket()
  let refused = 0
  let accepted = 0
  const kvnos = new Set<number>()
  let stop = false
  const stream = (async () => {
    while (!stop) {
      for (const creds of [before, await ticket()]) {
        kvnos.add(creds.ticketKvno ?? 0)
        const ap = makeAPReq({
          ticket: creds.ticket,
          sessionKey: creds.sessionKey,
          client: creds.client,
        })
        try {
          acceptor.accept(ap.bytes)
          accepted++
        } catch {
          refused++
        }
      }
      await new Promise((res) => setTimeout(res, 10))
    }
  })()
  try {
    await new Promise((res) => setTimeout(res, 300))
    const rot = await rotateKeytab({ keytab: kt, principal: name, client: opts, stageDelayMs: 400 })
    await new Promise((res) => setTimeout(res, 500))
    stop = true
    await stream
    assert.equal(refused, 0, `${refused} refused of ${refused + accepted}`)
    assert.ok(
      kvnos.has(rot.previousKvno) && kvnos.has(rot.kvno),
      `kvnos seen: ${[...kvnos].join(',')}`,
    )
  } finally {
    stop = true
    await stream
    watcher.close()
  }
})
