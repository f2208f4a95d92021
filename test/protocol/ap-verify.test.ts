/**
 * The acceptor against real MIT AP-REQs (python3-gssapi on MIT libgssapi_krb5): key search over
 * kvnos, the four keytab errors, clock skew, replay, ticket times, wrong service, AP-REP.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import {
  createKeytab,
  makeKeytabEntry,
  parseKeytab,
  removeKeytabEntries,
  type Keytab,
} from '../../src/keytab/index.js'
import { formatPrincipal, parsePrincipal } from '../../src/principal.js'
import { Acceptor, indexKeytab, verifyAPReq } from '../../src/protocol/ap-verify.js'
import { verifyAPRep } from '../../src/protocol/ap-rep.js'
import { MemoryReplayCache } from '../../src/protocol/replay-cache.js'
import { unframeKrb5Token } from '../../src/gssapi/framing.js'
import {
  decodeAPReq,
  encodeAPReq,
  encodeAuthenticator,
  encodeEncTicketPart,
  setFlags,
  type Authenticator,
  type EncTicketPart,
} from '../../src/asn1/index.js'
import { encrypt } from '../../src/crypto/index.js'
import { TicketFlags } from '../../src/iana.js'
import { KerberosError, KeytabLookupError } from '../../src/errors.js'
import { startRealm, skipWithoutMIT, type Realm } from '../helpers/realm.js'
import { mitInitiatorTokens, pythonGssAvailable, setupService } from '../helpers/gss-peers.js'

const skip = skipWithoutMIT() || (pythonGssAvailable() ? false : 'python3-gssapi missing')
if (skip && process.env.CI === 'true')
  throw new Error(`acceptor tests need MIT + python3-gssapi in CI: ${skip}`)
if (skip) console.error(`*** ${skip}: acceptor MIT tests SKIPPED ***`)

const apReqOf = (token: Uint8Array): Uint8Array => {
  const t = unframeKrb5Token(token)
  assert.equal(t.tokId, 0x0100)
  return t.body
}

/** Re-issue the ticket of an MIT AP-REQ with changed fields (we hold the service key), with a fresh authenticator. */
function reissue(
  apReq: Uint8Array,
  kt: Keytab,
  ticketChanges: Partial<EncTicketPart>,
  authChanges: Partial<Authenticator> = {},
): Uint8Array {
  const req = decodeAPReq(apReq)
  const v = verifyAPReq(req, { keytab: kt, clockSkew: 1e9 })
  const entry = kt.entries.find(
    (e) =>
      e.kvno === v.kvno &&
      e.enctype === v.enctype &&
      e.principal.components[0] === v.server.components[0],
  )!
  const part = { ...v.encTicketPart, ...ticketChanges }
  const cipher = encrypt(entry.key, 2, encodeEncTicketPart(part))
  const now = new Date()
  const auth = {
    ...v.authenticator,
    ctime: new Date(Math.floor(now.getTime() / 1000) * 1000),
    cusec: (now.getTime() % 1000) * 1000,
    ...authChanges,
  }
  const ticket = {
    tktVno: 5 as const,
    realm: req.ticket.realm,
    sname: req.ticket.sname,
    encPart: { ...req.ticket.encPart, cipher },
  }
  return encodeAPReq({
    ...req,
    ticket,
    authenticator: {
      etype: v.sessionKey.enctype,
      cipher: encrypt(v.sessionKey, 11, encodeAuthenticator(auth)),
    },
  })
}

function code(err: unknown): string {
  return err instanceof KerberosError ? err.code : String(err)
}

