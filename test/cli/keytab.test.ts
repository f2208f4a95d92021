import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturePath, readJsonFixture } from '../helpers/paths.js'
import { needMit, runCli, runMit } from './run-cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'kts-cli-keytab-'))
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }))

interface PasswordRecord {
  keytab: string
  principal: string
  kvno: number
  enctype: string
  password: string
  salt: string | null
}

/** `klist -k -K -e` lines without the header and timestamps: "kvno princ (etype)  (0xkey)". */
const keyLines = (listing: string): string[] =>
  listing
    .split('\n')
    .slice(3)
    .filter((l) => l !== '')
    .map((l) => l.replace(/^(\s*\d+) \d\d\/\d\d\/\d\d \d\d:\d\d:\d\d /, '$1 '))

test('keytab list -t -K -e matches MIT klist -k -t -K -e on every fixture', () => {
  const dir = fixturePath('keytab')
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.keytab'))) {
    const r = runCli(['keytab', 'list', '-t', '-K', '-e', `./${f}`], { cwd: dir })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, readFileSync(join(dir, f.replace(/\.keytab$/, '.klist.txt')), 'utf8'), f)
  }
})

test('keytab list flag combinations match live MIT klist -k', (t) => {
  if (!needMit(t, '/usr/bin/klist')) return
  const kt = fixturePath('keytab', 'kadmin-rotated.keytab')
  for (const flags of [[], ['-t'], ['-e'], ['-K']]) {
    const ours = runCli(['keytab', 'list', ...flags, kt])
    const mit = runMit('/usr/bin/klist', ['-k', ...flags, kt])
    assert.equal(ours.stdout, mit.stdout, flags.join(' '))
  }
  const viaKlist = runCli(['klist', '-k', '-t', '-e', `WRFILE:${kt}`])
  assert.equal(viaKlist.stdout, runMit('/usr/bin/klist', ['-k', '-t', '-e', `WRFILE:${kt}`]).stdout)
})

test('keytab list uses KRB5_KTNAME when no file is given', () => {
  const kt = fixturePath('keytab', 'ktutil-service.keytab')
  const r = runCli(['keytab', 'list'], { env: { KRB5_KTNAME: `FILE:${kt}` } })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`^Keytab name: FILE:${kt}\n`))
})

test('keytab add derives the same keys as MIT ktutil (default, AD user and AD computer salts)', () => {
  const records = readJsonFixture<PasswordRecord[]>('keytab', 'passwords.json')
  const expected = (name: string): string[] =>
    keyLines(readFileSync(fixturePath('keytab', `${name}.klist.txt`), 'utf8'))
  const svc = records.filter((r) => r.keytab === 'ktutil-service.keytab')
  const out1 = join(tmp, 'service.keytab')
  const r1 = runCli(
    [
      'keytab',
      'add',
      '-p',
      svc[0]!.principal,
      '-k',
      '7',
      '-e',
      svc.map((r) => r.enctype).join(','),
      out1,
    ],
    {
      input: `${svc[0]!.password}\n`,
    },
  )
  assert.equal(r1.status, 0, r1.stderr)
  assert.deepEqual(
    keyLines(runCli(['keytab', 'list', '-K', '-e', out1]).stdout),
    expected('ktutil-service'),
  )
  assert.equal(statSync(out1).mode & 0o777, 0o600)

  const out2 = join(tmp, 'salts.keytab')
  const user = records.find((r) => r.principal.startsWith('svc-web'))!
  const computer = records.find((r) => r.principal.startsWith('WEB01$'))!
  const ra = runCli(
    [
      'keytab',
      'add',
      '-p',
      user.principal,
      '-k',
      '2',
      '-e',
      'aes256-cts-hmac-sha1-96,aes128-cts-hmac-sha1-96',
      '--ad-user',
      out2,
    ],
    {
      input: `${user.password}\n`,
    },
  )
  assert.equal(ra.status, 0, ra.stderr)
  const rb = runCli(
    [
      'keytab',
      'add',
      '-p',
      computer.principal,
      '-k',
      '5',
      '-e',
      'aes256-cts',
      '--ad-computer',
      '--domain',
      'ad.example.com',
      out2,
    ],
    {
      input: computer.password,
    },
  )
  assert.equal(rb.status, 0, rb.stderr)
  assert.deepEqual(
    keyLines(runCli(['keytab', 'list', '-K', '-e', out2]).stdout),
    expected('ktutil-salts'),
  )

  const out3 = join(tmp, 'explicit-salt.keytab')
  const rc = runCli(
    ['keytab', 'add', '-p', user.principal, '-k', '2', '-e', 'aes256-cts', '-s', user.salt!, out3],
    { input: user.password },
  )
  assert.equal(rc.status, 0, rc.stderr)
  assert.deepEqual(keyLines(runCli(['keytab', 'list', '-K', '-e', out3]).stdout), [
    expected('ktutil-salts')[0],
  ])
})

