/**
 * Issue 12 item 1 — our KerberosClient and Acceptor against a Samba 4.17 AD DC (KDC only, on
 * 127.0.0.1): password logins (a UPN user by its sAMAccountName, a user without a UPN), keytab
 * logins with `samba-tool domain exportkeytab` output (a ktpass-style account with kvno > 1, a
 * computer account), service tickets for HTTP SPNs verified by our Acceptor with the exported
 * keytabs (the PAC stays raw authorization data here), an rc4-only service, and the UDP → TCP
 * retry on KRB_ERR_RESPONSE_TOO_BIG (AD's AS-REPs carry a PAC and exceed a datagram).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { KerberosClient, type ClientTraceEvent } from '../../src/client/index.js'
import { parseConfig } from '../../src/config/index.js'
import { EncType } from '../../src/iana.js'
import { parseKeytab, type Keytab } from '../../src/keytab/index.js'
import { discoveryConfigFromKrb5Config } from '../../src/node/kdc-discovery.js'
import { createNodeTransport, type TransportTraceEvent } from '../../src/node/transport.js'
import { formatPrincipal } from '../../src/principal.js'
import { Acceptor, makeAPReq, type Credentials } from '../../src/protocol/index.js'
import { AD_ACCOUNTS, skipWithoutSamba, useSambaDC, type SambaDC } from '../helpers/samba.js'

describe('KerberosClient and Acceptor against a Samba AD DC', { skip: skipWithoutSamba() }, () => {
  let dc: SambaDC
  before(async () => {
    dc = await useSambaDC()
  })
  after(async () => {
    await dc?.release()
  })

  const keytab = (file: string): Keytab => parseKeytab(readFileSync(dc.keytabPath(file)))

  function client(options: { readonly allowWeakCrypto?: boolean } = {}): {
    client: KerberosClient
    events: ClientTraceEvent[]
    wire: TransportTraceEvent[]
  } {
    const config = parseConfig(readFileSync(dc.krb5ConfPath, 'utf8'), { path: dc.krb5ConfPath })
    const events: ClientTraceEvent[] = []
    const wire: TransportTraceEvent[] = []
    const transport = createNodeTransport({
      config: discoveryConfigFromKrb5Config(config),
      attemptTimeoutMs: 3000,
      trace: (e) => wire.push(e),
    })
    const c = new KerberosClient({
      config,
      transport,
      trace: (e) => events.push(e),
      ...options,
    })
    return { client: c, events, wire }
  }

  /** Our Acceptor, given the exported keytab, accepts an AP-REQ made from `st`. */
  function accept(st: Credentials, keytabFile: string, allowWeakCrypto = false): Acceptor {
    const acceptor = new Acceptor({ keytab: keytab(keytabFile), allowWeakCrypto })
    const ap = makeAPReq({
      ticket: st.ticket,
      sessionKey: st.sessionKey,
      client: st.client,
      mutualRequired: true,
      allowWeak: true,
    })
    const r = acceptor.accept(ap.bytes)
    assert.equal(formatPrincipal(r.client), formatPrincipal(st.client))
    assert.equal(r.kvno, st.ticketKvno)
    assert.ok(r.apRep !== undefined)
    // Every AD ticket carries a PAC in AD-IF-RELEVANT (ad-type 1 wrapping ad-type 128).
    const ad = r.authorizationData ?? []
    assert.ok(ad.some((e) => e.adType === 1) && ad.length > 0, 'ticket has authorization data')
    return acceptor
  }

  test('password login: a user with a UPN (by sAMAccountName) and a user without one', async () => {
    for (const a of [AD_ACCOUNTS.alice, AD_ACCOUNTS.jdoe, AD_ACCOUNTS.bob]) {
      const { client: c, events } = client()
      const tgt = await c.login({ principal: a.sam, password: a.password })
      assert.equal(formatPrincipal(tgt.server), 'krbtgt/AD.TEST@AD.TEST')
      assert.equal(tgt.replyEtype, EncType.AES256_CTS_HMAC_SHA1_96)
      // The KDC's ETYPE-INFO2 salt was used (AD.TESTjdoe for JDoe, not AD.TESTJDoe).
      const pre = events.find((e) => e.type === 'preauth-required')
      assert.ok(pre !== undefined && 'salt' in pre)
      assert.equal(Buffer.from(pre.salt!, 'hex').toString('utf8'), a.salt)
    }
  })

  test('keytab login with the exported keytab of a ktpass-style account (UPN = SPN, kvno > 1)', async () => {
    const kt = keytab(AD_ACCOUNTS.svcWeb.spnKeytab)
    assert.ok(kt.entries[0]!.kvno > 1)
    const { client: c } = client()
    const tgt = await c.login({ principal: 'HTTP/web.ad.test', keytab: kt })
    assert.equal(formatPrincipal(tgt.client), 'HTTP/web.ad.test@AD.TEST')
  })

  test('keytab login with the exported computer keytab (WEB01$)', async () => {
    const { client: c } = client()
    const tgt = await c.login({ principal: 'WEB01$', keytab: keytab(AD_ACCOUNTS.web01.keytab) })
    assert.equal(formatPrincipal(tgt.client), 'WEB01$@AD.TEST')
  })

  test('service tickets for the HTTP SPNs; our Acceptor verifies them with the exported keytabs', async () => {
    const { client: c } = client()
    await c.login({ principal: 'alice', password: AD_ACCOUNTS.alice.password })
    const vault = await c.getServiceTicket('HTTP/vault.ad.test')
    assert.equal(formatPrincipal(vault.server), 'HTTP/vault.ad.test@AD.TEST')
    assert.equal(vault.ticket.encPart.etype, EncType.AES256_CTS_HMAC_SHA1_96)
    accept(vault, AD_ACCOUNTS.vault.spnKeytab)
    const web = await c.getServiceTicket('HTTP@web.ad.test')
    assert.equal(formatPrincipal(web.server), 'HTTP/web.ad.test@AD.TEST')
    accept(web, AD_ACCOUNTS.svcWeb.spnKeytab)
    // A keytab of another account does not decrypt it.
    assert.throws(() => accept(web, AD_ACCOUNTS.vault.spnKeytab), /not found in keytab/)
  })

  test('an rc4-only service: the ticket is arcfour-hmac; the acceptor needs allowWeakCrypto', async () => {
    const { client: c } = client({ allowWeakCrypto: true })
    await c.login({ principal: 'alice', password: AD_ACCOUNTS.alice.password })
    const st = await c.getServiceTicket('cifs/legacy.ad.test')
    assert.equal(st.ticket.encPart.etype, EncType.RC4_HMAC)
    accept(st, AD_ACCOUNTS.legacy.spnKeytab, true)
    assert.throws(() => accept(st, AD_ACCOUNTS.legacy.spnKeytab, false))
  })

  test('the AS-REP is too big for UDP: KRB_ERR_RESPONSE_TOO_BIG, then the same request over TCP', async () => {
    // Samba answers over UDP up to ~1400 octets: alice's AS-REP (1.39 KB) fits, the computer's
    // (1.41 KB, a longer PAC) does not.
    const { client: c, wire } = client()
    await c.login({ principal: 'WEB01$', keytab: keytab(AD_ACCOUNTS.web01.keytab) })
    const tooBig = wire.findIndex(
      (e) => e.type === 'failure' && e.protocol === 'udp' && e.code === 'KRB_ERR_RESPONSE_TOO_BIG',
    )
    assert.ok(tooBig >= 0, JSON.stringify(wire))
    const next = wire.slice(tooBig + 1)
    assert.equal(next[0]?.type, 'attempt')
    assert.equal(next[0]?.protocol, 'tcp')
    assert.ok(next.some((e) => e.type === 'reply' && e.protocol === 'tcp' && e.bytes! > 1400))
  })
})
