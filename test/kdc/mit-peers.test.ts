/**
 * Real MIT clients against the embedded KDC (startKDC on loopback): kinit (password and keytab,
 * every enctype), klist, kvno, kinit -R, kvno across two embedded realms (direct and by
 * referral), and curl --negotiate with tickets from it. Fails under CI=true when MIT is missing.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { startTestKDC, krb5ConfText, type TestKDC } from '../../src/node/kdc-server.js'
import { tgsPrincipal } from '../../src/principal.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { negotiateMiddleware, type NegotiateUser } from '../../src/http/index.js'
import { MIT_BIN, runTool, skipWithoutMIT } from '../helpers/realm.js'
import { CURL } from '../helpers/gss-peers.js'

const skip = skipWithoutMIT()

const ENCTYPES: readonly [string, number][] = [
  ['aes256-cts-hmac-sha1-96', 18],
  ['aes128-cts-hmac-sha1-96', 17],
  ['aes256-cts-hmac-sha384-192', 20],
  ['aes128-cts-hmac-sha256-128', 19],
  ['camellia256-cts-cmac', 26],
  ['camellia128-cts-cmac', 25],
  ['arcfour-hmac', 23],
]

describe('MIT clients against the embedded KDC', { skip }, () => {
  let kdc: TestKDC
  before(async () => {
    kdc = await startTestKDC({
      realm: 'EMB.TEST',
      allowWeakCrypto: true,
      alwaysPac: true,
      principals: [
        { name: 'alice', password: 'alice-pw', enctypes: ENCTYPES.map(([, n]) => n) },
        { name: 'HTTP/localhost', enctypes: ENCTYPES.map(([, n]) => n) },
        { name: 'svc', enctypes: ENCTYPES.map(([, n]) => n) },
      ],
    })
  })
  after(() => kdc?.stop())

  const env = (conf: string, cc: string): Record<string, string> => ({
    KRB5_CONFIG: conf,
    KRB5CCNAME: `FILE:${cc}`,
  })

  for (const [name, num] of ENCTYPES) {
    it(`kinit (password and keytab), klist, kvno and kinit -R with ${name} (${num})`, async () => {
      const conf = join(kdc.dir, `krb5-${num}.conf`)
      const only =
        `[libdefaults]\n  default_tkt_enctypes = ${name}\n  default_tgs_enctypes = ${name}\n` +
        `  permitted_enctypes = ${name}\n  allow_weak_crypto = true\n  renew_lifetime = 2d\n`
      await writeFile(conf, kdc.krb5Conf().replace('[libdefaults]\n', only))
      const e = env(conf, join(kdc.dir, `cc-${num}`))
      await runTool(MIT_BIN.kinit, ['-r', '2d', 'alice'], e, { input: 'alice-pw\n' })
      let l = await runTool(MIT_BIN.klist, ['-e'], e)
      assert.match(
        l.stdout,
        new RegExp(
          `krbtgt/EMB.TEST@EMB.TEST[\\s\\S]*Etype \\(skey, tkt\\): (DEPRECATED:)?${name},`,
        ),
      )
      const k = await runTool(MIT_BIN.kvno, ['HTTP/localhost'], e)
      assert.match(k.stdout, /HTTP\/localhost@EMB.TEST: kvno = 1/)
      await runTool(MIT_BIN.kinit, ['-R'], e)
      const kt = await kdc.writeKeytab('svc')
      await runTool(MIT_BIN.kinit, ['-k', '-t', kt, 'svc'], e)
      l = await runTool(MIT_BIN.klist, ['-e'], e)
      assert.match(l.stdout, /Default principal: svc@EMB.TEST/)
      assert.match(l.stdout, new RegExp(name))
    })
  }

  it('a wrong password is refused by MIT kinit with "Password incorrect" (PREAUTH_FAILED)', async () => {
    const r = await runTool(
      MIT_BIN.kinit,
      ['alice'],
      env(kdc.krb5ConfPath, join(kdc.dir, 'cc-bad')),
      {
        input: 'wrong\n',
        allowFailure: true,
      },
    )
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /Password incorrect/)
  })

  it('a key change: kvno reports the new kvno, an old keytab still decrypts tickets in flight', async () => {
    kdc.addPrincipal({ name: 'HTTP/rotate' })
    const e = env(kdc.krb5ConfPath, join(kdc.dir, 'cc-rotate'))
    await runTool(MIT_BIN.kinit, ['alice'], e, { input: 'alice-pw\n' })
    assert.match((await runTool(MIT_BIN.kvno, ['HTTP/rotate'], e)).stdout, /kvno = 1/)
    kdc.changeKey('HTTP/rotate')
    await runTool(MIT_BIN.kdestroy, [], e)
    await runTool(MIT_BIN.kinit, ['alice'], e, { input: 'alice-pw\n' })
    assert.match((await runTool(MIT_BIN.kvno, ['HTTP/rotate'], e)).stdout, /kvno = 2/)
    const kt = await kdc.writeKeytab('HTTP/rotate')
    const l = await runTool(MIT_BIN.klist, ['-k', kt], e)
    assert.match(l.stdout, /\b1 HTTP\/rotate@EMB.TEST/)
    assert.match(l.stdout, /\b2 HTTP\/rotate@EMB.TEST/)
  })

  it(
    'curl --negotiate with a ticket from the embedded KDC, accepted by our middleware',
    { skip: existsSync(CURL) ? false : 'curl missing' },
    async () => {
      const kt = kdc.database.keytab('HTTP/localhost')
      const auth = negotiateMiddleware({ acceptor: () => new Acceptor({ keytab: kt }) })
      const server: Server = createServer((req, res) =>
        auth(req, res, (err) => {
          if (err) {
            res.statusCode = 500
            res.end(String(err))
            return
          }
          res.end(`hello ${(req as unknown as { kerberos: NegotiateUser }).kerberos.principal}`)
        }),
      )
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      const port = (server.address() as AddressInfo).port
      try {
        const e = env(kdc.krb5ConfPath, join(kdc.dir, 'cc-curl'))
        await runTool(MIT_BIN.kinit, ['alice'], e, { input: 'alice-pw\n' })
        const r = await runTool(
          CURL,
          [
            '-sS',
            '--negotiate',
            '-u',
            ':',
            '--resolve',
            `localhost:${port}:127.0.0.1`,
            `http://localhost:${port}/`,
          ],
          e,
        )
        assert.equal(r.stdout, 'hello alice@EMB.TEST')
      } finally {
        await new Promise<void>((r) => server.close(() => r()))
      }
    },
  )
})

describe('MIT kvno across two embedded realms', { skip }, () => {
  let a: TestKDC
  let b: TestKDC
  before(async () => {
    a = await startTestKDC({
      realm: 'A.TEST',
      principals: [{ name: 'alice', password: 'alice-pw' }],
      referral: (p) => (p.components[1]?.endsWith('.b.test') === true ? 'B.TEST' : undefined),
    })
    b = await startTestKDC({ realm: 'B.TEST', principals: [{ name: 'HTTP/web.b.test' }] })
    const shared = a.database.addRandom(tgsPrincipal('B.TEST', 'A.TEST'))
    b.database.put(shared)
  })
  after(async () => {
    await a?.stop()
    await b?.stop()
  })

  it('kvno HTTP/web.b.test@B.TEST (direct cross-realm TGT) and kvno -S HTTP web.b.test (referral)', async () => {
    const conf = join(a.dir, 'two.conf')
    await writeFile(
      conf,
      krb5ConfText('A.TEST', `127.0.0.1:${a.port}`, { 'B.TEST': `127.0.0.1:${b.port}` }),
    )
    const e = { KRB5_CONFIG: conf, KRB5CCNAME: `FILE:${join(a.dir, 'cc')}` }
    await runTool(MIT_BIN.kinit, ['alice'], e, { input: 'alice-pw\n' })
    const k = await runTool(MIT_BIN.kvno, ['HTTP/web.b.test@B.TEST'], e)
    assert.match(k.stdout, /HTTP\/web.b.test@B.TEST: kvno = 1/)
    await runTool(MIT_BIN.kdestroy, [], e)
    await runTool(MIT_BIN.kinit, ['alice'], e, { input: 'alice-pw\n' })
    // MIT names the request with the referral (empty) realm.
    const r = await runTool(MIT_BIN.kvno, ['-S', 'HTTP', 'web.b.test'], e)
    assert.match(r.stdout, /HTTP\/web.b.test@(B.TEST)?: kvno = 1/)
    const l = await runTool(MIT_BIN.klist, [], e)
    assert.match(l.stdout, /HTTP\/web.b.test@/)
  })
})
