/**
 * New-user trial (issue 17): option mistakes a JavaScript user makes following docs/fast.md and
 * docs/login.md get a TypeError that says what was expected, not "Cannot read properties of
 * undefined"; nothing is sent.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KerberosClient, type Transport } from '../../src/client/index.js'
import { createKeytab } from '../../src/keytab/index.js'

function client(): { c: KerberosClient; sent: () => number } {
  let n = 0
  const transport: Transport = {
    async sendToKDC() {
      n++
      throw new Error('nothing should be sent')
    },
  }
  return { c: new KerberosClient({ transport, realm: 'TRIAL.TEST' }), sent: () => n }
}

const keytab = createKeytab()

test('trial: a keytab login without a principal is a TypeError naming options.principal', async () => {
  const { c, sent } = client()
  await assert.rejects(
    c.login({ keytab } as never),
    (e: unknown) => e instanceof TypeError && /expected options\.principal/.test(e.message),
  )
  assert.equal(sent(), 0)
})

test('trial: FAST armor without its principal, or empty, is a TypeError naming the three shapes', async () => {
  for (const armor of [{ keytab }, {}]) {
    const { c, sent } = client()
    await assert.rejects(
      c.login({ principal: 'alice', password: 'pw', armor } as never),
      (e: unknown) =>
        e instanceof TypeError &&
        /\{ ccache \}, \{ tgt \} or \{ keytab, principal \}/.test(e.message),
    )
    assert.equal(sent(), 0)
  }
})
