/**
 * Malformed PACs and NDR: counts, offsets, referents and string lengths that lie give
 * ERR_KRB_PAC_FORMAT — never a TypeError, never an allocation sized by the lie, never a long
 * computation.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomKey } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import {
  decodePAC,
  decodePACAttributesInfo,
  decodePACClientInfo,
  decodeUPNDNSInfo,
  encodeKerbValidationInfo,
  encodePACAttributesInfo,
  encodeUPNDNSInfo,
  layoutPAC,
  PACBufferType,
} from '../../src/pac/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { logonInfoFor, signedPACFor } from './build.js'
import { pacFixture, samplePACs } from './samples.js'

const isFormat = (e: unknown): boolean =>
  e instanceof KerberosError && e.code === 'ERR_KRB_PAC_FORMAT'

function le32(bytes: Uint8Array, at: number, v: number): Uint8Array {
  const out = bytes.slice()
  new DataView(out.buffer).setUint32(at, v >>> 0, true)
  return out
}

/** A PAC holding one LOGON_INFO buffer with `patch` applied to the NDR bytes. */
function logonPAC(patch: (ndr: Uint8Array) => Uint8Array): Uint8Array {
  return layoutPAC([
    {
      type: PACBufferType.LOGON_INFO,
      data: patch(encodeKerbValidationInfo(logonInfoFor('alice'))),
    },
  ])
}

/** Offsets inside the NDR stream of KERB_VALIDATION_INFO (16-byte headers, then the object). */
const NDR = {
  objectLength: 8,
  effectiveNameLength: 16 + 4 + 48,
  groupCount: 16 + 112,
  groupPointer: 16 + 116,
  sidCount: 16 + 200,
} as const

function timed(f: () => void): void {
  const t0 = performance.now()
  assert.throws(f, isFormat)
  assert.ok(performance.now() - t0 < 1000, 'refused quickly')
}

describe('malformed PACs give ERR_KRB_PAC_FORMAT', () => {
  it('issue 12 PAC: a PACTYPE whose cBuffers, offsets or sizes lie is refused', () => {
    const good = pacFixture('saved-pac.bin')
    timed(() => decodePAC(le32(good, 0, 0xffffffff))) // cBuffers
    timed(() => decodePAC(le32(good, 4, 1))) // version
    timed(() => decodePAC(le32(good, 8 + 4, 0x7fffffff))) // first cbBufferSize
    timed(() => decodePAC(le32(good, 8 + 8, 0x1001))) // misaligned offset
    timed(() => decodePAC(le32(good, 8 + 8, 8))) // offset inside the header
    timed(() => decodePAC(le32(good, 8 + 12, 1))) // offset high word
    timed(() => decodePAC(le32(good, 8 + 16, 1))) // second buffer now LOGON_INFO too: duplicate
    timed(() => decodePAC(new Uint8Array(7)))
  })

  it('issue 12 PAC: NDR counts, referents and string lengths that lie are refused', () => {
    timed(() => decodePAC(logonPAC((b) => le32(b, NDR.groupCount, 0x1fffffff))))
    timed(() => decodePAC(logonPAC((b) => le32(b, NDR.groupCount, 4)))) // fewer than the array holds
    timed(() => decodePAC(logonPAC((b) => le32(b, NDR.groupPointer, 0)))) // count behind a null pointer
    timed(() => decodePAC(logonPAC((b) => le32(b, NDR.sidCount, 0xffffffff))))
    timed(() => decodePAC(logonPAC((b) => le32(b, NDR.objectLength, 0xfffffff8))))
    // EffectiveName's Length says 200 bytes; its deferred counts say 5 characters.
    timed(() =>
      decodePAC(
        logonPAC((b) => {
          const out = b.slice()
          new DataView(out.buffer).setUint16(NDR.effectiveNameLength, 200, true)
          new DataView(out.buffer).setUint16(NDR.effectiveNameLength + 2, 200, true)
          return out
        }),
      ),
    )
    // A null top-level referent.
    timed(() => decodePAC(logonPAC((b) => le32(b, 16, 0))))
  })

  it('issue 12 PAC: a SID with 200 sub-authorities, UPN offsets outside the buffer, a huge FlagsLength are refused', () => {
    const li = encodeKerbValidationInfo(logonInfoFor('alice'))
    // The LogonDomainId SID: its conformance count is followed by revision 1 and count 4.
    const sidAt = li.findIndex((_, i) => li[i] === 4 && li[i + 4] === 1 && li[i + 5] === 4)
    assert.ok(sidAt > 0)
    const bigSid = li.slice()
    bigSid.set([200, 0, 0, 0], sidAt)
    bigSid[sidAt + 5] = 200
    timed(() => decodePAC(layoutPAC([{ type: 1, data: bigSid }])))
    const upn = encodeUPNDNSInfo({
      upn: 'alice@example.com',
      dnsDomainName: 'EXAMPLE.COM',
      flags: 0,
    })
    timed(() => decodeUPNDNSInfo(le32(upn, 0, (0xfff0 << 16) | 34)))
    const attrs = encodePACAttributesInfo({ flagsLength: 2, flags: [1] })
    timed(() => decodePACAttributesInfo(le32(attrs, 0, 0xffffffff)))
    timed(() => decodePACClientInfo(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])))
  })

  it('issue 12 PAC: every truncation and every one-byte change of the samples decodes or gives ERR_KRB_PAC_FORMAT', () => {
    const pacs = [
      ...samplePACs().map((s) => s.bytes),
      signedPACFor(parsePrincipal('alice@EXAMPLE.COM'), new Date(), {
        serverKey: randomKey(18),
        kdcKey: randomKey(18),
      }),
    ]
    let refusedCount = 0
    const t0 = performance.now()
    for (const pac of pacs) {
      const tries: Uint8Array[] = []
      for (let n = 0; n < pac.length; n += 3) tries.push(pac.subarray(0, n))
      for (let i = 0; i < pac.length; i++) {
        const b = pac.slice()
        b[i] = b[i]! ^ 0xa5
        tries.push(b)
      }
      for (const t of tries) {
        try {
          decodePAC(t)
        } catch (e) {
          assert.ok(isFormat(e), `expected ERR_KRB_PAC_FORMAT, got ${String(e)}`)
          refusedCount++
        }
      }
    }
    assert.ok(refusedCount > 1000)
    assert.ok(performance.now() - t0 < 20_000)
  })
})
