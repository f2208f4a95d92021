/**
 * Heimdal's client tools against the embedded KDC (startTestKDC on loopback), issue 14's Heimdal
 * peer: Heimdal kinit with a password and with a keytab, Heimdal klist shows the TGT, Heimdal
 * kgetcred gets a service ticket; for aes256/aes128-sha1 and the RFC 8009 aes-sha2 enctypes (Debian
 * bookworm's Heimdal 7.8 git snapshot supports them). The binaries come from Debian's heimdal-clients
 * unpacked outside the repo (test/helpers/heimdal.ts, scripts/heimdal-unpack.sh). Fails under
 * CI=true when they cannot be unpacked; skips loudly otherwise.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startTestKDC, type TestKDC } from '../../src/node/kdc-server.js'
import { runTool } from '../helpers/realm.js'
import { heimdal, skipWithoutHeimdal, type Heimdal } from '../helpers/heimdal.js'

const skip = skipWithoutHeimdal()

const ENCTYPES: readonly [string, number][] = [
  ['aes256-cts-hmac-sha1-96', 18],
  ['aes128-cts-hmac-sha1-96', 17],
  ['aes256-cts-hmac-sha384-192', 20],
  ['aes128-cts-hmac-sha256-128', 19],
]

/**
 * The session-key enctype of the credential for `server` in `heimtools klist -v` output (Heimdal
 * prints "Session key:" only when it differs from "Ticket etype:").
 */
function sessionEnctype(klist: string, server: string): string | undefined {
  const block = klist.split('\n\n').find((b) => b.startsWith(`Server: ${server}\n`))
  if (block === undefined) return undefined
  const m = /^Session key: (\S+)/m.exec(block) ?? /^Ticket etype: ([^,\s]+)/m.exec(block)
  return m?.[1]
}

describe('Heimdal clients against the embedded KDC', { skip }, () => {
  let kdc: TestKDC
  let h: Heimdal
  before(async () => {
    h = heimdal().heimdal as Heimdal
    kdc = await startTestKDC({
      realm: 'EMB.TEST',
      principals: [
        { name: 'alice', password: 'alice-pw', enctypes: ENCTYPES.map(([, n]) => n) },
        { name: 'HTTP/localhost', enctypes: ENCTYPES.map(([, n]) => n) },
        // One keytab principal per enctype: Heimdal's kinit -k requests the keytab's enctypes.
        ...ENCTYPES.map(([, n]) => ({ name: `svc-${n}`, enctypes: [n] })),
      ],
    })
  })
  after(() => kdc?.stop())

  /** A krb5.conf for Heimdal that allows only `name`, and the environment to run a tool with it. */
  async function envFor(name: string, num: number): Promise<Record<string, string>> {
    const conf = join(kdc.dir, `heimdal-${num}.conf`)
    const only =
      `[libdefaults]\n  default_etypes = ${name}\n  default_tkt_enctypes = ${name}\n` +
      `  default_tgs_enctypes = ${name}\n  permitted_enctypes = ${name}\n`
    await writeFile(conf, kdc.krb5Conf().replace('[libdefaults]\n', only))
    return { ...h.env, KRB5_CONFIG: conf, KRB5CCNAME: `FILE:${join(kdc.dir, `hcc-${num}`)}` }
  }

  for (const [name, num] of ENCTYPES) {
    it(`Heimdal kinit --password-file, klist and kgetcred with ${name} (${num})`, async () => {
      const e = await envFor(name, num)
      await runTool(h.kinit, ['--password-file=STDIN', 'alice@EMB.TEST'], e, {
        input: 'alice-pw\n',
      })
      let l = await runTool(h.heimtools, ['klist', '-v'], e)
      assert.match(l.stdout, /Principal: alice@EMB\.TEST/)
      assert.equal(sessionEnctype(l.stdout, 'krbtgt/EMB.TEST@EMB.TEST'), name)
      await runTool(h.kgetcred, ['HTTP/localhost@EMB.TEST'], e)
      l = await runTool(h.heimtools, ['klist', '-v'], e)
      assert.match(l.stdout, /Server: HTTP\/localhost@EMB\.TEST/)
      assert.equal(sessionEnctype(l.stdout, 'HTTP/localhost@EMB.TEST'), name)
    })

    it(`Heimdal kinit -k -t KEYTAB, klist and kgetcred with ${name} (${num})`, async () => {
      const e = await envFor(name, num)
      const kt = await kdc.writeKeytab(`svc-${num}`)
      await runTool(h.kinit, ['-k', '-t', `FILE:${kt}`, `svc-${num}@EMB.TEST`], e)
      let l = await runTool(h.heimtools, ['klist', '-v'], e)
      assert.match(l.stdout, new RegExp(`Principal: svc-${num}@EMB\\.TEST`))
      assert.equal(sessionEnctype(l.stdout, 'krbtgt/EMB.TEST@EMB.TEST'), name)
      await runTool(h.kgetcred, ['HTTP/localhost@EMB.TEST'], e)
      l = await runTool(h.heimtools, ['klist', '-v'], e)
      assert.equal(sessionEnctype(l.stdout, 'HTTP/localhost@EMB.TEST'), name)
    })
  }

  it('a wrong password is refused by Heimdal kinit (no ticket in the cache)', async () => {
    const e = await envFor('aes256-cts-hmac-sha1-96', 1018)
    const r = await runTool(h.kinit, ['--password-file=STDIN', 'alice@EMB.TEST'], e, {
      input: 'not-the-password\n',
      allowFailure: true,
    })
    assert.notEqual(r.code, 0)
    assert.match(r.stderr + r.stdout, /Password incorrect|[Pp]reauth|[Dd]ecrypt integrity/)
    const l = await runTool(h.heimtools, ['klist'], e, { allowFailure: true })
    assert.doesNotMatch(l.stdout, /krbtgt\/EMB\.TEST/)
  })
})