describe('acceptor with MIT AP-REQs', { skip }, () => {
  let realm: Realm
  let env: Record<string, string>
  let keytab: Keytab
  let keytabPath: string

  before(async () => {
    realm = await startRealm()
    const s = await setupService(realm)
    keytabPath = s.keytab
    env = { ...realm.env, KRB5CCNAME: `FILE:${s.ccache}` }
    keytab = parseKeytab(await readFile(keytabPath))
  })
  after(async () => {
    await realm?.stop()
  })

  it('accepts a real AP-REQ and answers an AP-REP the client would check', async () => {
    const [tok] = await mitInitiatorTokens(env, 'HTTP@localhost', 1)
    const acceptor = new Acceptor({ keytab })
    const r = acceptor.accept(apReqOf(tok!))
    assert.equal(formatPrincipal(r.client), `alice@${realm.realm}`)
    assert.equal(formatPrincipal(r.server), `HTTP/localhost@${realm.realm}`)
    assert.equal(r.server.nameType, 3) // NT-SRV-HST from a GSS host-based name
    assert.equal(r.enctype, 18)
    assert.ok(r.subkey, 'MIT sends a subkey')
    assert.equal(r.key, r.subkey)
    assert.ok(r.gssChecksum, 'GSS checksum decoded')
    assert.ok(r.apRep, 'mutual requested by GSS flags')
    assert.ok(r.authorizationData && r.authorizationData.length > 0, 'MIT PAC in AD-IF-RELEVANT')
    const part = verifyAPRep(r.apRep, { sessionKey: r.sessionKey, ctime: r.ctime, cusec: r.cusec })
    assert.equal(part.cusec, r.cusec)
  })

  it('refuses a replay, a modified token, skew, expiry, another service', async () => {
    const toks = await mitInitiatorTokens(env, 'HTTP@localhost', 4)
    const acceptor = new Acceptor({ keytab })
    const a = apReqOf(toks[0]!)
    acceptor.accept(a)
    assert.throws(
      () => acceptor.accept(a),
      (e) => code(e) === 'ERR_KRB_REPLAY',
    )
    // modified authenticator ciphertext (last byte)
    const m = apReqOf(toks[1]!).slice()
    m[m.length - 1]! ^= 1
    assert.throws(
      () => acceptor.accept(m),
      (e) => code(e) === 'ERR_KRB_AP_ERROR',
    )
    // 10 minutes off
    const skewed = new Acceptor({ keytab, now: () => Date.now() + 600_000 })
    assert.throws(
      () => skewed.accept(apReqOf(toks[2]!)),
      (e) => code(e) === 'ERR_KRB_CLOCK_SKEW',
    )
    // expired ticket, not-yet-valid ticket, INVALID flag: the MIT ticket re-issued with the service key
    const base = apReqOf(toks[2]!)
    const hour = 3_600_000
    const expired = reissue(base, keytab, { endtime: new Date(Date.now() - hour) })
    assert.throws(
      () => acceptor.accept(expired),
      (e) => code(e) === 'ERR_KRB_TICKET_TIME' && (e as KerberosError).context.reason === 'expired',
    )
    const future = reissue(base, keytab, { starttime: new Date(Date.now() + hour) })
    assert.throws(
      () => acceptor.accept(future),
      (e) =>
        code(e) === 'ERR_KRB_TICKET_TIME' &&
        (e as KerberosError).context.reason === 'not-yet-valid',
    )
    const invalid = reissue(base, keytab, { flags: setFlags(TicketFlags.INVALID) })
    assert.throws(
      () => acceptor.accept(invalid),
      (e) => code(e) === 'ERR_KRB_TICKET_TIME' && (e as KerberosError).context.reason === 'invalid',
    )
    const otherClient = reissue(
      base,
      keytab,
      {},
      { cname: { nameType: 1, nameString: ['mallory'] } },
    )
    assert.throws(
      () => acceptor.accept(otherClient),
      (e) => code(e) === 'ERR_KRB_AP_ERROR' && (e as KerberosError).context.reason === 'bad-match',
    )
    assert.equal(
      formatPrincipal(acceptor.accept(reissue(base, keytab, {})).client),
      `alice@${realm.realm}`,
    )
    // wrong principal restriction
    const only = new Acceptor({ keytab, principal: `host/localhost@${realm.realm}` })
    assert.throws(
      () => only.accept(apReqOf(toks[3]!)),
      (e) => code(e) === 'ERR_KRB_AP_ERROR',
    )
    // ticket for a service whose keys are not in the keytab
    const noHttp = removeKeytabEntries(keytab, { principal: `HTTP/localhost@${realm.realm}` })
    assert.throws(
      () => verifyAPReq(apReqOf(toks[3]!), { keytab: noHttp }),
      (e) => e instanceof KeytabLookupError && e.reason === 'principal-not-found',
    )
    // accepted by name without realm
    const byName = new Acceptor({ keytab, principal: 'HTTP/localhost' })
    assert.equal(
      byName.accept(apReqOf(toks[3]!)).kvno,
      keytab.entries.find((e) => e.principal.components[0] === 'HTTP')!.kvno,
    )
  })

  it('review #5: a real MIT AP-REQ replayed with its sname rewritten to another principal of the same keytab (same key) is refused as a replay', async () => {
    // An AD-style keytab: the HTTP/localhost keys also under HTTP/alias.localhost (one account, two SPNs).
    const http = keytab.entries.filter((e) => e.principal.components[0] === 'HTTP')
    const alias = parsePrincipal(`HTTP/alias.localhost@${realm.realm}`)
    const adKeytab = createKeytab([
      ...keytab.entries,
      ...http.map((e) =>
        makeKeytabEntry({ principal: alias, kvno: e.kvno, key: e.key, timestamp: 1 }),
      ),
    ])
    const [tok] = await mitInitiatorTokens(env, 'HTTP@localhost', 1)
    const captured = apReqOf(tok!)
    const req = decodeAPReq(captured)
    const rewritten = encodeAPReq({
      ...req,
      ticket: {
        ...req.ticket,
        sname: { ...req.ticket.sname, nameString: ['HTTP', 'alias.localhost'] },
      },
    })
    // Alone, the rewritten AP-REQ verifies (same key): only the replay cache can catch it.
    assert.equal(
      formatPrincipal(verifyAPReq(rewritten, { keytab: adKeytab }).server),
      formatPrincipal(alias),
    )
    const acceptor = new Acceptor({ keytab: adKeytab })
    acceptor.accept(captured)
    assert.throws(
      () => acceptor.accept(rewritten),
      (e) => code(e) === 'ERR_KRB_REPLAY',
    )
    // and the other way round, with a shared cache
    const replayCache = new MemoryReplayCache()
    const [tok2] = await mitInitiatorTokens(env, 'HTTP@localhost', 1)
    const r2 = decodeAPReq(apReqOf(tok2!))
    const alias2 = encodeAPReq({
      ...r2,
      ticket: {
        ...r2.ticket,
        sname: { ...r2.ticket.sname, nameString: ['HTTP', 'alias.localhost'] },
      },
    })
    new Acceptor({ keytab: adKeytab, replayCache }).accept(alias2)
    assert.throws(
      () => new Acceptor({ keytab: adKeytab, replayCache }).accept(apReqOf(tok2!)),
      (e) => code(e) === 'ERR_KRB_REPLAY',
    )
  })

  it('shares one replay cache between acceptors', async () => {
    const [tok] = await mitInitiatorTokens(env, 'HTTP@localhost', 1)
    const replayCache = new MemoryReplayCache()
    const a = new Acceptor({ keytab, replayCache })
    const b = new Acceptor({ keytab: indexKeytab(keytab), replayCache })
    a.accept(apReqOf(tok!))
    assert.throws(
      () => b.accept(apReqOf(tok!)),
      (e) => code(e) === 'ERR_KRB_REPLAY',
    )
    const asyncCache = {
      seen: new Set<string>(),
      async checkAndStore(e: { key: string }) {
        if (this.seen.has(e.key)) return false
        this.seen.add(e.key)
        return true
      },
    }
    const c = new Acceptor({ keytab, replayCache: asyncCache })
    await c.acceptAsync(apReqOf(tok!))
    await assert.rejects(c.acceptAsync(apReqOf(tok!)), (e) => code(e) === 'ERR_KRB_REPLAY')
    assert.throws(() => c.accept(apReqOf(tok!)), TypeError)
  })

  it('key rotation: kvnos 1-3 in one keytab, each ticket verifies; a missing kvno is named', async () => {
    const svc = 'rot/localhost'
    await realm.addPrincipal(svc)
    const path = realm.path('rot.keytab')
    const tokens: Uint8Array[] = []
    // A fresh ccache per step: MIT caches service tickets, so each needs a new TGS exchange.
    let step = 0
    const freshEnv = async (): Promise<Record<string, string>> => {
      const ccache = realm.path(`rot-${step++}.ccache`)
      await realm.kinit('alice', { password: 'alice-pw-1', ccache })
      return { ...realm.env, KRB5CCNAME: `FILE:${ccache}` }
    }
    for (let i = 0; i < 3; i++) {
      // kvno 1 as created (-norandkey), then 2 and 3: each ktadd appends to the same keytab.
      await realm.ktadd(svc, path, { norandkey: i === 0 })
      tokens.push(...(await mitInitiatorTokens(await freshEnv(), 'rot@localhost', 1)))
    }
    const kt = parseKeytab(await readFile(path))
    const kvnos = [...new Set(kt.entries.map((e) => e.kvno))].sort()
    assert.deepEqual(kvnos, [1, 2, 3])
    const acceptor = new Acceptor({ keytab: kt })
    const got = tokens.map((t) => acceptor.accept(apReqOf(t)).kvno)
    assert.deepEqual(got, kvnos)
    // Keytab missing the newest kvno: the ticket side is newer → "keytab is likely out of date".
    const top = kvnos[2]!
    const old = removeKeytabEntries(kt, { principal: `${svc}@${realm.realm}`, kvno: top })
    const [fresh] = await mitInitiatorTokens(await freshEnv(), 'rot@localhost', 1)
    assert.throws(
      () => new Acceptor({ keytab: old, strictKvno: true }).accept(apReqOf(fresh!)),
      (e) =>
        e instanceof KeytabLookupError &&
        e.reason === 'kvno-not-found' &&
        e.kvno === top &&
        /keytab is likely out of date/.test(e.message) &&
        e.available.some((a) => a.kvno === top - 1),
    )
    // Non-strict: the old keys are tried too, and fail with the same structured error.
    assert.throws(
      () => new Acceptor({ keytab: old }).accept(apReqOf(fresh!)),
      (e) => e instanceof KeytabLookupError && e.reason === 'kvno-not-found',
    )
    // A ticket older than the keytab: "ticket is likely out of date".
    const onlyNew = removeKeytabEntries(kt, { principal: `${svc}@${realm.realm}`, kvno: kvnos[0]! })
    assert.throws(
      () => new Acceptor({ keytab: onlyNew, strictKvno: true }).accept(apReqOf(tokens[0]!)),
      (e) => e instanceof KeytabLookupError && /ticket is likely out of date/.test(e.message),
    )
    // After cpw -randkey the KDC is one kvno ahead of the keytab.
    await realm.cpwRandkey(svc)
    const [after] = await mitInitiatorTokens(await freshEnv(), 'rot@localhost', 1)
    assert.throws(
      () => acceptor.accept(apReqOf(after!)),
      (e) => e instanceof KeytabLookupError && e.reason === 'kvno-not-found' && e.kvno === top + 1,
    )
    // Same kvno, different key bytes: cannot decrypt. Only aes256 kept so the enctype exists.
    const forged = kt.entries.map((e) => (e.kvno === top ? { ...e, kvno: top + 1 } : e))
    assert.throws(
      () => new Acceptor({ keytab: { ...kt, entries: forged } }).accept(apReqOf(after!)),
      (e) =>
        e instanceof KeytabLookupError &&
        e.reason === 'cannot-decrypt' &&
        /cannot decrypt/.test(e.message),
    )
    // Right kvno, enctype missing.
    const noAes256 = { ...kt, entries: forged.filter((e) => e.enctype !== 18) }
    assert.throws(
      () => new Acceptor({ keytab: noAes256 }).accept(apReqOf(after!)),
      (e) => e instanceof KeytabLookupError && e.reason === 'enctype-not-found',
    )
    // A new ktadd picks up the KDC's... next kvno; setKeytab swaps keys without a new Acceptor.
    await realm.ktadd(svc, path)
    const [latest] = await mitInitiatorTokens(await freshEnv(), 'rot@localhost', 1)
    acceptor.setKeytab(parseKeytab(await readFile(path)))
    assert.equal(acceptor.accept(apReqOf(latest!)).kvno, top + 2)
  })
})
