/**
 * `doctor`: diagnose a Kerberos setup the way a person on a support call would, and return a
 * checklist. Which krb5.conf is read and which realm is used (and why); the realm's KDCs from
 * krb5.conf or DNS SRV, each tried over UDP and over TCP with timings; the clock offset to the
 * KDC (every KRB-ERROR carries the KDC's time, so no credentials are needed); for a keytab: its
 * principals, kvnos and enctypes against `permitted_enctypes` and against the KDC (the salts and
 * etypes it announces, a login with the keytab, the kvno of a fresh ticket for the principal);
 * for each SPN: whether the KDC knows it and which enctype its tickets use. The anchors are
 * gokrb5's `client.Diagnostics` and MongoDB's `mongokerberos`.
 *
 * Nothing here throws for a broken setup: every problem becomes a check with status `fail` or
 * `warn`, a summary, details and advice. Keys never appear in the report.
 *
 * @module
 */
import {
  configuredRealms,
  createConfig,
  readLibDefaults,
  type Krb5Config,
  type LibDefaults,
} from '../config/index.js'
import { parsePrincipal } from '../principal.js'
import { configNotLoaded, configPaths, loadConfig } from './config.js'
import {
  addCheck,
  reason,
  type DoctorCheck,
  type DoctorContext,
  type DoctorOptions,
  type DoctorReport,
} from './doctor-context.js'
import { checkKDCs, discover } from './doctor-kdc.js'
import { runKeytabChecks } from './doctor-keytab.js'
import { runSPNChecks } from './doctor-spn.js'
import { readKeytab } from './files.js'
import { createNodeTransport } from './transport.js'

export type { DoctorCheck, DoctorOptions, DoctorReport, DoctorStatus } from './doctor-context.js'

async function checkConfig(
  options: DoctorOptions,
): Promise<{ config: Krb5Config; check: DoctorCheck }> {
  const env = options.env ?? process.env
  if (options.config !== undefined) {
    const files = options.config.files.map((f) => f.path)
    return {
      config: options.config,
      check: {
        id: 'config',
        status: 'ok',
        summary: 'krb5.conf given by the caller',
        details: { files },
      },
    }
  }
  const paths = options.configPaths ?? configPaths(options)
  const why =
    options.configPaths !== undefined
      ? 'given by the caller'
      : env.KRB5_CONFIG !== undefined
        ? `from KRB5_CONFIG=${env.KRB5_CONFIG}`
        : 'the default (KRB5_CONFIG is not set)'
  // `paths` only when the caller named them, so the "not loaded" reason names KRB5_CONFIG.
  const load = {
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.configPaths !== undefined ? { paths: options.configPaths } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  }
  try {
    const config = await loadConfig(load)
    const files = config.files.map((f) => f.path)
    const missing = configNotLoaded(config, load)
    if (missing !== undefined) {
      return {
        config,
        check: {
          id: 'config',
          status: 'warn',
          summary: missing,
          details: { tried: paths, source: why },
          advice:
            'Point KRB5_CONFIG at your krb5.conf, or create /etc/krb5.conf with [libdefaults] default_realm and [realms] REALM = { kdc = host }',
        },
      }
    }
    return {
      config,
      check: {
        id: 'config',
        status: 'ok',
        summary: `krb5.conf read from ${files.join(', ')} (${why})`,
        details: { files, tried: paths, source: why },
      },
    }
  } catch (err) {
    return {
      config: createConfig([]),
      check: {
        id: 'config',
        status: 'fail',
        summary: `krb5.conf cannot be read: ${reason(err)}`,
        details: { tried: paths, source: why },
        advice: 'Fix the syntax error or permission named above (MIT tools read the same file)',
      },
    }
  }
}

function realmOfPrincipal(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  try {
    const p = parsePrincipal(text, { defaultRealm: '' })
    return p.realm === '' ? undefined : p.realm
  } catch {
    return undefined
  }
}

function chooseRealm(ctx: DoctorContext): { realm?: string; why: string } {
  const o = ctx.options
  if (o.realm !== undefined) return { realm: o.realm, why: 'given on the command line' }
  const fromPrincipal = realmOfPrincipal(o.principal)
  if (fromPrincipal !== undefined)
    return { realm: fromPrincipal, why: `the realm of ${o.principal}` }
  const first = o.principal === undefined ? ctx.keytab?.entries[0]?.principal : undefined
  if (first !== undefined && first.realm !== '')
    return { realm: first.realm, why: "the realm of the keytab's first principal" }
  const def = ctx.libdefaults.defaultRealm
  if (def !== undefined) return { realm: def, why: '[libdefaults] default_realm' }
  return { why: 'no --realm, no realm in the principal, no default_realm' }
}

