import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isConfigEntry, parseCCache, serializeCCache } from '../../src/ccache/index.js'
import type { CCache } from '../../src/ccache/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { fixturePath } from '../helpers/paths.js'
import { needMit, runCli, runMit } from './run-cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'kts-cli-klist-'))
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }))

const fixture = (name: string): CCache => parseCCache(readFileSync(fixturePath('ccache', name)))

function writeCache(name: string, cc: CCache): string {
  const p = join(tmp, name)
  writeFileSync(p, serializeCCache(cc))
  return p
}

test('klist -e -f matches MIT klist -e -f on every fixture', () => {
  const dir = fixturePath('ccache')
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ccache'))) {
    const r = runCli(['klist', '-e', '-f', '-c', `./${f}`], { cwd: dir })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, readFileSync(join(dir, f.replace(/\.ccache$/, '.klist.txt')), 'utf8'), f)
  }
})

test('klist flag combinations and crafted caches match live MIT klist', (t) => {
  if (!needMit(t, '/usr/bin/klist')) return
  const alice = fixture('v4-alice.ccache')
  const first = alice.credentials.findIndex((c) => !isConfigEntry(c))
  const creds = [...alice.credentials]
  creds[first] = { ...creds[first]!, client: parsePrincipal('other@CC.TEST'), starttime: 0 }
  creds[first + 1] = { ...creds[first + 1]!, renewTill: 0, ticketFlags: 0 }
  // A config entry for another client: MIT prints "for client" in the middle of its line.
  creds[0] = { ...creds[0]!, client: parsePrincipal('other@CC.TEST') }
  const crafted: CCache = { ...alice, credentials: creds }
  const paths = [
    fixturePath('ccache', 'v4-alice.ccache'),
    fixturePath('ccache', 'v1-bob.ccache'),
    writeCache('crafted', crafted),
  ]
  for (const p of paths) {
    for (const flags of [[], ['-f'], ['-e', '-f', '-C']]) {
      const ours = runCli(['klist', ...flags, p])
      const mit = runMit('/usr/bin/klist', [...flags, p])
      assert.equal(ours.stdout, mit.stdout, `${p} ${flags.join(' ')}`)
    }
  }
})

test('klist reads KRB5CCNAME at run time; DIR: caches print as DIR::path', () => {
  const p = fixturePath('ccache', 'v3-bob.ccache')
  const r = runCli(['klist'], { env: { KRB5CCNAME: `FILE:${p}` } })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`^Ticket cache: FILE:${p}\nDefault principal: bob@CC.TEST\n`))
  const dir = join(tmp, 'dircoll')
  const w = runCli(['klist', '-c', `DIR:${dir}`])
  assert.equal(w.status, 1)
  assert.match(w.stderr, /no credentials cache found/)
})

test('klist -s: exit status only, 0 with a valid ticket, 1 when all expired or missing', () => {
  const alice = fixture('v4-alice.ccache')
  const now = Math.floor(Date.now() / 1000)
  const live = writeCache('live', {
    ...alice,
    credentials: alice.credentials.map((c) => ({ ...c, endtime: now + 3600 })),
  })
  const dead = writeCache('dead', {
    ...alice,
    credentials: alice.credentials.map((c) => ({ ...c, endtime: now - 3600 })),
  })
  const ok = runCli(['klist', '-s', '-c', live])
  assert.deepEqual([ok.status, ok.stdout], [0, ''])
  assert.deepEqual(
    [runCli(['klist', '-s', '-c', dead]).status, runCli(['klist', '-s', '-c', dead]).stdout],
    [1, ''],
  )
  assert.equal(runCli(['klist', '-s', '-c', join(tmp, 'absent')]).status, 1)
})

test('klist errors: missing cache exit 1, refused types name the code, usage exit 2', () => {
  const missing = runCli(['klist', '-c', join(tmp, 'absent')])
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /no credentials cache found/)
  const keyring = runCli(['klist', '-c', 'KEYRING:persistent:0'])
  assert.equal(keyring.status, 1)
  assert.match(keyring.stderr, /ERR_KRB_UNSUPPORTED_CCACHE_TYPE/)
  const dirAsCache = runCli(['klist', '-c', tmp])
  assert.equal(dirAsCache.status, 1)
  assert.match(dirAsCache.stderr, /EISDIR/)
  assert.doesNotMatch(dirAsCache.stderr, /\n\s+at /)
  assert.equal(runCli(['klist', '-K']).status, 2)
  assert.equal(runCli(['klist', 'a', 'b']).status, 2)
  assert.equal(runCli(['klist', '-h']).status, 0)
})

test('klist -A lists every cache of a DIR: collection', async () => {
  const dir = join(tmp, 'coll')
  const { writeCCache } = await import('../../src/node/index.js')
  await writeCCache(`DIR:${dir}`, fixture('v4-alice.ccache'))
  await writeCCache(`DIR::${join(dir, 'tktb')}`, fixture('v3-bob.ccache'))
  const r = runCli(['klist', '-A', '-c', `DIR:${dir}`])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(
    [...r.stdout.matchAll(/^Ticket cache: (.*)$/gm)].map((m) => m[1]),
    [`DIR::${dir}/tkt`, `DIR::${dir}/tktb`],
  )
})
