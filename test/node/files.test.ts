import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, lstatSync, symlinkSync } from 'node:fs'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KerberosError } from '../../src/errors.js'
import { readLibDefaults } from '../../src/config/index.js'
import { serializeCCache } from '../../src/ccache/index.js'
import { parseKeytab, serializeKeytab } from '../../src/keytab/index.js'
import {
  clearMemoryCCaches,
  destroyCCache,
  listCCacheCollection,
  loadConfig,
  readCCache,
  readKeytab,
  resolveCCache,
  writeCCache,
  writeFileAtomic,
  writeKeytab,
} from '../../src/node/index.js'
import { fixturePath, repoRoot } from '../helpers/paths.js'

const tmp = mkdtempSync(join(tmpdir(), 'kts-files-'))
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }))

const code = (c: string) => (e: unknown) => e instanceof KerberosError && e.code === c

test('readKeytab/writeKeytab round-trip byte for byte, mode 0600, no temp files left', async () => {
  const src = fixturePath('keytab', 'kadmin-holes.keytab')
  const kt = await readKeytab(`FILE:${src}`)
  const out = join(tmp, 'copy.keytab')
  await writeKeytab(out, kt)
  assert.deepEqual(readFileSync(out), readFileSync(src))
  assert.equal(statSync(out).mode & 0o777, 0o600)
  await writeKeytab(`WRFILE:${out}`, kt)
  assert.deepEqual(
    readdirSync(tmp).filter((f) => f.includes('.tmp')),
    [],
  )
})

test('readKeytab default name comes from KRB5_KTNAME at call time', async () => {
  const saved = process.env.KRB5_KTNAME
  try {
    process.env.KRB5_KTNAME = `FILE:${fixturePath('keytab', 'ktutil-service.keytab')}`
    assert.equal((await readKeytab()).entries.length, 2)
    process.env.KRB5_KTNAME = fixturePath('keytab', 'ktutil-salts.keytab')
    assert.equal((await readKeytab()).entries.length, 3)
  } finally {
    if (saved === undefined) delete process.env.KRB5_KTNAME
    else process.env.KRB5_KTNAME = saved
  }
})

test('keytab errors: missing file, malformed bytes with the path, unsupported types', async () => {
  await assert.rejects(readKeytab(join(tmp, 'absent.keytab')), code('ERR_KRB_NO_CREDENTIALS'))
  const junk = join(tmp, 'junk.keytab')
  writeFileSync(junk, Uint8Array.from([5, 9, 0]))
  await assert.rejects(
    readKeytab(junk),
    (e: unknown) => code('ERR_KRB_KEYTAB_FORMAT')(e) && (e as KerberosError).context.path === junk,
  )
  await assert.rejects(readKeytab('MEMORY:kt'), code('ERR_KRB_UNSUPPORTED'))
})

test('an aborted signal stops reads and writes with ERR_KRB_ABORTED', async () => {
  const signal = AbortSignal.abort()
  await assert.rejects(
    readKeytab(fixturePath('keytab', 'ktutil-service.keytab'), { signal }),
    code('ERR_KRB_ABORTED'),
  )
  await assert.rejects(
    writeFileAtomic(join(tmp, 'aborted'), new Uint8Array(1), { signal }),
    code('ERR_KRB_ABORTED'),
  )
  await assert.rejects(
    readCCache(fixturePath('ccache', 'v4-alice.ccache'), { signal }),
    code('ERR_KRB_ABORTED'),
  )
  await assert.rejects(loadConfig({ signal }), code('ERR_KRB_ABORTED'))
  assert.equal(readdirSync(tmp).includes('aborted'), false)
})

test('review #2: writeFileAtomic refuses a symlink, writes 0600 whatever the old mode or umask', async () => {
  const real = join(tmp, 'real.keytab')
  writeFileSync(real, 'old')
  chmodSync(real, 0o666)
  const link = join(tmp, 'link.keytab')
  symlinkSync(real, link)
  const oldMask = process.umask(0)
  try {
    await assert.rejects(
      writeFileAtomic(link, new TextEncoder().encode('new')),
      (e: unknown) =>
        code('ERR_KRB_UNSAFE_FILE')(e) &&
        (e as KerberosError).context.path === link &&
        /symbolic link/.test((e as Error).message),
    )
    assert.equal(readFileSync(real, 'utf8'), 'old')
    assert.equal(lstatSync(link).isSymbolicLink(), true)
    // An existing 0666 file is replaced by a 0600 one: its mode is not copied.
    await writeFileAtomic(real, new TextEncoder().encode('new'))
    assert.equal(readFileSync(real, 'utf8'), 'new')
    assert.equal(statSync(real).mode & 0o777, 0o600)
  } finally {
    process.umask(oldMask)
  }
  assert.deepEqual(
    readdirSync(tmp).filter((f) => f.endsWith('.tmp')),
    [],
  )
})

