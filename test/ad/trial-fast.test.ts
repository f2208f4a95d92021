/**
 * New-user trial of docs/fast.md against a Samba 4.17 AD DC (issue 17): host armor from a keytab
 * with the SPN (`host/FQDN`), as the guide's MIT example reads, is refused by AD (an SPN is not a
 * client name); the error must say it was the armor login and name the machine account.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { KerberosClient } from '../../src/client/index.js'
import { KDCError } from '../../src/errors.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { clientFor } from '../client/helpers.js'
import { AD_ACCOUNTS, skipWithoutSamba, useSambaDC, type SambaDC } from '../helpers/samba.js'

describe('trial: docs/fast.md on a Samba AD DC', { skip: skipWithoutSamba() }, () => {
  let dc: SambaDC
  before(async () => {
    dc = await useSambaDC()
  })
  after(async () => {
    await dc?.release()
  })

  const client = (): KerberosClient =>
    clientFor(dc, { transportOptions: { attemptTimeoutMs: 5000, deadlineMs: 10_000 } }).client
  const keytab = (name: string) => parseKeytab(readFileSync(dc.keytabPath(name)))

  test('trial: a failed host-armor login says it was the armor login and, on AD, to use the machine account', async () => {
    const armor = { keytab: keytab(AD_ACCOUNTS.web01.spnKeytab), principal: 'host/web01.ad.test' }
    await assert.rejects(
      client().login({ principal: 'alice', password: AD_ACCOUNTS.alice.password, armor }),
      (e: unknown) => {
        assert.ok(e instanceof KDCError, String(e))
        assert.equal(e.errorName, 'KDC_ERR_C_PRINCIPAL_UNKNOWN')
        assert.match(e.message, /FAST armor login .*host\/web01\.ad\.test.* failed/)
        assert.match(e.hint ?? '', /machine account \(WEB01\$\)/)
        assert.equal(e.context.step, 'fast-armor')
        return true
      },
    )
    // The machine account, as the guide says for AD, armors the login.
    const ok = await client().login({
      principal: 'alice',
      password: AD_ACCOUNTS.alice.password,
      armor: { keytab: keytab(AD_ACCOUNTS.web01.keytab), principal: 'WEB01$' },
    })
    assert.equal(ok.client.components.join('/'), 'alice')
  })
})
