/**
 * Errors about decrypted data never quote it: decrypted parts hold keys (the session key in an
 * EncKDCRepPart or EncTicketPart, the subkey in an Authenticator), so a decoding error that
 * echoed the plaintext would leak them. Mutated plaintexts holding a recognisable key are sealed
 * in the right key and fed to the readers; every error they throw is printed every way and
 * searched for the key.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  decodeAPReq,
  decodeASRep,
  encodeAPReq,
  encodeASRep,
  encodeAuthenticator,
  encodeEncASRepPart,
  encodeEncTicketPart,
  principalToName,
} from '../../src/asn1/index.js'
import { encrypt } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import { KeyUsage } from '../../src/iana.js'
import { KerberosKey } from '../../src/key.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { readASReply } from '../../src/protocol/as.js'
import { iterationRng, mutateOnce } from '../fuzz/mutate.js'
import { fuzzWorld } from '../fuzz/world.js'
import { assertNoSecrets, patternKey } from './leak.js'

const N = 1500
const secret = patternKey(32, 11)
const key = (): KerberosKey => new KerberosKey(18, Uint8Array.from(secret))

function mutants(seed: Uint8Array, name: string): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < N; i++) {
    const rng = iterationRng(99, name, i)
    let b = seed
    for (let k = 1 + rng.below(2); k > 0; k--) b = mutateOnce(b, rng, [seed])
    out.push(b)
  }
  return out
}

function errorsOf(inputs: readonly Uint8Array[], run: (b: Uint8Array) => void): KerberosError[] {
  const errors: KerberosError[] = []
  for (const b of inputs) {
    try {
      run(b)
    } catch (err) {
      assert.ok(err instanceof KerberosError, `not a KerberosError: ${String(err)}`)
      errors.push(err)
    }
  }
  return errors
}

function check(label: string, errors: readonly KerberosError[]): void {
  assert.ok(errors.length > N / 2, `${label}: most mutants should fail (${errors.length})`)
  // One error per distinct message keeps this fast; the context is printed with it.
  const seen = new Map<string, KerberosError>()
  for (const e of errors) if (!seen.has(e.code + e.message)) seen.set(e.code + e.message, e)
  for (const e of seen.values()) assertNoSecrets(`${label}: ${e.code}`, e, [secret])
}

test('AS-REP enc-part decoding errors do not quote the session key', () => {
  const w = fuzzWorld()
  const rep = decodeASRep(w.asReply)
  const part = encodeEncASRepPart({
    key: key(),
    lastReq: [],
    nonce: w.asRequest.nonce,
    flags: 0,
    authtime: w.now,
    endtime: new Date(w.now.getTime() + 3600_000),
    srealm: w.realm,
    sname: rep.ticket.sname,
  })
  const errors = errorsOf(mutants(part, 'as-secret'), (b) => {
    const cipher = encrypt(w.clientKey, KeyUsage.AS_REP_ENCPART, b)
    readASReply(encodeASRep({ ...rep, encPart: { ...rep.encPart, cipher } }), {
      request: w.asRequest,
      keys: () => [w.clientKey],
    })
  })
  check('AS-REP', errors)
})

test('ticket and authenticator decoding errors do not quote the session key or subkey', () => {
  const w = fuzzWorld()
  const apReq = decodeAPReq(w.apReqs[0]!)
  const acceptor = new Acceptor({ keytab: w.serviceKeytab, now: () => w.now, replayCache: false })
  const ticketPart = encodeEncTicketPart({
    flags: 0,
    key: key(),
    crealm: w.realm,
    cname: principalToName(w.client).name,
    transited: { trType: 1, contents: new Uint8Array(0) },
    authtime: w.now,
    endtime: new Date(w.now.getTime() + 3600_000),
  })
  const ticketErrors = errorsOf(mutants(ticketPart, 'ticket-secret'), (b) => {
    const cipher = encrypt(w.serviceKey, KeyUsage.KDC_REP_TICKET, b)
    const ticket = { ...apReq.ticket, encPart: { ...apReq.ticket.encPart, cipher } }
    delete (ticket as { raw?: Uint8Array }).raw
    acceptor.accept(encodeAPReq({ ...apReq, ticket }))
  })
  check('EncTicketPart', ticketErrors)
  const auth = encodeAuthenticator({
    authenticatorVno: 5,
    crealm: w.realm,
    cname: principalToName(w.client).name,
    cusec: 5,
    ctime: w.now,
    subkey: key(),
    seqNumber: 1,
  })
  const authErrors = errorsOf(mutants(auth, 'auth-secret'), (b) => {
    const cipher = encrypt(w.serviceSessionKey, KeyUsage.AP_REQ_AUTH, b)
    acceptor.accept(encodeAPReq({ ...apReq, authenticator: { etype: 18, cipher } }))
  })
  check('Authenticator', authErrors)
})
