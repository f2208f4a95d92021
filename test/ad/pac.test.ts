/**
 * Issue 12 item 2, the peer part — PACs issued by a Samba 4.17 AD DC: our Acceptor verifies the
 * server signature with the exported service keytab and reads the account's SIDs (the computer
 * WEB01$ in WebServers, users in Domain Users); a PAC changed inside the ticket (re-encrypted
 * with the service key, signature left alone) is refused; `token dump -k` shows the PAC; and
 * MIT's GSS acceptor (python3-gssapi, `urn:mspac:logon-info`) sees the same LOGON_INFO bytes.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { decodeEncTicketPart, encodeEncTicketPart, type Ticket } from '../../src/asn1/index.js'
import { describeToken } from '../../src/cli/token.js'
import { KerberosClient, type Credentials } from '../../src/client/index.js'
import { decrypt, encrypt } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import { AcceptorContext, InitiatorContext } from '../../src/gssapi/index.js'
import { toHex } from '../../src/internal/bytes.js'
import { parseKeytab, type Keytab } from '../../src/keytab/index.js'
import { decodePAC, findPAC, readPACLayout, PACBufferType } from '../../src/pac/index.js'
import { formatPrincipal } from '../../src/principal.js'
import { Acceptor, makeAPReq } from '../../src/protocol/index.js'
import { PYTHON, pythonGssAvailable, requirePeer } from '../helpers/gss-peers.js'
import { clientFor } from '../client/helpers.js'
import { AD_ACCOUNTS, skipWithoutSamba, useSambaDC, type SambaDC } from '../helpers/samba.js'

const SPN = 'HTTP/web.ad.test'

describe('PACs issued by a Samba AD DC', { skip: skipWithoutSamba() }, () => {
  let dc: SambaDC
  let keytab: Keytab
  let domainSid: string
  let webServersSid: string
  let alice: Credentials
  let web01: Credentials

  const client = (): KerberosClient =>
    clientFor(dc, { transportOptions: { attemptTimeoutMs: 3000, deadlineMs: 10_000 } }).client

  /** objectSid of an object, read from the DC's sam.ldb with ldbsearch (read only). */
  async function sidOf(filter: string): Promise<string> {
    const r = await dc.run('/usr/bin/ldbsearch', [
      '-H',
      `${dc.dir}/private/sam.ldb`,
      filter,
      'objectSid',
    ])
    const m = /^objectSid: (S-1-5-21-[0-9-]+)$/m.exec(r.stdout)
    assert.ok(m !== null, r.stdout)
    return m[1]!
  }

  const apReq = (st: Credentials): Uint8Array =>
    makeAPReq({ ticket: st.ticket, sessionKey: st.sessionKey, client: st.client }).bytes

  before(async () => {
    dc = await useSambaDC()
    keytab = parseKeytab(readFileSync(dc.keytabPath(AD_ACCOUNTS.svcWeb.spnKeytab)))
    const aliceSid = await sidOf('(sAMAccountName=alice)')
    domainSid = aliceSid.slice(0, aliceSid.lastIndexOf('-'))
    webServersSid = await sidOf('(&(objectClass=group)(cn=WebServers))')
    const a = client()
    await a.login({ principal: 'alice', password: AD_ACCOUNTS.alice.password })
    alice = await a.getServiceTicket(SPN)
    const w = client()
    const wkt = parseKeytab(readFileSync(dc.keytabPath(AD_ACCOUNTS.web01.keytab)))
    await w.login({ principal: 'WEB01$', keytab: wkt })
    web01 = await w.getServiceTicket(SPN)
  })
  after(async () => {
    await dc?.release()
  })

  test('issue 12 PAC: a user ticket gives its SID and Domain Users, server signature verified', () => {
    const r = new Acceptor({ keytab, replayCache: false, pac: 'require' }).accept(apReq(alice))
    assert.ok(r.pac?.serverSignature !== undefined && r.pac.kdcSignature !== undefined)
    const id = r.identity!
    assert.equal(id.accountName, 'alice')
    assert.equal(id.logonDomainSid, domainSid)
    assert.match(id.userSid ?? '', new RegExp(`^${domainSid}-\\d+$`))
    assert.equal(id.primaryGroupSid, `${domainSid}-513`)
    assert.ok(id.groupSids.includes(`${domainSid}-513`), id.groupSids.join(' '))
    assert.equal(id.upn, 'alice@ad.test')
    assert.equal(id.dnsDomainName?.toUpperCase(), 'AD.TEST')
    assert.equal(id.clientName, 'alice')
  })

  test('issue 12 PAC: the computer WEB01$ is in WebServers and Domain Computers', () => {
    const r = new Acceptor({ keytab, replayCache: false, pac: 'require' }).accept(apReq(web01))
    const id = r.identity!
    assert.equal(formatPrincipal(r.client), 'WEB01$@AD.TEST')
    assert.equal(id.accountName, 'WEB01$')
    assert.equal(id.primaryGroupSid, `${domainSid}-515`)
    assert.ok(id.groupSids.includes(webServersSid), `${webServersSid} in ${id.groupSids.join(' ')}`)
    assert.ok(id.groupSids.includes(`${domainSid}-515`))
    assert.ok(!id.groupSids.includes(`${domainSid}-512`))
  })

  test('issue 12 PAC: a Samba ticket whose PAC says Domain Admins instead of Domain Users is refused', () => {
    const key = keytab.entries.find((e) => e.enctype === alice.ticket.encPart.etype)!.key
    const part = decodeEncTicketPart(decrypt(key, 2, alice.ticket.encPart.cipher))
    const ad = part.authorizationData!
    const pac = findPAC(ad)!
    const li = readPACLayout(pac).find((l) => l.type === PACBufferType.LOGON_INFO)!
    // Every little-endian RID 513 (Domain Users: PrimaryGroupId and GroupIds) becomes 512.
    let changed = 0
    for (let i = li.offset; i + 4 <= li.offset + li.size; i++) {
      if (pac[i] === 0x01 && pac[i + 1] === 0x02 && pac[i + 2] === 0 && pac[i + 3] === 0) {
        pac[i] = 0x00 // the view aliases the authorization data bytes
        changed++
      }
    }
    assert.ok(changed >= 1)
    const cipher = encrypt(key, 2, encodeEncTicketPart({ ...part, authorizationData: ad }))
    const forged: Ticket = { ...alice.ticket, encPart: { ...alice.ticket.encPart, cipher } }
    delete (forged as { raw?: Uint8Array }).raw
    const st = { ...alice, ticket: forged }
    // Without PAC checks the change is there to read: the attack is real.
    const seen = new Acceptor({ keytab, replayCache: false, pac: 'skip' }).accept(apReq(st))
    assert.equal(seen.pac, undefined)
    const raw = decodePAC(findPAC(seen.authorizationData ?? [])!)
    assert.equal(raw.logonInfo?.primaryGroupId, 512)
    assert.throws(
      () => new Acceptor({ keytab, replayCache: false }).accept(apReq(st)),
      (e) =>
        e instanceof KerberosError &&
        e.code === 'ERR_KRB_PAC_VERIFY' &&
        e.context.reason === 'server-signature',
    )
    assert.throws(
      () => new Acceptor({ keytab, replayCache: false, pac: 'require' }).accept(apReq(st)),
      /PAC/,
    )
    const lenient = new Acceptor({ keytab, replayCache: false, pac: 'lenient' }).accept(apReq(st))
    assert.equal(lenient.pac, undefined)
    assert.equal(lenient.identity, undefined)
  })

  test('issue 12 PAC: token dump -k of a Samba AP-REQ shows the PAC, verified, with the SIDs', () => {
    const token = new InitiatorContext({ credentials: web01 }).step()!
    const text = describeToken(token, { keytab, asn1: false }).join('\n')
    assert.match(text, /PAC: \d+ buffers/)
    assert.match(text, /LOGON_INFO \(1\): \d+ bytes/)
    assert.match(text, /UPN_DNS_INFO/)
    assert.match(text, /verification: server signature valid, CLIENT_INFO matches the ticket/)
    assert.match(text, new RegExp(`group SIDs: .*${webServersSid}`))
  })

  test('issue 12 PAC: MIT (python3-gssapi urn:mspac:logon-info) and our acceptor read the same LOGON_INFO', async (t) => {
    if (!requirePeer(t, pythonGssAvailable(), 'python3-gssapi (/usr/bin/python3)')) return
    const cc = dc.path('pac-alice.ccache')
    await dc.run('kinit', ['-c', cc, 'alice'], { input: `${AD_ACCOUNTS.alice.password}\n` })
    const py = [
      'import gssapi',
      'from gssapi.raw import get_name_attribute',
      "t = gssapi.Name('HTTP@web.ad.test', gssapi.NameType.hostbased_service)",
      "ic = gssapi.SecurityContext(name=t, usage='initiate', mech=gssapi.MechType.kerberos)",
      'tok = ic.step()',
      "ac = gssapi.SecurityContext(usage='accept')",
      'ac.step(tok)',
      "r = get_name_attribute(ac.initiator_name, b'urn:mspac:logon-info')",
      'print(tok.hex()); print(r.values[0].hex()); print(r.authenticated)',
    ].join('\n')
    const r = await dc.run(PYTHON, ['-c', py], {
      env: {
        KRB5CCNAME: `FILE:${cc}`,
        KRB5_KTNAME: `FILE:${dc.keytabPath(AD_ACCOUNTS.svcWeb.spnKeytab)}`,
      },
    })
    const [tokenHex, logonInfoHex, authenticated] = r.stdout.trim().split('\n')
    assert.equal(authenticated, 'True', 'MIT verified the PAC')
    const ctx = new AcceptorContext({
      acceptor: new Acceptor({ keytab, replayCache: false, pac: 'require' }),
    })
    ctx.step(Buffer.from(tokenHex!, 'hex'))
    const ours = ctx.result!.pac!.buffers.find((b) => b.type === PACBufferType.LOGON_INFO)!
    assert.equal(toHex(ours.data), logonInfoHex)
    assert.equal(ctx.result!.identity!.accountName, 'alice')
    assert.ok(ctx.result!.identity!.groupSids.includes(`${domainSid}-513`))
  })
})
