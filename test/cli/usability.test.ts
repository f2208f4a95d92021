/**
 * Issue 11 #10, the CLI as a new user meets it: `--version`, `--help` on every command, dump
 * inputs from a file path / `@file` / stdin / hex / base64, a truncated keytab refused with its
 * offset, and against a real MIT KDC: `kvno -k KEYTAB` and `-V` showing every KDC attempt.
 */
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { encodeKRBError } from '../../src/asn1/index.js'
import { toBase64, toHex } from '../../src/internal/bytes.js'
import { SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { repoRoot } from '../helpers/paths.js'
import { fakeService } from '../helpers/gss-peers.js'
import { runTool, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { MAIN, runCli } from './run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'krbts-cli-usability-'))
after(() => rmSync(dir, { recursive: true, force: true }))

test('issue 11 #10: --version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    version: string
  }
  const r = runCli(['--version'])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, `kerberos-ts ${version}\n`)
})

test('issue 11 #10: --help on every command exits 0 with its usage on stdout', () => {
  const cases: [string[], RegExp][] = [
    [['klist', '--help'], /usage: kerberos-ts klist/],
    [['klist', '-h'], /usage: kerberos-ts klist/],
    [['kinit', '--help'], /usage: kerberos-ts kinit/],
    [['kvno', '--help'], /usage: kerberos-ts kvno .*-k KEYTAB/],
    [['kdestroy', '--help'], /usage: kerberos-ts kdestroy/],
    [['keytab', '--help'], /usage: kerberos-ts keytab list/],
    [['keytab', 'list', '--help'], /usage: kerberos-ts keytab list/],
    [['keytab', 'add', '--help'], /kerberos-ts keytab add/],
    [['asn1', '--help'], /usage: kerberos-ts asn1 dump/],
    [['asn1', 'dump', '--help'], /usage: kerberos-ts asn1 dump/],
    [['token', 'dump', '--help'], /usage: kerberos-ts token dump/],
    [['help', 'klist'], /usage: kerberos-ts klist/],
    [['help'], /usage: kerberos-ts <command>/],
    [['--help'], /Every command takes --help/],
  ]
  for (const [args, usage] of cases) {
    const r = runCli(args)
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stdout, usage, args.join(' '))
    assert.equal(r.stderr, '', args.join(' '))
  }
})

test('issue 11 #10: asn1 dump takes a file path, @file, - (stdin), hex and base64 alike', () => {
  const der = encodeKRBError({
    pvno: 5,
    msgType: 30,
    stime: new Date('2026-01-02T03:04:05Z'),
    susec: 0,
    errorCode: 25,
    realm: 'EXAMPLE.COM',
    sname: { nameType: 2, nameString: ['krbtgt', 'EXAMPLE.COM'] },
  })
  const raw = join(dir, 'error.der')
  const b64File = join(dir, 'error.b64')
  writeFileSync(raw, der)
  writeFileSync(b64File, toBase64(der) + '\n')
  const expected = runCli(['asn1', 'dump', toHex(der)])
  assert.equal(expected.status, 0, expected.stderr)
  assert.match(expected.stdout, /KRB-ERROR|\[APPLICATION 30\]/)
  for (const args of [[raw], [`@${raw}`], [b64File], [toBase64(der)]]) {
    const r = runCli(['asn1', 'dump', ...args])
    assert.equal(r.status, 0, `${args[0]}: ${r.stderr}`)
    assert.equal(r.stdout, expected.stdout, args[0])
  }
  const stdin = runCli(['asn1', 'dump', '-'], { input: toHex(der) })
  assert.equal(stdin.stdout, expected.stdout)
  const missing = runCli(['asn1', 'dump', `@${join(dir, 'nope.der')}`])
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /nope\.der: open failed \(ENOENT\)/)
  assert.doesNotMatch(missing.stderr, /\n\s+at /)
})

test('issue 11 #10: token dump takes a file path holding the raw token', () => {
  const svc = fakeService('HTTP/web.example.com@EXAMPLE.COM')
  const tok = new SpnegoInitiatorContext({ credentials: svc.issue() }).step()!
  const raw = join(dir, 'token.bin')
  writeFileSync(raw, tok)
  const byFile = runCli(['token', 'dump', raw])
  assert.equal(byFile.status, 0, byFile.stderr)
  assert.match(byFile.stdout, /SPNEGO NegTokenInit/)
  assert.equal(runCli(['token', 'dump', toBase64(tok)]).stdout, byFile.stdout)
})

