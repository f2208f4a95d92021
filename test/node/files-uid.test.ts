/**
 * Review #2 (issue 10): credential files in a shared sticky directory, with two real uids. An
 * attacker (uid 65534, "nobody") plants names in a 1777 directory like /tmp; the victim (another
 * uid) runs the built library in its own node process. Run as root, each side is dropped to its
 * uid with `setpriv --reuid --regid --clear-groups`.
 *
 * The reported attack: `/tmp/krb5cc_<uid>` pre-created as a symlink to a 0666 file in a (0777)
 * directory the attacker owns; the old writeFileAtomic followed it (realpath), wrote its temp file
 * in the attacker's directory and copied the 0666 mode, so the TGT was world-readable.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { fixturePath } from '../helpers/paths.js'

const ATTACKER = 65534
const VICTIM = 64123
const SETPRIV = '/usr/bin/setpriv'
const CCACHE = fixturePath('ccache', 'v4-alice.ccache')
const KEYTAB = fixturePath('keytab', 'ktutil-service.keytab')

/** false when two uids can be used; a loud skip message otherwise; throws under CI=true. */
function skipWithoutTwoUids(): string | false {
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (root && existsSync(SETPRIV)) return false
  const msg = `two-uid file tests need root and ${SETPRIV} (util-linux)`
  if (process.env.CI === 'true') throw new Error(msg + ' — required when CI=true')
  console.warn(`\n!!!!! SKIPPING TWO-UID FILE TESTS: ${msg} !!!!!\n`)
  return msg
}

const skip = skipWithoutTwoUids()

/** The victim's side: one library call, the outcome as JSON on stdout. */
const VICTIM_SCRIPT = (
  nodeIndex: string,
  ccacheIndex: string,
  keytabIndex: string,
  acceptorModule: string,
): string => `
import { readFileSync } from 'node:fs'
const node = await import(${JSON.stringify(nodeIndex)})
const { parseCCache } = await import(${JSON.stringify(ccacheIndex)})
const { parseKeytab } = await import(${JSON.stringify(keytabIndex)})
const [op, name, fixture] = process.argv.slice(2)
process.umask(0) // the worst case: nothing may rely on the umask
try {
  let out
  if (op === 'write-ccache') out = await node.writeCCache(name, parseCCache(readFileSync(fixture)))
  else if (op === 'read-ccache') out = (await node.readCCache(name)).defaultPrincipal.components.join('/')
  else if (op === 'write-keytab') await node.writeKeytab(name, parseKeytab(readFileSync(fixture)))
  else if (op === 'read-keytab') out = (await node.readKeytab(name)).entries.length
  else if (op === 'watch-keytab') {
    const { Acceptor } = await import(${JSON.stringify(acceptorModule)})
    const acceptor = new Acceptor({ keytab: parseKeytab(readFileSync(fixture)) })
    let failure
    const w = node.watchKeytab(name, acceptor, { onError: (e) => (failure = e) })
    await w.reload()
    w.close()
    if (failure) throw failure
    out = acceptor.keytab.entries.length
  }
  else throw new Error('unknown op ' + op)
  console.log(JSON.stringify({ ok: true, out }))
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e.code, message: e.message, context: e.context }))
}
`

interface Outcome {
  readonly ok: boolean
  readonly out?: unknown
  readonly code?: string
  readonly message?: string
  readonly context?: { readonly path?: string; readonly reason?: string }
}

