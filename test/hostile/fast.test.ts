/**
 * Issue 17 item 1, hostile: a man in the middle between our client and a real MIT KDC alters the
 * FAST parts of the replies (one field each). It holds the armor TGT's session key (as a
 * compromised armor host would), so it can decrypt and re-encrypt the FAST response: every
 * alteration must still be refused, and stripping FAST (a downgrade) too.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  decodeAPReq,
  decodeAuthenticator,
  decodeKDCReq,
  decodeKRBError,
  decodeKerberosMessage,
  decodeKrbFastReq,
  decodeKrbFastResponse,
  decodeMethodData,
  decodePAFxFastReply,
  decodePAFxFastRequest,
  encodeASRep,
  encodeEncryptedData,
  encodePAEncTSEnc,
  encodeKRBError,
  encodeKrbFastResponse,
  encodeMethodData,
  encodePAFxFastReply,
  encodeTGSRep,
  type KDCRep,
  type KRBError,
  type KrbFastResponse,
  type PAData,
  principalFromName,
} from '../../src/asn1/index.js'
import { readASReply, type ASRequest } from '../../src/protocol/index.js'
import type { Credentials, Transport } from '../../src/client/index.js'
import { cf2, decrypt, encrypt, stringToKey } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import { KeyUsage, PADataType } from '../../src/iana.js'
import type { KerberosKey } from '../../src/key.js'
import { skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { disableEncryptedTimestamp } from '../helpers/fast.js'
import { clientFor, keytabAt, realmConfig } from '../client/helpers.js'
import { discoveryConfigFromKrb5Config } from '../../src/node/kdc-discovery.js'
import { createNodeTransport } from '../../src/node/transport.js'

const PW = 'hostile-fast-pw'
const HOST = 'host/armor.hostile.test'

type Tamper = (
  rep: KDCRep,
  fast: KrbFastResponse,
) => { rep?: KDCRep; fast?: KrbFastResponse | null }

/** The armor key of an armored request, computed as the KDC does, from what the MITM holds. */
function armorKeyOf(req: Uint8Array, armorTGT: Credentials, tgt?: Credentials): KerberosKey {
  const kdcReq = decodeKDCReq(req)
  const fx = kdcReq.padata!.find((p) => p.padataType === PADataType.FX_FAST)!
  const armored = decodePAFxFastRequest(fx.padataValue)
  if (armored.armor !== undefined) {
    const ap = decodeAPReq(armored.armor.armorValue)
    const sk = armorTGT.sessionKey
    const auth = decodeAuthenticator(decrypt(sk, KeyUsage.AP_REQ_AUTH, ap.authenticator.cipher))
    return cf2(auth.subkey!, 'subkeyarmor', sk, 'ticketarmor')
  }
  // Implicit TGS armor: the PA-TGS-REQ authenticator's subkey and the TGT session key.
  const pa = kdcReq.padata!.find((p) => p.padataType === PADataType.TGS_REQ)!
  const ap = decodeAPReq(pa.padataValue)
  const sk = tgt!.sessionKey
  const auth = decodeAuthenticator(decrypt(sk, KeyUsage.TGS_REQ_AUTH, ap.authenticator.cipher))
  return cf2(auth.subkey!, 'subkeyarmor', sk, 'ticketarmor')
}

function reseal(key: KerberosKey, fast: KrbFastResponse): PAData {
  const cipher = encrypt(key, KeyUsage.FAST_REP, encodeKrbFastResponse(fast))
  return {
    padataType: PADataType.FX_FAST,
    padataValue: encodePAFxFastReply({ encFastRep: { etype: key.enctype, cipher } }),
  }
}

function openFast(key: KerberosKey, padata: readonly PAData[]): KrbFastResponse {
  const pa = padata.find((p) => p.padataType === PADataType.FX_FAST)!
  const { encFastRep } = decodePAFxFastReply(pa.padataValue)
  return decodeKrbFastResponse(decrypt(key, KeyUsage.FAST_REP, encFastRep.cipher))
}

