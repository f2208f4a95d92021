/**
 * New-user trial of docs/delegation.md against a Samba 4.17 AD DC (issue 17): what a user met
 * following the guide — `kvno -U` after a plain `kinit -k` (no -f), the CLI showing the library's
 * hint for a refused delegation, and the message for `kvno -U` without `-P` on another SPN.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { KerberosClient } from '../../src/client/index.js'
import { parseConfig } from '../../src/config/index.js'
import { KDCError } from '../../src/errors.js'
import { TicketFlags } from '../../src/iana.js'
import { hasFlag } from '../../src/asn1/index.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { discoveryConfigFromKrb5Config } from '../../src/node/kdc-discovery.js'
import { createNodeTransport } from '../../src/node/transport.js'
import { MIT_BIN } from '../helpers/realm.js'
import { AD_ACCOUNTS, skipWithoutSamba, useSambaDC, type SambaDC } from '../helpers/samba.js'
import { runCli } from '../cli/run-cli.js'

const BACK = 'cifs/back.ad.test'

describe('trial: docs/delegation.md on a Samba AD DC', { skip: skipWithoutSamba() }, () => {
  let dc: SambaDC
  before(async () => {
    dc = await useSambaDC()
  })
  after(async () => {
    await dc?.release()
  })

  async function front(forwardable: boolean): Promise<KerberosClient> {
    const config = parseConfig(readFileSync(dc.krb5ConfPath, 'utf8'), { path: dc.krb5ConfPath })
    const transport = createNodeTransport({
      config: discoveryConfigFromKrb5Config(config),
      attemptTimeoutMs: 5000,
    })
    const c = new KerberosClient({ config, transport })
    const keytab = parseKeytab(readFileSync(dc.keytabPath(AD_ACCOUNTS.svcFront.keytab)))
    await c.login({ principal: 'svc-front', keytab, forwardable })
    return c
  }

  test('trial: impersonate() with a non-forwardable TGT works (S4U2Self alone), as MIT kvno -U', async () => {
    const c = await front(false)
    assert.equal(hasFlag(c.tgt!.flags, TicketFlags.FORWARDABLE), false)
    const self = await c.impersonate('alice')
    assert.equal(self.client.components.join('/'), 'alice')
    assert.equal(hasFlag(self.flags, TicketFlags.FORWARDABLE), false)
  })

  test('trial: getServiceTicketFor() with a non-forwardable TGT says to log in forwardable (kinit -f)', async () => {
    const c = await front(false)
    await assert.rejects(c.getServiceTicketFor('alice', BACK), (e: unknown) => {
      assert.ok(e instanceof KDCError, String(e))
      assert.equal(e.errorName, 'KDC_ERR_BADOPTION')
      assert.match(e.hint ?? '', /not forwardable.*forwardable: true \(kinit -f\)/)
      return true
    })
  })

  test('trial: kvno -U after kinit -k without -f succeeds as MIT kvno -U does', async () => {
    const cc = dc.path('trial-nofwd.ccache')
    const env = { ...dc.env, KRB5CCNAME: `FILE:${cc}` }
    const kt = dc.keytabPath(AD_ACCOUNTS.svcFront.keytab)
    await dc.run(MIT_BIN.kinit, ['-k', '-t', kt, 'svc-front'], { env })
    const mit = await dc.run(MIT_BIN.kvno, ['-U', 'alice', 'svc-front'], { env })
    await dc.run(MIT_BIN.kinit, ['-k', '-t', kt, 'svc-front'], { env })
    const ours = runCli(['kvno', '-U', 'alice', 'svc-front'], { env })
    assert.equal(ours.status, 0, ours.stderr)
    assert.equal(ours.stdout, mit.stdout)
  })

  test('trial: the CLI prints the hint of a refused S4U2Proxy, and kvno -U without -P names the fix', async () => {
    const cc = dc.path('trial-hint.ccache')
    const env = { ...dc.env, KRB5CCNAME: `FILE:${cc}` }
    const kt = dc.keytabPath(AD_ACCOUNTS.svcFront.keytab)
    await dc.run(MIT_BIN.kinit, ['-f', '-k', '-t', kt, 'svc-front'], { env })
    // HTTP/web.ad.test is not in svc-front's msDS-AllowedToDelegateTo.
    const refused = runCli(['kvno', '-U', 'alice', '-P', 'HTTP/web.ad.test'], { env })
    assert.equal(refused.status, 1)
    assert.match(refused.stderr, /KDC_ERR_BADOPTION.*constrained delegation failed/)
    assert.match(
      refused.stderr,
      /^kerberos-ts kvno: hint: .*msDS-AllowedToDelegateTo of svc-front/m,
    )
    const mismatch = runCli(['kvno', '-U', 'alice', BACK], { env })
    assert.equal(mismatch.status, 1)
    assert.match(mismatch.stderr, /client and server principal names must match/)
    assert.match(mismatch.stderr, /svc-front@AD\.TEST.*add -P/)
  })
})
