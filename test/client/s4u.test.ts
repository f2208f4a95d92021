/**
 * Issue 17 item 2 against MIT krb5kdc 1.20 (db2 back end): S4U2Self for a service marked
 * `+ok_to_auth_as_delegate` (forwardable) and for one without (measured: forwardable too), checked
 * through the service's own keytab; the user name comes back as asked. S4U2Proxy needs a KDB
 * that answers "may X delegate to Y" (MIT's LDAP back end for msDS-AllowedToDelegateTo-style
 * `krbAllowedToDelegateTo`, or an RBCD-capable KDB): db2 has neither, so MIT refuses; the test
 * records MIT's answer and MIT's own `kvno -U -P` gets the same.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  decodeKerberosMessage,
  decodeTGSReq,
  encodeTGSRep,
  hasFlag,
  type KDCRep,
} from '../../src/asn1/index.js'
import type { Transport } from '../../src/client/index.js'
import { discoveryConfigFromKrb5Config } from '../../src/node/kdc-discovery.js'
import { createNodeTransport } from '../../src/node/transport.js'
import { KDCError } from '../../src/errors.js'
import { PADataType, TicketFlags } from '../../src/iana.js'
import { formatPrincipal } from '../../src/principal.js'
import { Acceptor, makeAPReq } from '../../src/protocol/index.js'
import { MIT_BIN, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { runCli } from '../cli/run-cli.js'
import { clientFor, keytabAt, realmConfig } from './helpers.js'

const REALM = 'S4U.TEST'

describe('S4U against MIT krb5kdc', { skip: skipWithoutMIT() }, () => {
  let realm: Realm
  before(async () => {
    realm = await startRealm({ realm: REALM })
    await realm.addPrincipal('alice', { password: 'alice-pw', requiresPreauth: true })
    await realm.addPrincipal('svc/front.s4u.test', { flags: ['+ok_to_auth_as_delegate'] })
    await realm.addPrincipal('svc/plain.s4u.test')
    await realm.addPrincipal('cifs/back.s4u.test')
    await realm.ktadd('svc/front.s4u.test', realm.path('front.keytab'))
    await realm.ktadd('svc/plain.s4u.test', realm.path('plain.keytab'))
  })
  after(async () => {
    await realm?.stop()
  })

  async function serviceClient(name: string, kt: string) {
    const { client } = clientFor(realm)
    await client.login({ principal: name, keytab: keytabAt(realm.path(kt)), forwardable: true })
    return client
  }

  test('S4U2Self with +ok_to_auth_as_delegate: forwardable, for alice, opens with the keytab', async () => {
    const front = await serviceClient('svc/front.s4u.test', 'front.keytab')
    const self = await front.impersonate('alice')
    assert.equal(formatPrincipal(self.client), `alice@${REALM}`)
    assert.equal(formatPrincipal(self.server), `svc/front.s4u.test@${REALM}`)
    assert.ok(hasFlag(self.flags, TicketFlags.FORWARDABLE))
    const acceptor = new Acceptor({ keytab: keytabAt(realm.path('front.keytab')) })
    const v = acceptor.accept(
      makeAPReq({ ticket: self.ticket, sessionKey: self.sessionKey, client: self.client }).bytes,
    )
    assert.equal(formatPrincipal(v.client), `alice@${REALM}`)
  })

  test('hostile: MIT signs its PA-S4U-X509-USER; a client name changed on the path is refused', async () => {
    let signed = false
    const real = createNodeTransport({ config: discoveryConfigFromKrb5Config(realmConfig(realm)) })
    let tamper = false
    const transport: Transport = {
      async sendToKDC(r, bytes, o) {
        const reply = await real.sendToKDC(r, bytes, o)
        const msg = decodeKerberosMessage(reply)
        if (msg.type !== 'TGS-REP') return reply
        const s4u = decodeTGSReq(bytes).padata?.some(
          (p) => p.padataType === PADataType.FOR_X509_USER,
        )
        if (s4u !== true) return reply
        const rep = msg.value as KDCRep
        signed ||= rep.padata?.some((p) => p.padataType === PADataType.FOR_X509_USER) === true
        return tamper
          ? encodeTGSRep({ ...rep, cname: { nameType: 1, nameString: ['admin'] } })
          : reply
      },
    }
    const { client } = clientFor(realm, { transport })
    await client.login({
      principal: 'svc/front.s4u.test',
      keytab: keytabAt(realm.path('front.keytab')),
    })
    await client.impersonate('alice') // the KDC's checksum (usage 27, subkey) verifies
    assert.ok(signed, 'MIT answers S4U2Self with PA-S4U-X509-USER')
    tamper = true
    await assert.rejects(client.impersonate('alice'), {
      code: 'ERR_KRB_KDC_REPLY',
      message: /S4U2Self reply is for client admin@S4U\.TEST, expected alice@S4U\.TEST/,
    })
  })

  test('S4U2Self without ok_to_auth_as_delegate: a ticket for alice (forwardable flag recorded)', async (t) => {
    const plain = await serviceClient('svc/plain.s4u.test', 'plain.keytab')
    const self = await plain.impersonate('alice')
    assert.equal(formatPrincipal(self.client), `alice@${REALM}`)
    // Measured with Debian's MIT 1.20.1: forwardable too (Samba clears it without
    // TRUSTED_TO_AUTH_FOR_DELEGATION; see test/ad/delegation.test.ts).
    t.diagnostic(`forwardable: ${hasFlag(self.flags, TicketFlags.FORWARDABLE)}`)
  })

  test('S4U2Proxy with the db2 KDB: MIT refuses, and so does MIT kvno -U -P', async (t) => {
    const front = await serviceClient('svc/front.s4u.test', 'front.keytab')
    const out = await front
      .getServiceTicketFor('alice', 'cifs/back.s4u.test')
      .catch((e: unknown) => e)
    assert.ok(out instanceof KDCError, `expected a KDC refusal, got ${String(out)}`)
    t.diagnostic(`MIT 1.20 db2: ${out.errorName}`)
    const cc = realm.path('front.ccache')
    const env = { KRB5CCNAME: `FILE:${cc}` }
    await realm.run(
      MIT_BIN.kinit,
      ['-f', '-k', '-t', realm.path('front.keytab'), 'svc/front.s4u.test'],
      {
        env,
      },
    )
    const mit = await realm.run(MIT_BIN.kvno, ['-U', 'alice', '-P', 'cifs/back.s4u.test'], {
      env,
      allowFailure: true,
    })
    assert.notEqual(mit.code, 0)
    const ours = runCli(['kvno', '-U', 'alice', '-P', 'cifs/back.s4u.test'], {
      env: { ...env, KRB5_CONFIG: realm.krb5ConfPath },
    })
    assert.equal(ours.status, 1)
    // The same first line (the S4U2Self kvno under the name asked, as MIT prints it).
    assert.equal(ours.stdout, mit.stdout)
    assert.match(ours.stderr, /constrained delegation failed/)
  })

  test('kerberos-ts kvno -U alice SELF matches MIT kvno -U', async () => {
    const cc = realm.path('front2.ccache')
    const env = { KRB5CCNAME: `FILE:${cc}` }
    await realm.run(
      MIT_BIN.kinit,
      ['-f', '-k', '-t', realm.path('front.keytab'), 'svc/front.s4u.test'],
      {
        env,
      },
    )
    const mit = await realm.run(MIT_BIN.kvno, ['-U', 'alice', 'svc/front.s4u.test'], { env })
    const ours = runCli(['kvno', '-U', 'alice', 'svc/front.s4u.test'], {
      env: { ...env, KRB5_CONFIG: realm.krb5ConfPath },
    })
    assert.equal(ours.status, 0, ours.stderr)
    assert.equal(ours.stdout, mit.stdout)
  })
})