/** A transport that relays to the real KDC and lets `onRep`/`onError` alter armored replies. */
function mitm(
  inner: Transport,
  armorTGT: Credentials,
  o: {
    readonly onRep?: Tamper
    readonly onError?: (err: KRBError, key: KerberosKey) => KRBError
    readonly tgt?: () => Credentials | undefined
  },
): Transport {
  return {
    async sendToKDC(realm, req, options) {
      const reply = await inner.sendToKDC(realm, req, options)
      const kdcReq = decodeKDCReq(req)
      if (!kdcReq.padata?.some((p) => p.padataType === PADataType.FX_FAST)) return reply
      const key = armorKeyOf(req, armorTGT, o.tgt?.())
      const msg = decodeKerberosMessage(reply)
      if (msg.type === 'KRB-ERROR')
        return o.onError ? encodeKRBError(o.onError(msg.value, key)) : reply
      if (o.onRep === undefined) return reply
      const rep = msg.value as KDCRep
      const out = o.onRep(rep, openFast(key, rep.padata ?? []))
      const base = out.rep ?? rep
      const others = (base.padata ?? []).filter((p) => p.padataType !== PADataType.FX_FAST)
      const padata =
        out.fast === null
          ? others
          : [reseal(key, out.fast ?? openFast(key, rep.padata!)), ...others]
      const changed: KDCRep = { ...base, padata }
      return rep.msgType === 11 ? encodeASRep(changed) : encodeTGSRep(changed)
    },
  }
}

