// Runs an engine (baseline or candidate of a shadow run) with every isolation layer this machine
// allows (DESIGN §3.5, issue 5 deliver 1): a private network namespace, the Node permission model,
// the egress monitor, an environment allow-list and CPU and memory budgets. The handle says which
// layers were in force, every attempt to reach outside, and the resources used.
import { spawn, type ChildProcess } from 'node:child_process'
import { realpath, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { TypedEventEmitter } from 'main-event'
import { namedError } from '../../../contract/named-error.ts'
import type { EgressAttempt, IsolationLayer } from '../../../contract/upgrade.ts'
import { lastStderrLine, stopChild } from '../../host/child-process.ts'
import { probeIsolation, type OptionalLayer } from './isolation.ts'
import { egressMonitorUrl, monitorEnv, readMonitorLines, type EgressPolicy } from './monitor-report.ts'
import { DEFAULT_WATCHDOG_INTERVAL_MS, startWatchdog, type BudgetBreach, type ResourceBudgets, type ResourceUsage, type ResourceWatchdog } from './watchdog.ts'

export interface SandboxOptions {
  /** The Node program to run, e.g. an unpacked bundle's node-core/engine/engine-main.ts. */
  entry: string
  args?: string[]
  /** The directory holding the program and its node_modules (readable, not writable). */
  rootDir: string
  /** Read-only snapshot directories (the copy of the live store). */
  readOnlyDirs?: string[]
  /** The sandbox's own directory: its working directory and the only place it may write. */
  workDir: string
  /** Passed on top of PATH, LANG and TZ (e.g. VAULT_ENGINE_CONFIG); nothing else of the host's environment is. */
  env?: Record<string, string>
  /** Hosts (or "host:port") the release's signed egress policy allows; nothing else is reachable. */
  allowedHosts?: string[]
  budgets: ResourceBudgets
  watchdogIntervalMs?: number
  signal?: AbortSignal
  /** Layers to force off, with the reason to report (tests; a machine where one misbehaves). */
  disable?: Partial<Record<OptionalLayer, string>>
}

export interface SandboxExit { code: number | null, signal: NodeJS.Signals | null }

export interface SandboxEvents {
  'sandbox:egress': CustomEvent<EgressAttempt>
  'sandbox:budget': CustomEvent<BudgetBreach>
  'sandbox:exit': CustomEvent<SandboxExit>
  /** A line on the monitor's descriptor that is not an attempt: the engine wrote there itself. */
  'sandbox:monitor-invalid': CustomEvent<{ message: string }>
}

export class SandboxStartError extends namedError('SandboxStartError') {}

/** The child's descriptor the egress monitor writes to (after stdin, stdout, stderr and IPC). */
const MONITOR_FD = 4
const PASSED_ENV = ['PATH', 'LANG', 'TZ']
const STOP_GRACE_MS = 5000
/** Attempts kept for the report, per verdict; events still announce every one. */
const MAX_KEPT_ATTEMPTS = 10_000
const MIB = 1024 * 1024
const HEAP_EXHAUSTED = /JavaScript heap out of memory|Reached heap limit/
/** Enough of stderr's end to find V8's message when it arrives split across chunks. */
const HEAP_EXHAUSTED_WINDOW = 256

export class SandboxedEngine extends TypedEventEmitter<SandboxEvents> {
  readonly child: ChildProcess
  readonly pid: number
  /** The layers in force for this engine. */
  readonly isolation: IsolationLayer[]
  readonly exited: Promise<SandboxExit>
  /** The last line the engine wrote to stderr, for error messages. */
  readonly lastComplaint: () => string
  private readonly kept: EgressAttempt[] = []
  private readonly keptCount = { allowed: 0, blocked: 0 }
  private watchdog: ResourceWatchdog | undefined
  private breach: BudgetBreach | undefined

  constructor (child: ChildProcess, pid: number, isolation: IsolationLayer[], options: SandboxOptions) {
    super()
    this.child = child
    this.pid = pid
    this.isolation = isolation
    this.lastComplaint = lastStderrLine(child)
    child.stdout?.resume()
    const monitor = child.stdio[MONITOR_FD]
    if (monitor instanceof Readable) {
      readMonitorLines(monitor, attempt => { this.onAttempt(attempt) }, err => {
        this.dispatchEvent(new CustomEvent('sandbox:monitor-invalid', { detail: { message: err.message } }))
      })
    }
    let heapExhausted = false
    let recentStderr = ''
    child.stderr?.on('data', (data: Buffer) => {
      const text = recentStderr + data.toString('utf8')
      if (HEAP_EXHAUSTED.test(text)) heapExhausted = true
      recentStderr = text.slice(-HEAP_EXHAUSTED_WINDOW)
    })
    if (isolation.some(layer => layer.layer === 'resource-budgets' && layer.active)) {
      this.watchdog = startWatchdog({
        pid,
        budgets: options.budgets,
        intervalMs: options.watchdogIntervalMs,
        onBreach: breach => { this.overBudget(breach) }
      })
    }
    child.once('exit', () => { this.watchdog?.stop() })
    // 'close' waits for the monitor's descriptor to be drained too, so attempts() is complete.
    this.exited = new Promise(resolve => {
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        if (heapExhausted && this.breach === undefined) {
          this.overBudget({ budget: 'memory', limit: options.budgets.memoryBytes, use: Math.max(options.budgets.memoryBytes, this.usage().peakRssBytes), enforcedBy: 'heap-limit' })
        }
        this.dispatchEvent(new CustomEvent('sandbox:exit', { detail: { code, signal } }))
        resolve({ code, signal })
      })
    })
    const signal = options.signal
    if (signal !== undefined) {
      const onAbort = (): void => { void this.stop() }
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
      void this.exited.then(() => { signal.removeEventListener('abort', onAbort) })
    }
  }

  /** Every attempt to reach outside, in order, blocked or not. */
  attempts (): EgressAttempt[] {
    return [...this.kept]
  }

  usage (): ResourceUsage {
    return this.watchdog?.usage() ?? { cpuMs: 0, peakRssBytes: 0 }
  }

  /** The budget it crossed, if it did. */
  get overBudgetBy (): BudgetBreach | undefined {
    return this.breach
  }

  /** Asks it to stop (by default SIGTERM; an engine RPC 'stop' is kinder) and kills it after the grace period. */
  async stop (options: { askToStop?: () => Promise<void> | void, graceMs?: number } = {}): Promise<void> {
    const child = this.child
    await stopChild(child, options.askToStop ?? (() => { child.kill('SIGTERM') }), options.graceMs ?? STOP_GRACE_MS)
    await this.exited
  }

  private onAttempt (attempt: EgressAttempt): void {
    // Allowed attempts cannot crowd out blocked ones: each verdict has its own allowance.
    const verdict = attempt.allowed ? 'allowed' : 'blocked'
    if (this.keptCount[verdict] < MAX_KEPT_ATTEMPTS) {
      this.keptCount[verdict]++
      this.kept.push(attempt)
    }
    this.dispatchEvent(new CustomEvent('sandbox:egress', { detail: attempt }))
  }

  private overBudget (breach: BudgetBreach): void {
    if (this.breach !== undefined) return
    this.breach = breach
    this.child.kill('SIGKILL')
    this.dispatchEvent(new CustomEvent('sandbox:budget', { detail: breach }))
  }
}