describe('review #2: credential files in a shared directory, two real uids', { skip }, () => {
  let shared = ''
  let scriptDir = ''
  let script = ''

  before(() => {
    // A fresh /tmp look-alike: root-owned, mode 1777 (sticky, world-writable).
    shared = mkdtempSync('/tmp/kts-uid-')
    chmodSync(shared, 0o1777)
    scriptDir = mkdtempSync('/tmp/kts-uid-script-')
    chmodSync(scriptDir, 0o755)
    script = join(scriptDir, 'victim.mjs')
    const built = (p: string): string => new URL(`../../src/${p}`, import.meta.url).href
    writeFileSync(
      script,
      VICTIM_SCRIPT(
        built('node/index.js'),
        built('ccache/index.js'),
        built('keytab/index.js'),
        built('protocol/ap-verify.js'),
      ),
    )
    chmodSync(script, 0o644)
    assert.ok(existsSync(fileURLToPath(built('node/index.js'))), 'build/src is present')
  })
  after(() => {
    rmSync(shared, { recursive: true, force: true })
    rmSync(scriptDir, { recursive: true, force: true })
  })

  function as(uid: number, argv: readonly string[]): ReturnType<typeof spawnSync> {
    return spawnSync(SETPRIV, [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...argv], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      cwd: '/',
    })
  }

  /** Run shell commands as the attacker, in the shared directory. */
  function attacker(sh: string): string {
    const r = as(ATTACKER, ['sh', '-c', `cd ${shared} && umask 022 && ${sh}`])
    assert.equal(r.status, 0, `attacker step failed: ${String(r.stderr)}`)
    return String(r.stdout)
  }

  function victim(op: string, name: string, fixture = ''): Outcome {
    const r = as(VICTIM, [process.execPath, script, op, name, fixture])
    assert.equal(r.status, 0, `victim process failed: ${String(r.stderr)}`)
    return JSON.parse(String(r.stdout)) as Outcome
  }

  /** Make a directory for the victim (as root, then chown), like a home or /run/user dir. */
  function victimDir(name: string, mode = 0o700): string {
    const dir = join(shared, name)
    const r = spawnSync('install', ['-d', '-m', mode.toString(8), '-o', `${VICTIM}`, dir])
    assert.equal(r.status, 0, String(r.stderr))
    return dir
  }

  function assertUnsafe(o: Outcome, path: string, reason: RegExp): void {
    assert.equal(o.ok, false, `expected a refusal, got ${JSON.stringify(o)}`)
    assert.equal(o.code, 'ERR_KRB_UNSAFE_FILE', JSON.stringify(o))
    assert.equal(o.context?.path, path)
    assert.match(o.context?.reason ?? '', reason)
    assert.ok(o.message?.includes(path), 'the message names the path')
  }

  test('review #2: a planted /tmp/krb5cc symlink to a 0666 attacker file is refused, nothing leaks', () => {
    attacker(
      'mkdir -m 777 trap && touch trap/loot && chmod 666 trap/loot && ln -s trap/loot krb5cc_v',
    )
    const name = join(shared, 'krb5cc_v')
    assertUnsafe(victim('write-ccache', `FILE:${name}`, CCACHE), name, /symbolic link/)
    assert.equal(attacker('wc -c < trap/loot').trim(), '0', 'the attacker reads no ticket')
    assert.deepEqual(attacker('ls -A trap').trim(), 'loot', 'no temp file in the attacker dir')
    assert.equal(lstatSync(name).isSymbolicLink(), true)
    // The same for a keytab written to a planted name.
    attacker('ln -s trap/loot svc.keytab')
    const kt = join(shared, 'svc.keytab')
    assertUnsafe(victim('write-keytab', kt, KEYTAB), kt, /symbolic link/)
    assert.equal(attacker('wc -c < trap/loot').trim(), '0')
  })

  test('review #2: a planted regular file of the attacker is neither overwritten nor read', () => {
    // A ccache of the attacker's own at the victim's name: reading it would log the victim in
    // as the attacker (credential injection); writing must not reuse it either.
    attacker(`cp ${CCACHE} krb5cc_planted && chmod 666 krb5cc_planted`)
    const name = join(shared, 'krb5cc_planted')
    assertUnsafe(victim('read-ccache', name), name, /owned by uid 65534/)
    assertUnsafe(victim('write-ccache', `FILE:${name}`, CCACHE), name, /owned by uid 65534/)
    assert.equal(statSync(name).uid, ATTACKER)
    attacker(`cp ${KEYTAB} planted.keytab && chmod 644 planted.keytab`)
    const kt = join(shared, 'planted.keytab')
    assertUnsafe(victim('read-keytab', `FILE:${kt}`), kt, /owned by uid 65534/)
  })

  test('review #2: reading through a symlink owned by another user is refused', () => {
    const own = victimDir('victim-home')
    const target = join(own, 'cc')
    assert.equal(victim('write-ccache', `FILE:${target}`, CCACHE).ok, true)
    // The attacker links to the victim's own (valid) file: the link is still not trusted.
    attacker(`ln -s ${target} krb5cc_link && ln -s ${KEYTAB} link.keytab`)
    const link = join(shared, 'krb5cc_link')
    assertUnsafe(victim('read-ccache', link), link, /symbolic link that is owned by uid 65534/)
    const ktLink = join(shared, 'link.keytab')
    assertUnsafe(victim('read-keytab', ktLink), ktLink, /symbolic link that is owned by uid 65534/)
    // watchKeytab reloads with the same checks.
    assertUnsafe(
      victim('watch-keytab', ktLink, KEYTAB),
      ktLink,
      /symbolic link that is owned by uid 65534/,
    )
  })

  test("review #2: the victim's own symlink is read but never written through", () => {
    const own = victimDir('victim-own-link')
    const target = join(own, 'real')
    assert.equal(victim('write-ccache', `FILE:${target}`, CCACHE).ok, true)
    const link = join(own, 'link')
    assert.equal(as(VICTIM, ['ln', '-s', target, link]).status, 0)
    assert.deepEqual(victim('read-ccache', link), { ok: true, out: 'alice' })
    assertUnsafe(victim('write-ccache', link, CCACHE), link, /symbolic link/)
  })

  test('review #2: a new ccache is 0600 and the victim’s under umask 0, no temp files left', () => {
    const own = victimDir('victim-new')
    const name = join(own, 'krb5cc_new')
    assert.equal(victim('write-ccache', `FILE:${name}`, CCACHE).ok, true)
    const st = statSync(name)
    assert.equal(st.mode & 0o777, 0o600)
    assert.equal(st.uid, VICTIM)
    assert.deepEqual(readdirSync(own), ['krb5cc_new'])
    // Also in the shared sticky directory itself (MIT's default /tmp/krb5cc_<uid>).
    const tmpName = join(shared, 'krb5cc_fresh')
    assert.equal(victim('write-ccache', `FILE:${tmpName}`, CCACHE).ok, true)
    assert.equal(statSync(tmpName).mode & 0o777, 0o600)
    assert.equal(
      readdirSync(shared).some((f) => f.endsWith('.tmp')),
      false,
    )
  })

  test('review #2: DIR: collections owned by another user or group/other-writable are refused', () => {
    attacker(`mkdir -m 755 coll && printf 'tkt\\n' > coll/primary && cp ${CCACHE} coll/tkt`)
    const coll = join(shared, 'coll')
    assertUnsafe(victim('read-ccache', `DIR:${coll}`), coll, /owned by uid 65534/)
    assertUnsafe(victim('write-ccache', `DIR:${coll}`, CCACHE), coll, /owned by uid 65534/)
    assertUnsafe(victim('read-ccache', `DIR::${coll}/tkt`), coll, /owned by uid 65534/)
    const open = victimDir('open-coll', 0o777)
    assertUnsafe(victim('write-ccache', `DIR:${open}`, CCACHE), open, /writable by group or others/)
    attacker(`ln -s ${coll} coll-link`)
    const link = join(shared, 'coll-link')
    assertUnsafe(victim('read-ccache', `DIR:${link}`), link, /symbolic link/)
    // A proper collection of the victim's works, and its files are 0600.
    const mine = join(victimDir('mine-parent', 0o755), 'krb5cc')
    assert.equal(victim('write-ccache', `DIR:${mine}`, CCACHE).ok, true)
    assert.equal(statSync(mine).mode & 0o777, 0o700)
    assert.equal(statSync(join(mine, 'tkt')).mode & 0o777, 0o600)
    assert.deepEqual(victim('read-ccache', `DIR:${mine}`), { ok: true, out: 'alice' })
  })
})