test('issue 11 #10: a keytab cut inside a record length is reported with its offset, exit 1 (keytab list and klist -k)', () => {
  const whole = readFileSync(join(repoRoot, 'fixtures', 'keytab', 'ktutil-kvnos.keytab'))
  // The first record: 2 bytes of version, then its 4-byte length and body.
  const first = 2 + 4 + whole.readInt32BE(2)
  const cut = join(dir, 'cut.keytab')
  writeFileSync(cut, whole.subarray(0, first + 2))
  for (const args of [
    ['keytab', 'list', cut],
    ['klist', '-k', cut],
  ]) {
    const r = runCli(args)
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`)
    assert.match(
      r.stderr,
      new RegExp(
        `keytab is truncated at offset ${first}: the file ends 2 of 4 bytes into a record length \\(ERR_KRB_KEYTAB_FORMAT\\)`,
      ),
    )
    // What was read is still listed, as MIT lists it.
    assert.equal(r.stdout.split('\n').filter((l) => /^\s+\d+ /.test(l)).length, 1)
  }
  // The whole file still lists with exit 0.
  const full = join(dir, 'full.keytab')
  copyFileSync(join(repoRoot, 'fixtures', 'keytab', 'ktutil-kvnos.keytab'), full)
  assert.equal(runCli(['keytab', 'list', full]).status, 0)
})

describe('issue 11 #10 with MIT: kvno -k and -V', { skip: skipWithoutMIT() }, () => {
  let realm: Realm
  const PW = 'usability pw'
  before(async () => {
    realm = await startRealm({ realm: 'USE.TEST' })
    await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
    await realm.addPrincipal('HTTP/localhost')
    await realm.ktadd('HTTP/localhost', realm.path('old.keytab')) // kvno 2
    await realm.ktadd('HTTP/localhost', realm.path('http.keytab')) // kvno 3
  })
  after(async () => {
    await realm?.stop()
  })
  const cli = (args: readonly string[], cc: string, input?: string) =>
    runTool(process.execPath, [MAIN, ...args], realm.env, {
      ...(input !== undefined ? { input } : {}),
      env: { KRB5CCNAME: `FILE:${cc}` },
      allowFailure: true,
    })

  test('issue 11 #10: kvno -k KEYTAB decrypts the ticket with the keytab: valid with the current keys, invalid with old ones', async () => {
    const cc = realm.path('k.cc')
    assert.equal((await cli(['kinit', 'alice'], cc, `${PW}\n`)).code, 0)
    const ok = await cli(['kvno', '-k', realm.path('http.keytab'), 'HTTP/localhost'], cc)
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(ok.stdout, 'HTTP/localhost@USE.TEST: kvno = 3, keytab entry valid\n')
    const old = await cli(['kvno', '-k', realm.path('old.keytab'), 'HTTP/localhost'], cc)
    assert.equal(old.code, 1)
    assert.match(old.stderr, /HTTP\/localhost@USE\.TEST: kvno = 3, keytab entry invalid/)
    assert.match(old.stderr, /kvno 3.*while decrypting ticket for HTTP\/localhost@USE\.TEST/s)
  })

  test('issue 11 #10: -V shows every KDC attempt with host:port, protocol and result', async () => {
    const cc = realm.path('v.cc')
    const k = await cli(['kinit', '-V', 'alice'], cc, `${PW}\n`)
    assert.equal(k.code, 0, k.stderr)
    const port = realm.kdcPort
    assert.match(k.stderr, new RegExp(`kdc USE\\.TEST udp 127\\.0\\.0\\.1:${port} sending`))
    assert.match(
      k.stderr,
      new RegExp(`kdc USE\\.TEST udp 127\\.0\\.0\\.1:${port} reply \\d+ bytes`),
    )
    const v = await cli(['kvno', '-V', 'HTTP/localhost'], cc)
    assert.equal(v.code, 0, v.stderr)
    assert.match(v.stderr, new RegExp(`kdc USE\\.TEST (udp|tcp) 127\\.0\\.0\\.1:${port} reply`))
    // A KDC that is down: the failed attempts are listed too (a fresh ccache: kvno would use
    // the ticket it already holds).
    const cc2 = realm.path('v2.cc')
    assert.equal((await cli(['kinit', 'alice'], cc2, `${PW}\n`)).code, 0)
    const down = realm.writeKrb5Conf('down.conf', { kdc: ['127.0.0.1:1', `127.0.0.1:${port}`] })
    const d = await runTool(process.execPath, [MAIN, 'kvno', '-V', 'HTTP/localhost'], realm.env, {
      env: { KRB5CCNAME: `FILE:${cc2}`, KRB5_CONFIG: down },
      allowFailure: true,
    })
    assert.equal(d.code, 0, d.stderr)
    assert.match(d.stderr, /kdc USE\.TEST (udp|tcp) 127\.0\.0\.1:1 failed (ECONNREFUSED|ETIMEDOUT)/)
  })
})
