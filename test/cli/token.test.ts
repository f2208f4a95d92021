/**
 * `kerberos-ts token dump`: Negotiate headers, SPNEGO and krb5 tokens as trees, decrypted with a
 * keytab or explained when the keytab does not fit.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describeToken, decodeTokenText } from '../../src/cli/token.js'
import { SpnegoAcceptorContext, SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { InitiatorContext } from '../../src/gssapi/context.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { serializeKeytab } from '../../src/keytab/index.js'
import { toBase64, toHex } from '../../src/internal/bytes.js'
import { fakeService } from '../helpers/gss-peers.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))

describe('token dump', () => {
  const svc = fakeService('HTTP/web.example.com@EXAMPLE.COM')

  it('decodes header, base64 and hex forms alike', () => {
    const tok = new SpnegoInitiatorContext({ credentials: svc.issue() }).step()!
    const b64 = toBase64(tok)
    for (const text of [`Negotiate ${b64}`, `Authorization: Negotiate ${b64}`, b64, toHex(tok)]) {
      assert.deepEqual(decodeTokenText(text), tok)
    }
  })

  it('shows a SPNEGO AP-REQ and, with the keytab, who and when', () => {
    const tok = new SpnegoInitiatorContext({
      credentials: svc.issue({ client: 'bob@EXAMPLE.COM' }),
    }).step()!
    const text = describeToken(tok, { keytab: svc.keytab }).join('\n')
    assert.match(text, /SPNEGO NegTokenInit/)
    assert.match(text, /1\.2\.840\.113554\.1\.2\.2 \(krb5\)/)
    assert.match(text, /TOK_ID 0100 AP-REQ/)
    assert.match(
      text,
      /ticket: HTTP\/web\.example\.com@EXAMPLE\.COM \(name type 3\), aes256-cts-hmac-sha1-96 \(18\), kvno 2/,
    )
    assert.match(text, /client: bob@EXAMPLE\.COM/)
    assert.match(text, /GSS checksum: flags MUTUAL/)
    assert.match(text, /ASN\.1:/)
    assert.match(text, /AP-REQ/)
  })

  it('explains a keytab that does not fit (structured error)', () => {
    const tok = new InitiatorContext({ credentials: svc.issue({ kvno: 7 }) }).step()!
    const text = describeToken(tok, {
      keytab: fakeService('HTTP/web.example.com@EXAMPLE.COM').keytab,
      asn1: false,
    }).join('\n')
    assert.match(
      text,
      /error ERR_KRB_KEYTAB_NO_KEY: .*kvno 7 not found in keytab; keytab is likely out of date/,
    )
    assert.match(text, /reason kvno-not-found; keytab holds kvno 2 aes256-cts-hmac-sha1-96 \(18\)/)
  })

  it('shows the server reply (NegTokenResp with AP-REP) and NTLMSSP', () => {
    const init = new SpnegoInitiatorContext({ credentials: svc.issue() })
    const reply = new SpnegoAcceptorContext({
      acceptor: new Acceptor({ keytab: svc.keytab }),
    }).step(init.step()!)!
    const text = describeToken(reply, { asn1: false }).join('\n')
    assert.match(text, /negState: accept-completed/)
    assert.match(text, /TOK_ID 0200 AP-REP/)
    const ntlm = describeToken(
      decodeTokenText('Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==')!,
    )
    assert.match(ntlm.join('\n'), /NTLMSSP message type 1 .*no Kerberos ticket/)
  })

  it('runs as a command with -k and a header split over two words', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krbts-token-'))
    try {
      const kt = join(dir, 'http.keytab')
      writeFileSync(kt, serializeKeytab(svc.keytab))
      const tok = new SpnegoInitiatorContext({ credentials: svc.issue() }).step()!
      const r = spawnSync(
        process.execPath,
        [MAIN, 'token', 'dump', '-k', kt, '--no-asn1', 'Negotiate', toBase64(tok)],
        { encoding: 'utf8' },
      )
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stdout, /client: alice@EXAMPLE\.COM/)
      const bad = spawnSync(process.execPath, [MAIN, 'token', 'dump', '!!!'], { encoding: 'utf8' })
      assert.equal(bad.status, 2)
      const none = spawnSync(process.execPath, [MAIN, 'token', 'frob'], { encoding: 'utf8' })
      assert.equal(none.status, 2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
