/**
 * Loopback network doubles for KDC tests: a recording TCP proxy in front of a real KDC (to
 * capture what MIT's kinit/kvno send and get back), and tiny fake KDC servers (TCP and UDP)
 * whose behaviour a test scripts.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { createSocket, type RemoteInfo, type Socket as UDPSocket } from 'node:dgram'

/** A message seen by the proxy, without its 4-byte length prefix. */
export interface RecordedMessage {
  readonly direction: 'request' | 'reply'
  readonly bytes: Uint8Array
}

/** A running loopback server. */
export interface LoopbackServer {
  readonly port: number
  close(): Promise<void>
}

/** A recording proxy. */
export interface RecordingProxy extends LoopbackServer {
  readonly messages: readonly RecordedMessage[]
}

/** Splits a TCP byte stream into length-prefixed frames (RFC 4120 §7.2.2). */
class FrameSplitter {
  private buf = new Uint8Array(0)
  push(chunk: Uint8Array): Uint8Array[] {
    const next = new Uint8Array(this.buf.length + chunk.length)
    next.set(this.buf)
    next.set(chunk, this.buf.length)
    this.buf = next
    const out: Uint8Array[] = []
    for (let i = 0; i < 1000 && this.buf.length >= 4; i++) {
      const len = new DataView(this.buf.buffer, this.buf.byteOffset).getUint32(0)
      if (this.buf.length < 4 + len) break
      out.push(this.buf.slice(4, 4 + len))
      this.buf = this.buf.slice(4 + len)
    }
    return out
  }
}

function track(server: Server): { sockets: Set<Socket>; close: () => Promise<void> } {
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
  return { sockets, close }
}

async function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const addr = server.address()
      resolve(typeof addr === 'object' && addr !== null ? addr.port : 0)
    })
  })
}

/** A TCP proxy on 127.0.0.1 to `127.0.0.1:targetPort` that records every frame both ways. */
export async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const messages: RecordedMessage[] = []
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort })
    const up = new FrameSplitter()
    const down = new FrameSplitter()
    client.on('data', (d: Uint8Array) => {
      for (const f of up.push(d)) messages.push({ direction: 'request', bytes: f })
      upstream.write(d)
    })
    upstream.on('data', (d: Uint8Array) => {
      for (const f of down.push(d)) messages.push({ direction: 'reply', bytes: f })
      client.write(d)
    })
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  const { close } = track(server)
  const port = await listen(server)
  return { port, messages, close }
}

/** A TCP server whose connections the test drives. */
export async function startTCPServer(
  onConnection: (socket: Socket) => void,
): Promise<LoopbackServer> {
  const server = createServer((s) => {
    s.on('error', () => {})
    onConnection(s)
    // A socket nobody reads from never notices the peer closing: keep reading.
    if (s.listenerCount('data') === 0) s.resume()
  })
  const { close } = track(server)
  const port = await listen(server)
  return { port, close }
}

/** A UDP server on 127.0.0.1 (on `port`, or a free one). */
export async function startUDPServer(
  onMessage: (msg: Uint8Array, from: RemoteInfo, socket: UDPSocket) => void,
  port = 0,
): Promise<LoopbackServer> {
  const sock = createSocket('udp4')
  sock.on('message', (msg, from) => onMessage(msg, from, sock))
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject)
    sock.bind({ address: '127.0.0.1', port }, () => resolve())
  })
  return {
    port: sock.address().port,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  }
}

/** Prefix a message with its 4-byte big-endian length. */
export function frame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + message.length)
  new DataView(out.buffer).setUint32(0, message.length)
  out.set(message, 4)
  return out
}

/** Collect one length-prefixed request from a socket, then call `then` with it. */
export function onFrame(socket: Socket, then: (request: Uint8Array) => void): void {
  const splitter = new FrameSplitter()
  let fired = false
  socket.on('data', (d: Uint8Array) => {
    const frames = splitter.push(d)
    if (!fired && frames.length > 0) {
      fired = true
      then(frames[0]!)
    }
  })
}

/** Message type of a Kerberos message from its APPLICATION tag (10 AS-REQ ... 30 KRB-ERROR). */
export function messageType(bytes: Uint8Array): number {
  return (bytes[0] ?? 0) & 0x1f
}
