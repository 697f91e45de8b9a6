// One engine of a shadow run (baseline or candidate) in its sandbox, spoken to over the engine RPC,
// and what ended it early if something did: a crash, a hang (no answer in time, then killed) or a
// budget (killed by the sandbox). DESIGN §3.4-3.5, issue 5 deliver 1 and 2.
import { readdir } from 'node:fs/promises'
import { setPriority } from 'node:os'
import { TypedEventEmitter } from 'main-event'
import { namedError } from '../../../contract/named-error.ts'
import type { EgressAttempt, IsolationLayer } from '../../../contract/upgrade.ts'
import {
  ENGINE_CONFIG_ENV, ENGINE_RPC_VERSION, EngineConfigSchema, EngineRpcError, parseEngineMessage, parseEngineResult,
  type EngineConfig, type EngineMethod, type EngineParams, type EngineResult, type EngineStatus
} from '../../engine/rpc/engine-rpc.ts'
import type { OptionalLayer } from '../sandbox/isolation.ts'
import { startSandbox, type SandboxedEngine } from '../sandbox/sandbox.ts'
import type { ResourceBudgets, ResourceUsage } from '../sandbox/watchdog.ts'
import type { Budget, Crash } from '../verdict/observations.ts'
import type { RunnableEngine } from './shadow-runner.ts'

export type EngineFault =
  | { kind: 'crash', crash: Crash }
  | { kind: 'hang', detail: string }
  | { kind: 'over-budget', budget: Budget }

export interface ShadowEngineInit {
  engine: RunnableEngine
  /** The engine's own directory: its data dir (identity, store) and the only place it may write. */
  workDir: string
  snapshotDir: string
  capacityBytes: number
  budgets: ResourceBudgets
  allowedHosts: string[]
  /** Not ready this long after its start is a hang: the engine is killed. */
  startupTimeoutMs: number
  /** A request unanswered this long is a hang: the engine is killed. */
  requestTimeoutMs: number
  /** Run below the live vault's priority (SHADOW_NICENESS). */
  lowPriority: boolean
  disableLayers?: Partial<Record<OptionalLayer, string>>
}

export interface ShadowEngineEvents {
  'engine:fault': CustomEvent<EngineFault>
}

export class EngineGoneError extends namedError('EngineGoneError') {}

export class EngineHangError extends namedError('EngineHangError') {}

/** Loopback only, port chosen by the system: a shadow engine must not take the live vault's port. */
const SHADOW_LISTEN = ['/ip4/127.0.0.1/tcp/0']
const STOP_GRACE_MS = 3000
/**
 * The live vault comes first (issue 5: it keeps serving throughout): shadow engines run at the
 * lowest scheduling priority, so they take the CPU the live vault leaves idle.
 */
export const SHADOW_NICENESS = 19

/**
 * Lowers every thread of `pid` (Linux schedules threads, and a thread started earlier keeps its
 * priority); where there is no /proc, the process alone. Best effort: false when not allowed.
 */
export async function lowerPriority (pid: number): Promise<boolean> {
  const threads = await readdir(`/proc/${pid}/task`).then(tasks => tasks.map(Number), () => [pid])
  let lowered = true
  for (const thread of threads) {
    try {
      setPriority(thread, SHADOW_NICENESS)
    } catch {
      lowered = false
    }
  }
  return lowered
}

