/**
 * Fuzz target for the embedded KDC: AS-REQs (with and without PA-ENC-TIMESTAMP) and a TGS-REQ
 * with a real TGT, mutated; the KDC must answer every input with a KRB-ERROR, an AS-REP or a
 * TGS-REP, or say nothing, and never throw.
 */
import { decodeKerberosMessage } from '../../src/asn1/index.js'
import { stringToKey } from '../../src/crypto/index.js'
import { defaultSalt } from '../../src/crypto/salt.js'
import { KDC, MemoryPrincipalDatabase } from '../../src/kdc/index.js'
import { parsePrincipal, tgsPrincipal } from '../../src/principal.js'
import { buildASReq, makeEncTimestamp, readASReply } from '../../src/protocol/as.js'
import { buildTGSReq } from '../../src/protocol/tgs.js'
import type { FuzzTarget } from './targets.js'
import { seededRandom } from './world.js'

const REALM = 'FUZZ.TEST'
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0)

function world(): { kdc: KDC; seeds: Uint8Array[] } {
  const random = seededRandom(14)
  const db = new MemoryPrincipalDatabase(REALM)
  db.addRandom(tgsPrincipal(REALM), { random })
  db.addPassword('alice', 'pw', { requiresPreauth: true })
  db.addRandom('HTTP/localhost', { random })
  // The clock does not move: mutated requests stay within the skew window.
  const kdc = new KDC({ realm: REALM, database: db, now: () => NOW, random, alwaysPac: true })
  const client = parsePrincipal(`alice@${REALM}`)
  const key = stringToKey(18, 'pw', defaultSalt(client))
  const now = new Date(NOW)
  const bare = buildASReq({ client, etypes: [18, 17, 20], now, nonce: 1 })
  const pre = buildASReq({
    client,
    etypes: [18],
    now,
    nonce: 2,
    padata: [makeEncTimestamp(key, now, { random })],
  })
  const out = readASReply(kdc.handle(pre.bytes)!, { request: pre, keys: () => [key] })
  if (out.kind !== 'ok') throw new Error('the fuzz world KDC refused its own login')
  const tgs = buildTGSReq({
    tgt: out.credentials,
    server: parsePrincipal(`HTTP/localhost@${REALM}`),
    etypes: [18, 17],
    nonce: 3,
    now,
    subkey: true,
    random,
  })
  return { kdc, seeds: [bare.bytes, pre.bytes, tgs.bytes] }
}

/** The KDC target. */
export function kdcTargets(): FuzzTarget[] {
  const { kdc, seeds } = world()
  return [
    {
      name: 'kdc',
      description: 'embedded KDC: AS-REQ/TGS-REQ in, KRB-ERROR/AS-REP/TGS-REP or silence out',
      seeds,
      total: true,
      run(input) {
        const reply = kdc.handle(input)
        if (reply === undefined) return
        const t = decodeKerberosMessage(reply).type
        if (t !== 'KRB-ERROR' && t !== 'AS-REP' && t !== 'TGS-REP') {
          throw new Error(`the KDC answered with ${t}`)
        }
      },
    },
  ]
}
