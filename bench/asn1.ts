/**
 * DER codec benchmark: decode an AP-REQ plus the EncTicketPart and Authenticator inside it (what an
 * acceptor decodes per request), and encode an AP-REQ; the same work done with asn1js in the same
 * run, and the ratio. Run alone with `node build/bench/asn1.js`.
 */
import { pathToFileURL } from 'node:url'
import * as asn1js from 'asn1js'
import * as k from '../src/asn1/index.js'
import { makeAPReqSample } from '../test/asn1/samples.js'
import { measure, printRows } from './harness.js'

type Block = asn1js.AsnType

/** The asn1js way of decoding: parse each buffer into a tree and pull the values out. */
function walk(node: Block, sink: unknown[]): void {
  const children = (node.valueBlock as { value?: unknown }).value
  if (node.idBlock.isConstructed && Array.isArray(children)) {
    for (const c of children as Block[]) walk(c, sink)
    return
  }
  const t = node.idBlock.tagNumber
  if (t === 2) sink.push((node as asn1js.Integer).valueBlock.valueHexView)
  else if (t === 27) sink.push((node as asn1js.GeneralString).valueBlock.value)
  else if (t === 24) sink.push((node as asn1js.GeneralizedTime).toDate())
  else sink.push((node.valueBlock as { valueHexView?: Uint8Array }).valueHexView)
}

function asn1jsDecode(bytes: Uint8Array): unknown[] {
  const parsed = asn1js.fromBER(bytes)
  if (parsed.offset === -1) throw new Error(parsed.result.error)
  const sink: unknown[] = []
  walk(parsed.result, sink)
  return sink
}

const ctx = (n: number, inner: Block): Block =>
  new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: n }, value: [inner] })
const app = (n: number, fields: Block[]): Block =>
  new asn1js.Constructed({
    idBlock: { tagClass: 2, tagNumber: n },
    value: [new asn1js.Sequence({ value: fields })],
  })
const int = (v: number): Block => new asn1js.Integer({ value: v })
const str = (s: string): Block => new asn1js.GeneralString({ value: s })
const oct = (b: Uint8Array): Block => new asn1js.OctetString({ valueHex: b })
const flags = (v: number): Block =>
  new asn1js.BitString({
    valueHex: Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255),
    unusedBits: 0,
  })
const pname = (p: k.PrincipalName): Block =>
  new asn1js.Sequence({
    value: [ctx(0, int(p.nameType)), ctx(1, new asn1js.Sequence({ value: p.nameString.map(str) }))],
  })
const encData = (e: k.EncryptedData): Block =>
  new asn1js.Sequence({
    value: [
      ctx(0, int(e.etype)),
      ...(e.kvno === undefined ? [] : [ctx(1, int(e.kvno))]),
      ctx(2, oct(e.cipher)),
    ],
  })

/** The asn1js way of encoding: build the object tree, then toBER. */
function asn1jsEncodeAPReq(v: k.APReq): ArrayBuffer {
  const t = v.ticket
  const ticket = app(1, [
    ctx(0, int(5)),
    ctx(1, str(t.realm)),
    ctx(2, pname(t.sname)),
    ctx(3, encData(t.encPart)),
  ])
  const msg = app(14, [
    ctx(0, int(5)),
    ctx(1, int(14)),
    ctx(2, flags(v.apOptions)),
    ctx(3, ticket),
    ctx(4, encData(v.authenticator)),
  ])
  return msg.toBER()
}

/** Run the ASN.1 benchmarks and print µs/op and the ratios. */
export async function benchASN1(options: { readonly minMs?: number } = {}): Promise<void> {
  const minMs = options.minMs ?? 1000
  const s = makeAPReqSample()
  const fresh: k.APReq = { ...s.apReq, ticket: { ...s.apReq.ticket } } // no raw: encoded from fields
  const ours = {
    decode: measure(
      'decode AP-REQ + EncTicketPart + Authenticator',
      () => {
        k.decodeAPReq(s.apReqDer)
        k.decodeEncTicketPart(s.encTicketPartDer)
        k.decodeAuthenticator(s.authenticatorDer)
      },
      { minMs },
    ),
    encode: measure('encode AP-REQ (ticket from fields)', () => k.encodeAPReq(fresh), { minMs }),
    encodeRaw: measure('encode AP-REQ (ticket bytes reused)', () => k.encodeAPReq(s.apReq), {
      minMs,
    }),
    encodeParts: measure(
      'encode EncTicketPart + Authenticator',
      () => {
        k.encodeEncTicketPart(s.encTicketPart)
        k.encodeAuthenticator(s.authenticator)
      },
      { minMs },
    ),
  }
  const theirs = {
    decode: measure(
      'asn1js decode',
      () => {
        asn1jsDecode(s.apReqDer)
        asn1jsDecode(s.encTicketPartDer)
        asn1jsDecode(s.authenticatorDer)
      },
      { minMs },
    ),
    encode: measure('asn1js encode', () => asn1jsEncodeAPReq(fresh), { minMs }),
  }
  const us = (ops: number): number => 1e6 / ops
  const f = (x: number): string => x.toFixed(2)
  console.log(
    `sample: AP-REQ ${s.apReqDer.length} bytes (aes256 ticket), EncTicketPart ${s.encTicketPartDer.length} bytes ` +
      `(with a ${160}-byte PAC in AD-IF-RELEVANT), Authenticator ${s.authenticatorDer.length} bytes`,
  )
  printRows([
    ['operation', 'kerberos-ts µs/op', 'target µs', 'asn1js µs/op', 'asn1js / ours'],
    [
      ours.decode.name,
      f(us(ours.decode.opsPerSec)),
      '10',
      f(us(theirs.decode.opsPerSec)),
      `${f(ours.decode.opsPerSec / theirs.decode.opsPerSec)}×`,
    ],
    [
      ours.encode.name,
      f(us(ours.encode.opsPerSec)),
      '10',
      f(us(theirs.encode.opsPerSec)),
      `${f(ours.encode.opsPerSec / theirs.encode.opsPerSec)}×`,
    ],
    [ours.encodeRaw.name, f(us(ours.encodeRaw.opsPerSec)), '', '', ''],
    [ours.encodeParts.name, f(us(ours.encodeParts.opsPerSec)), '', '', ''],
  ])
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchASN1()
}
