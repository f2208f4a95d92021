/**
 * Issue 12 item 6 — key rotation, Active Directory style, on a private Samba AD DC (the shared DC
 * stays as the other tests expect): the password of the ktpass-style account svc-web
 * (HTTP/web.ad.test, UPN = SPN) is changed on the DC, which bumps its kvno. Then:
 * - the keytab exported before the change no longer logs in, with an error that names the
 *   principal, the kvno and enctype it used and says the password probably changed;
 * - a keytab holding both kvnos (old + newly exported) logs in;
 * - an acceptor with that keytab accepts a ticket issued before the change (old kvno) and one
 *   issued after it (new kvno).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { KerberosClient, type Credentials } from '../../src/client/index.js'
import { KDCError, KerberosError } from '../../src/errors.js'
import { EncType, KRBErrorCode } from '../../src/iana.js'
import { mergeKeytabs, parseKeytab, type Keytab } from '../../src/keytab/index.js'
import { formatPrincipal } from '../../src/principal.js'
import { Acceptor, makeAPReq } from '../../src/protocol/index.js'
import {
  AD_ACCOUNTS,
  skipWithoutSamba,
  startPrivateSambaDC,
  type SambaDC,
} from '../helpers/samba.js'
import { clientFor } from '../client/helpers.js'

const SPN = 'HTTP/web.ad.test'
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const NEW_PASSWORD = 'Web-Pw-4-rotated'

describe(
  'key rotation against a Samba AD DC (password change bumps the kvno)',
  { skip: skipWithoutSamba() },
  () => {
    let dc: SambaDC
    let oldKeytab: Keytab
    let newKeytab: Keytab
    let before1: Credentials
    let oldKvno: number

    const client = (): KerberosClient =>
      clientFor(dc, { transportOptions: { attemptTimeoutMs: 3000, deadlineMs: 10_000 } }).client

    async function ticketForWeb(): Promise<Credentials> {
      const c = client()
      await c.login({ principal: 'alice', password: AD_ACCOUNTS.alice.password })
      return c.getServiceTicket(SPN)
    }

    function accept(keytab: Keytab, st: Credentials): ReturnType<Acceptor['accept']> {
      const ap = makeAPReq({ ticket: st.ticket, sessionKey: st.sessionKey, client: st.client })
      return new Acceptor({ keytab }).accept(ap.bytes)
    }

    before(async () => {
      dc = await startPrivateSambaDC()
      oldKeytab = parseKeytab(readFileSync(dc.keytabPath(AD_ACCOUNTS.svcWeb.spnKeytab)))
      oldKvno = oldKeytab.entries[0]!.kvno
      // A ticket of the old period, issued before the change.
      before1 = await ticketForWeb()
      assert.equal(before1.ticketKvno, oldKvno)
      const conf = `${dc.dir}/etc/smb.conf`
      await dc.run(
        'samba-tool',
        [
          'user',
          'setpassword',
          AD_ACCOUNTS.svcWeb.sam,
          `--newpassword=${NEW_PASSWORD}`,
          '-H',
          `${dc.dir}/private/sam.ldb`,
          '-s',
          conf,
        ],
        { timeoutMs: 120_000 },
      )
      const fresh = dc.path('http-web-new.keytab')
      await dc.run(
        'samba-tool',
        ['domain', 'exportkeytab', fresh, `--principal=${SPN}`, '-s', conf],
        {
          timeoutMs: 120_000,
        },
      )
      newKeytab = parseKeytab(readFileSync(fresh))
    })
    after(async () => {
      await dc?.release()
    })

    test('item 6: the password change bumped the kvno on the DC', () => {
      assert.equal(newKeytab.entries[0]!.kvno, oldKvno + 1)
    })

    test('item 6: the old keytab fails naming the principal, kvno, enctype and "password probably changed"', async (t) => {
      const err = await client()
        .login({ principal: SPN, keytab: oldKeytab })
        .then(
          () => assert.fail('the old keytab logged in'),
          (e: unknown) => e,
        )
      assert.ok(err instanceof KerberosError, String(err))
      assert.ok(err instanceof KDCError)
      t.diagnostic(err.message)
      t.diagnostic(err.message)
      assert.equal(err.errorCode, KRBErrorCode.KDC_ERR_PREAUTH_FAILED)
      assert.match(err.message, new RegExp(`HTTP/web\\.ad\\.test@AD\\.TEST`))
      assert.match(err.message, new RegExp(`kvno ${oldKvno}, aes256-cts-hmac-sha1-96`))
      assert.match(err.message, /password probably changed/)
      assert.match(err.hint ?? '', /ktpass|msktutil/)
      assert.match(err.hint ?? '', /#keytab-stale/)
    })

    test('item 6: kerberos-ts kinit -k with the old keytab says the same on stderr, exit 1', async () => {
      const r = await dc.run(
        process.execPath,
        [
          MAIN,
          'kinit',
          '-k',
          '-t',
          dc.keytabPath(AD_ACCOUNTS.svcWeb.spnKeytab),
          '-c',
          dc.path('cli.cc'),
          SPN,
        ],
        { allowFailure: true },
      )
      assert.equal(r.code, 1, r.stderr)
      assert.match(r.stderr, new RegExp(`kvno ${oldKvno}, aes256-cts-hmac-sha1-96`))
      assert.match(r.stderr, /HTTP\/web\.ad\.test@AD\.TEST/)
      assert.match(r.stderr, /password probably changed/)
    })

    test('item 6: a keytab holding both kvnos logs in (with the new keys)', async () => {
      const both = mergeKeytabs(oldKeytab, newKeytab)
      const tgt = await client().login({ principal: SPN, keytab: both })
      assert.equal(formatPrincipal(tgt.client), `${SPN}@AD.TEST`)
      assert.equal(tgt.replyEtype, EncType.AES256_CTS_HMAC_SHA1_96)
    })

    test('item 6: the acceptor with the merged keytab accepts tickets of both periods', async (t) => {
      const both = mergeKeytabs(oldKeytab, newKeytab)
      const after1 = await ticketForWeb()
      assert.equal(after1.ticketKvno, oldKvno + 1)
      const r1 = accept(both, before1)
      assert.equal(r1.kvno, oldKvno)
      assert.equal(formatPrincipal(r1.client), 'alice@AD.TEST')
      assert.ok(r1.identity !== undefined, 'PAC verified with the old key')
      const r2 = accept(both, after1)
      assert.equal(r2.kvno, oldKvno + 1)
      assert.ok(r2.identity !== undefined, 'PAC verified with the new key')
      // Each keytab alone accepts only its own period, and says which side is out of date.
      const refused = (kt: Keytab, st: Credentials): string => {
        try {
          accept(kt, st)
        } catch (e) {
          return (e as Error).message
        }
        return assert.fail('accepted')
      }
      const newer = refused(oldKeytab, after1)
      const older = refused(newKeytab, before1)
      t.diagnostic(newer)
      t.diagnostic(older)
      assert.match(newer, new RegExp(`kvno ${oldKvno + 1}`))
      assert.match(older, new RegExp(`kvno ${oldKvno}`))
    })
  },
)
