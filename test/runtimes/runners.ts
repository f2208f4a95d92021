/**
 * The runtimes of the matrix (issue 15 #3) and how to run the scenario bundle in each: Node 20
 * (this Node), Node 22, Bun and Deno as command-line programs on a small driver module, Deno
 * also against the packed package (through node_modules, and through an `npm:` import map, with
 * the npm registry unreachable), and workerd without `nodejs_compat` inside a loopback-only
 * network namespace. The tests (matrix tests in this folder) and `npm run bench` (bench/runtimes.ts)
 * share this list. Another runtime (a browser) is one more {@link RuntimeRunner}: export it in a
 * `RUNNERS` array from a module `test/runtimes/NAME-runners.ts` and the bench picks it up.
 */
import { execFileSync, spawn } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { repoRoot } from '../helpers/paths.js'
import { createLoopbackNetns, netnsUnavailable } from '../helpers/netns.js'
import { buildScenarioBundle, runtimeBinary } from './bundle.js'
import type { BenchResult, ScenarioResult } from './scenarios.js'

/** What to run in a runtime. */
export type RuntimeTask =
  { readonly kind: 'scenarios' } | { readonly kind: 'bench'; readonly minMs: number }

/** One runtime of the matrix. */
export interface RuntimeRunner {
  /** Short name shown in test titles and the bench table (`node20`, `bun`, `workerd`, ...). */
  readonly name: string
  /** Why it cannot run on this machine, or undefined when it can. */
  unavailable(): string | undefined
  /** The runtime's version string, for reports. */
  version(): string
  /** Run the task; resolves with the suite's JSON answer. */
  run(task: RuntimeTask): Promise<unknown>
  /**
   * False for a variant the bench leaves out (the same engine on the packed package instead of
   * the bundle: the same speed). Default true.
   */
  readonly bench?: boolean
}

const MARK = '@@KTS-RESULT@@ '
const TIMEOUT_MS = 180_000

/** Spawn `argv`, wait (bounded), and parse the line after {@link MARK}. */
export function spawnForResult(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? TIMEOUT_MS)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = out.split('\n').find((l) => l.startsWith(MARK))
      if (line === undefined) {
        const why = signal === null ? `exit code ${code}` : `signal ${signal}`
        reject(new Error(`${basename(argv[0]!)}: no result (${why})\n${out}\n${err}`.trim()))
        return
      }
      resolve(JSON.parse(line.slice(MARK.length)))
    })
  })
}

/**
 * A driver module beside the bundle that runs `task` and prints the result line. The bench gets
 * the runtime's CPU clock from `node:process` (Node, Bun and Deno all have it; the bundle itself
 * must not touch `process`).
 */
function writeDriver(dir: string, bundle: string, task: RuntimeTask): string {
  const call =
    task.kind === 'bench'
      ? `runBench({ minMs: ${Number(task.minMs)}, cpuClock })`
      : 'runScenarios()'
  const file = join(dir, `driver-${task.kind}.mjs`)
  writeFileSync(
    file,
    [
      `import { runScenarios, runBench } from './${basename(bundle)}'`,
      ...(task.kind === 'bench'
        ? [
            `import process from 'node:process'`,
            'const cpuClock = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }',
          ]
        : []),
      'void runScenarios, runBench',
      `console.log(${JSON.stringify(MARK)} + JSON.stringify(await ${call}))`,
      '',
    ].join('\n'),
  )
  return file
}

let selfContained: Promise<string> | undefined
let packageBundle: Promise<string> | undefined

/** The self-contained bundle, built once per process. */
export function scenarioBundle(): Promise<string> {
  return (selfContained ??= buildScenarioBundle())
}

