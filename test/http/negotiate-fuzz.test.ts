/**
 * Hostile input: whatever arrives in the Authorization header, negotiate() answers 400 or 401
 * with a KerberosError and never throws; the SPNEGO and krb5 decoders only throw KerberosError.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { negotiate } from '../../src/http/index.js'
import { SpnegoAcceptorContext, SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { KerberosError } from '../../src/errors.js'
import { toBase64 } from '../../src/internal/bytes.js'
import { fakeService } from '../helpers/gss-peers.js'

describe('negotiate() with hostile input', () => {
  const svc = fakeService()
  const acceptor = new Acceptor({ keytab: svc.keytab, replayCache: false })
  const good = new SpnegoInitiatorContext({ credentials: svc.issue() }).step()!

  it('random headers: 400/401 with an error, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
        const r = await negotiate({ acceptor, authorization: text })
        assert.ok(r.status === 400 || r.status === 401)
      }),
      { numRuns: 300 },
    )
  })

  it('mutated SPNEGO tokens: refused with a KerberosError, never accepted as anyone else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: good.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: 0, max: good.length }),
        async (at, xor, cut) => {
          const bad = good.slice(0, Math.max(cut, at + 1))
          bad[at]! ^= xor
          const r = await negotiate({ acceptor, authorization: `Negotiate ${toBase64(bad)}` })
          // Unprotected fields (ap-options bits, the ticket's kvno hint) may change without harm;
          // what must never happen is success as someone else, or a non-Kerberos failure.
          if (r.status === 200) assert.equal(r.user?.principal, 'alice@TEST.REALM')
          else assert.ok(r.error instanceof KerberosError, String(r.error))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('random bytes into the SPNEGO acceptor throw only KerberosError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const ctx = new SpnegoAcceptorContext({ acceptor })
        try {
          ctx.step(Uint8Array.of(0x60, bytes.length & 0x7f, ...bytes))
          ctx.step(Uint8Array.of(0xa1, ...bytes))
        } catch (err) {
          assert.ok(err instanceof KerberosError, String(err))
        }
      }),
      { numRuns: 500 },
    )
  })
})