function checkRealm(ctx: DoctorContext): void {
  const { realm, why } = chooseRealm(ctx)
  if (realm === undefined) {
    addCheck(ctx, {
      id: 'realm',
      status: 'fail',
      summary: `no realm to diagnose: ${why}`,
      advice:
        'Set [libdefaults] default_realm in krb5.conf, or pass --realm REALM or -p user@REALM',
    })
    return
  }
  ctx.realm = realm
  const known = configuredRealms(ctx.config)
  const caseTwin = known.find((r) => r !== realm && r.toUpperCase() === realm.toUpperCase())
  const details = {
    realm,
    source: why,
    configuredRealms: known,
    defaultRealm: ctx.libdefaults.defaultRealm,
  }
  if (caseTwin !== undefined) {
    addCheck(ctx, {
      id: 'realm',
      status: 'fail',
      summary: `realm ${realm} (${why}) is not configured, but ${caseTwin} is: realm names are case-sensitive`,
      details,
      advice: `Use ${caseTwin} (realms are conventionally upper case; AD realms are the DNS domain in upper case)`,
    })
    return
  }
  const lower = realm !== realm.toUpperCase()
  addCheck(ctx, {
    id: 'realm',
    status: lower ? 'warn' : 'ok',
    summary: `realm ${realm} (${why})`,
    details,
    ...(lower
      ? {
          advice: `Realm names are case-sensitive and almost always upper case: did you mean ${realm.toUpperCase()}?`,
        }
      : {}),
  })
}

function libDefaultsOf(config: Krb5Config, checks: DoctorCheck[]): LibDefaults {
  try {
    return readLibDefaults(config)
  } catch (err) {
    checks.push({
      id: 'libdefaults',
      status: 'fail',
      summary: `[libdefaults] has an invalid value: ${reason(err)}`,
      advice: 'Fix the value named above; the checks below use the built-in defaults',
    })
    return readLibDefaults(createConfig([]))
  }
}

async function loadKeytab(ctx: DoctorContext): Promise<void> {
  const kt = ctx.options.keytab
  if (kt === undefined) return
  if (typeof kt !== 'string') {
    ctx.keytab = kt
    ctx.keytabName = '(given)'
    return
  }
  ctx.keytabName = kt
  try {
    ctx.keytab = await readKeytab(kt, { ...ctx.options, config: ctx.config })
  } catch (err) {
    addCheck(ctx, {
      id: 'keytab',
      status: 'fail',
      summary: `keytab ${kt} cannot be read: ${reason(err)}`,
      details: { keytab: kt },
      advice:
        'Check the path and that this user may read it (it must be a regular file, mode 0600)',
    })
  }
}

/**
 * Diagnose the Kerberos setup and return a checklist. Never throws for a broken setup (only for
 * an aborted signal): problems are checks with status `fail` or `warn`, each with advice.
 *
 * @example
 * ```ts
 * import { runDoctor } from 'kerberos-ts/node'
 * const report = await runDoctor({ keytab: '/etc/http.keytab', spns: ['HTTP/web.example.com'] })
 * for (const c of report.checks) console.log(c.status, c.id, c.summary, c.advice ?? '')
 * if (!report.ok) process.exitCode = 1
 * ```
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const now = options.now ?? ((): Date => new Date())
  const checkedAt = now().toISOString()
  const { config, check } = await checkConfig(options)
  const checks = [check]
  const ctx: DoctorContext = {
    options,
    config,
    libdefaults: libDefaultsOf(config, checks),
    checks,
    now,
    realm: undefined,
    keytab: undefined,
    keytabName: undefined,
    reachable: false,
    realmUnconfirmed: false,
    clockOffsetMs: undefined,
    transport: undefined,
  }
  await loadKeytab(ctx)
  checkRealm(ctx)
  const realm = ctx.realm
  if (realm !== undefined) {
    const kdcs = await discover(ctx, realm)
    if (kdcs.length > 0) await checkKDCs(ctx, realm, kdcs)
    if (kdcs.length > 0 && !ctx.reachable) {
      addCheck(ctx, {
        id: 'clock',
        status: 'skip',
        summary: 'no KDC answered',
      })
    }
    ctx.transport =
      options.transport ??
      createNodeTransport({
        config,
        ...(options.resolver !== undefined ? { resolver: options.resolver } : {}),
      })
  }
  const tgtClient = await runKeytabChecks(ctx)
  await runSPNChecks(ctx, tgtClient)
  return {
    ok: !ctx.checks.some((c) => c.status === 'fail'),
    realm,
    checkedAt,
    clockOffsetMs: ctx.clockOffsetMs,
    checks: ctx.checks,
  }
}
