/**
 * `kerberos-ts doctor`: diagnose a Kerberos setup as a checklist (✔ ok, ⚠ warning, ✖ failure,
 * ○ skipped) with advice under each problem, or the same report as JSON (`--json`). Exit code 1
 * when any check fails. The checks are `runDoctor` of `kerberos-ts/node`.
 *
 * @module
 */
import {
  runDoctor,
  type DoctorCheck,
  type DoctorOptions,
  type DoctorReport,
} from '../node/doctor.js'
import { UsageError, err, optionValue, out, parseCommandArgs } from './util.js'

/** The usage text (`kerberos-ts doctor --help`). */
export const usage: string = `usage: kerberos-ts doctor [-k KEYTAB] [-p PRINCIPAL] [--spn SPN]... [-r REALM] [-c CCACHE]
                         [--timeout MS] [--json]
  Checks krb5.conf and the realm, finds the KDCs (krb5.conf or DNS SRV) and tries each over UDP
  and TCP, measures the clock offset to the KDC; with -k: the keytab's principals, kvnos and
  enctypes against permitted_enctypes and the KDC (salts, a login, a fresh ticket's kvno); with
  --spn (repeatable): whether the KDC knows the SPN and which enctype its tickets use.
  -k  keytab to check                         -p  principal (default: the keytab's first)
  -r, --realm  realm (default: the principal's, the keytab's, then default_realm)
  -c  ccache whose TGT serves --spn without -k (default KRB5CCNAME)
  --timeout  wait per KDC attempt in ms (default 2000)
  --json  print the report as JSON
Exit status: 0 when nothing failed, 1 when a check failed, 2 for a usage error.`

const spec = {
  '-k': true,
  '-p': true,
  '-r': true,
  '--realm': true,
  '-c': true,
  '--spn': true,
  '--timeout': true,
  '--json': false,
  '-h': false,
  '--help': false,
} as const

const MARK = { ok: '✔', warn: '⚠', fail: '✖', skip: '○' } as const

/** Every `--spn VALUE` / `--spn=VALUE` (the shared parser keeps only the last of a repeat). */
function spnValues(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') break
    if (a === '--spn' && argv[i + 1] !== undefined) out.push(argv[++i]!)
    else if (a.startsWith('--spn=')) out.push(a.slice('--spn='.length))
  }
  return out
}

function formatCheck(c: DoctorCheck, width: number): string {
  const pad = ' '.repeat(width + 3)
  let text = `${MARK[c.status]} ${c.id.padEnd(width)} ${c.summary}\n`
  if (c.advice !== undefined && (c.status === 'fail' || c.status === 'warn'))
    text += `${pad}→ ${c.advice}\n`
  return text
}

/** The checklist as text. */
export function formatReport(report: DoctorReport): string {
  const width = Math.min(24, Math.max(...report.checks.map((c) => c.id.length)))
  const count = (s: DoctorCheck['status']): number =>
    report.checks.filter((c) => c.status === s).length
  const head = `kerberos-ts doctor${report.realm !== undefined ? ` — realm ${report.realm}` : ''}\n`
  const body = report.checks.map((c) => formatCheck(c, width)).join('')
  const tail = `${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failed, ${count('skip')} skipped\n`
  return head + body + tail
}

function options(
  args: ReturnType<typeof parseCommandArgs>,
  argv: readonly string[],
): DoctorOptions {
  if (typeof args === 'number') throw new Error('unreachable')
  if (args.operands.length > 0)
    throw new UsageError(
      `unexpected argument ${JSON.stringify(args.operands[0])} (SPNs go after --spn)`,
    )
  const timeout = optionValue(args, '--timeout')
  const ms = timeout === undefined ? undefined : Number(timeout)
  if (ms !== undefined && (!Number.isInteger(ms) || ms < 1 || ms > 60_000))
    throw new UsageError(`expected --timeout in 1..60000 ms, got ${JSON.stringify(timeout)}`)
  const realm = optionValue(args, '--realm') ?? optionValue(args, '-r')
  const keytab = optionValue(args, '-k')
  const principal = optionValue(args, '-p')
  const ccache = optionValue(args, '-c')
  return {
    ...(realm !== undefined ? { realm } : {}),
    ...(keytab !== undefined ? { keytab } : {}),
    ...(principal !== undefined ? { principal } : {}),
    ...(ccache !== undefined ? { ccache } : {}),
    ...(ms !== undefined ? { attemptTimeoutMs: ms } : {}),
    spns: spnValues(argv),
  }
}

/** Run `kerberos-ts doctor`. */
export async function run(argv: readonly string[]): Promise<number> {
  const args = parseCommandArgs('doctor', argv, spec, usage)
  if (typeof args === 'number') return args
  let o: DoctorOptions
  try {
    o = options(args, argv)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    err('doctor', `${e.message}\n${usage}`)
    return 2
  }
  const report = await runDoctor(o)
  out(args.options.has('--json') ? JSON.stringify(report, null, 2) + '\n' : formatReport(report))
  return report.ok ? 0 : 1
}
