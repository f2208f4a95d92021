/**
 * New-user trial of today's CLI features (issues 15 and 17): what docs/fast.md promises `-V`
 * shows, and the library's hints reaching the terminal.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KDCError } from '../../src/errors.js'
import { traceLine } from '../../src/cli/kinit.js'
import { hintLine } from '../../src/cli/util.js'
import { runCli } from './run-cli.js'

test('trial: kinit -V names the preauth method a FAST login answers with (encrypted challenge)', () => {
  const line = traceLine({
    type: 'preauth-required',
    realm: 'R.TEST',
    etype: 18,
    fast: true,
    message: 'encrypted challenge',
  })
  assert.match(line, /preauth-required R\.TEST aes256-cts-hmac-sha1-96 FAST encrypted challenge\n$/)
})

test('trial: the CLI prints an error hint on its own line, nothing when there is none', () => {
  const e = new KDCError({ errorCode: 13 }, { hint: 'allow it in the directory' })
  assert.equal(hintLine('kvno', e), 'kerberos-ts kvno: hint: allow it in the directory\n')
  assert.equal(hintLine('kvno', new KDCError({ errorCode: 13 })), '')
  assert.equal(hintLine('kvno', new Error('x')), '')
})

test('trial: kinit -T with a missing armor ccache says it is the armor ccache and how to make it', () => {
  const r = runCli(['kinit', '-T', '/nonexistent/trial-armor.cc', 'alice@TRIAL.TEST'], {
    input: 'pw\n',
  })
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, /^kerberos-ts kinit: the armor ccache \(-T\) no credentials cache found/m)
  assert.match(
    r.stderr,
    /^kerberos-ts kinit: hint: make it first with the host's TGT, e\.g\. kinit -k/m,
  )
})
