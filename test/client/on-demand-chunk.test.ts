/**
 * Issue 15 #5 after FAST and S4U (brief L): a bundled client loads FAST armoring, S4U, kpasswd
 * and the error explanations on first use, from one chunk (src/client/on-demand.ts). A login
 * without armor never loads it; an operation that needs it fails when the chunk cannot be loaded
 * — FAST armoring is never skipped (`fast: 'required'` never downgrades, a realm known to do
 * FAST is never asked unarmored). The client is bundled here by esbuild with code splitting from
 * the compiled sources (build/src), the chunk deleted, and run against a throwaway MIT realm.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { discoveryConfigFromKrb5Config } from '../../src/node/kdc-discovery.js'
import { createNodeTransport } from '../../src/node/transport.js'
import type { ClientTraceEvent, KerberosClient } from '../../src/client/index.js'
import { skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { repoRoot } from '../helpers/paths.js'
import { realmConfig } from './helpers.js'

const PW = 'lazy-pw-1'

// A bundle's exports are the library's, typed loosely: they are separate copies of its classes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ClientModule = Record<string, any>

/** Bundle the client with code splitting into a fresh directory; `lose`: delete the on-demand chunk. */
async function bundleClient(lose: boolean): Promise<{ dir: string; m: ClientModule }> {
  const dir = mkdtempSync(join(tmpdir(), 'kerberos-ts-chunks-'))
  const entry = join(dir, 'entry.js')
  writeFileSync(
    entry,
    `export * from ${JSON.stringify(join(repoRoot, 'build', 'src', 'client', 'index.js'))}\n`,
  )
  await build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    outdir: join(dir, 'out'),
    logLevel: 'silent',
  })
  writeFileSync(join(dir, 'out', 'package.json'), '{"type":"module"}')
  const chunks = readdirSync(join(dir, 'out')).filter((f) => /^on-demand-.*\.js$/.test(f))
  assert.equal(chunks.length, 1, `one on-demand chunk, got ${chunks.join(', ')}`)
  if (lose) rmSync(join(dir, 'out', chunks[0]!))
  const m = (await import(pathToFileURL(join(dir, 'out', 'entry.js')).href)) as ClientModule
  return { dir, m }
}

