/**
 * Issue 12 item 4 — Active Directory salt rules, proved against the keys a Samba 4.17 DC exports
 * (`samba-tool domain exportkeytab`): for every account, our keytabEntriesFromPassword with the
 * documented rule gives the exported key bytes; the salt the KDC announces (ETYPE-INFO2) is the
 * same; `fetchSaltInfo` and `keytab add -f` derive the right keys from it.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { fetchSaltInfo } from '../../src/client/index.js'
import { parseConfig } from '../../src/config/index.js'
import { EncType } from '../../src/iana.js'
import { fromUtf8, toHex } from '../../src/internal/bytes.js'
import {
  keytabEntriesFromPassword,
  parseKeytab,
  type Keytab,
  type PasswordSalt,
} from '../../src/keytab/index.js'
import { createNodeTransport } from '../../src/node/transport.js'
import { discoveryConfigFromKrb5Config } from '../../src/node/kdc-discovery.js'
import { parsePrincipal } from '../../src/principal.js'
import { runCli } from '../cli/run-cli.js'
import { KDCError } from '../../src/errors.js'
import {
  AD_ACCOUNTS,
  ensureTemplate,
  skipWithoutSamba,
  useSambaDC,
  type SambaDC,
} from '../helpers/samba.js'
import { join } from 'node:path'

const AES = [EncType.AES256_CTS_HMAC_SHA1_96, EncType.AES128_CTS_HMAC_SHA1_96]

/** The keys of one principal in an exported keytab, as `etype:kvno:hex`. */
function exported(kt: Keytab, principal: string): string[] {
  const p = parsePrincipal(principal)
  return kt.entries
    .filter(
      (e) =>
        e.principal.realm === p.realm &&
        e.principal.components.join('/') === p.components.join('/'),
    )
    .map((e) => `${e.enctype}:${e.kvno}:${toHex(e.key.bytes)}`)
    .sort()
}

function derived(
  principal: string,
  password: string,
  kvno: number,
  salt: PasswordSalt,
  enctypes: readonly number[] = AES,
): string[] {
  return keytabEntriesFromPassword({ principal, password, kvno, salt, enctypes, allowWeak: true })
    .map((e) => `${e.enctype}:${e.kvno}:${toHex(e.key.bytes)}`)
    .sort()
}

/** The exported keytab's kvno (every entry has the same). */
function kvnoOf(kt: Keytab): number {
  return kt.entries[0]!.kvno
}

