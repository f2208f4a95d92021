/**
 * The PAC speed work (issue 12 benchmark) took shortcuts in the decoder and in verifyPAC: these
 * tests pin that every shortcut gives what the checked path gives, and refuses what it refuses.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { KerberosError } from '../../src/errors.js'
import {
  decodeKerbValidationInfo,
  decodePAC,
  decodePACClientInfo,
  decodePACSignature,
  encodeKerbValidationInfo,
  encodePACClientInfo,
  encodePACSignature,
  pacIdentity,
  verifyPAC,
  FILETIME_NEVER,
  type PAC,
} from '../../src/pac/index.js'
import { pacSigningData, readPACLayout } from '../../src/pac/pac.js'
import { readSIDBody, writeSIDBody } from '../../src/pac/sid.js'
import { ByteReader, ByteWriter } from '../../src/internal/bytes.js'
import { DOMAIN_SID, logonInfoFor, pacInputFor, pacService } from './build.js'
import { encodePAC } from '../../src/pac/index.js'

const code = (e: unknown): string => (e instanceof KerberosError ? e.code : String(e))

/** The group list as the old pacIdentity built it: one Set of the SID strings. */
function referenceGroups(pac: PAC): string[] {
  const li = pac.logonInfo!
  const d = li.logonDomainId!
  const s = new Set<string>()
  s.add(`${d}-${li.primaryGroupId >>> 0}`)
  for (const g of li.groupIds) s.add(`${d}-${g.rid >>> 0}`)
  for (const x of li.extraSids) s.add(x.sid)
  const rg = li.resourceGroupDomainSid
  if (rg !== undefined) for (const g of li.resourceGroupIds) s.add(`${rg}-${g.rid >>> 0}`)
  return [...s]
}

