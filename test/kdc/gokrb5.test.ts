/**
 * gokrb5 (Debian's golang-github-jcmturner-gokrb5.v8-dev) against the embedded KDC: the Go client
 * in test/peers/gokrb5/main.go logs in with a password and with a keytab, gets a service ticket,
 * and its AP-REQ is accepted by our Acceptor. The binary is built with Debian's golang-go
 * (GO111MODULE=off, GOPATH=/usr/share/gocode) into a temporary directory keyed by the source hash.
 * Fails under CI=true when Go or gokrb5 is missing; skips loudly otherwise.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { lstat, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startTestKDC, type TestKDC } from '../../src/node/kdc-server.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { formatPrincipal } from '../../src/principal.js'
import { repoRoot } from '../helpers/paths.js'

const GO = '/usr/bin/go'
const GOPATH = '/usr/share/gocode'
const GOKRB5 = join(GOPATH, 'src/github.com/jcmturner/gokrb5/v8/client')
const SOURCE_DIR = join(repoRoot, 'test/peers/gokrb5')
const run = promisify(execFile)

function skipWithoutGokrb5(): string | false {
  const missing = [GO, GOKRB5].filter((p) => !existsSync(p))
  if (missing.length === 0) return false
  const msg =
    `Go or gokrb5 missing (${missing.join(', ')}): ` +
    'install golang-go golang-github-jcmturner-gokrb5.v8-dev'
  if (process.env.CI === 'true') throw new Error(msg + ' — required when CI=true')
  console.warn(`\n!!!!! SKIPPING GOKRB5 TEST: ${msg} !!!!!\n`)
  return msg
}

/** Build main.go once per source hash into the temporary directory; return the binary's path. */
async function buildGokrb5Client(): Promise<string> {
  const src = await readFile(join(SOURCE_DIR, 'main.go'))
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16)
  const dir = join(tmpdir(), `kerberos-ts-gokrb5-${hash}`)
  const bin = join(dir, 'gokrb5-client')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // A shared temporary directory: use a cached binary only from a directory that is ours alone.
  const st = await lstat(dir)
  if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private directory of this user: refusing to use it`)
  }
  if (existsSync(bin)) return bin
  const partial = `${bin}.${process.pid}`
  await run(GO, ['build', '-o', partial, '.'], {
    cwd: SOURCE_DIR,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      GO111MODULE: 'off',
      GOPATH,
      GOCACHE: join(dir, 'gocache'),
      GOFLAGS: '',
      CGO_ENABLED: '0',
    },
    timeout: 300_000,
  })
  await rename(partial, bin)
  return bin
}

interface GoResult {
  cname: string
  sname: string
  realm: string
  etype: number
  skey: number
  kvno: number
  apReq: Uint8Array
}

function parseLine(stdout: string): GoResult {
  const m =
    /^OK cname=(\S+) sname=(\S+) realm=(\S+) etype=(\d+) skey=(\d+) kvno=(\d+) apreq=([A-Za-z0-9+/=]+)$/m.exec(
      stdout,
    )
  assert.ok(m, `unexpected gokrb5 output: ${stdout}`)
  return {
    cname: m[1]!,
    sname: m[2]!,
    realm: m[3]!,
    etype: Number(m[4]),
    skey: Number(m[5]),
    kvno: Number(m[6]),
    apReq: new Uint8Array(Buffer.from(m[7]!, 'base64')),
  }
}

const skip = skipWithoutGokrb5()

/** The enctypes gokrb5 v8 implements (it has no Camellia). */
const ENCTYPES: readonly [string, number][] = [
  ['aes256-cts-hmac-sha1-96', 18],
  ['aes128-cts-hmac-sha1-96', 17],
  ['aes256-cts-hmac-sha384-192', 20],
  ['aes128-cts-hmac-sha256-128', 19],
  ['arcfour-hmac', 23],
]

describe('gokrb5 client against the embedded KDC', { skip }, () => {
  let kdc: TestKDC
  let bin: string
  before(async () => {
    bin = await buildGokrb5Client()
    kdc = await startTestKDC({
      realm: 'EMB.TEST',
      allowWeakCrypto: true,
      principals: [
        { name: 'alice', password: 'alice-pw', enctypes: ENCTYPES.map(([, n]) => n) },
        { name: 'svc' },
        { name: 'HTTP/localhost', enctypes: ENCTYPES.map(([, n]) => n) },
        ...ENCTYPES.map(([, n]) => ({ name: `HTTP/e${n}`, enctypes: [n] })),
      ],
    })
  })
  after(() => kdc?.stop())

  const gokrb5 = async (
    args: string[],
    password?: string,
    conf = kdc.krb5ConfPath,
  ): Promise<GoResult> => {
    const { stdout } = await run(
      bin,
      ['-conf', conf, '-realm', 'EMB.TEST', '-spn', 'HTTP/localhost', ...args],
      {
        env: {
          PATH: '/usr/bin:/bin',
          ...(password === undefined ? {} : { GOKRB5_PASSWORD: password }),
        },
        timeout: 60_000,
      },
    )
    return parseLine(stdout)
  }

  it('gokrb5 password login + service ticket for HTTP/localhost, accepted by our Acceptor', async () => {
    const r = await gokrb5(['-user', 'alice'], 'alice-pw')
    assert.equal(r.cname, 'alice')
    assert.equal(r.sname, 'HTTP/localhost')
    assert.equal(r.realm, 'EMB.TEST')
    assert.equal(r.etype, 18)
    assert.equal(r.kvno, 1)
    const acceptor = new Acceptor({ keytab: kdc.database.keytab('HTTP/localhost') })
    const accepted = acceptor.accept(r.apReq)
    assert.equal(formatPrincipal(accepted.client), 'alice@EMB.TEST')
  })

  it('gokrb5 keytab login + service ticket for HTTP/localhost, accepted by our Acceptor', async () => {
    const kt = await kdc.writeKeytab('svc')
    const r = await gokrb5(['-user', 'svc', '-keytab', kt])
    assert.equal(r.cname, 'svc')
    assert.equal(r.sname, 'HTTP/localhost')
    assert.equal(r.etype, 18)
    const acceptor = new Acceptor({ keytab: kdc.database.keytab('HTTP/localhost') })
    assert.equal(formatPrincipal(acceptor.accept(r.apReq).client), 'svc@EMB.TEST')
  })

  it('gokrb5 with a wrong password fails its login (the KDC refuses the pre-authentication)', async () => {
    await assert.rejects(gokrb5(['-user', 'alice'], 'wrong'), (e: Error & { stderr?: string }) => {
      assert.match(e.stderr ?? '', /FAIL login: .*KDC_ERR_PREAUTH_FAILED/)
      return true
    })
  })

  it('gokrb5 asking for an unknown service gets KDC_ERR_S_PRINCIPAL_UNKNOWN', async () => {
    await assert.rejects(
      gokrb5(['-user', 'alice', '-spn', 'HTTP/nosuch'], 'alice-pw'),
      (e: Error & { stderr?: string }) => {
        assert.match(e.stderr ?? '', /FAIL service ticket: .*KDC_ERR_S_PRINCIPAL_UNKNOWN/)
        return true
      },
    )
  })

  for (const [name, num] of ENCTYPES) {
    it(`gokrb5 password login + service ticket with ${name} (${num}) only`, async () => {
      const conf = join(kdc.dir, `krb5-go-${num}.conf`)
      const only =
        `[libdefaults]\n  default_tkt_enctypes = ${name}\n  default_tgs_enctypes = ${name}\n` +
        `  permitted_enctypes = ${name}\n  allow_weak_crypto = true\n`
      await writeFile(conf, kdc.krb5Conf().replace('[libdefaults]\n', only))
      const r = await gokrb5(['-user', 'alice', '-spn', `HTTP/e${num}`], 'alice-pw', conf)
      assert.equal(r.sname, `HTTP/e${num}`)
      assert.equal(r.etype, num)
      assert.equal(r.skey, num)
      const acceptor = new Acceptor({
        keytab: kdc.database.keytab(`HTTP/e${num}`),
        allowWeakCrypto: true,
      })
      assert.equal(formatPrincipal(acceptor.accept(r.apReq).client), 'alice@EMB.TEST')
    })
  }
})