interface Pending {
  method: EngineMethod
  resolve: (value: unknown) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export class ShadowEngine extends TypedEventEmitter<ShadowEngineEvents> {
  readonly sandbox: SandboxedEngine
  readonly engine: RunnableEngine
  /** The status it reported when ready; kept, since a later fault may leave no other. */
  readyStatus: EngineStatus | undefined
  /** Whether it runs below the live vault's priority (SHADOW_NICENESS). */
  lowPriority: boolean
  private readonly requestTimeoutMs: number
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private stopping = false
  private faultSeen: EngineFault | undefined
  private readonly readyPromise: Promise<EngineStatus>

  private constructor (sandbox: SandboxedEngine, init: ShadowEngineInit) {
    super()
    this.sandbox = sandbox
    this.engine = init.engine
    this.requestTimeoutMs = init.requestTimeoutMs
    this.lowPriority = init.lowPriority
    const child = sandbox.child
    this.readyPromise = new Promise<EngineStatus>((resolve, reject) => {
      const startTimer = setTimeout(() => { this.hang(`it was not ready within ${init.startupTimeoutMs} ms of starting`) }, init.startupTimeoutMs)
      child.on('message', (raw: unknown) => {
        let message
        try {
          message = parseEngineMessage(raw)
        } catch {
          return
        }
        if ('id' in message) { this.settle(message.id, message.result); return }
        if (message.event.type !== 'ready') return
        clearTimeout(startTimer)
        this.readyStatus = message.event.status
        // Threads the engine started since it was lowered at spawn (workers, the thread pool's).
        if (init.lowPriority) void lowerPriority(sandbox.pid).then(lowered => { this.lowPriority &&= lowered })
        resolve(message.event.status)
      })
      void sandbox.exited.then(exit => {
        clearTimeout(startTimer)
        const breach = sandbox.overBudgetBy
        if (breach !== undefined) this.recordFault({ kind: 'over-budget', budget: breach.budget })
        else if (!this.stopping) this.recordFault({ kind: 'crash', crash: { exitCode: exit.code, signal: exit.signal } })
        const gone = new EngineGoneError(`the engine exited (code ${exit.code}, signal ${exit.signal})${sandbox.lastComplaint() === '' ? '' : `: ${sandbox.lastComplaint()}`}`)
        for (const [id, waiter] of this.pending) {
          clearTimeout(waiter.timer)
          this.pending.delete(id)
          waiter.reject(gone)
        }
        reject(gone)
      })
    })
    // A caller that never waits for ready (a run aborted early) must not see an unhandled rejection.
    this.readyPromise.catch(() => {})
  }

  /** Starts the engine in shadow mode in its sandbox; `ready()` resolves when it serves. */
  static async start (init: ShadowEngineInit): Promise<ShadowEngine> {
    const config: EngineConfig = EngineConfigSchema.parse({
      dataDir: init.workDir,
      listen: SHADOW_LISTEN,
      bootstrap: [],
      capacityBytes: init.capacityBytes,
      localNetwork: true,
      paused: false,
      shadow: { snapshotDir: init.snapshotDir }
    })
    const sandbox = await startSandbox({
      entry: init.engine.entry,
      rootDir: init.engine.rootDir,
      readOnlyDirs: [init.snapshotDir],
      workDir: init.workDir,
      env: { [ENGINE_CONFIG_ENV]: JSON.stringify(config) },
      allowedHosts: init.allowedHosts,
      budgets: init.budgets,
      ...(init.disableLayers === undefined ? {} : { disable: init.disableLayers })
    })
    const engine = new ShadowEngine(sandbox, init)
    if (init.lowPriority) engine.lowPriority &&= await lowerPriority(sandbox.pid)
    return engine
  }

  get isolation (): IsolationLayer[] { return this.sandbox.isolation }
  get fault (): EngineFault | undefined { return this.faultSeen }

  async ready (): Promise<EngineStatus> {
    return await this.readyPromise
  }

  attempts (): EgressAttempt[] { return this.sandbox.attempts() }
  usage (): ResourceUsage { return this.sandbox.usage() }

  /** Calls a method; no answer within the request timeout is a hang, and the engine is killed. */
  async request<M extends EngineMethod> (method: M, params: EngineParams<M>): Promise<EngineResult<M>> {
    const child = this.sandbox.child
    if (this.faultSeen !== undefined || !child.connected) throw new EngineGoneError(`the engine is not running${this.faultSeen === undefined ? '' : ` (${this.faultSeen.kind})`}`)
    const id = this.nextId++
    const raw = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        const detail = `it did not answer "${method}" within ${this.requestTimeoutMs} ms`
        reject(new EngineHangError(detail))
        this.hang(detail)
      }, this.requestTimeoutMs)
      this.pending.set(id, { method, resolve, reject, timer })
      child.send({ rpc: ENGINE_RPC_VERSION, id, method, params }, err => {
        if (err === null || err === undefined) return
        clearTimeout(timer)
        this.pending.delete(id)
        reject(new EngineGoneError(`could not send "${method}" to the engine: ${err.message}`))
      })
    })
    return parseEngineResult(method, raw)
  }

  /** Asks it to stop (the RPC, then SIGTERM), kills it after a grace period; never a fault. */
  async stop (): Promise<void> {
    this.stopping = true
    const child = this.sandbox.child
    await this.sandbox.stop({
      askToStop: () => {
        if (!child.connected) { child.kill('SIGTERM'); return }
        child.send({ rpc: ENGINE_RPC_VERSION, id: this.nextId++, method: 'stop', params: {} }, err => { if (err !== null && err !== undefined) child.kill('SIGTERM') })
      },
      graceMs: STOP_GRACE_MS
    })
  }

  private settle (id: number, result: { ok: true, value: unknown } | { ok: false, error: { name: string, message: string } }): void {
    const waiter = this.pending.get(id)
    if (waiter === undefined) return
    this.pending.delete(id)
    clearTimeout(waiter.timer)
    if (result.ok) waiter.resolve(result.value)
    else waiter.reject(new EngineRpcError(`${result.error.name}: ${result.error.message}`))
  }

  private hang (detail: string): void {
    if (this.faultSeen !== undefined || this.stopping) return
    this.recordFault({ kind: 'hang', detail })
    this.sandbox.child.kill('SIGKILL')
  }

  private recordFault (fault: EngineFault): void {
    if (this.faultSeen !== undefined) return
    this.faultSeen = fault
    this.dispatchEvent(new CustomEvent('engine:fault', { detail: fault }))
  }
}