function cliRunner(
  name: string,
  binary: () => string | undefined,
  args: (driver: string) => string[],
  versionArgs: readonly string[] = ['--version'],
): RuntimeRunner {
  return {
    name,
    unavailable: () =>
      binary() === undefined
        ? `${name} is not installed in test/runtimes/node_modules (scripts/ensure-deps.mjs installs it)`
        : undefined,
    version: () =>
      execFileSync(binary()!, versionArgs, { encoding: 'utf8' }).split('\n')[0]!.trim(),
    async run(task) {
      const bundle = await scenarioBundle()
      const dir = mkdtempSync(join(tmpdir(), `kts-${name}-`))
      try {
        copyFileSync(bundle, join(dir, basename(bundle)))
        const driver = writeDriver(dir, bundle, task)
        return await spawnForResult([binary()!, ...args(driver)], {
          cwd: dir,
          env: {
            ...process.env,
            DENO_NO_UPDATE_CHECK: '1',
            NO_COLOR: '1',
            DENO_DIR: join(dir, '.deno'),
          },
        })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

// ---- the packed package, for Deno's node_modules and npm: import map runs ----

/** Runtime dependencies of the package, with theirs, copied from the repository's node_modules. */
const PACKAGE_DEPS = ['@noble/hashes', 'asn1js', 'pvtsutils', 'pvutils', 'tslib']

/**
 * A directory with `node_modules/kerberos-ts` unpacked from `npm pack` of dist/ (as users get
 * it) and its dependencies, plus the package bundle of the suite. Made once per process.
 */
let packedDir: Promise<string> | undefined
function packedPackageDir(): Promise<string> {
  return (packedDir ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-packed-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    const out = execFileSync(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
    )
    const tgz = join(dir, (JSON.parse(out) as { filename: string }[])[0]!.filename)
    const target = join(dir, 'node_modules', 'kerberos-ts')
    mkdirSync(target, { recursive: true })
    execFileSync('tar', ['xzf', tgz, '-C', target, '--strip-components=1'])
    rmSync(tgz)
    for (const dep of PACKAGE_DEPS) {
      const to = join(dir, 'node_modules', dep)
      mkdirSync(join(to, '..'), { recursive: true })
      symlinkSync(join(repoRoot, 'node_modules', dep), to, 'dir')
    }
    const bundle = await (packageBundle ??= buildScenarioBundle({ mode: 'package' }))
    copyFileSync(bundle, join(dir, basename(bundle)))
    return dir
  })())
}

/** The version of the package being tested (what `npm pack` packs). */
const PACKAGE_VERSION = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version

/** How a package runner resolves `kerberos-ts/...`. */
type Resolution = 'node_modules' | 'deno-node-modules' | 'deno-npm-import-map'

/**
 * A runner of the package bundle against the packed package: Node and Bun resolve it from
 * node_modules as any app does; Deno from node_modules (`--node-modules-dir=manual`) or through an
 * import map of `npm:` specifiers, offline (the npm registry is a closed loopback port).
 */
function packageRunner(
  name: string,
  binary: () => string | undefined,
  resolution: Resolution,
): RuntimeRunner {
  const base = cliRunner(name, binary, () => [])
  return {
    ...base,
    bench: false,
    unavailable: () =>
      existsSync(join(repoRoot, 'dist', 'index.js'))
        ? base.unavailable()
        : 'dist/ is not built (npm run build; npm test does it first): nothing to pack',
    async run(task) {
      const dir = await packedPackageDir()
      const work = mkdtempSync(join(dir, `${name}-`))
      try {
        copyFileSync(join(dir, 'scenarios-package.mjs'), join(work, 'scenarios-package.mjs'))
        symlinkSync(join(dir, 'node_modules'), join(work, 'node_modules'), 'dir')
        const dependencies = { 'kerberos-ts': PACKAGE_VERSION }
        writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module', dependencies }))
        if (resolution === 'deno-npm-import-map') {
          const imports = {
            'kerberos-ts': `npm:kerberos-ts@${PACKAGE_VERSION}`,
            'kerberos-ts/': `npm:/kerberos-ts@${PACKAGE_VERSION}/`,
          }
          writeFileSync(
            join(work, 'deno.json'),
            JSON.stringify({ nodeModulesDir: 'manual', imports }),
          )
        }
        const driver = basename(writeDriver(work, 'scenarios-package.mjs', task))
        const args =
          resolution === 'node_modules'
            ? [driver]
            : resolution === 'deno-node-modules'
              ? ['run', '--no-prompt', '--no-lock', '--node-modules-dir=manual', driver]
              : ['run', '--no-prompt', '--no-lock', driver]
        return await spawnForResult([binary()!, ...args], {
          cwd: work,
          env: {
            ...process.env,
            DENO_NO_UPDATE_CHECK: '1',
            NO_COLOR: '1',
            NPM_CONFIG_REGISTRY: 'http://127.0.0.1:9/',
            DENO_DIR: join(work, '.deno'),
          },
        })
      } finally {
        rmSync(work, { recursive: true, force: true })
      }
    },
  }
}

// ---- workerd ----

const WORKER = `import { runScenarios, runBench } from './scenarios.mjs'
export default {
  async fetch(request) {
    const url = new URL(request.url)
    if (url.pathname === '/bench') {
      const minMs = Number(url.searchParams.get('minMs') ?? 1000)
      const only = url.searchParams.get('only') ?? undefined
      return Response.json(await runBench({ minMs, only }))
    }
    if (url.pathname === '/globals') {
      return Response.json({ process: typeof process, Buffer: typeof Buffer, require: typeof require })
    }
    return Response.json(await runScenarios())
  },
}
`

/** No compatibilityFlags: in particular no nodejs_compat. */
const capnp = (port: number): string => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .mainWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "scenarios.mjs", esModule = embed "scenarios.mjs"),
  ],
  compatibilityDate = "2025-01-01",
);
`

/**
 * Runs inside the namespace: start workerd, wait for it, fetch the path(s), print the result
 * line. For `/bench` it measures the two parts apart and reads workerd's CPU time (utime + stime
 * from /proc/PID/stat) around each, as the worker has no CPU clock of its own.
 */
const WORKERD_DRIVER = `import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
const [workerd, config, port, path] = process.argv.slice(2)
const child = spawn(workerd, ['serve', config], { stdio: ['ignore', 'inherit', 'inherit'] })
const cpuMs = () => {
  const f = readFileSync('/proc/' + child.pid + '/stat', 'utf8').split(') ')[1].split(' ')
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100
}
const get = async (p) => {
  const r = await fetch('http://127.0.0.1:' + port + p)
  const text = await r.text()
  if (r.status !== 200) throw new Error('HTTP ' + r.status + ': ' + text)
  return text
}
try {
  let ready = false
  for (let i = 0; i < 300 && !ready; i++) {
    if (child.exitCode !== null) throw new Error('workerd exited with ' + child.exitCode)
    try {
      await get('/globals')
      ready = true
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  if (!ready) throw new Error('workerd did not answer in 30 s')
  let text
  if (path.startsWith('/bench')) {
    const out = {}
    for (const only of ['accept', 's2k']) {
      const before = cpuMs()
      const r = JSON.parse(await get(path + '&only=' + only))
      const used = cpuMs() - before
      out[only + 'PerSec'] = r[only + 'PerSec']
      out[only + 'Ops'] = r[only + 'Ops']
      out[only + 'PerCpuSec'] = used > 0 ? (r[only + 'Ops'] * 1000) / used : null
    }
    text = JSON.stringify(out)
  } else {
    text = await get(path)
  }
  console.log(${JSON.stringify(MARK)} + text)
} finally {
  child.kill('SIGKILL')
}
`

/** Run `path` of the scenario worker in workerd inside a fresh loopback-only namespace. */
export async function runInWorkerd(path: string): Promise<unknown> {
  const bundle = await scenarioBundle()
  const dir = mkdtempSync(join(tmpdir(), 'kts-workerd-'))
  const ns = createLoopbackNetns()
  try {
    const port = 8787
    copyFileSync(bundle, join(dir, 'scenarios.mjs'))
    writeFileSync(join(dir, 'worker.mjs'), WORKER)
    writeFileSync(join(dir, 'config.capnp'), capnp(port))
    writeFileSync(join(dir, 'driver.mjs'), WORKERD_DRIVER)
    const argv = ns.command(process.execPath, [
      join(dir, 'driver.mjs'),
      runtimeBinary('workerd')!,
      join(dir, 'config.capnp'),
      String(port),
      path,
    ])
    return await spawnForResult(argv, { cwd: dir })
  } finally {
    ns.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const workerdRunner: RuntimeRunner = {
  name: 'workerd',
  unavailable: () =>
    runtimeBinary('workerd') === undefined
      ? 'workerd is not installed in test/runtimes/node_modules (scripts/ensure-deps.mjs installs it)'
      : netnsUnavailable(),
  version: () =>
    execFileSync(runtimeBinary('workerd')!, ['--version'], { encoding: 'utf8' }).trim(),
  run: (task) =>
    runInWorkerd(task.kind === 'bench' ? `/bench?minMs=${Number(task.minMs)}` : '/scenarios'),
}

/** Node 20 is the Node running the tests. */
const thisNode = (): string => process.execPath

/** The name of this Node's runner: `node20` (`node22-host` if the tests run on Node 22). */
export const THIS_NODE: string = ((major) => (major === '22' ? 'node22-host' : `node${major}`))(
  process.versions.node.split('.')[0],
)

/**
 * The matrix, in report order (Node 20 first: the bench prints ratios to it). Browsers are added
 * by their own module (push onto this array or pass a longer list to the bench).
 */
export const RUNTIME_RUNNERS: RuntimeRunner[] = [
  cliRunner(THIS_NODE, thisNode, (d) => [d]),
  cliRunner(
    'node22',
    () => runtimeBinary('node22'),
    (d) => [d],
  ),
  cliRunner(
    'bun',
    () => runtimeBinary('bun'),
    (d) => [d],
  ),
  cliRunner(
    'deno',
    () => runtimeBinary('deno'),
    (d) => ['run', '--no-prompt', '--no-config', d],
  ),
  packageRunner(`${THIS_NODE}-package`, thisNode, 'node_modules'),
  packageRunner('bun-package', () => runtimeBinary('bun'), 'node_modules'),
  packageRunner('deno-node-modules', () => runtimeBinary('deno'), 'deno-node-modules'),
  packageRunner('deno-npm-import-map', () => runtimeBinary('deno'), 'deno-npm-import-map'),
  workerdRunner,
]

/** A runner by name. */
export function runtimeRunner(name: string): RuntimeRunner {
  const r = RUNTIME_RUNNERS.find((x) => x.name === name)
  if (r === undefined) throw new Error(`no runtime runner named ${name}`)
  return r
}

/** Type guard for the suite's answer to a `scenarios` task. */
export function isScenarioResults(v: unknown): v is ScenarioResult[] {
  return Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null && 'ok' in r)
}

/** Type guard for the suite's answer to a `bench` task. */
export function isBenchResult(v: unknown): v is BenchResult {
  return typeof v === 'object' && v !== null && 'acceptPerSec' in v && 's2kPerSec' in v
}
