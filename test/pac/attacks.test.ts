/**
 * Attacks on PAC verification: each test sends a valid PAC with one thing changed and checks
 * that verifyPAC refuses it with ERR_KRB_PAC_VERIFY and the right `context.reason`.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { md5, sha1 } from '@noble/hashes/legacy.js'
import { randomKey } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import {
  decodePAC,
  encodePAC,
  encodePACSignature,
  layoutPAC,
  pacSigningData,
  readPACLayout,
  verifyPAC,
  PACBufferType,
  type PACBuffer,
} from '../../src/pac/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { pacAuthorizationData, pacInputFor, signedPACFor } from './build.js'

const code = (e: unknown): string => (e instanceof KerberosError ? e.code : String(e))
const refused = (why: string) => (e: unknown) =>
  code(e) === 'ERR_KRB_PAC_VERIFY' && (e as KerberosError).context.reason === why

const serverKey = randomKey(18)
const kdcKey = randomKey(18)
const alice = parsePrincipal('alice@EXAMPLE.COM')
const authTime = new Date(Date.UTC(2026, 5, 1, 12, 0, 0))
const opts = { serviceKey: serverKey, clientName: alice, authTime }

function pacOf(buffers: readonly PACBuffer[]): Uint8Array {
  return layoutPAC(buffers)
}

/** The byte offset of the first group RID in a PAC's logon info (found, not assumed). */
function groupRidOffset(pac: Uint8Array): number {
  const li = readPACLayout(pac).find((l) => l.type === PACBufferType.LOGON_INFO)!
  const rid = decodePAC(pac).logonInfo!.groupIds[1]!.rid
  const buf = pac.subarray(li.offset, li.offset + li.size)
  const view = new DataView(buf.buffer, buf.byteOffset)
  for (let i = 0; i + 8 <= buf.length; i += 4) {
    if (view.getUint32(i, true) === rid && view.getUint32(i + 4, true) === 7) return li.offset + i
  }
  throw new Error('group RID not found')
}

describe('PAC verification refuses altered PACs', () => {
  const good = signedPACFor(alice, authTime, { serverKey, kdcKey })

  it('the unaltered PAC verifies, with and without the KDC key', () => {
    assert.equal(verifyPAC(good, opts).kdcSignatureVerified, false)
    assert.equal(verifyPAC(good, { ...opts, kdcKey }).kdcSignatureVerified, true)
  })

  it('issue 12 PAC: a group RID changed after signing (privilege escalation) is refused', () => {
    const bad = good.slice()
    new DataView(bad.buffer).setUint32(groupRidOffset(bad), 512, true) // Domain Admins
    assert.equal(decodePAC(bad).logonInfo!.groupIds[1]!.rid, 512)
    assert.throws(() => verifyPAC(bad, opts), refused('server-signature'))
  })

  it('issue 12 PAC: a PAC signed for another client (transplanted into alice’s ticket) is refused', () => {
    const bobs = signedPACFor(parsePrincipal('bob@EXAMPLE.COM'), authTime, { serverKey, kdcKey })
    assert.throws(() => verifyPAC(bobs, opts), refused('client-name'))
  })

  it('issue 12 PAC: a PAC from an earlier logon (CLIENT_INFO time ≠ authtime) is refused', () => {
    const old = signedPACFor(alice, new Date(authTime.getTime() - 1000), { serverKey, kdcKey })
    assert.throws(() => verifyPAC(old, opts), refused('client-authtime'))
  })

  it('issue 12 PAC: a server signature of an unkeyed type (MD5, SHA-1) recomputed over the PAC is refused', () => {
    for (const [type, hash, len] of [
      [7, md5, 16],
      [14, sha1, 20],
    ] as const) {
      const input = pacInputFor(alice, authTime)
      const bytes = encodePAC(input, { serverKey, kdcKey })
      const buffers = decodePAC(bytes).buffers.map((b) =>
        b.type === PACBufferType.SERVER_CHECKSUM
          ? { type: b.type, data: encodePACSignature({ type, signature: new Uint8Array(len) }) }
          : b,
      )
      const forged = pacOf(buffers)
      const layout = readPACLayout(forged)
      const l = layout.find((x) => x.type === PACBufferType.SERVER_CHECKSUM)!
      forged.set(hash(pacSigningData(forged, layout)), l.offset + 4)
      assert.throws(() => verifyPAC(forged, opts), refused('checksum-type'))
    }
  })

  it('issue 12 PAC: a PAC without its server or KDC signature, or without CLIENT_INFO, is refused', () => {
    const buffers = decodePAC(good).buffers
    for (const drop of [PACBufferType.SERVER_CHECKSUM, PACBufferType.PRIVSVR_CHECKSUM]) {
      const without = pacOf(buffers.filter((b) => b.type !== drop))
      assert.throws(() => verifyPAC(without, opts), refused('missing-signature'))
    }
    const { clientInfo: _drop, ...noClient } = pacInputFor(alice, authTime)
    const signed = encodePAC(noClient, { serverKey, kdcKey })
    assert.throws(() => verifyPAC(signed, opts), refused('missing-client-info'))
  })

  it('issue 12 PAC: a PAC forged by the service-key holder (silver ticket) fails the KDC check', () => {
    const forged = signedPACFor(alice, authTime, { serverKey, kdcKey: randomKey(18) })
    assert.ok(verifyPAC(forged, opts)) // the server signature alone cannot tell
    assert.throws(() => verifyPAC(forged, { ...opts, kdcKey }), refused('kdc-signature'))
    const seen: unknown[] = []
    assert.throws(
      () =>
        verifyPAC(forged, {
          ...opts,
          verifyKDCSignature: (c) => (seen.push(c), false),
        }),
      refused('kdc-signature'),
    )
    const server = decodePAC(forged).serverSignature!.signature
    assert.deepEqual((seen[0] as { signedData: Uint8Array }).signedData, server)
    assert.equal((seen[0] as { usage: number }).usage, 17)
  })

  it('issue 12 PAC: the full-PAC signature is checked with the KDC key', () => {
    const full = encodePAC(pacInputFor(alice, authTime), { serverKey, kdcKey, fullSignature: true })
    assert.ok(decodePAC(full).fullSignature)
    assert.ok(verifyPAC(full, { ...opts, kdcKey }).kdcSignatureVerified)
    // A full signature made with another key, the rest re-signed honestly, is refused.
    const other = encodePAC(pacInputFor(alice, authTime), {
      serverKey,
      kdcKey: randomKey(18),
      fullSignature: true,
    })
    const layout = readPACLayout(other)
    const fl = layout.find((l) => l.type === PACBufferType.FULL_CHECKSUM)!
    const spliced = full.slice()
    spliced.set(other.subarray(fl.offset, fl.offset + fl.size), fl.offset)
    assert.throws(() => verifyPAC(spliced, { ...opts, kdcKey }), refused('server-signature'))
  })

  it('issue 12 PAC: a ticket carrying two PACs is refused; none is reported as such', () => {
    const ad = [...pacAuthorizationData(good), ...pacAuthorizationData(good)]
    assert.throws(() => verifyPAC(ad, opts), refused('several-pacs'))
    assert.throws(() => verifyPAC([], opts), refused('no-pac'))
  })
})
