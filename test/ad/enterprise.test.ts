/**
 * Issue 12 item 3 — enterprise principals (NT-ENTERPRISE, RFC 6806 §5) and AD's case-insensitive
 * names against a Samba 4.17 AD DC, with MIT kinit as the reference: for each way of typing a
 * name, with and without `-C`, our client, our CLI and MIT `kinit` must leave the same default
 * principal in the ccache. Measured with MIT 1.20 against Samba: without canonicalize the ccache
 * keeps the name as typed (`jdoe\@ad.test@AD.TEST`, `ALICE@AD.TEST`); with it, AD's spelling
 * (`JDoe@AD.TEST`, `alice@AD.TEST`).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { parseCCache } from '../../src/ccache/index.js'
import { KerberosClient } from '../../src/client/index.js'
import { NameType } from '../../src/iana.js'
import { formatPrincipal, parsePrincipal } from '../../src/principal.js'
import { clientFor } from '../client/helpers.js'
import { AD_ACCOUNTS, skipWithoutSamba, useSambaDC, type SambaDC } from '../helpers/samba.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))

describe('enterprise names: parse and format (MIT krb5_parse_name with PARSE_ENTERPRISE)', () => {
  test('jdoe@ad.test is one component in the default realm, name type 10', () => {
    const p = parsePrincipal('jdoe@ad.test', { enterprise: true, defaultRealm: 'AD.TEST' })
    assert.deepEqual(p, {
      nameType: NameType.ENTERPRISE,
      components: ['jdoe@ad.test'],
      realm: 'AD.TEST',
    })
    // klist's spelling (MIT escapes the inner @), and the typed form that parses back.
    assert.equal(formatPrincipal(p), 'jdoe\\@ad.test@AD.TEST')
    assert.equal(formatPrincipal(p, { enterprise: true }), 'jdoe@ad.test@AD.TEST')
    assert.deepEqual(
      parsePrincipal(formatPrincipal(p, { enterprise: true }), { enterprise: true }),
      p,
    )
    assert.deepEqual(parsePrincipal(formatPrincipal(p)), { ...p, nameType: NameType.PRINCIPAL })
  })

  test('a second @ starts the realm; / is literal; a name without @ stays one component', () => {
    assert.deepEqual(parsePrincipal('jdoe@ad.test@AD.TEST', { enterprise: true }), {
      nameType: 10,
      components: ['jdoe@ad.test'],
      realm: 'AD.TEST',
    })
    assert.deepEqual(parsePrincipal('a/b@c@R', { enterprise: true }).components, ['a/b@c'])
    assert.deepEqual(parsePrincipal('alice', { enterprise: true, defaultRealm: 'R' }), {
      nameType: 10,
      components: ['alice'],
      realm: 'R',
    })
    assert.deepEqual(parsePrincipal('a\\@b@c@R', { enterprise: true }).components, ['a@b@c'])
  })

  test('malformed enterprise names are ERR_KRB_PRINCIPAL_FORMAT', () => {
    for (const bad of ['a@b@', 'a@b@R@S', 'a\\']) {
      assert.throws(
        () => parsePrincipal(bad, { enterprise: true, defaultRealm: 'R' }),
        (e: unknown) => (e as { code?: string }).code === 'ERR_KRB_PRINCIPAL_FORMAT',
        bad,
      )
    }
  })
})

describe(
  'enterprise names and name case against a Samba AD DC (MIT kinit as reference)',
  { skip: skipWithoutSamba() },
  () => {
    let dc: SambaDC
    before(async () => {
      dc = await useSambaDC()
    })
    after(async () => {
      await dc?.release()
    })

    const client = (): KerberosClient =>
      clientFor(dc, { transportOptions: { attemptTimeoutMs: 3000, deadlineMs: 10_000 } }).client

    const password = (name: string): string =>
      name.toLowerCase().startsWith('jdoe') ? AD_ACCOUNTS.jdoe.password : AD_ACCOUNTS.alice.password

    /** MIT kinit's ccache default principal for these flags, as MIT klist prints it. */
    async function mitPrincipal(
      flags: readonly string[],
      name: string,
      tag: string,
    ): Promise<string> {
      const cc = dc.path(`mit-${tag}.ccache`)
      await dc.run('kinit', [...flags, '-c', cc, name], { input: `${password(name)}\n` })
      return formatPrincipal(parseCCache(readFileSync(cc)).defaultPrincipal)
    }

    async function ourPrincipal(flags: readonly string[], name: string): Promise<string> {
      const c = client()
      await c.login({
        principal: name,
        password: password(name),
        ...(flags.includes('-E') ? { enterprise: true } : {}),
        canonicalize: flags.includes('-C'),
      })
      return formatPrincipal(c.toCCache().defaultPrincipal)
    }

    async function cliPrincipal(
      flags: readonly string[],
      name: string,
      tag: string,
    ): Promise<string> {
      const cc = dc.path(`ours-${tag}.ccache`)
      const r = await dc.run(process.execPath, [MAIN, 'kinit', ...flags, '-c', cc, name], {
        input: `${password(name)}\n`,
        allowFailure: true,
      })
      assert.equal(r.code, 0, r.stderr)
      return formatPrincipal(parseCCache(readFileSync(cc)).defaultPrincipal)
    }

    const cases: ReadonlyArray<readonly [readonly string[], string, string]> = [
      [['-E'], 'jdoe@ad.test', 'jdoe\\@ad.test@AD.TEST'],
      [['-E', '-C'], 'jdoe@ad.test', 'JDoe@AD.TEST'],
      [['-E'], 'JDOE@AD.TEST', 'JDOE\\@AD.TEST@AD.TEST'],
      [['-E', '-C'], 'JDOE@ad.test', 'JDoe@AD.TEST'],
      [['-E'], 'alice', 'alice@AD.TEST'],
      [[], 'ALICE', 'ALICE@AD.TEST'],
      [['-C'], 'ALICE', 'alice@AD.TEST'],
      [['-C'], 'jdoe', 'JDoe@AD.TEST'],
    ]

    for (const [flags, name, want] of cases) {
      test(`kinit ${[...flags, name].join(' ')}: our client, our CLI and MIT kinit store ${want}`, async () => {
        const tag = [...flags, name].join('_').replace(/[^A-Za-z0-9_.-]/g, '_')
        assert.equal(await mitPrincipal(flags, name, tag), want, 'MIT kinit (reference)')
        assert.equal(await ourPrincipal(flags, name), want, 'KerberosClient')
        assert.equal(await cliPrincipal(flags, name, tag), want, 'kerberos-ts kinit')
      })
    }

    test('an enterprise name in a wrong case with the wrong password is still refused', async () => {
      await assert.rejects(
        client().login({ principal: 'JDOE@ad.test', enterprise: true, password: 'not-it' }),
        /password|PREAUTH_FAILED/i,
      )
    })
  },
)
