import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as k from '../../src/asn1/index.js'
import { run } from '../../src/cli/asn1.js'
import { loadReferenceVectors } from './helpers.js'

const apReq = loadReferenceVectors().find((v) => v.name === 'encode_krb5_ap_req')!.bytes

test('dumpASN1 prints Kerberos APPLICATION names, universal types and decoded values', () => {
  const text = k.dumpASN1(apReq)
  const lines = text.split('\n')
  assert.equal(lines[0], '    0: AP-REQ [APPLICATION 14] (157)')
  assert.match(text, /Ticket \[APPLICATION 1\] \(92\)/)
  assert.match(text, /INTEGER \(1\) 14/)
  assert.match(text, /BIT STRING \(5\) unused=0 fedcba98/)
  assert.match(text, /GeneralString \(14\) "ATHENA.MIT.EDU"/)
  assert.match(text, /OCTET STRING \(21\) 6b72.* "krbASN.1 test message"/)
  assert.equal(k.dumpASN1(apReq, { offsets: false }).split('\n')[1], '  SEQUENCE (154)')
})

test('dumpASN1 shows DER nested in OCTET STRINGs, and large INTEGERs exactly', () => {
  const md = k.encodeMethodData([
    { padataType: 19, padataValue: k.encodeETypeInfo2([{ etype: 18, salt: 'R' }]) },
  ])
  const text = k.dumpASN1(md)
  assert.match(text, /-- contains:/)
  assert.match(text, /INTEGER \(1\) 18/)
  assert.doesNotMatch(k.dumpASN1(md, { nested: false }), /contains/)
  assert.match(k.dumpASN1(k.encodeUInt32(0xffffffff)), /INTEGER \(5\) 4294967295/)
  assert.match(k.dumpASN1(k.encodeInt32(-2)), /INTEGER \(1\) -2/)
})

test('dumpASN1 refuses malformed input with ERR_KRB_ASN1_DECODE', () => {
  assert.throws(() => k.dumpASN1(apReq.subarray(0, 50)), { code: 'ERR_KRB_ASN1_DECODE' })
  assert.throws(() => k.dumpASN1(Uint8Array.from({ length: 200 }, () => 0x30)), {
    code: 'ERR_KRB_ASN1_DECODE',
  })
})

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const o = process.stdout.write.bind(process.stdout)
  const e = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write
  try {
    const code = await run(argv)
    return { code, out: out.join(''), err: err.join('') }
  } finally {
    process.stdout.write = o
    process.stderr.write = e
  }
}

test('kerberos-ts asn1 dump: hex, base64, @file (raw or text), options, errors', async () => {
  const hex = Buffer.from(apReq).toString('hex')
  const viaHex = await capture(['dump', hex])
  assert.equal(viaHex.code, 0)
  assert.equal(viaHex.out, k.dumpASN1(apReq) + '\n')
  const spaced = hex.replace(/(..)/g, '$1 ').toUpperCase()
  assert.equal((await capture(['dump', spaced])).out, viaHex.out)
  assert.equal((await capture(['dump', Buffer.from(apReq).toString('base64')])).out, viaHex.out)
  const dir = mkdtempSync(join(tmpdir(), 'asn1-cli-'))
  try {
    writeFileSync(join(dir, 'a.der'), apReq)
    writeFileSync(join(dir, 'a.b64'), Buffer.from(apReq).toString('base64') + '\n')
    assert.equal((await capture(['dump', `@${join(dir, 'a.der')}`])).out, viaHex.out)
    assert.equal((await capture(['dump', `@${join(dir, 'a.b64')}`])).out, viaHex.out)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const noOff = await capture(['dump', '--no-offsets', '--max-hex', '4', hex])
  assert.match(noOff.out, /^AP-REQ \[APPLICATION 14\]/)
  assert.match(noOff.out, /6b726241… "krbASN.1 test message"/)
  assert.equal((await capture(['dump'])).code, 2)
  assert.equal((await capture(['frob'])).code, 2)
  assert.equal((await capture(['dump', '--bogus', hex])).code, 2)
  const notHex = await capture(['dump', 'zz!'])
  assert.equal(notHex.code, 2)
  assert.match(notHex.err, /neither hex nor base64/)
  await assert.rejects(run(['dump', '3005020105']), { code: 'ERR_KRB_ASN1_DECODE' })
  assert.equal((await capture(['--help'])).code, 0)
})
