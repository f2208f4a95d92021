/**
 * Issue 15 item 5, the lean build (docs/bundling.md): bundled with `__KERBEROS_TS_LEAN__`
 * defined as true, the library starts with no enctype, no PAC verifier and no krb5.conf reader;
 * what the application registers works exactly as in the default build, and what it did not is
 * refused with a stable error, never silently skipped. Each bundle is made here by esbuild from
 * the compiled sources (build/src) and run in this process.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac, randomBytes as nodeRandomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { parseConfig, readLibDefaults, createConfig } from '../src/config/index.js'
import {
  aes128CtsHmacSha196,
  aes256CtsHmacSha196,
  decrypt,
  encrypt,
  registerEnctypes,
  registeredEnctypes,
  stringToKey,
  supportedEnctypes,
} from '../src/crypto/index.js'
import { HmacMd5, md5 } from '../src/crypto/md5.js'
import { parseKDCReply } from '../src/protocol/kdc-rep.js'
import { makeAPReq } from '../src/protocol/ap-req.js'
import { serializeKeytab } from '../src/keytab/index.js'
import { DEFAULT_LIBDEFAULTS } from '../src/client/settings.js'
import { KerberosError } from '../src/errors.js'
import { repoRoot } from './helpers/paths.js'
import { DOMAIN_SID, pacAuthorizationData, pacService, signedPACFor } from './pac/build.js'
import { readPACLayout } from '../src/pac/index.js'
import { parsePrincipal } from '../src/principal.js'
import type { AuthorizationData } from '../src/asn1/index.js'

const src = (p: string): string => JSON.stringify(join(repoRoot, 'build', 'src', p))

// A bundle's exports are the library's, typed loosely: they are separate copies of its classes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LeanModule = Record<string, any>

/** Bundle `contents` (imports written with src(...)) as a lean build and import it. */
async function leanBundle(contents: string): Promise<LeanModule> {
  const dir = mkdtempSync(join(tmpdir(), 'kerberos-ts-lean-'))
  try {
    const out = join(dir, 'bundle.mjs')
    await build({
      stdin: { contents, resolveDir: repoRoot, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      define: { __KERBEROS_TS_LEAN__: 'true' },
      outfile: out,
      logLevel: 'silent',
    })
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
    return (await import(pathToFileURL(out).href)) as LeanModule
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A KerberosError (of the bundle's own class) with this code and context.reason. */
const code = (want: string, reason?: string) => (e: unknown) => {
  const x = e as { name?: string; code?: string; context?: { reason?: unknown } } | undefined
  return (
    x?.name === 'KerberosError' &&
    x.code === want &&
    (reason === undefined || x.context?.reason === reason)
  )
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

test('issue 15 #5: a lean build has no enctype until one is registered, then the same keys and ciphertexts as the default build', async () => {
  const m = await leanBundle(`export * from ${src('crypto/index.js')}`)
  assert.deepEqual(m.supportedEnctypes({ allowWeak: true }), [])
  assert.throws(
    () => m.stringToKey(18, 'pw', 'EXAMPLE.COMalice'),
    code('ERR_KRB_UNSUPPORTED_ENCTYPE'),
  )
  m.registerEnctypes(m.aes256CtsHmacSha196, m.aes128CtsHmacSha196)
  assert.deepEqual(m.supportedEnctypes({ allowWeak: true }), [18, 17])
  // aes-sha2, camellia and rc4 stay out: refused as unsupported, not computed some other way.
  for (const e of [20, 19, 26, 25, 23, 24]) {
    assert.throws(
      () => m.stringToKey(e, 'pw', 'salt', { allowWeak: true }),
      code('ERR_KRB_UNSUPPORTED_ENCTYPE'),
    )
  }
  // The pure backend has no Camellia, SHA-2 or MD5 either.
  assert.throws(() => m.pureBackend.camellia(new Uint8Array(16)), /no Camellia in this build/)
  assert.throws(() => m.pureBackend.hmac('sha256', new Uint8Array(16)), /no HMAC-sha256/)
  const pw = 'lean password'
  const salt = 'EXAMPLE.COMalice'
  for (const e of [18, 17]) {
    const lean = m.stringToKey(e, pw, salt)
    const full = stringToKey(e, pw, salt)
    assert.equal(hex(lean.bytes), hex(full.bytes))
    const confounder = new Uint8Array(16).fill(7)
    const data = new TextEncoder().encode('the same ciphertext in both builds')
    const ct = m.encrypt(lean, 2, data, { confounder })
    assert.equal(hex(ct), hex(encrypt(full, 2, data, { confounder })))
    assert.equal(hex(decrypt(full, 2, ct)), hex(data))
    ct[ct.length - 1]! ^= 1
    assert.throws(() => m.decrypt(lean, 2, ct), code('ERR_KRB_INTEGRITY'))
  }
})

test('issue 15 #5: in a lean build, registering aes-sha2, camellia or rc4 brings their pure primitives (same keys as the default build)', async () => {
  const m = await leanBundle(`export * from ${src('crypto/index.js')}`)
  m.registerEnctypes(m.aes256CtsHmacSha384192, m.aes128CtsHmacSha256128, m.camellia256CtsCmac)
  for (const e of [20, 19, 26]) {
    assert.equal(hex(m.stringToKey(e, 'pw', 'salt').bytes), hex(stringToKey(e, 'pw', 'salt').bytes))
  }
  // rc4: registered, and still weak.
  m.registerEnctypes(m.arcfourHmac)
  assert.throws(() => m.stringToKey(23, 'pw', ''), code('ERR_KRB_WEAK_CRYPTO'))
  const k = m.stringToKey(23, 'pw', '', { allowWeak: true })
  assert.equal(hex(k.bytes), hex(stringToKey(23, 'pw', '', { allowWeak: true }).bytes))
  const ct = m.encrypt(k, 2, new Uint8Array([1, 2, 3]), { allowWeak: true })
  assert.deepEqual([...m.decrypt(k, 2, ct, { allowWeak: true })], [1, 2, 3])
})

test('issue 15 #5: registerEnctypes refuses a second, different profile for a registered enctype and anything not a profile, and never replaces an installed primitive', () => {
  assert.equal(registeredEnctypes().length, 8)
  assert.deepEqual(supportedEnctypes(), [20, 19, 18, 17, 26, 25])
  registerEnctypes(aes256CtsHmacSha196, aes128CtsHmacSha196) // already there: nothing happens
  const impostor = { ...aes256CtsHmacSha196, decrypt: () => new Uint8Array(0) }
  assert.throws(() => registerEnctypes(impostor), TypeError)
  assert.throws(() => registerEnctypes({ etype: 99 } as never), TypeError)
  assert.throws(() => registerEnctypes(null as never), TypeError)
  // A new enctype number may be added, but its primitives never replace installed ones.
  const key = stringToKey(18, 'pw', 'salt')
  const confounder = new Uint8Array(16)
  const before = hex(encrypt(key, 2, new Uint8Array(5), { confounder }))
  const sha2Key = hex(stringToKey(20, 'pw', 'salt').bytes)
  const evil = () => ({ outputLength: 20, digest: () => new Uint8Array(20) })
  registerEnctypes({
    ...aes256CtsHmacSha196,
    etype: 99,
    name: 'custom',
    purePrimitives: {
      hmac: { sha1: evil, sha256: evil },
      pbkdf2: { sha1: () => new Uint8Array(32) },
    },
  })
  assert.equal(hex(encrypt(key, 2, new Uint8Array(5), { confounder })), before)
  assert.equal(hex(stringToKey(18, 'pw', 'salt').bytes), hex(key.bytes))
  assert.equal(hex(stringToKey(20, 'pw', 'salt').bytes), sha2Key)
  // Still the real profile: a forged ciphertext is refused.
  assert.throws(
    () => decrypt(key, 2, new Uint8Array(60)),
    (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_INTEGRITY',
  )
})

test('issue 15 #5: a lean Acceptor refuses a ticket carrying a PAC (pac-not-enabled) until enablePAC(); pac: skip accepts it without one', async () => {
  const m = await leanBundle(`export * from ${src('crypto/index.js')}
export { Acceptor, enablePAC } from ${src('protocol/index.js')}
export { parseKeytab } from ${src('keytab/index.js')}`)
  m.registerEnctypes(m.aes256CtsHmacSha196)
  const svc = pacService()
  const keytab = m.parseKeytab(serializeKeytab(svc.keytab))
  const apReq = (o: { pac?: boolean } = {}): Uint8Array => {
    const c = svc.issue(o)
    return makeAPReq({ ticket: c.ticket, sessionKey: c.sessionKey, client: c.client }).bytes
  }
  const acceptor = (pac?: string) =>
    new m.Acceptor({ keytab, replayCache: false, ...(pac ? { pac } : {}) })
  assert.throws(() => acceptor().accept(apReq()), code('ERR_KRB_PAC_VERIFY', 'pac-not-enabled'))
  assert.throws(
    () => acceptor('require').accept(apReq()),
    code('ERR_KRB_PAC_VERIFY', 'pac-not-enabled'),
  )
  assert.equal(acceptor('skip').accept(apReq()).identity, undefined)
  const lenient = acceptor('lenient').accept(apReq())
  assert.equal(lenient.pac, undefined)
  assert.equal(lenient.identity, undefined)
  // No PAC at all: accepted as in the default build; 'require' refuses with the usual reason.
  assert.equal(acceptor().accept(apReq({ pac: false })).client.components[0], 'alice')
  assert.throws(
    () => acceptor('require').accept(apReq({ pac: false })),
    code('ERR_KRB_PAC_VERIFY', 'no-pac'),
  )
  m.enablePAC()
  const r = acceptor().accept(apReq())
  assert.equal(r.identity?.accountName, 'alice')
  assert.equal(r.pac?.clientInfo?.name, 'alice')
})

test('lean acceptor with enablePAC(): the PAC checks of the default build, without the decoders of buffers it does not use in the bundle', async () => {
  const contents = `export * from ${src('crypto/index.js')}
export { Acceptor, enablePAC } from ${src('protocol/index.js')}
export { parseKeytab } from ${src('keytab/index.js')}`
  // What the bundle holds: the identity buffers' decoders, not the others'.
  const text = (
    await build({
      stdin: { contents, resolveDir: repoRoot, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      define: { __KERBEROS_TS_LEAN__: 'true' },
      logLevel: 'silent',
    })
  ).outputFiles[0]!.text
  assert.match(text, /function decodeKerbValidationInfo\(/)
  assert.match(text, /function decodeUPNDNSInfo\(/)
  for (const f of [
    'decodePACDeviceInfo',
    'decodeS4UDelegationInfo',
    'decodePACAttributesInfo',
    'decodePACRequestor',
    'decodePACCredentialInfo',
  ]) {
    assert.doesNotMatch(text, new RegExp(`function ${f}\\(`), f)
  }
  const m = await leanBundle(contents)
  m.registerEnctypes(m.aes256CtsHmacSha196)
  m.enablePAC()
  const svc = pacService()
  const keytab = m.parseKeytab(serializeKeytab(svc.keytab))
  const alice = parsePrincipal('alice@EXAMPLE.COM')
  const authtime = new Date(Math.floor(Date.now() / 1000) * 1000)
  const keys = { serverKey: svc.serviceKey, kdcKey: svc.kdcKey }
  const pac = signedPACFor(alice, authtime, keys, {
    requestorSid: `${DOMAIN_SID}-1105`,
    attributes: { flagsLength: 2, flags: [1] },
  })
  // The ticket's authtime must be the PAC's: issue with the same one.
  const issue = (ad: AuthorizationData): unknown => {
    const c = svc.issue({ authorizationData: ad, authtime })
    const bytes = makeAPReq({ ticket: c.ticket, sessionKey: c.sessionKey, client: c.client }).bytes
    return new m.Acceptor({ keytab, replayCache: false }).accept(bytes)
  }
  const ok = issue(pacAuthorizationData(pac)) as {
    identity: { userSid: string }
    pac: { requestorSid?: string; buffers: { type: number }[] }
  }
  assert.equal(ok.identity.userSid, `${DOMAIN_SID}-1105`)
  assert.equal(ok.pac.requestorSid, undefined) // kept raw: decodePAC decodes it
  assert.ok(ok.pac.buffers.some((b) => b.type === 18))
  // One byte changed in the REQUESTOR buffer, which the lean verifier does not decode.
  const requestor = readPACLayout(pac).find((l) => l.type === 18)!
  const bad = pac.slice()
  bad[requestor.offset + requestor.size - 1]! ^= 1
  assert.throws(
    () => issue(pacAuthorizationData(bad)),
    code('ERR_KRB_PAC_VERIFY', 'server-signature'),
  )
  // A PAC signed for another client, and one whose CLIENT_INFO time is not the ticket's.
  const mallory = signedPACFor(parsePrincipal('mallory@EXAMPLE.COM'), authtime, keys)
  assert.throws(
    () => issue(pacAuthorizationData(mallory)),
    code('ERR_KRB_PAC_VERIFY', 'client-name'),
  )
  const earlier = signedPACFor(alice, new Date(authtime.getTime() - 1000), keys)
  assert.throws(
    () => issue(pacAuthorizationData(earlier)),
    code('ERR_KRB_PAC_VERIFY', 'client-authtime'),
  )
})

test('issue 15 #5: a lean KerberosClient reads plain config values, and a parsed krb5.conf only after enableKrb5Config()', async () => {
  const m =
    await leanBundle(`export { clientSettings, enableKrb5Config } from ${src('client/index.js')}
export { parseConfig } from ${src('config/index.js')}`)
  const plain = m.clientSettings({
    libdefaults: { clockskew: 60 },
    domainRealm: { '.example.com': 'EXAMPLE.COM' },
  })
  assert.equal(plain.clockskew, 60)
  assert.equal(plain.ticketLifetime, 86400)
  assert.equal(plain.realmForHost('web.example.com'), 'EXAMPLE.COM')
  const conf = m.parseConfig('[libdefaults]\n clockskew = 120\n')
  assert.throws(() => m.clientSettings(conf), code('ERR_KRB_CONFIG', 'krb5-config-not-enabled'))
  m.enableKrb5Config()
  assert.equal(m.clientSettings(conf).clockskew, 120)
})

test('issue 15 #5: a lean GSS context with an rc4-hmac key is refused until enableRC4Tokens()', async () => {
  const m = await leanBundle(`export * from ${src('crypto/index.js')}
export { enableRC4Tokens, SecurityContext } from ${src('gssapi/index.js')}`)
  m.registerEnctypes(m.arcfourHmac)
  // establish() is where a context takes its key: a subclass drives it directly.
  class Probe extends m.SecurityContext {
    constructor() {
      super({ allowWeakCrypto: true })
    }
    go(key: unknown, isAcceptor: boolean): this {
      this.establish({ key, acceptorSubkey: false, isAcceptor }, 0, 0, 0)
      return this
    }
  }
  const key = m.randomKey(23, { allowWeak: true })
  assert.throws(
    () => new Probe().go(key, false),
    code('ERR_KRB_UNSUPPORTED_ENCTYPE', 'rc4-tokens-not-enabled'),
  )
  m.enableRC4Tokens()
  const initiator = new Probe().go(key, false)
  const acceptor = new Probe().go(key, true)
  const token = initiator.wrap(new Uint8Array([1, 2, 3]))
  assert.deepEqual([...acceptor.unwrap(token).message], [1, 2, 3])
})

test('issue 15 #5: DEFAULT_LIBDEFAULTS is what readLibDefaults gives for an empty krb5.conf', () => {
  assert.deepEqual({ ...DEFAULT_LIBDEFAULTS }, readLibDefaults(createConfig([])))
  assert.deepEqual({ ...DEFAULT_LIBDEFAULTS }, readLibDefaults(parseConfig('')))
})

test('issue 15 #5: our MD5 and HMAC-MD5 (channel bindings, rsa-md5, arcfour-hmac) equal OpenSSL at every length around the padding boundaries', () => {
  for (let n = 0; n < 200; n++) {
    const d = new Uint8Array(nodeRandomBytes(n))
    assert.equal(hex(md5(d)), createHash('md5').update(d).digest('hex'), `length ${n}`)
  }
  const big = new Uint8Array(nodeRandomBytes(70_000))
  assert.equal(hex(md5(big)), createHash('md5').update(big).digest('hex'))
  assert.equal(hex(md5(new TextEncoder().encode('abc'))), '900150983cd24fb0d6963f7d28e17f72')
  // HMAC-MD5 (arcfour-hmac): keys of 0..100 octets (over 64 hashed first), data in parts.
  for (let n = 0; n <= 100; n += 7) {
    const key = new Uint8Array(nodeRandomBytes(n))
    const d = new Uint8Array(nodeRandomBytes(150))
    const mac = new HmacMd5(key)
    const want = createHmac('md5', key).update(d).digest('hex')
    assert.equal(hex(mac.digest(d.subarray(0, 70), d.subarray(70))), want, `key length ${n}`)
    assert.equal(hex(mac.digest(d)), want)
  }
})

test('issue 15 #5: a KDC "reply" that is another Kerberos message is refused by its tag (ERR_KRB_KDC_REPLY), garbage as ASN.1', () => {
  const svc = pacService()
  const c = svc.issue({ pac: false })
  const apReq = makeAPReq({ ticket: c.ticket, sessionKey: c.sessionKey, client: c.client }).bytes
  assert.throws(
    () => parseKDCReply(apReq, 11),
    (e: unknown) =>
      e instanceof KerberosError && e.code === 'ERR_KRB_KDC_REPLY' && /got AP-REQ/.test(e.message),
  )
  assert.throws(
    () => parseKDCReply(new Uint8Array([0x6e, 0x05, 1, 2]), 13),
    (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_ASN1_DECODE',
  )
  assert.throws(
    () => parseKDCReply(new Uint8Array([0x30, 0x00]), 11),
    (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_ASN1_DECODE',
  )
})