describe(
  'the client loads its on-demand chunk only when used (issue 15 #5)',
  { skip: skipWithoutMIT() },
  () => {
    let realm: Realm
    let lost: { dir: string; m: ClientModule }
    let whole: { dir: string; m: ClientModule }
    before(async () => {
      realm = await startRealm({ realm: 'LAZY.TEST' })
      await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
      await realm.addPrincipal('HTTP/web.lazy.test')
      lost = await bundleClient(true)
      whole = await bundleClient(false)
    })
    after(async () => {
      await realm?.stop()
      for (const b of [lost, whole])
        if (b !== undefined) rmSync(b.dir, { recursive: true, force: true })
    })

    const clientOf = (
      m: ClientModule,
      o: Record<string, unknown> = {},
    ): { client: KerberosClient; events: ClientTraceEvent[] } => {
      const config = realmConfig(realm)
      const events: ClientTraceEvent[] = []
      const transport = createNodeTransport({
        config: discoveryConfigFromKrb5Config(config),
        attemptTimeoutMs: 2000,
        deadlineMs: 8000,
      })
      const client = new m.KerberosClient({
        config,
        transport,
        trace: (e: ClientTraceEvent) => events.push(e),
        ...o,
      })
      return { client: client as KerberosClient, events }
    }

    const notLoaded = (code: string, reason: string) => (e: unknown) => {
      assert.ok(e instanceof Error)
      const k = e as Error & { code?: string; context?: Record<string, unknown> }
      assert.equal(k.code, code)
      assert.equal(k.context?.reason, reason)
      assert.match(k.message, /could not be loaded/)
      assert.ok(k.cause !== undefined, 'the loader error is the cause')
      return true
    }

    test('review L: a login without armor works with the on-demand chunk lost (it never loads it)', async () => {
      const { client, events } = clientOf(lost.m)
      const tgt = await client.login({ principal: 'alice', password: PW })
      assert.equal(tgt.client.components[0], 'alice')
      assert.equal(events.filter((e) => e.type === 'as-rep').length, 1)
    })

    test('review L: MIT announced FAST, so a TGS request must be armored: with the chunk lost it fails (ERR_KRB_FAST_REQUIRED) and nothing is sent unarmored', async () => {
      const { client, events } = clientOf(lost.m)
      await client.login({ principal: 'alice', password: PW })
      await assert.rejects(
        client.getServiceTicket('HTTP/web.lazy.test@LAZY.TEST'),
        notLoaded('ERR_KRB_FAST_REQUIRED', 'fast-not-loaded'),
      )
      assert.equal(events.filter((e) => e.type === 'tgs-req').length, 0)
      // The same request from the whole bundle is armored.
      const w = clientOf(whole.m)
      await w.client.login({ principal: 'alice', password: PW })
      await w.client.getServiceTicket('HTTP/web.lazy.test@LAZY.TEST')
      assert.equal(w.events.find((e) => e.type === 'tgs-rep')?.fast, true)
    })

    test("review L: fast: 'required' with armor and the chunk lost fails before any AS-REQ (never downgrades)", async () => {
      const armor = clientOf(whole.m)
      const tgt = await armor.client.login({ principal: 'alice', password: PW })
      for (const fast of ['required', 'if-offered'] as const) {
        const { client, events } = clientOf(lost.m)
        await assert.rejects(
          client.login({ principal: 'alice', password: PW, fast, armor: { tgt } }),
          notLoaded('ERR_KRB_FAST_REQUIRED', 'fast-not-loaded'),
        )
        assert.equal(events.filter((e) => e.type === 'as-req').length, 0, fast)
      }
      // With the chunk, the armored login works.
      const { client, events } = clientOf(whole.m)
      await client.login({ principal: 'alice', password: PW, fast: 'required', armor: { tgt } })
      assert.equal(events.find((e) => e.type === 'as-rep')?.fast, true)
    })

    test("review L: a client with fast: 'required' and the chunk lost never sends a TGS-REQ", async () => {
      const armor = clientOf(whole.m)
      const tgt = await armor.client.login({ principal: 'alice', password: PW })
      const { client, events } = clientOf(lost.m, { fast: 'required' })
      await assert.rejects(
        client.getServiceTicket('HTTP/web.lazy.test@LAZY.TEST', { tgt }),
        notLoaded('ERR_KRB_FAST_REQUIRED', 'fast-not-loaded'),
      )
      assert.equal(events.filter((e) => e.type === 'tgs-req').length, 0)
    })

    test('review L: S4U with the chunk lost fails with ERR_KRB_DELEGATION (s4u-not-loaded) before any request', async () => {
      const { client, events } = clientOf(lost.m, { fast: 'never' })
      await client.login({ principal: 'alice', password: PW })
      await assert.rejects(
        client.impersonate('bob'),
        notLoaded('ERR_KRB_DELEGATION', 's4u-not-loaded'),
      )
      await assert.rejects(
        client.getServiceTicketFor('bob', 'HTTP/web.lazy.test'),
        notLoaded('ERR_KRB_DELEGATION', 's4u-not-loaded'),
      )
      assert.equal(events.filter((e) => e.type === 'tgs-req').length, 0)
    })

    test('review L: with the chunk lost a KDC error is thrown unexplained (the original error), as before', async () => {
      const { client } = clientOf(lost.m)
      await assert.rejects(client.login({ principal: 'nobody', password: PW }), (e: unknown) => {
        assert.equal((e as { code?: string }).code, 'ERR_KRB_KDC_ERROR')
        assert.equal((e as { hint?: string }).hint, undefined)
        return true
      })
    })
  },
)
