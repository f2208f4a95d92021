/**
 * One fuzz target per decoder or reader that takes bytes from a peer or a file: DER messages and
 * the encrypted-part contents, keytab, ccache, krb5.conf, GSS and SPNEGO tokens, HTTP
 * `Authorization` headers through the negotiate core, KDC replies as the client reads them, and
 * AP-REQs/AP-REPs as the acceptor and initiator read them. Each has real seeds (fixtures and
 * tokens made by {@link fuzzWorld}); the invariant is that only KerberosError escapes.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as asn1 from '../../src/asn1/index.js'
import { ErrorCodes, KerberosError } from '../../src/errors.js'
import { parseCCache } from '../../src/ccache/index.js'
import {
  configuredRealms,
  parseConfig,
  readLibDefaults,
  readRealm,
  realmForHost,
} from '../../src/config/index.js'
import { AcceptorContext, InitiatorContext } from '../../src/gssapi/context.js'
import { unframeGSSToken } from '../../src/gssapi/framing.js'
import {
  SpnegoAcceptorContext,
  SpnegoInitiatorContext,
  classifyToken,
  decodeNegTokenInit,
  decodeNegTokenResp,
} from '../../src/gssapi/spnego.js'
import { negotiate, parseNegotiateHeader } from '../../src/http/negotiate.js'
import { findKeytabEntries, parseKeytab, serializeKeytab } from '../../src/keytab/index.js'
import { PADataType } from '../../src/iana.js'
import { readPreauthHints, readASReply, saltInfoFromPAData } from '../../src/protocol/as.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { verifyAPRep } from '../../src/protocol/ap-rep.js'
import { MemoryReplayCache } from '../../src/protocol/replay-cache.js'
import { readTGSReply } from '../../src/protocol/tgs.js'
import { fixturePath } from '../helpers/paths.js'
import { authenticatedTargets } from './targets-authenticated.js'
import { initiatorTargets } from './targets-initiator.js'
import { pacTargets } from './targets-pac.js'
import { kpasswdTargets } from './targets-kpasswd.js'
import { kdcTargets } from './targets-kdc.js'
import { fuzzWorld, type FuzzWorld } from './world.js'

/** A fuzz target. */
export interface FuzzTarget {
  readonly name: string
  readonly description: string
  /** Valid (or nearly valid) inputs to mutate. */
  readonly seeds: readonly Uint8Array[]
  /** The reader never throws by design (it answers "not that" with undefined). */
  readonly total?: boolean
  /** Feed one input; anything but a KerberosError escaping is a bug. */
  run(input: Uint8Array): void | Promise<void>
}

const latin1 = new TextDecoder('latin1')
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff)

function filesIn(dir: string, suffix: string): Uint8Array[] {
  const abs = fixturePath(dir)
  return readdirSync(abs)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(abs, f))))
}

function capturedDER(): Uint8Array[] {
  return filesIn('asn1/captured', '.der')
}

/** Run `f`, ignoring its result (the readers' results are not checked here, only their errors). */
function each(input: Uint8Array, ...fns: ((b: Uint8Array) => unknown)[]): void {
  for (const f of fns) f(input)
}

function derTargets(w: FuzzWorld): FuzzTarget[] {
  const messages = [
    ...capturedDER(),
    w.asReply,
    w.tgsReply,
    w.asError,
    w.apRep.bytes,
    ...w.apReqs.slice(0, 3),
  ]
  return [
    {
      name: 'der-message',
      description: 'decodeKerberosMessage on every wire message (captured MIT + self-made)',
      seeds: messages,
      run: (b) => void asn1.decodeKerberosMessage(b),
    },
    {
      name: 'enc-ticket-part',
      description: 'decodeEncTicketPart (what a service key decrypts)',
      seeds: [w.encTicketPart],
      run: (b) => void asn1.decodeEncTicketPart(b),
    },
    {
      name: 'enc-kdc-rep-part',
      description: 'decodeEncKDCRepPart / EncASRepPart / EncTGSRepPart',
      seeds: [w.encASRepPart, w.encTGSRepPart],
      run: (b) => each(b, asn1.decodeEncKDCRepPart),
    },
    {
      name: 'authenticator',
      description: 'decodeAuthenticator',
      seeds: [w.authenticator],
      run: (b) => void asn1.decodeAuthenticator(b),
    },
    {
      name: 'enc-ap-rep-part',
      description: 'decodeEncAPRepPart',
      seeds: [w.encAPRepPart],
      run: (b) => void asn1.decodeEncAPRepPart(b),
    },
    {
      name: 'padata',
      description:
        'METHOD-DATA, ETYPE-INFO2, preauth hints from KRB-ERROR e-data, salts from PA-DATA',
      seeds: [w.methodData, w.etypeInfo2],
      run(b) {
        runOrKerberos(() => {
          const md = asn1.decodeMethodData(b)
          saltInfoFromPAData(md)
          for (const pa of md) {
            if (pa.padataType === PADataType.ETYPE_INFO2) asn1.decodeETypeInfo2(pa.padataValue)
          }
        })
        runOrKerberos(() => asn1.decodeETypeInfo2(b))
        readPreauthHints(b)
      },
    },
  ]
}