test("review #2: mode 'keep' keeps a checked file's mode and group, never through a link", async () => {
  const p = join(tmp, 'keep.keytab')
  writeFileSync(p, 'old')
  chmodSync(p, 0o640)
  await writeKeytab(p, parseKeytab(readFileSync(fixturePath('keytab', 'ktutil-service.keytab'))), {
    mode: 'keep',
  })
  assert.equal(statSync(p).mode & 0o777, 0o640)
  const fresh = join(tmp, 'keep-new.keytab')
  await writeFileAtomic(fresh, new TextEncoder().encode('x'), { mode: 'keep' })
  assert.equal(statSync(fresh).mode & 0o777, 0o600)
  const link = join(tmp, 'keep-link.keytab')
  symlinkSync(p, link)
  await assert.rejects(
    writeFileAtomic(link, new TextEncoder().encode('x'), { mode: 'keep' }),
    code('ERR_KRB_UNSAFE_FILE'),
  )
})

test('writeFileAtomic replaces the whole file and honours the mode', async () => {
  const p = join(tmp, 'atomic')
  writeFileSync(p, 'a much longer original content')
  await writeFileAtomic(p, new TextEncoder().encode('new'), { mode: 0o640 })
  assert.equal(readFileSync(p, 'utf8'), 'new')
  assert.equal(statSync(p).mode & 0o777, 0o640)
})

test('FILE ccaches: read, write atomically (0600), plain paths, destroy', async () => {
  const cc = await readCCache(`FILE:${fixturePath('ccache', 'v4-alice.ccache')}`)
  const out = join(tmp, 'krb5cc_test')
  assert.equal(await writeCCache(`FILE:${out}`, cc), `FILE:${out}`)
  assert.deepEqual(readFileSync(out), readFileSync(fixturePath('ccache', 'v4-alice.ccache')))
  assert.equal(statSync(out).mode & 0o777, 0o600)
  assert.equal((await readCCache(out)).credentials.length, cc.credentials.length)
  assert.equal(await destroyCCache(out), true)
  assert.equal(await destroyCCache(out), false)
  await assert.rejects(readCCache(out), code('ERR_KRB_CCACHE_NOT_FOUND'))
})

test('KRB5CCNAME is the default ccache, read at call time', async () => {
  const saved = process.env.KRB5CCNAME
  try {
    process.env.KRB5CCNAME = `FILE:${fixturePath('ccache', 'v1-bob.ccache')}`
    assert.equal((await readCCache()).version, 0x0501)
    process.env.KRB5CCNAME = fixturePath('ccache', 'v3-bob.ccache')
    assert.equal((await readCCache()).version, 0x0503)
  } finally {
    if (saved === undefined) delete process.env.KRB5CCNAME
    else process.env.KRB5CCNAME = saved
  }
})

test('DIR: collections: primary file, tkt* caches, DIR:: names, listing', async () => {
  const cc = await readCCache(fixturePath('ccache', 'v4-alice.ccache'))
  const dir = join(tmp, 'collection')
  await writeCCache(`DIR:${dir}`, cc)
  assert.equal(readFileSync(join(dir, 'primary'), 'utf8'), 'tkt\n')
  assert.equal(statSync(dir).mode & 0o777, 0o700)
  assert.deepEqual(await resolveCCache(`DIR:${dir}`), {
    kind: 'file',
    name: `DIR:${dir}`,
    path: join(dir, 'tkt'),
    collection: dir,
  })
  const bob = await readCCache(fixturePath('ccache', 'v3-bob.ccache'))
  await writeCCache(`DIR::${join(dir, 'tktBob')}`, bob)
  writeFileSync(join(dir, 'not-a-cache'), 'x')
  assert.deepEqual(await listCCacheCollection(`DIR:${dir}`), [
    `DIR::${join(dir, 'tkt')}`,
    `DIR::${join(dir, 'tktBob')}`,
  ])
  writeFileSync(join(dir, 'primary'), 'tktBob\n')
  assert.equal((await readCCache(`DIR:${dir}`)).version, 0x0503)
  assert.deepEqual(await listCCacheCollection(`DIR:${dir}`), [
    `DIR::${join(dir, 'tktBob')}`,
    `DIR::${join(dir, 'tkt')}`,
  ])
  writeFileSync(join(dir, 'primary'), '../escape\n')
  await assert.rejects(readCCache(`DIR:${dir}`), code('ERR_KRB_CCACHE_FORMAT'))
  await assert.rejects(readCCache(`DIR::${join(dir, 'evil')}`), code('ERR_KRB_CCACHE_NOT_FOUND'))
  assert.deepEqual(await listCCacheCollection(`DIR:${join(tmp, 'no-such-dir')}`), [])
})

