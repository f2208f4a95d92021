import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KerberosError } from '../../src/errors.js'
import { parseConfig } from '../../src/config/index.js'
import {
  configPaths,
  expandPath,
  resolveCCacheName,
  resolveClientKeytabName,
  resolveKeytabName,
  splitTypedName,
} from '../../src/node/index.js'

/** Set env vars for the duration of fn, then restore. */
function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved: Record<string, string | undefined> = {}
  for (const k of Object.keys(vars)) {
    saved[k] = process.env[k]
    if (vars[k] === undefined) delete process.env[k]
    else process.env[k] = vars[k]
  }
  try {
    fn()
  } finally {
    for (const k of Object.keys(saved)) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  }
}

const uid = typeof process.getuid === 'function' ? process.getuid() : 0

test('KRB5CCNAME is read at call time, not at import', () => {
  withEnv({ KRB5CCNAME: 'FILE:/tmp/first' }, () =>
    assert.equal(resolveCCacheName(), 'FILE:/tmp/first'),
  )
  withEnv({ KRB5CCNAME: 'DIR:/tmp/second' }, () =>
    assert.equal(resolveCCacheName(), 'DIR:/tmp/second'),
  )
  withEnv({ KRB5CCNAME: undefined }, () =>
    assert.equal(resolveCCacheName(), `FILE:/tmp/krb5cc_${uid}`),
  )
})

test('KRB5CCNAME wins over default_ccache_name, which is expanded', () => {
  const config = parseConfig('[libdefaults]\n default_ccache_name = FILE:%{TEMP}/cc_%{uid}\n')
  withEnv({ KRB5CCNAME: undefined, TMPDIR: '/var/tmp' }, () => {
    assert.equal(resolveCCacheName({ config }), `FILE:/var/tmp/cc_${uid}`)
  })
  withEnv({ KRB5CCNAME: 'MEMORY:x' }, () => assert.equal(resolveCCacheName({ config }), 'MEMORY:x'))
  // An empty variable counts as unset.
  withEnv({ KRB5CCNAME: '' }, () =>
    assert.equal(resolveCCacheName({ env: {} }), `FILE:/tmp/krb5cc_${uid}`),
  )
})

test('KRB5_KTNAME and KRB5_CLIENT_KTNAME, with config and built-in defaults', () => {
  withEnv({ KRB5_KTNAME: undefined, KRB5_CLIENT_KTNAME: undefined }, () => {
    assert.equal(resolveKeytabName(), 'FILE:/etc/krb5.keytab')
    const euid = typeof process.geteuid === 'function' ? process.geteuid() : uid
    assert.equal(resolveClientKeytabName(), `FILE:/etc/krb5/user/${euid}/client.keytab`)
    const config = parseConfig(
      '[libdefaults]\n default_keytab_name = /k/%{null}x.keytab\n default_client_keytab_name = FILE:/c/%{username}\n',
    )
    assert.equal(resolveKeytabName({ config }), '/k/x.keytab')
    assert.equal(
      resolveClientKeytabName({ config, identity: { username: 'alice' } }),
      'FILE:/c/alice',
    )
  })
  withEnv(
    { KRB5_KTNAME: 'FILE:/srv/http.keytab', KRB5_CLIENT_KTNAME: '/srv/client.keytab' },
    () => {
      assert.equal(resolveKeytabName(), 'FILE:/srv/http.keytab')
      assert.equal(resolveClientKeytabName(), '/srv/client.keytab')
    },
  )
})

test('the environment can be injected instead of process.env', () => {
  assert.equal(resolveCCacheName({ env: { KRB5CCNAME: 'FILE:/x' } }), 'FILE:/x')
  assert.equal(resolveKeytabName({ env: {} }), 'FILE:/etc/krb5.keytab')
})

test('expandPath: MIT tokens', () => {
  const identity = { uid: 1000, euid: 0, username: 'bob' }
  const env = { TMPDIR: '/scratch' }
  assert.equal(expandPath('%{uid}-%{USERID}-%{euid}-%{username}', { identity }), '1000-1000-0-bob')
  assert.equal(expandPath('%{TEMP}/x%{null}', { env }), '/scratch/x')
  assert.equal(expandPath('%{TEMP}', { env: {} }), '/tmp')
  assert.equal(expandPath('%{BINDIR}/kinit'), '/usr/bin/kinit')
  assert.equal(expandPath('no tokens, 100% plain'), 'no tokens, 100% plain')
  for (const bad of ['%{nope}', '%{uid', '%{}']) {
    assert.throws(
      () => expandPath(bad),
      (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_CONFIG',
      bad,
    )
  }
})

test('splitTypedName: types, plain paths', () => {
  assert.deepEqual(splitTypedName('FILE:/tmp/a'), { type: 'FILE', residual: '/tmp/a' })
  assert.deepEqual(splitTypedName('/tmp/a:b'), { type: 'FILE', residual: '/tmp/a:b' })
  assert.deepEqual(splitTypedName('relative'), { type: 'FILE', residual: 'relative' })
  assert.deepEqual(splitTypedName('dir:/x'), { type: 'DIR', residual: '/x' })
  assert.deepEqual(splitTypedName('KEYRING:persistent:1000'), {
    type: 'KEYRING',
    residual: 'persistent:1000',
  })
  assert.throws(() => splitTypedName(''), TypeError)
})

test('KRB5_CONFIG is split on colons at call time; the default is /etc/krb5.conf', () => {
  withEnv({ KRB5_CONFIG: '/a.conf::/b.conf' }, () =>
    assert.deepEqual(configPaths(), ['/a.conf', '/b.conf']),
  )
  withEnv({ KRB5_CONFIG: undefined }, () => assert.deepEqual(configPaths(), ['/etc/krb5.conf']))
})