describe(
  'hostile KDC replies to FAST requests are refused (issue 17 item 1)',
  { skip: skipWithoutMIT() },
  () => {
    let realm: Realm
    let armorTGT: Credentials
    before(async () => {
      realm = await startRealm({ realm: 'HOSTILE.TEST' })
      await disableEncryptedTimestamp(realm)
      await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
      await realm.addPrincipal(HOST)
      await realm.addPrincipal('HTTP/web.hostile.test')
      await realm.ktadd(HOST, realm.path('armor.keytab'))
      const host = clientFor(realm).client
      armorTGT = await host.login({ principal: HOST, keytab: keytabAt(realm.path('armor.keytab')) })
    })
    after(async () => {
      await realm?.stop()
    })

    const realTransport = (): Transport =>
      createNodeTransport({
        config: discoveryConfigFromKrb5Config(realmConfig(realm)),
        attemptTimeoutMs: 2000,
        deadlineMs: 8000,
      })

    async function loginThrough(t: Parameters<typeof mitm>[2]): Promise<unknown> {
      const holder: { tgt?: Credentials } = {}
      const { client } = clientFor(realm, {
        transport: mitm(realTransport(), armorTGT, { ...t, tgt: () => holder.tgt }),
      })
      try {
        holder.tgt = await client.login({
          principal: 'alice',
          password: PW,
          armor: { tgt: armorTGT },
        })
        return undefined
      } catch (e) {
        return e
      }
    }

    const refused = (e: unknown, re: RegExp): void => {
      assert.ok(e instanceof KerberosError, `expected a KerberosError, got ${String(e)}`)
      assert.equal(e.code, 'ERR_KRB_KDC_REPLY', e.message)
      assert.match(e.message, re)
    }

    test('baseline: the relay alone changes nothing', async () => {
      assert.equal(await loginThrough({ onRep: () => ({}) }), undefined)
    })

    test('review: an AS-REP whose KrbFastResponse nonce was changed is refused', async () => {
      refused(
        await loginThrough({ onRep: (_r, f) => ({ fast: { ...f, nonce: (f.nonce + 1) >>> 0 } }) }),
        /FAST response nonce/,
      )
    })

    test('review: an AS-REP whose KrbFastFinished ticket checksum does not match is refused', async () => {
      const e = await loginThrough({
        onRep: (_r, f) => {
          const c = f.finished!.ticketChecksum
          const bad = Uint8Array.from(c.checksum)
          bad[0]! ^= 1
          return {
            fast: { ...f, finished: { ...f.finished!, ticketChecksum: { ...c, checksum: bad } } },
          }
        },
      })
      refused(e, /FAST ticket checksum does not match/)
    })

    test('review: an AS-REP with another ticket (FAST checksum over the original) is refused', async () => {
      const e = await loginThrough({
        onRep: (r) => ({
          rep: {
            ...r,
            ticket: { ...r.ticket, realm: 'EVIL.TEST', raw: undefined } as typeof r.ticket,
          },
        }),
      })
      refused(e, /FAST ticket checksum does not match/)
    })

    test('review: an AS-REP whose cname was rewritten (outside FAST) is refused', async () => {
      const e = await loginThrough({
        onRep: (r) => ({ rep: { ...r, cname: { nameType: 1, nameString: ['mallory'] } } }),
      })
      refused(e, /FAST response says alice@HOSTILE\.TEST/)
    })

    test('review: an AS-REP whose cname was rewritten in KrbFastFinished too is refused', async () => {
      const mallory = { nameType: 1, nameString: ['mallory'] }
      const e = await loginThrough({
        onRep: (r, f) => ({
          rep: { ...r, cname: mallory },
          fast: { ...f, finished: { ...f.finished!, cname: mallory } },
        }),
      })
      refused(e, /AS-REP is for client mallory@HOSTILE\.TEST, expected alice@HOSTILE\.TEST/)
    })

    test('review: an AS-REP with PA-FX-FAST stripped (downgrade) is refused', async () => {
      refused(await loginThrough({ onRep: () => ({ fast: null }) }), /carries no PA-FX-FAST/)
    })

    test('review: an AS-REP without KrbFastFinished is refused', async () => {
      const e = await loginThrough({
        onRep: (_r, f) => {
          const { finished: _f, ...rest } = f
          return { fast: rest }
        },
      })
      refused(e, /no KrbFastFinished/)
    })

    test("review: an AS-REP without the KDC's encrypted challenge is refused", async () => {
      const e = await loginThrough({
        onRep: (_r, f) => ({
          fast: {
            ...f,
            padata: f.padata.filter((p) => p.padataType !== PADataType.ENCRYPTED_CHALLENGE),
          },
        }),
      })
      refused(e, /KDC PA-ENCRYPTED-CHALLENGE/)
    })

    test('review: an AS-REP whose KDC encrypted challenge holds an old time is refused', async () => {
      // The MITM knows the password here, to re-encrypt the KDC's challenge with a time an hour old.
      const clientKey = stringToKey(18, PW, 'HOSTILE.TESTalice')
      let armorKey: KerberosKey | undefined
      const e = await loginThrough({
        onError: (err, key) => {
          armorKey = key
          return err
        },
        onRep: (_r, f) => {
          const key = cf2(armorKey!, 'kdcchallengearmor', clientKey, 'challengelongterm')
          const ts = encodePAEncTSEnc({ patimestamp: new Date(Date.now() - 3600_000), pausec: 0 })
          const cipher = encrypt(key, KeyUsage.ENC_CHALLENGE_KDC, ts)
          const pa = {
            padataType: PADataType.ENCRYPTED_CHALLENGE,
            padataValue: encodeEncryptedData({ etype: key.enctype, cipher }),
          }
          const rest = f.padata.filter((p) => p.padataType !== PADataType.ENCRYPTED_CHALLENGE)
          return { fast: { ...f, padata: [...rest, pa] } }
        },
      })
      refused(e, /PA-ENCRYPTED-CHALLENGE time .* is outside the clock skew/)
    })

    test('review: 2000 random byte changes to a real armored AS-REP give only KerberosError or a checked reply', async () => {
      let captured: { req: Uint8Array; rep: Uint8Array; key: KerberosKey } | undefined
      const real = realTransport()
      const { client } = clientFor(realm, {
        transport: {
          async sendToKDC(r, req, o) {
            const rep = await real.sendToKDC(r, req, o)
            const msg = decodeKerberosMessage(rep)
            if (msg.type === 'AS-REP') captured = { req, rep, key: armorKeyOf(req, armorTGT) }
            return rep
          },
        },
      })
      await client.login({ principal: 'alice', password: PW, armor: { tgt: armorTGT } })
      const cap = captured!
      const outer = decodeKDCReq(cap.req)
      const fx = decodePAFxFastRequest(outer.padata![0]!.padataValue)
      const inner = decodeKrbFastReq(decrypt(cap.key, KeyUsage.FAST_ENC, fx.encFastReq.cipher))
      const request: ASRequest = {
        bytes: cap.req,
        req: outer,
        nonce: outer.reqBody.nonce,
        client: principalFromName(outer.reqBody.cname!, outer.reqBody.realm),
        server: principalFromName(outer.reqBody.sname!, outer.reqBody.realm),
        till: outer.reqBody.till,
        fast: {
          armorKey: cap.key,
          nonce: outer.reqBody.nonce,
          padata: inner.padata,
          required: true,
        },
      }
      const keys = () => [stringToKey(18, PW, 'HOSTILE.TESTalice')]
      const read = (bytes: Uint8Array) =>
        readASReply(bytes, { request, keys, kdcChallenge: { now: new Date() } })
      assert.equal(read(cap.rep).kind, 'ok')
      let seed = 12345
      const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n
      let refusedCount = 0
      for (let i = 0; i < 2000; i++) {
        const bytes = Uint8Array.from(cap.rep)
        bytes[rnd(bytes.length)] ^= 1 + rnd(255)
        try {
          read(bytes)
        } catch (e) {
          assert.ok(e instanceof KerberosError, `mutation ${i}: ${String(e)}`)
          refusedCount++
        }
      }
      assert.ok(refusedCount > 1900, `${refusedCount} of 2000 refused`)
    })

    test('review: a PREAUTH_REQUIRED moved out of the armor (downgrade to timestamp) is not acted on', async () => {
      const e = await loginThrough({
        onError: (err, key) => {
          const list = decodeMethodData(err.eData!)
          const fast = openFast(key, list)
          const fx = fast.padata.find((p) => p.padataType === PADataType.FX_ERROR)
          if (fx === undefined) return err
          const innerErr = decodeKRBError(fx.padataValue)
          // The attacker's hints: encrypted timestamp, outside the armor.
          const hints = [{ padataType: PADataType.ENC_TIMESTAMP, padataValue: new Uint8Array(0) }]
          return { ...innerErr, eData: encodeMethodData(hints) }
        },
      })
      assert.ok(e instanceof KerberosError)
      assert.equal(e.code, 'ERR_KRB_FAST_REQUIRED')
      assert.match(e.message, /without FAST/)
    })

    test('review: a FAST TGS-REP whose KrbFastResponse nonce was changed is refused', async () => {
      const held: { tgt?: Credentials } = {}
      const { client } = clientFor(realm, {
        fast: 'required',
        transport: mitm(realTransport(), armorTGT, {
          tgt: () => held.tgt,
          onRep: (r, f) => (r.msgType === 13 ? { fast: { ...f, nonce: (f.nonce + 1) >>> 0 } } : {}),
        }),
      })
      held.tgt = await client.login({ principal: 'alice', password: PW, armor: { tgt: armorTGT } })
      await assert.rejects(
        client.getServiceTicket('HTTP/web.hostile.test@HOSTILE.TEST'),
        (e: unknown) => {
          refused(e, /FAST response nonce/)
          return true
        },
      )
    })

    test("review: with fast 'required', a TGS-REP with PA-FX-FAST stripped is refused", async () => {
      const held: { tgt?: Credentials } = {}
      const { client } = clientFor(realm, {
        fast: 'required',
        transport: mitm(realTransport(), armorTGT, {
          tgt: () => held.tgt,
          onRep: (r) => (r.msgType === 13 ? { fast: null } : {}),
        }),
      })
      held.tgt = await client.login({ principal: 'alice', password: PW, armor: { tgt: armorTGT } })
      await assert.rejects(
        client.getServiceTicket('HTTP/web.hostile.test@HOSTILE.TEST'),
        (e: unknown) => {
          refused(e, /carries no PA-FX-FAST/)
          return true
        },
      )
    })
  },
)