/** Run `f`; a KerberosError is an expected outcome here (so the next step still runs). */
function runOrKerberos(f: () => unknown): void {
  try {
    f()
  } catch (err) {
    if (!(err instanceof KerberosError)) throw err
  }
}

function fileTargets(): FuzzTarget[] {
  return [
    {
      name: 'keytab',
      description: 'parseKeytab on MIT keytabs, then lookup and a serialize round trip',
      seeds: filesIn('keytab', '.keytab'),
      run(b) {
        const kt = parseKeytab(b)
        for (const e of kt.entries.slice(0, 4)) findKeytabEntries(kt, { principal: e.principal })
        serializeKeytab(kt)
      },
    },
    {
      name: 'ccache',
      description: 'parseCCache on MIT ccaches v1–v4',
      seeds: filesIn('ccache', '.ccache'),
      run: (b) => void parseCCache(b),
    },
    {
      name: 'krb5conf',
      description: 'parseConfig + the typed views ([libdefaults], [realms], [domain_realm])',
      seeds: [
        ...filesIn('config', '.conf'),
        ...readdirSync(fixturePath('config/bad'))
          .sort()
          .map((f) => new Uint8Array(readFileSync(fixturePath('config/bad', f)))),
      ],
      run(b) {
        const config = parseConfig(latin1.decode(b))
        readLibDefaults(config)
        for (const r of configuredRealms(config).slice(0, 4)) readRealm(config, r)
        realmForHost(config, 'www.example.com')
      },
    },
  ]
}

