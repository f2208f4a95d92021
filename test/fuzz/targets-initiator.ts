/**
 * Fuzz targets for the initiator side of GSS and HTTP: what a (possibly hostile) server sends
 * back — the krb5 AP-REP token, the SPNEGO NegTokenResp, the `WWW-Authenticate: Negotiate`
 * header. Every context is made with a fixed clock and a fixed random source, so each fresh
 * context sends the same AP-REQ and the seed answers match it exactly.
 */
import { AcceptorContext, InitiatorContext } from '../../src/gssapi/context.js'
import { SpnegoAcceptorContext, SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { serverNegotiateToken } from '../../src/http/fetch.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import type { FuzzTarget } from './targets.js'
import { seededRandom, type FuzzWorld } from './world.js'

const latin1 = new TextDecoder('latin1')
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff)

/** The initiator-side targets. */
export function initiatorTargets(w: FuzzWorld): FuzzTarget[] {
  const credentials = { client: w.client, ticket: w.serviceTicket, sessionKey: w.serviceSessionKey }
  const at = new Date(w.now.getTime() + 9000)
  const krb5 = (): InitiatorContext =>
    new InitiatorContext({ credentials, now: () => at, random: seededRandom(4242) })
  const spnego = (): SpnegoInitiatorContext =>
    new SpnegoInitiatorContext({ credentials, now: () => at, random: seededRandom(4343) })
  const acceptor = new Acceptor({ keytab: w.serviceKeytab, now: () => w.now, replayCache: false })
  const apRepToken = new AcceptorContext({ acceptor }).step(krb5().step()!)!
  const negTokenResp = new SpnegoAcceptorContext({ acceptor }).step(spnego().step()!)!
  const header = ascii(`Negotiate ${Buffer.from(negTokenResp).toString('base64')}`)
  return [
    {
      name: 'krb5-initiator',
      description: 'InitiatorContext.step on the acceptor answer (AP-REP or KRB-ERROR token)',
      seeds: [apRepToken],
      run(b) {
        const ctx = krb5()
        ctx.step()
        ctx.step(b)
      },
    },
    {
      name: 'spnego-initiator',
      description: 'SpnegoInitiatorContext.step on NegTokenResp, or on a WWW-Authenticate header',
      seeds: [negTokenResp, header],
      run(b) {
        let token: Uint8Array | undefined = b
        if (b[0] === 0x4e || b[0] === 0x6e) token = serverNegotiateToken(latin1.decode(b))
        if (token === undefined) return
        const ctx = spnego()
        ctx.step()
        ctx.step(token)
      },
    },
  ]
}