describe('Active Directory salts (Samba 4.17 DC)', { skip: skipWithoutSamba() }, () => {
  let keytabs: string
  const kt = (name: string): Keytab => parseKeytab(readFileSync(join(keytabs, name)))
  const aesOnly = (list: string[]): string[] =>
    list.filter((l) => l.startsWith('17:') || l.startsWith('18:'))

  before(async () => {
    keytabs = join(await ensureTemplate(), 'keytabs')
  })

  test('review 12.4a: a user with a UPN is salted with the UPN name part, not the sAMAccountName', () => {
    const a = AD_ACCOUNTS.jdoe
    const k = kt(a.keytab)
    const want = aesOnly(exported(k, 'JDoe@AD.TEST'))
    assert.equal(want.length, 2)
    const upn = { type: 'ad-user', userPrincipalName: a.upn } as const
    assert.deepEqual(derived('JDoe@AD.TEST', a.password, kvnoOf(k), upn), want)
    // The old rule (REALM + sAMAccountName) gives keys the KDC never matches.
    assert.notDeepEqual(
      derived('JDoe@AD.TEST', a.password, kvnoOf(k), { type: 'ad-user', samAccountName: 'JDoe' }),
      want,
    )
    // Named by the UPN's name part, the one-component default is right.
    assert.deepEqual(derived('jdoe@AD.TEST', a.password, kvnoOf(k), { type: 'ad-user' }), want)
  })

  test('AD users: samba-tool default UPN, and no UPN at all (REALM + sAMAccountName, case kept)', () => {
    for (const a of [AD_ACCOUNTS.alice, AD_ACCOUNTS.bob]) {
      const k = kt(a.keytab)
      const name = `${a.sam}@AD.TEST`
      assert.deepEqual(
        derived(name, a.password, kvnoOf(k), { type: 'ad-user' }),
        aesOnly(exported(k, name)),
      )
    }
  })

  test('review 12.4a: a ktpass-style account (UPN = SPN) has the default salt of the SPN', () => {
    const a = AD_ACCOUNTS.svcWeb
    const k = kt(a.spnKeytab)
    assert.ok(kvnoOf(k) > 1, `kvno ${kvnoOf(k)}`)
    const spn = 'HTTP/web.ad.test@AD.TEST'
    assert.deepEqual(
      derived(spn, a.password, kvnoOf(k), { type: 'default' }),
      aesOnly(exported(k, spn)),
    )
    // The account name's keys are the same keys, salted through its UPN.
    const acct = kt(a.keytab)
    assert.deepEqual(
      derived('svc-web@AD.TEST', a.password, kvnoOf(acct), {
        type: 'ad-user',
        userPrincipalName: a.upn,
      }),
      aesOnly(exported(acct, 'svc-web@AD.TEST')),
    )
  })

  test('review 12.4b: --ad-computer host/web01.ad.test salts with the first label (AD.TESThostweb01.ad.test)', () => {
    const a = AD_ACCOUNTS.web01
    for (const [file, name] of [
      [a.spnKeytab, 'host/web01.ad.test@AD.TEST'],
      [a.keytab, 'WEB01$@AD.TEST'],
    ] as const) {
      const k = kt(file)
      assert.deepEqual(
        derived(name, a.password, kvnoOf(k), { type: 'ad-computer' }),
        aesOnly(exported(k, name)),
        name,
      )
    }
  })

  test('review 12.4c: an SPN on a user account needs its account; plain --ad-user refuses instead of writing a dead key', () => {
    const a = AD_ACCOUNTS.vault
    const k = kt(a.spnKeytab)
    const spn = 'HTTP/vault.ad.test@AD.TEST'
    const want = exported(k, spn)
    assert.deepEqual(
      derived(spn, a.password, kvnoOf(k), { type: 'ad-user', samAccountName: a.sam }),
      want,
    )
    assert.deepEqual(
      derived(spn, a.password, kvnoOf(k), { type: 'ad-user', userPrincipalName: a.upn }),
      want,
    )
    assert.throws(
      () => derived(spn, a.password, kvnoOf(k), { type: 'ad-user' }),
      (e: unknown) => e instanceof RangeError && /service name/.test(e.message),
    )
    assert.notDeepEqual(derived(spn, a.password, kvnoOf(k), { type: 'default' }), want)
  })

  test('an rc4-only account: its SPN keytab holds only the rc4 key, which has no salt', () => {
    const a = AD_ACCOUNTS.legacy
    const k = kt(a.spnKeytab)
    const spn = 'cifs/legacy.ad.test@AD.TEST'
    assert.deepEqual(
      k.entries.map((e) => e.enctype),
      [EncType.RC4_HMAC],
    )
    assert.deepEqual(
      derived(spn, a.password, kvnoOf(k), { type: 'default' }, [EncType.RC4_HMAC]),
      exported(k, spn),
    )
  })
})

