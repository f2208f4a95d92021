/**
 * kpasswd against a Samba AD DC (issue 13), on a private DC (accounts and the domain password
 * policy change here): change a user's password, rotate a ktpass-style service account's keytab
 * and a computer account's (as a joined machine rotates itself) and compare the new keys with
 * `samba-tool domain exportkeytab`; an AD password-policy refusal gives the policy message.
 */
import assert from 'node:assert/strict'
import { readFileSync, copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { KerberosClient, type KerberosClientOptions } from '../../src/client/index.js'
import { parseConfig } from '../../src/config/index.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { discoveryConfigFromKrb5Config } from '../../src/node/kdc-discovery.js'
import { createNodeTransport } from '../../src/node/transport.js'
import { rotateKeytab } from '../../src/node/keytab-rotate.js'
import { SAMBA_BIN, skipWithoutSamba, startPrivateSambaDC, type SambaDC } from '../helpers/samba.js'

describe('kpasswd against a Samba AD DC', { skip: skipWithoutSamba() }, () => {
  let dc: SambaDC
  before(async () => {
    dc = await startPrivateSambaDC()
  })
  after(async () => {
    await dc?.release()
  })

  function options(): KerberosClientOptions {
    const config = parseConfig(readFileSync(dc.krb5ConfPath, 'utf8'), { path: dc.krb5ConfPath })
    const transport = createNodeTransport({
      config: discoveryConfigFromKrb5Config(config),
      attemptTimeoutMs: 5000,
    })
    return { config, transport }
  }

  const tool = (...args: string[]) =>
    dc.run(
      SAMBA_BIN.sambaTool,
      [...args, '-H', join(dc.dir, 'private/sam.ldb'), '-s', join(dc.dir, 'etc/smb.conf')],
      {
        timeoutMs: 120_000,
      },
    )

  async function exported(principal: string, file: string) {
    const path = dc.path(file)
    await dc.run(
      SAMBA_BIN.sambaTool,
      [
        'domain',
        'exportkeytab',
        path,
        `--principal=${principal}`,
        '-s',
        join(dc.dir, 'etc/smb.conf'),
      ],
      {
        timeoutMs: 120_000,
      },
    )
    return parseKeytab(readFileSync(path))
  }

  test('Samba kpasswd: changePassword of a user; the new password logs in', async () => {
    await tool('user', 'create', 'kpuser', 'Kp-User-Pw-1')
    const c = new KerberosClient(options())
    const r = await c.changePassword({
      principal: 'kpuser',
      oldPassword: 'Kp-User-Pw-1',
      newPassword: 'Kp-User-Pw-2',
    })
    assert.equal(r.reply.resultCode, 0)
    assert.equal(r.reply.authenticated, true)
    await new KerberosClient(options()).login({ principal: 'kpuser', password: 'Kp-User-Pw-2' })
  })

  test('Samba kpasswd: setPassword by Administrator, by AS and with its TGT (TGS ticket for kadmin/changepw)', async () => {
    await tool('user', 'create', 'kpset', 'Kp-Set-Pw-1')
    const c = new KerberosClient(options())
    await c.setPassword({
      principal: 'Administrator',
      password: 'Admin-Pw-1!',
      target: 'kpset',
      newPassword: 'Kp-Set-Pw-2',
    })
    await new KerberosClient(options()).login({ principal: 'kpset', password: 'Kp-Set-Pw-2' })
    await c.login({ principal: 'Administrator', password: 'Admin-Pw-1!' })
    await c.setPassword({ target: 'kpset', newPassword: 'Kp-Set-Pw-3' })
    await new KerberosClient(options()).login({ principal: 'kpset', password: 'Kp-Set-Pw-3' })
  })

  test('Samba kpasswd: rotate a ktpass-style service keytab; the new keys equal exportkeytab', async () => {
    const kt = dc.path('http-web.keytab')
    copyFileSync(dc.keytabPath('http-web.keytab'), kt)
    const r = await rotateKeytab({ keytab: kt, principal: 'HTTP/web.ad.test', client: options() })
    assert.equal(r.kvno, r.previousKvno + 1)
    const ours = parseKeytab(readFileSync(kt))
    const theirs = await exported('HTTP/web.ad.test', 'http-web-export.keytab')
    for (const e of ours.entries.filter((x) => x.kvno === r.kvno)) {
      const t = theirs.entries.find((x) => x.kvno === r.kvno && x.enctype === e.enctype)
      assert.ok(t !== undefined, `exportkeytab has kvno ${r.kvno} enctype ${e.enctype}`)
      assert.ok(t.key.equals(e.key), `enctype ${e.enctype} key equals exportkeytab's`)
    }
    assert.ok(
      ours.entries.some((x) => x.kvno === r.previousKvno),
      'previous kvno kept',
    )
  })

  test('Samba kpasswd: a computer account rotates its own keytab; keys equal exportkeytab', async () => {
    const kt = dc.path('web01.keytab')
    copyFileSync(dc.keytabPath('web01.keytab'), kt)
    const r = await rotateKeytab({ keytab: kt, principal: 'WEB01$', client: options() })
    const ours = parseKeytab(readFileSync(kt))
    const theirs = await exported('WEB01$', 'web01-export.keytab')
    const mine = ours.entries.filter((x) => x.kvno === r.kvno)
    assert.ok(mine.length > 0)
    for (const e of mine) {
      const t = theirs.entries.find((x) => x.kvno === r.kvno && x.enctype === e.enctype)
      assert.ok(
        t !== undefined && t.key.equals(e.key),
        `enctype ${e.enctype} key equals exportkeytab's`,
      )
    }
  })

  test('Samba kpasswd: an AD password-policy refusal (too short, history) gives the decoded policy message', async () => {
    await tool('user', 'create', 'kppolicy', 'Kp-Policy-Pw-1')
    await tool('domain', 'passwordsettings', 'set', '--min-pwd-length=14', '--history-length=3')
    const c = new KerberosClient(options())
    await assert.rejects(
      c.changePassword({
        principal: 'kppolicy',
        oldPassword: 'Kp-Policy-Pw-1',
        newPassword: 'Short-1',
      }),
      (e: Error & { code?: string; context?: Record<string, unknown> }) => {
        assert.equal(e.code, 'ERR_KRB_KPASSWD')
        assert.equal(e.context?.resultName, 'KRB5_KPASSWD_SOFTERROR')
        assert.match(e.message, /14/)
        return true
      },
    )
    // History: back to the previous password.
    await c.changePassword({
      principal: 'kppolicy',
      oldPassword: 'Kp-Policy-Pw-1',
      newPassword: 'Kp-Policy-Pw-2-long',
    })
    await assert.rejects(
      c.changePassword({
        principal: 'kppolicy',
        oldPassword: 'Kp-Policy-Pw-2-long',
        newPassword: 'Kp-Policy-Pw-1',
      }),
      (e: Error & { code?: string; context?: Record<string, unknown> }) => {
        assert.equal(e.code, 'ERR_KRB_KPASSWD')
        assert.equal(e.context?.resultName, 'KRB5_KPASSWD_SOFTERROR')
        assert.match(e.message, /histor/i)
        return true
      },
    )
  })
})
