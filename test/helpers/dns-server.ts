/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP) that answers SRV queries from a table and
 * NXDOMAIN otherwise (RFC 1035 §4, RFC 2782). Enough for node:dns `Resolver.resolveSrv` with
 * `setServers(['127.0.0.1:PORT'])`.
 */
import { createSocket } from 'node:dgram'

/** One SRV answer. */
export interface SRVAnswer {
  readonly priority: number
  readonly weight: number
  readonly port: number
  readonly target: string
}

/** A running DNS server. */
export interface DNSServer {
  readonly port: number
  /** Query names seen (lowercased), in order. */
  readonly queries: readonly string[]
  /** `127.0.0.1:PORT`, for Resolver.setServers. */
  readonly address: string
  close(): Promise<void>
}

/** Options for {@link startDNSServer}. */
export interface DNSServerOptions {
  /** Answer with SERVFAIL for these names. */
  readonly servfail?: readonly string[]
  /** Never answer these names. */
  readonly silent?: readonly string[]
}

const TYPE_SRV = 33
const CLASS_IN = 1

function encodeName(name: string): Uint8Array {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '')
  const parts: number[] = []
  for (const l of labels) {
    const b = new TextEncoder().encode(l)
    parts.push(b.length, ...b)
  }
  parts.push(0)
  return Uint8Array.from(parts)
}

/** Read the question name; returns it and the offset after QNAME. Bounded. */
function readQuestion(msg: Uint8Array): { name: string; end: number } | undefined {
  let pos = 12
  const labels: string[] = []
  for (let i = 0; i < 128; i++) {
    const len = msg[pos]
    if (len === undefined || len > 63) return undefined
    pos++
    if (len === 0) return { name: labels.join('.').toLowerCase(), end: pos }
    labels.push(new TextDecoder().decode(msg.subarray(pos, pos + len)))
    pos += len
  }
  return undefined
}

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff]
}

function srvRecord(a: SRVAnswer): number[] {
  const rdata = [...u16(a.priority), ...u16(a.weight), ...u16(a.port), ...encodeName(a.target)]
  // Name: pointer to the question name at offset 12.
  return [
    0xc0,
    0x0c,
    ...u16(TYPE_SRV),
    ...u16(CLASS_IN),
    0,
    0,
    0,
    60,
    ...u16(rdata.length),
    ...rdata,
  ]
}

function answer(
  msg: Uint8Array,
  table: Readonly<Record<string, readonly SRVAnswer[]>>,
  o: DNSServerOptions,
): Uint8Array | undefined {
  const q = readQuestion(msg)
  if (q === undefined || msg.length < q.end + 4) return undefined
  const qtype = (msg[q.end]! << 8) | msg[q.end + 1]!
  if (o.silent?.includes(q.name)) return undefined
  const records = qtype === TYPE_SRV ? table[q.name] : undefined
  const rcode = o.servfail?.includes(q.name) ? 2 : records === undefined ? 3 : 0
  const ans = rcode === 0 ? records!.flatMap(srvRecord) : []
  const header = [
    msg[0]!,
    msg[1]!,
    0x84 | (msg[2]! & 0x79), // QR, AA, opcode and RD copied
    0x80 | rcode, // RA
    ...u16(1),
    ...u16(rcode === 0 ? records!.length : 0),
    ...u16(0),
    ...u16(0),
  ]
  return Uint8Array.from([...header, ...msg.subarray(12, q.end + 4), ...ans])
}

/**
 * Start the server with a table from query name (lowercase, no trailing dot) to SRV answers.
 *
 * @example
 * ```ts
 * const dns = await startDNSServer({ '_kerberos._udp.example.test': [{ priority: 0, weight: 0, port: 88, target: 'kdc1.example.test' }] })
 * const r = new Resolver(); r.setServers([dns.address])
 * ```
 */
export async function startDNSServer(
  table: Readonly<Record<string, readonly SRVAnswer[]>>,
  options: DNSServerOptions = {},
): Promise<DNSServer> {
  const lower: Record<string, readonly SRVAnswer[]> = {}
  for (const [k, v] of Object.entries(table)) lower[k.toLowerCase().replace(/\.$/, '')] = v
  const sock = createSocket('udp4')
  const queries: string[] = []
  sock.on('message', (msg: Uint8Array, from) => {
    const q = readQuestion(msg)
    if (q !== undefined) queries.push(q.name)
    const reply = answer(msg, lower, options)
    if (reply !== undefined) sock.send(reply, from.port, from.address)
  })
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject)
    sock.bind({ address: '127.0.0.1', port: 0 }, () => resolve())
  })
  const port = sock.address().port
  return {
    port,
    queries,
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  }
}