async function readableRoots (options: SandboxOptions, monitorPath: string): Promise<string[]> {
  const roots = [options.rootDir, options.workDir, ...(options.readOnlyDirs ?? [])].map(dir => resolve(dir))
  // The bundle's node_modules is a link to the pinned packages: the permission model checks real paths.
  const real = await Promise.all(roots.map(async dir => await realpath(dir).catch((err: unknown) => {
    throw new SandboxStartError(`the sandbox cannot read ${dir}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  })))
  const modules = await realpath(join(options.rootDir, 'node_modules')).catch(() => undefined)
  return [...new Set([...roots, ...real, ...(modules === undefined ? [] : [modules]), monitorPath])]
}

function environment (options: SandboxOptions, policy: EgressPolicy): Record<string, string> {
  const env: Record<string, string> = {}
  for (const key of PASSED_ENV) {
    const value = process.env[key]
    if (value !== undefined) env[key] = value
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    // NODE_OPTIONS and friends could lift the permission model.
    if (key.startsWith('NODE_')) throw new RangeError(`"env" expected no NODE_* keys (they change how Node runs), got ${key}`)
    env[key] = value
  }
  return { ...env, ...monitorEnv(policy, MONITOR_FD) }
}

/** Starts `options.entry` in a sandbox; resolves once the process runs. */
export async function startSandbox (options: SandboxOptions): Promise<SandboxedEngine> {
  options.signal?.throwIfAborted()
  const workDir = resolve(options.workDir)
  if (!(await stat(workDir).catch(() => undefined))?.isDirectory()) throw new SandboxStartError(`the sandbox's work directory ${workDir} does not exist`)
  const probe = await probeIsolation({ disable: options.disable })
  const monitorPath = fileURLToPath(egressMonitorUrl)
  const policy: EgressPolicy = { mode: 'sandbox', allowedHosts: options.allowedHosts ?? [], writableDirs: [workDir, await realpath(workDir)] }
  const env = environment(options, policy)
  const readable = await readableRoots(options, monitorPath)

  const permission = probe.permissionModel.available
    ? ['--permission', ...readable.map(dir => `--allow-fs-read=${dir}`), `--allow-fs-write=${workDir}`]
    : []
  const nodeArgs = [
    ...permission,
    '--import', egressMonitorUrl.href,
    `--max-old-space-size=${Math.max(1, Math.ceil(options.budgets.memoryBytes / MIB))}`,
    resolve(options.entry), ...(options.args ?? [])
  ]
  const netns = probe.networkNamespace
  const [command, args] = netns.available
    ? [netns.command[0] ?? 'unshare', [...netns.command.slice(1), '--', 'sh', '-c', 'ip link set lo up && unset PWD OLDPWD && exec "$0" "$@"', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs]
  const child = spawn(command, args, { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'], serialization: 'advanced' })
  await new Promise<void>((resolveSpawn, reject) => {
    child.once('spawn', resolveSpawn)
    child.once('error', err => { reject(new SandboxStartError(`could not start the sandbox (${command}): ${err.message}`, { cause: err })) })
  })
  const pid = child.pid
  if (pid === undefined) throw new SandboxStartError(`could not start the sandbox (${command}): no process id`)

  const intervalMs = options.watchdogIntervalMs ?? DEFAULT_WATCHDOG_INTERVAL_MS
  const isolation: IsolationLayer[] = [
    { layer: 'network-namespace', active: netns.available, detail: netns.detail },
    {
      layer: 'permission-model',
      active: probe.permissionModel.available,
      detail: probe.permissionModel.available
        ? `${probe.permissionModel.detail}: reads ${readable.join(', ')}; writes only ${workDir}; no child processes, workers or addons`
        : probe.permissionModel.detail
    },
    {
      layer: 'egress-monitor',
      active: true,
      detail: `sandbox policy, allowed hosts: ${policy.allowedHosts.length === 0 ? 'none' : policy.allowedHosts.join(', ')}; reports on descriptor ${MONITOR_FD}`
    },
    { layer: 'environment-allow-list', active: true, detail: `passed: ${Object.keys(env).join(', ')}` },
    {
      layer: 'resource-budgets',
      active: probe.resourceBudgets.available,
      detail: probe.resourceBudgets.available
        ? `CPU ${options.budgets.cpuMs} ms and memory ${(options.budgets.memoryBytes / MIB).toFixed(0)} MiB, checked every ${intervalMs} ms; over budget is killed`
        : `${probe.resourceBudgets.detail}; only the JavaScript heap is capped (--max-old-space-size)`
    }
  ]
  return new SandboxedEngine(child, pid, isolation, { ...options, watchdogIntervalMs: intervalMs })
}