test('keytab add: rc4 when asked explicitly, default kvno 1 and AES enctypes, MIT reads the result', (t) => {
  const out = join(tmp, 'add.keytab')
  const enc = readJsonFixture<PasswordRecord[]>('keytab', 'passwords.json').find(
    (r) => r.enctype === 'arcfour-hmac',
  )!
  assert.equal(
    runCli(['keytab', 'add', '-p', enc.principal, '-k', '3', '-e', 'rc4-hmac', out], {
      input: enc.password + '\n',
    }).status,
    0,
  )
  assert.equal(runCli(['keytab', 'add', '-p', 'svc@EXAMPLE.COM', out], { input: 'x\n' }).status, 0)
  const listing = runCli(['keytab', 'list', '-K', '-e', out]).stdout
  const rc4 = keyLines(
    readFileSync(fixturePath('keytab', 'ktutil-enctypes.klist.txt'), 'utf8'),
  ).find((l) => l.includes('arcfour'))
  assert.ok(keyLines(listing).includes(rc4!))
  assert.match(
    listing,
    /\n {3}1 svc@EXAMPLE\.COM \(aes256-cts-hmac-sha1-96\) {2}\(0x[0-9a-f]{64}\)\n {3}1 svc@EXAMPLE\.COM \(aes128-cts-hmac-sha1-96\) /,
  )
  if (!needMit(t, '/usr/bin/klist')) return
  assert.equal(runMit('/usr/bin/klist', ['-k', '-K', '-e', out]).stdout, listing)
})

test('keytab add: principal without realm uses default_realm from KRB5_CONFIG', () => {
  const out = join(tmp, 'defrealm.keytab')
  const conf = join(tmp, 'krb5.conf')
  copyFileSync(fixturePath('config', 'final-first.conf'), conf)
  const r = runCli(['keytab', 'add', '-p', 'host/x', '-e', 'aes128-cts', out], {
    input: 'pw\n',
    env: { KRB5_CONFIG: conf },
  })
  assert.equal(r.status, 0, r.stderr)
  assert.match(runCli(['keytab', 'list', out]).stdout, /host\/x@FIRST\.TEST/)
  assert.equal(runCli(['keytab', 'add', '-p', 'host/x', out], { input: 'pw\n' }).status, 2)
})

test('keytab remove by principal, kvno, enctype; nothing matching is exit 1', () => {
  const out = join(tmp, 'remove.keytab')
  copyFileSync(fixturePath('keytab', 'kadmin-rotated.keytab'), out)
  const before = keyLines(runCli(['keytab', 'list', '-e', out]).stdout)
  const princ = before[0]!.replace(/^\s*\d+ (\S+) .*$/, '$1')
  const kvno = before[0]!.trim().split(' ')[0]!
  assert.equal(
    runCli(['keytab', 'remove', '-p', princ, '-k', kvno, '-e', 'aes256-cts-hmac-sha1-96', out])
      .status,
    0,
  )
  const after = keyLines(runCli(['keytab', 'list', '-e', out]).stdout)
  assert.equal(after.length, before.length - 1)
  assert.equal(
    runCli(['keytab', 'remove', '-p', princ, '-k', kvno, '-e', 'aes256-cts-hmac-sha1-96', out])
      .status,
    1,
  )
  assert.equal(runCli(['keytab', 'remove', '-p', princ, out]).status, 0)
  assert.ok(
    keyLines(runCli(['keytab', 'list', '-e', out]).stdout).every((l) => !l.includes(` ${princ} `)),
  )
})

test('keytab merge OUT IN... keeps OUT, adds new entries once', () => {
  const out = join(tmp, 'merged.keytab')
  const a = fixturePath('keytab', 'ktutil-service.keytab')
  const b = fixturePath('keytab', 'ktutil-salts.keytab')
  assert.equal(runCli(['keytab', 'merge', out, a, b, a]).status, 0)
  const lines = keyLines(runCli(['keytab', 'list', '-K', '-e', out]).stdout)
  assert.deepEqual(lines, [
    ...keyLines(runCli(['keytab', 'list', '-K', '-e', a]).stdout),
    ...keyLines(runCli(['keytab', 'list', '-K', '-e', b]).stdout),
  ])
  assert.equal(runCli(['keytab', 'merge', out, b]).status, 0)
  assert.equal(keyLines(runCli(['keytab', 'list', out]).stdout).length, lines.length)
})

test('usage errors exit 2; there is no way to pass a password in argv', () => {
  assert.equal(runCli(['keytab']).status, 2)
  assert.equal(runCli(['keytab', 'frob']).status, 2)
  assert.equal(
    runCli(['keytab', 'add', '-p', 'a@B', '--password', 'secret', join(tmp, 'x')]).status,
    2,
  )
  assert.equal(
    runCli(['keytab', 'add', '-p', 'a@B', '-e', 'nonsense', join(tmp, 'x')], { input: 'pw\n' })
      .status,
    2,
  )
  assert.equal(runCli(['keytab', 'list', '-x']).status, 2)
  assert.equal(runCli(['keytab', 'merge', join(tmp, 'only-out')]).status, 2)
  assert.equal(runCli(['keytab', '--help']).status, 0)
})

test('data errors exit 1 with the error code', () => {
  const r = runCli(['keytab', 'list', join(tmp, 'absent.keytab')])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /ERR_KRB_NO_CREDENTIALS/)
  const dir = runCli(['keytab', 'list', tmp])
  assert.equal(dir.status, 1)
  assert.match(dir.stderr, /EISDIR/)
  const bad = runCli(['keytab', 'list', fixturePath('ccache', 'v4-alice.ccache')])
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /ERR_KRB_KEYTAB_FORMAT/)
})