describe('PAC fast paths (issue 12 speed)', () => {
  it('issue 12: group SIDs are deduplicated across RIDs, extra SIDs and resource groups as before', () => {
    const other = 'S-1-5-21-1-2-3'
    const logonInfo = logonInfoFor('alice', {
      groupIds: [513, 1108, 1108, 4294967295, 0].map((rid) => ({ rid, attributes: 7 })),
      extraSids: [
        { sid: `${DOMAIN_SID}-513`, attributes: 7 }, // the primary group again
        { sid: `${DOMAIN_SID}-1108`, attributes: 7 }, // a domain group again
        { sid: `${DOMAIN_SID}-4294967295`, attributes: 7 },
        { sid: `${DOMAIN_SID}-7-8`, attributes: 7 }, // deeper: not a domain RID
        { sid: `${DOMAIN_SID}-2000`, attributes: 7 }, // new, then named again by RID
        { sid: 'S-1-18-1', attributes: 7 },
        { sid: 'S-1-18-1', attributes: 7 },
        { sid: `${other}-5`, attributes: 7 },
      ],
      resourceGroupDomainSid: DOMAIN_SID,
      resourceGroupIds: [2000, 1108, 3000].map((rid) => ({ rid, attributes: 7 })),
    })
    const pac = decodePAC(
      encodePAC(
        pacInputFor({ nameType: 1, components: ['alice'], realm: 'EXAMPLE.COM' }, new Date(0), {
          logonInfo,
        }),
        {
          serverKey: pacService().serviceKey,
          kdcKey: pacService().kdcKey,
        },
      ),
    )
    const got = pacIdentity(pac).groupSids
    assert.deepEqual(got, referenceGroups(pac))
    assert.equal(new Set(got).size, got.length)
    // Resource groups of another domain stay strings.
    const li2 = {
      ...pac.logonInfo!,
      resourceGroupDomainSid: other,
      resourceGroupIds: [
        { rid: 5, attributes: 7 },
        { rid: 6, attributes: 7 },
      ],
    }
    const pac2 = { ...pac, logonInfo: li2 }
    assert.deepEqual(pacIdentity(pac2).groupSids, referenceGroups(pac2))
  })

  it('issue 12: PAC_SIGNATURE_DATA shortcut agrees with the checked path and refuses the same', () => {
    for (const [type, len] of [
      [16, 12],
      [15, 12],
      [19, 16],
      [20, 24],
      [-138, 16],
    ] as const) {
      const sig = new Uint8Array(len).map((_, i) => i + 1)
      assert.deepEqual(decodePACSignature(encodePACSignature({ type, signature: sig })), {
        type,
        signature: sig,
      })
      const rodc = decodePACSignature(
        encodePACSignature({ type, signature: sig, rodcIdentifier: 0x1234 }),
      )
      assert.equal(rodc.rodcIdentifier, 0x1234)
      const enc = encodePACSignature({ type, signature: sig })
      // One byte short, one byte over, three over: refused.
      for (const bad of [
        enc.subarray(0, enc.length - 1),
        new Uint8Array([...enc, 0]),
        new Uint8Array([...enc, 0, 0, 0]),
      ]) {
        assert.throws(
          () => decodePACSignature(bad),
          (e) => code(e) === 'ERR_KRB_PAC_FORMAT',
        )
      }
    }
    assert.throws(
      () => decodePACSignature(new Uint8Array(3)),
      (e) => code(e) === 'ERR_KRB_PAC_FORMAT',
    )
  })

  it('issue 12: PAC_CLIENT_INFO shortcut keeps every FILETIME and refuses odd or trailing lengths', () => {
    for (const clientId of [
      0n,
      1n,
      0x1fffff_ffffffffn,
      0x200000_00000000n,
      FILETIME_NEVER,
      0xffffffffffffffffn,
      134_000_000_000_000_000n,
    ]) {
      const enc = encodePACClientInfo({ clientId, name: 'alice\ud800' })
      assert.deepEqual(decodePACClientInfo(enc), { clientId, name: 'alice\ud800' })
    }
    const enc = encodePACClientInfo({ clientId: 5n, name: 'bob' })
    const odd = enc.slice()
    odd[8] = 5 // NameLength 5: odd
    assert.throws(
      () => decodePACClientInfo(odd.subarray(0, 15)),
      (e) => code(e) === 'ERR_KRB_PAC_FORMAT',
    )
    assert.throws(
      () => decodePACClientInfo(new Uint8Array([...enc, 0, 0])),
      (e) => code(e) === 'ERR_KRB_PAC_FORMAT',
    )
    assert.throws(
      () => decodePACClientInfo(enc.subarray(0, enc.length - 2)),
      (e) => code(e) === 'ERR_KRB_PAC_FORMAT',
    )
    assert.throws(
      () => decodePACClientInfo(enc.subarray(0, 9)),
      (e) => code(e) === 'ERR_KRB_PAC_FORMAT',
    )
  })

  it('issue 12: LOGON_INFO FILETIMEs decode to the same values with and without BigInt arithmetic', () => {
    const times = [
      0n,
      1n,
      FILETIME_NEVER,
      0xffffffffffffffffn,
      0x1fffff_ffffffffn,
      0x200000_00000000n,
      0x7fffffff_00000000n,
      0xffffffff_00000001n,
    ]
    for (const t of times) {
      const li = logonInfoFor('alice', {
        logonTime: t,
        lastSuccessfulILogon: t,
        passwordMustChange: t,
      })
      const back = decodeKerbValidationInfo(encodeKerbValidationInfo(li))
      assert.equal(back.logonTime, t)
      assert.equal(back.lastSuccessfulILogon, t)
      assert.equal(back.passwordMustChange, t)
      assert.equal(back.effectiveName, 'alice')
    }
  })

  it('issue 12: verifyPAC signs over one copy with both fields zeroed, as pacSigningData does', () => {
    const svc = pacService()
    const authTime = new Date(Math.floor(Date.now() / 1000) * 1000)
    const client = { nameType: 1, components: ['alice'], realm: svc.server.realm }
    const bytes = encodePAC(pacInputFor(client, authTime), {
      serverKey: svc.serviceKey,
      kdcKey: svc.kdcKey,
    })
    // The PAC inside a larger buffer, as it arrives from a decrypted ticket.
    const outer = new Uint8Array(bytes.length + 40)
    outer.set(bytes, 17)
    const view = outer.subarray(17, 17 + bytes.length)
    const ok = verifyPAC(view, {
      serviceKey: svc.serviceKey,
      clientName: client,
      authTime,
      kdcKey: svc.kdcKey,
    })
    assert.equal(ok.kdcSignatureVerified, true)
    assert.deepEqual(view, bytes) // the input is not modified
    const layout = readPACLayout(view)
    assert.deepEqual(pacSigningData(view, layout), pacSigningData(bytes, readPACLayout(bytes)))
    // Any bit outside the signature fields, or in the server signature, is still refused.
    // (The KDC signature field is zeroed for the server signature: only kdcKey checks it.)
    const at1 = layout.find((l) => l.type === 1)!.offset + 30
    for (const at of [0x20, at1, layout.find((l) => l.type === 6)!.offset + 4]) {
      const bad = view.slice()
      bad[at]! ^= 1
      assert.throws(
        () => verifyPAC(bad, { serviceKey: svc.serviceKey, clientName: client, authTime }),
        (e) => code(e) === 'ERR_KRB_PAC_VERIFY' || code(e) === 'ERR_KRB_PAC_FORMAT',
      )
    }
  })

  it('issue 12: SIDs read as text directly match formatSID (small and 48-bit authorities)', () => {
    for (const sid of [
      'S-1-5-21-1-2-3-4294967295',
      'S-1-0x123456789ABC-5-6',
      'S-1-4294967295',
      'S-255-0-0',
    ]) {
      const w = new ByteWriter(64, { littleEndian: true })
      writeSIDBody(w, sid)
      const r = new ByteReader(w.finish(), {
        code: 'ERR_KRB_PAC_FORMAT',
        what: 'SID',
        littleEndian: true,
      })
      assert.equal(readSIDBody(r, 'SID'), sid)
    }
  })
})