function gssTargets(w: FuzzWorld): FuzzTarget[] {
  const acceptor = new Acceptor({
    keytab: w.serviceKeytab,
    now: () => w.now,
    replayCache: new MemoryReplayCache({ maxEntries: 1000, now: () => w.now.getTime() }),
  })
  const creds = { client: w.client, ticket: w.serviceTicket, sessionKey: w.serviceSessionKey }
  const krb5Tokens: Uint8Array[] = []
  const spnegoTokens: Uint8Array[] = []
  for (let i = 0; i < 3; i++) {
    const now = (): Date => new Date(w.now.getTime() + 1000 + i)
    krb5Tokens.push(new InitiatorContext({ credentials: creds, random: w.random, now }).step()!)
    spnegoTokens.push(
      new SpnegoInitiatorContext({ credentials: creds, random: w.random, now }).step()!,
    )
  }
  // A NegTokenResp and per-message tokens from an established pair.
  const init = new SpnegoInitiatorContext({
    credentials: creds,
    random: w.random,
    now: () => new Date(w.now.getTime() + 5000),
  })
  const fresh = new Acceptor({ keytab: w.serviceKeytab, now: () => w.now, replayCache: false })
  const acc = new SpnegoAcceptorContext({ acceptor: fresh })
  const resp = acc.step(init.step()!)!
  init.step(resp)
  const perMessage = [
    init.krb5.wrap(new Uint8Array([1, 2, 3, 4]), { conf: true }),
    init.krb5.wrap(new Uint8Array(40), { conf: false }),
    init.krb5.getMIC(new Uint8Array([9, 9])),
  ]
  const headers = spnegoTokens.map((t) => ascii(`Negotiate ${Buffer.from(t).toString('base64')}`))
  return [
    {
      name: 'gss-krb5',
      description: 'AcceptorContext.step on RFC 1964 framed AP-REQs (and unframeGSSToken)',
      seeds: krb5Tokens,
      run(b) {
        runOrKerberos(() => unframeGSSToken(b))
        new AcceptorContext({ acceptor }).step(b)
      },
    },
    {
      name: 'spnego',
      description: 'SpnegoAcceptorContext.step on NegTokenInit; NegTokenResp and classify',
      seeds: [...spnegoTokens, resp],
      run(b) {
        classifyToken(b)
        runOrKerberos(() => decodeNegTokenResp(b))
        runOrKerberos(() => decodeNegTokenInit(b))
        new SpnegoAcceptorContext({ acceptor }).step(b)
      },
    },
    {
      name: 'gss-per-message',
      description: 'unwrap and verifyMIC on an established acceptor context (RFC 4121 tokens)',
      seeds: perMessage,
      run(b) {
        runOrKerberos(() => acc.krb5.unwrap(b))
        acc.krb5.verifyMIC(new Uint8Array([9, 9]), b)
      },
    },
    {
      name: 'http-negotiate',
      description:
        'negotiate() on Authorization headers (raw text, or Negotiate + base64 of a token)',
      seeds: [...headers, ...spnegoTokens],
      async run(b) {
        const text = b[0] === 0x4e || b[0] === 0x6e || b[0] === 0x20 ? latin1.decode(b) : undefined
        const authorization = text ?? `Negotiate ${Buffer.from(b).toString('base64')}`
        runOrKerberos(() => parseNegotiateHeader(authorization))
        const r = await negotiate({ acceptor, authorization })
        if (![200, 400, 401, 403].includes(r.status))
          throw new Error(`unexpected status ${r.status}`)
        if (r.status !== 200)
          throw r.error ?? new KerberosError(ErrorCodes.HTTP_NEGOTIATE, `status ${r.status}`)
      },
    },
  ]
}

function protocolTargets(w: FuzzWorld): FuzzTarget[] {
  const acceptor = new Acceptor({
    keytab: w.serviceKeytab,
    now: () => w.now,
    replayCache: new MemoryReplayCache({ maxEntries: 1000, now: () => w.now.getTime() }),
  })
  const captured = capturedDER()
  return [
    {
      name: 'as-reply',
      description: 'readASReply with a fixed AS request and the client key',
      seeds: [w.asReply, w.asError, ...captured],
      run(b) {
        readASReply(b, { request: w.asRequest, keys: () => [w.clientKey] })
      },
    },
    {
      name: 'tgs-reply',
      description: 'readTGSReply with a fixed TGS request (TGT session key)',
      seeds: [w.tgsReply, w.asError, ...captured],
      run(b) {
        readTGSReply(b, { request: w.tgsRequest, canonicalize: true })
      },
    },
    {
      name: 'ap-req',
      description: 'Acceptor.accept with a service keytab and a bounded replay cache',
      seeds: w.apReqs,
      run(b) {
        acceptor.accept(b)
      },
    },
    {
      name: 'ap-rep',
      description: 'verifyAPRep as the initiator reads the acceptor answer',
      seeds: [w.apRep.bytes],
      run(b) {
        verifyAPRep(b, {
          sessionKey: w.serviceSessionKey,
          ctime: w.apRep.ctime,
          cusec: w.apRep.cusec,
        })
      },
    },
  ]
}

let all: FuzzTarget[] | undefined

/** Every target, built once per process. */
export function fuzzTargets(): readonly FuzzTarget[] {
  if (all === undefined) {
    const w = fuzzWorld()
    all = [
      ...derTargets(w),
      ...fileTargets(),
      ...gssTargets(w),
      ...protocolTargets(w),
      ...authenticatedTargets(w),
      ...initiatorTargets(w),
      ...pacTargets(),
      ...kpasswdTargets(w),
      ...kdcTargets(),
    ]
  }
  return all
}

/** One target by name; throws listing the names when unknown. */
export function fuzzTarget(name: string): FuzzTarget {
  const t = fuzzTargets().find((x) => x.name === name)
  if (t === undefined) {
    throw new Error(
      `unknown fuzz target ${name}; known: ${fuzzTargets()
        .map((x) => x.name)
        .join(', ')}`,
    )
  }
  return t
}