test('MIT klist reads a DIR: collection we wrote', async (t) => {
  if (!existsSync('/usr/bin/klist')) {
    if (process.env.CI === 'true') throw new Error('MIT klist missing — required when CI=true')
    console.warn('\n!!!!! SKIPPING MIT klist CHECK: /usr/bin/klist missing !!!!!\n')
    return t.skip('klist missing')
  }
  const dir = join(tmp, 'mitdir')
  await writeCCache(`DIR:${dir}`, await readCCache(fixturePath('ccache', 'v4-alice.ccache')))
  const r = spawnSync('/usr/bin/klist', ['-c', `DIR:${dir}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', LC_ALL: 'C' },
  })
  assert.match(r.stdout, new RegExp(`Ticket cache: DIR::${dir}/tkt`))
  assert.match(r.stdout, /Default principal: alice@CC\.TEST/)
})

test('MEMORY: caches live in this process only', async () => {
  clearMemoryCCaches()
  const cc = await readCCache(fixturePath('ccache', 'v4-alice.ccache'))
  await assert.rejects(readCCache('MEMORY:a'), code('ERR_KRB_CCACHE_NOT_FOUND'))
  await writeCCache('MEMORY:a', cc)
  const back = await readCCache('MEMORY:a')
  assert.deepEqual(serializeCCache(back), serializeCCache(cc))
  assert.equal(await destroyCCache('MEMORY:a'), true)
  await assert.rejects(readCCache('MEMORY:a'), code('ERR_KRB_CCACHE_NOT_FOUND'))
})

test('KEYRING:, KCM:, API: and unknown types are refused with a FILE: hint', async () => {
  for (const name of ['KEYRING:persistent:1000', 'KCM:1000', 'API:x', 'BOGUS:x']) {
    await assert.rejects(
      readCCache(name),
      (e: unknown) =>
        code('ERR_KRB_UNSUPPORTED_CCACHE_TYPE')(e) && /FILE:/.test((e as Error).message),
      name,
    )
  }
  await assert.rejects(
    writeCCache('KCM:', await readCCache(fixturePath('ccache', 'v1-bob.ccache'))),
    code('ERR_KRB_UNSUPPORTED_CCACHE_TYPE'),
  )
})

test('loadConfig: KRB5_CONFIG chain at call time, missing files skipped, real includes', async () => {
  const saved = process.env.KRB5_CONFIG
  const cwd = process.cwd()
  try {
    process.chdir(repoRoot)
    process.env.KRB5_CONFIG = `${join(tmp, 'none.conf')}:fixtures/config/include-main.conf:fixtures/config/final-first.conf`
    const conf = await loadConfig()
    assert.equal(conf.files.length, 2)
    assert.equal(readLibDefaults(conf).defaultRealm, 'INCLUDED.TEST')
    process.env.KRB5_CONFIG = 'fixtures/config/final-first.conf'
    assert.equal(readLibDefaults(await loadConfig()).defaultRealm, 'FIRST.TEST')
    assert.equal(readLibDefaults(await loadConfig({ paths: [] })).defaultRealm, undefined)
  } finally {
    process.chdir(cwd)
    if (saved === undefined) delete process.env.KRB5_CONFIG
    else process.env.KRB5_CONFIG = saved
  }
})

test('loadConfig: unreadable files are errors, not skipped', async () => {
  const d = join(tmp, 'a-directory.conf')
  mkdirSync(d)
  await assert.rejects(loadConfig({ paths: [d] }), code('ERR_KRB_CONFIG'))
})

test('writeKeytab writes what serializeKeytab makes', async () => {
  const kt = await readKeytab(fixturePath('keytab', 'ktutil-kvnos.keytab'))
  const out = join(tmp, 'v1.keytab')
  await writeKeytab(out, kt, { version: 0x0501 })
  assert.deepEqual(new Uint8Array(readFileSync(out)), serializeKeytab(kt, { version: 0x0501 }))
})
