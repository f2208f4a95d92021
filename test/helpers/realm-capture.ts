/**
 * Capture real MIT krb5 KDC messages: MIT `kinit` and `kvno` talk TCP to a throwaway realm
 * through a recording proxy. Used by the transport tests (live bytes) and by
 * fixtures/asn1/captured/make.sh (saved .der fixtures). No side effects on import.
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { MIT_BIN, startRealm, type Realm } from './realm.js'
import {
  messageType,
  onFrame,
  startRecordingProxy,
  startTCPServer,
  type RecordedMessage,
} from './realm-net.js'

/** What one capture run produced. */
export interface CapturedExchange {
  readonly realm: string
  /** Every frame in order. */
  readonly messages: readonly RecordedMessage[]
  /** Named messages (see {@link CAPTURE_NAMES}). */
  readonly named: Readonly<Record<string, Uint8Array>>
}

/** File names (without .der) of the captured messages. */
export const CAPTURE_NAMES: readonly string[] = [
  'as-req-no-preauth',
  'krb-error-preauth-required',
  'as-req-enc-timestamp',
  'as-rep',
  'tgs-req',
  'tgs-rep',
  'as-req-principal-unknown',
  'krb-error-principal-unknown',
]

/** A krb5.conf like the realm's, with the KDC replaced by `127.0.0.1:port`, forced to TCP. */
export function writeProxyConf(realm: Realm, port: number, name = 'krb5-proxy.conf'): string {
  return realm.writeKrb5Conf(name, {
    kdc: [`127.0.0.1:${port}`],
    libdefaults: { udp_preference_limit: '1' },
  })
}

function nameMessages(msgs: readonly RecordedMessage[]): Record<string, Uint8Array> {
  const named: Record<string, Uint8Array> = {}
  const asReqs = msgs.filter((m) => m.direction === 'request' && messageType(m.bytes) === 10)
  const errors = msgs.filter((m) => m.direction === 'reply' && messageType(m.bytes) === 30)
  const put = (name: string, m: RecordedMessage | undefined): void => {
    if (m !== undefined) named[name] = m.bytes
  }
  put('as-req-no-preauth', asReqs[0])
  put('as-req-enc-timestamp', asReqs[1])
  put('as-req-principal-unknown', asReqs[2])
  put('krb-error-preauth-required', errors[0])
  put('krb-error-principal-unknown', errors.at(-1) !== errors[0] ? errors.at(-1) : undefined)
  put(
    'as-rep',
    msgs.find((m) => messageType(m.bytes) === 11),
  )
  put(
    'tgs-req',
    msgs.find((m) => messageType(m.bytes) === 12),
  )
  put(
    'tgs-rep',
    msgs.find((m) => messageType(m.bytes) === 13),
  )
  return named
}

/**
 * Run kinit (password, preauth required), kvno, and a kinit of an unknown principal through a
 * recording proxy in front of `realm` (or a fresh realm that is stopped afterwards).
 */
export async function captureMITExchange(existing?: Realm): Promise<CapturedExchange> {
  const realm = existing ?? (await startRealm())
  const proxy = await startRecordingProxy(realm.kdcPort)
  try {
    await realm.addPrincipal('capture-user', { password: 'capture pw', requiresPreauth: true })
    await realm.addPrincipal('host/localhost')
    const env = { KRB5_CONFIG: writeProxyConf(realm, proxy.port) }
    const cc = realm.path('capture.cc')
    await realm.run(MIT_BIN.kinit, ['-c', cc, realm.qualify('capture-user')], {
      input: 'capture pw\n',
      env,
    })
    await realm.run(MIT_BIN.kvno, ['-c', cc, 'host/localhost'], { env })
    const unknown = realm.path('unknown.cc')
    await realm.run(MIT_BIN.kinit, ['-c', unknown, realm.qualify('nobody')], {
      input: 'x\n',
      env,
      allowFailure: true,
    })
    const messages = [...proxy.messages]
    return { realm: realm.realm, messages, named: nameMessages(messages) }
  } finally {
    await proxy.close()
    if (existing === undefined) await realm.stop()
  }
}

/**
 * An AS-REQ from MIT `kinit principal` that no KDC has seen yet: kinit talks to a recorder that
 * keeps the first frame and hangs up (kinit then fails, which is expected). Fresh bytes matter:
 * MIT's KDC answers a repeated request from its lookaside cache, and krb5kdc 1.20 segfaults when
 * such a cached reply is larger than `kdc_max_dgram_reply_size` and the repeat came over UDP.
 */
export async function captureFreshASReq(realm: Realm, principal: string): Promise<Uint8Array> {
  let first: Uint8Array | undefined
  const recorder = await startTCPServer((s) =>
    onFrame(s, (req) => {
      first ??= req
      s.destroy()
    }),
  )
  try {
    const env = { KRB5_CONFIG: writeProxyConf(realm, recorder.port, 'krb5-recorder.conf') }
    const cc = realm.path('fresh.cc')
    await realm.run(MIT_BIN.kinit, ['-c', cc, realm.qualify(principal)], {
      input: 'x\n',
      env,
      allowFailure: true,
    })
  } finally {
    await recorder.close()
  }
  if (first === undefined) throw new Error(`kinit ${principal} sent no AS-REQ to the recorder`)
  return first
}

/** Capture and write `<name>.der` files into `dir`; returns the names written. */
export async function writeCapturedFixtures(dir: string): Promise<string[]> {
  const { named } = await captureMITExchange()
  mkdirSync(dir, { recursive: true })
  const written: string[] = []
  for (const name of CAPTURE_NAMES) {
    const bytes = named[name]
    if (bytes === undefined) continue
    writeFileSync(join(dir, `${name}.der`), bytes)
    written.push(name)
  }
  return written
}