describe(
  'fetchSaltInfo and keytab add -f against the Samba DC',
  { skip: skipWithoutSamba() },
  () => {
    let dc: SambaDC
    before(async () => {
      dc = await useSambaDC()
    })
    after(async () => {
      await dc?.release()
    })

    const transport = () =>
      createNodeTransport({
        config: discoveryConfigFromKrb5Config(
          parseConfig(readFileSync(dc.krb5ConfPath, 'utf8'), { path: dc.krb5ConfPath }),
        ),
        attemptTimeoutMs: 3000,
      })

    test('the KDC announces the salt each rule gives, for every account', async () => {
      const cases: [string, string][] = [
        ['alice@AD.TEST', AD_ACCOUNTS.alice.salt],
        ['JDoe@AD.TEST', AD_ACCOUNTS.jdoe.salt],
        ['Bob.Smith@AD.TEST', AD_ACCOUNTS.bob.salt],
        ['HTTP/web.ad.test@AD.TEST', AD_ACCOUNTS.svcWeb.salt],
        ['Svc-Vault@AD.TEST', AD_ACCOUNTS.vault.salt],
        ['WEB01$@AD.TEST', AD_ACCOUNTS.web01.salt],
      ]
      for (const [name, salt] of cases) {
        const info = await fetchSaltInfo({
          transport: transport(),
          principal: parsePrincipal(name),
          etypes: AES,
        })
        assert.deepEqual(
          info.map((i) => [i.etype, fromUtf8(i.salt), i.saltFromKDC]),
          AES.map((e) => [e, salt, true]),
          name,
        )
      }
    })

    test('an SPN of a user or computer account is not a client name: ask about its account', async () => {
      for (const spn of ['HTTP/vault.ad.test@AD.TEST', 'host/web01.ad.test@AD.TEST']) {
        await assert.rejects(
          fetchSaltInfo({ transport: transport(), principal: parsePrincipal(spn), etypes: AES }),
          (e: unknown) => e instanceof KDCError && e.errorName === 'KDC_ERR_C_PRINCIPAL_UNKNOWN',
        )
      }
    })

    /** `kerberos-ts keytab add ARGS` into a fresh file; its entries as `etype:kvno:hex`. */
    const cliAdd = (file: string, args: readonly string[], password: string): string[] => {
      const out = dc.path(file)
      const r = runCli(['keytab', 'add', ...args, out], {
        input: password + '\n',
        env: { KRB5_CONFIG: dc.krb5ConfPath },
      })
      assert.equal(r.status, 0, r.stderr)
      return parseKeytab(readFileSync(out))
        .entries.map((e) => `${e.enctype}:${e.kvno}:${toHex(e.key.bytes)}`)
        .sort()
    }
    const exportedKeys = (file: string, principal: string): string[] =>
      exported(parseKeytab(readFileSync(dc.keytabPath(file))), principal).filter(
        (l) => !l.startsWith('23:'),
      )

    test('keytab add -f writes the keys the DC exports (ktpass-style SPN, UPN user, setspn SPN with --account)', () => {
      const web = AD_ACCOUNTS.svcWeb
      assert.deepEqual(
        cliAdd('f-web.keytab', ['-p', 'HTTP/web.ad.test@AD.TEST', '-k', '4', '-f'], web.password),
        exportedKeys(web.spnKeytab, 'HTTP/web.ad.test@AD.TEST'),
      )
      const jdoe = AD_ACCOUNTS.jdoe
      assert.deepEqual(
        cliAdd('f-jdoe.keytab', ['-p', 'JDoe@AD.TEST', '-k', '3', '-f'], jdoe.password),
        exportedKeys(jdoe.keytab, 'JDoe@AD.TEST'),
      )
      const vault = AD_ACCOUNTS.vault
      const args = ['-p', 'HTTP/vault.ad.test@AD.TEST', '-k', '2', '-f', '--account', vault.sam]
      assert.deepEqual(
        cliAdd('f-vault.keytab', args, vault.password),
        exportedKeys(vault.spnKeytab, 'HTTP/vault.ad.test@AD.TEST'),
      )
      const web01 = AD_ACCOUNTS.web01
      const host = ['-p', 'host/web01.ad.test@AD.TEST', '-k', '2', '-f', '--account', web01.sam]
      assert.deepEqual(
        cliAdd('f-host.keytab', host, web01.password),
        exportedKeys(web01.spnKeytab, 'host/web01.ad.test@AD.TEST'),
      )
      const r = runCli(
        ['keytab', 'add', '-p', 'HTTP/vault.ad.test@AD.TEST', '-f', dc.path('x.kt')],
        {
          input: 'x\n',
          env: { KRB5_CONFIG: dc.krb5ConfPath },
        },
      )
      assert.equal(r.status, 1)
      assert.match(r.stderr, /KDC_ERR_C_PRINCIPAL_UNKNOWN/)
    })

    test('review 12.4b/c through the CLI: --ad-computer host/FQDN, --ad-user --account, --ad-user --upn; bare --ad-user on an SPN is a usage error', () => {
      const web01 = AD_ACCOUNTS.web01
      assert.deepEqual(
        cliAdd(
          'c-host.keytab',
          ['-p', 'host/web01.ad.test@AD.TEST', '-k', '2', '--ad-computer'],
          web01.password,
        ),
        exportedKeys(web01.spnKeytab, 'host/web01.ad.test@AD.TEST'),
      )
      const vault = AD_ACCOUNTS.vault
      const spn = 'HTTP/vault.ad.test@AD.TEST'
      assert.deepEqual(
        cliAdd(
          'c-vault.keytab',
          ['-p', spn, '-k', '2', '--ad-user', '--account', vault.sam],
          vault.password,
        ),
        exportedKeys(vault.spnKeytab, spn),
      )
      const jdoe = AD_ACCOUNTS.jdoe
      assert.deepEqual(
        cliAdd(
          'c-jdoe.keytab',
          ['-p', 'JDoe@AD.TEST', '-k', '3', '--ad-user', '--upn', jdoe.upn],
          jdoe.password,
        ),
        exportedKeys(jdoe.keytab, 'JDoe@AD.TEST'),
      )
      const bare = runCli(['keytab', 'add', '-p', spn, '--ad-user', dc.path('bare.kt')], {
        input: 'x\n',
      })
      assert.equal(bare.status, 2)
      assert.match(bare.stderr, /--account/)
    })
  },
)
