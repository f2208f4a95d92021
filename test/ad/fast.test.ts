/**
 * Issue 17 item 1 — FAST (RFC 6113) against a Samba 4.17 AD DC (Heimdal KDC): host armor from a
 * machine account's keytab (WEB01$), a FAST password login (encrypted challenge inside the armor,
 * the KDC's encrypted challenge and KrbFastFinished checked), a FAST TGS request (implicit armor)
 * whose service ticket our Acceptor accepts, and MIT `kinit -T` with an armor ccache we wrote.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { serializeCCache } from '../../src/ccache/index.js'
import { KerberosClient, type ClientTraceEvent, type FastMode } from '../../src/client/index.js'
import { parseConfig } from '../../src/config/index.js'
import { parseKeytab, type Keytab } from '../../src/keytab/index.js'
import { discoveryConfigFromKrb5Config } from '../../src/node/kdc-discovery.js'
import { createNodeTransport } from '../../src/node/transport.js'
import { formatPrincipal } from '../../src/principal.js'
import { Acceptor, makeAPReq } from '../../src/protocol/index.js'
import { MIT_BIN } from '../helpers/realm.js'
import { AD_ACCOUNTS, skipWithoutSamba, useSambaDC, type SambaDC } from '../helpers/samba.js'

describe('FAST against a Samba AD DC (issue 17 item 1)', { skip: skipWithoutSamba() }, () => {
  let dc: SambaDC
  before(async () => {
    dc = await useSambaDC()
  })
  after(async () => {
    await dc?.release()
  })

  const keytab = (file: string): Keytab => parseKeytab(readFileSync(dc.keytabPath(file)))
  const hostArmor = () => ({ keytab: keytab(AD_ACCOUNTS.web01.keytab), principal: 'WEB01$' })

  function client(fast?: FastMode): { client: KerberosClient; events: ClientTraceEvent[] } {
    const config = parseConfig(readFileSync(dc.krb5ConfPath, 'utf8'), { path: dc.krb5ConfPath })
    const events: ClientTraceEvent[] = []
    const transport = createNodeTransport({
      config: discoveryConfigFromKrb5Config(config),
      attemptTimeoutMs: 3000,
    })
    const c = new KerberosClient({
      config,
      transport,
      trace: (e) => events.push(e),
      ...(fast !== undefined ? { fast } : {}),
    })
    return { client: c, events }
  }

  test('FAST password login with WEB01$ host armor: encrypted challenge, FAST reply', async () => {
    const { client: c, events } = client()
    const tgt = await c.login({
      principal: AD_ACCOUNTS.alice.sam,
      password: AD_ACCOUNTS.alice.password,
      armor: hostArmor(),
    })
    assert.equal(formatPrincipal(tgt.server), 'krbtgt/AD.TEST@AD.TEST')
    const mine = events.filter((e) => e.client === 'alice@AD.TEST' || e.type === 'preauth-required')
    const rep = mine.find((e) => e.type === 'as-rep' && e.client === 'alice@AD.TEST')
    assert.equal(rep?.fast, true)
    assert.ok(
      events.some((e) => e.type === 'preauth-required' && e.message === 'encrypted challenge'),
      'answered with PA-ENCRYPTED-CHALLENGE',
    )
  })

  test('FAST TGS request (implicit armor): the service ticket is accepted by our Acceptor', async () => {
    const { client: c, events } = client('required')
    await c.login({
      principal: AD_ACCOUNTS.alice.sam,
      password: AD_ACCOUNTS.alice.password,
      armor: hostArmor(),
    })
    const st = await c.getServiceTicket('HTTP/web.ad.test@AD.TEST')
    assert.equal(events.find((e) => e.type === 'tgs-rep')?.fast, true)
    const acceptor = new Acceptor({ keytab: keytab(AD_ACCOUNTS.svcWeb.spnKeytab) })
    const ap = makeAPReq({ ticket: st.ticket, sessionKey: st.sessionKey, client: st.client })
    assert.equal(formatPrincipal(acceptor.accept(ap.bytes).client), 'alice@AD.TEST')
  })

  test('a keytab login armored with a TGT from our own host login', async () => {
    const host = client('never').client
    const armor = await host.login({
      principal: 'WEB01$',
      keytab: keytab(AD_ACCOUNTS.web01.keytab),
    })
    const { client: c, events } = client('required')
    await c.login({
      principal: AD_ACCOUNTS.vault.sam,
      keytab: keytab(AD_ACCOUNTS.vault.keytab),
      armor: { tgt: armor },
    })
    assert.equal(events.find((e) => e.type === 'as-rep')?.fast, true)
  })

  test("'if-offered' (the default): Samba's PA-FX-FAST offer upgrades the login to FAST", async () => {
    const host = client('never').client
    const armor = await host.login({
      principal: 'WEB01$',
      keytab: keytab(AD_ACCOUNTS.web01.keytab),
    })
    const { client: c, events } = client()
    await c.login({
      principal: AD_ACCOUNTS.alice.sam,
      password: AD_ACCOUNTS.alice.password,
      armor: { tgt: armor },
    })
    assert.ok(events.some((e) => e.type === 'fast-armor' && /offers FAST/.test(e.message ?? '')))
    assert.equal(events.find((e) => e.type === 'as-rep')?.fast, true)
  })

  test('MIT kinit -T against Samba with an armor ccache our client wrote', async () => {
    const host = client().client
    await host.login({ principal: 'WEB01$', keytab: keytab(AD_ACCOUNTS.web01.keytab) })
    const armorPath = dc.path('fast-armor.cc')
    writeFileSync(armorPath, serializeCCache(host.toCCache()), { mode: 0o600 })
    const out = dc.path('fast-alice.cc')
    const r = await dc.run(MIT_BIN.kinit, ['-T', armorPath, '-c', out, 'alice@AD.TEST'], {
      input: `${AD_ACCOUNTS.alice.password}\n`,
      env: { KRB5_TRACE: dc.path('fast-kinit.trace') },
    })
    assert.equal(r.code, 0, r.stderr)
    const trace = readFileSync(dc.path('fast-kinit.trace'), 'utf8')
    assert.match(trace, /FAST armor ccache/)
    assert.match(trace, /encrypted_challenge|Encrypted challenge|PA-ENCRYPTED-CHALLENGE/)
  })
})
