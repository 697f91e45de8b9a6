// Runs the live engine as a child process and keeps it running: restarts it with exponential
// back-off when it dies, and gives up (state 'failed') on a crash loop instead of thrashing.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { TypedEventEmitter } from 'main-event'
import { lastStderrLine, stopChild } from './child-process.ts'
import { RemoteError, type ErrorValue, type Result } from '../../contract/host-api.ts'
import {
  ENGINE_CONFIG_ENV, ENGINE_RPC_VERSION, ENGINE_STANDBY_ENV, engineAnswerWithinMs, EngineRpcError, EngineStatusSchema, engineRpcSpec, parseEngineMessage, parseEngineResult,
  type EngineConfig, type EngineMethod, type EngineParams, type EngineResult, type EngineStatus
} from '../engine/rpc/engine-rpc.ts'
import type { EgressAttempt } from '../../contract/upgrade.ts'
import { liveEngineLaunch, watchLiveEgress, type LiveEgressInit } from '../upgrade/switch/live-egress.ts'

export type EngineProcessState = 'stopped' | 'starting' | 'running' | 'restarting' | 'failed'

export interface EngineSupervisorInit {
  config: () => EngineConfig
  /** The engine entry; by default node-core/engine/engine-main next to this file. */
  entry?: string
  /** The directory the entry and its node_modules live under, the engine's working directory; by default the app's. */
  rootDir?: string
  /** The live egress watch (DESIGN §3.8): every live engine runs under the egress monitor unless this is false. */
  egressMonitor?: LiveEgressInit | false
  restart?: Partial<RestartPolicy>
  requestTimeoutMs?: number
  now?: () => number
}

export interface RestartPolicy {
  initialDelayMs: number
  maxDelayMs: number
  /** This many crashes inside `crashWindowMs` is a crash loop. */
  crashLoopCount: number
  crashWindowMs: number
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  crashLoopCount: 5,
  crashWindowMs: 120_000
}

export interface EngineSupervisorEvents {
  'engine:state': CustomEvent<EngineProcessState>
  'engine:status': CustomEvent<EngineStatus>
  'engine:activity': CustomEvent<{ at: number, kind: string, message: string }>
  'engine:exit': CustomEvent<{ code: number | null, signal: string | null, restartInMs: number | undefined }>
  /** An attempt to reach outside the live policy, reported by the egress monitor (allowed ones are only counted). */
  'engine:egress': CustomEvent<EngineEgress>
}

/** Keys an object of type P must have (an empty object cannot stand in for Pick<P, K>). */
type RequiredKeys<P> = { [K in keyof P]-?: Record<never, never> extends Pick<P, K> ? never : K }[keyof P]
/** A method whose params are all optional may be called without them: `request('status')`. */
type ParamsArgument<M extends EngineMethod> = [RequiredKeys<EngineParams<M>>] extends [never] ? [params?: EngineParams<M>] : [params: EngineParams<M>]

/** Delay before restart number `crashes` (1 = first crash): doubling, capped. */
export function restartDelay (crashes: number, policy: RestartPolicy): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, crashes - 1))
}

/** The environment an engine gets: an allow-list, never the host's whole environment. */
const PASSED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SYSTEMROOT', 'NODE_OPTIONS', 'ELECTRON_RUN_AS_NODE']

/** Which engine runs: the one shipped with the app, or an installed bundle (DESIGN §3.7). */
export interface EngineLocation {
  /** Absolute path of the entry point. */
  entry: string
  rootDir: string
}

export interface EngineEgress {
  attempt: EgressAttempt
  /** The entry of the engine that made it, so an attempt is never blamed on the engine after it. */
  entry: string
}

/** An engine forked ahead of its start, its code loaded, waiting for `begin`. */
interface StandbyEngine {
  child: ChildProcess
  location: EngineLocation
  monitored: boolean
  lastComplaint: () => string
  /** Detaches the listeners that watched it on standby. */
  release: () => void
}

const defaultRootDir = fileURLToPath(new URL('../../', import.meta.url))

const defaultEntry = new URL(`../engine/engine-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)

export class EngineSupervisor extends TypedEventEmitter<EngineSupervisorEvents> {
  private readonly init: EngineSupervisorInit
  private readonly policy: RestartPolicy
  private readonly now: () => number
  private child: ChildProcess | undefined
  private restartTimer: NodeJS.Timeout | undefined
  private crashTimes: number[] = []
  private nextRequestId = 0
  private readonly pending = new Map<number, { settle: (result: Result<unknown>) => void, reject: (err: Error) => void, timer: NodeJS.Timeout }>()
  private currentState: EngineProcessState = 'stopped'
  private wanted = false
  restarts = 0
  startedAt: number | null = null
  lastStatus: EngineStatus | undefined
  lastError: ErrorValue | undefined
  /** What the egress monitor reported of live engines since this supervisor was made. */
  readonly egressCounts = { allowed: 0, denied: 0 }
  private location: EngineLocation
  private watched = false
  private standby: StandbyEngine | undefined

  constructor (init: EngineSupervisorInit) {
    super()
    this.init = init
    this.location = { entry: init.entry ?? fileURLToPath(defaultEntry), rootDir: init.rootDir ?? defaultRootDir }
    this.policy = { ...DEFAULT_RESTART_POLICY, ...init.restart }
    this.now = init.now ?? Date.now
  }

  get state (): EngineProcessState { return this.currentState }
  get pid (): number | null { return this.child?.pid ?? null }
  get engine (): EngineLocation { return { ...this.location } }
  /** Whether the engine running now is under the egress monitor. */
  get monitored (): boolean { return this.child !== undefined && this.watched }

  /** Chooses the engine the next start runs; the one running now is not touched. */
  setEngine (location: EngineLocation): void {
    this.location = { ...location }
  }

  /** Starts the engine and resolves once it reports ready (or rejects if it dies first). */
  async start (): Promise<EngineStatus> {
    this.wanted = true
    this.crashTimes = []
    return await this.spawn()
  }

  /**
   * Forks `location`'s engine and lets it load its code while the live one still serves; the next
   * start of that location only has to begin it (DESIGN §3.7: a switch's downtime is the start,
   * not the load). Rejects if it dies or complains before it is ready to begin.
   */
  async prepare (location: EngineLocation): Promise<void> {
    this.discardStandby()
    const launched = this.forkLive(location, { [ENGINE_STANDBY_ENV]: '1' })
    const { child } = launched
    const lastComplaint = lastStderrLine(child)
    await new Promise<void>((resolve, reject) => {
      const onMessage = (raw: unknown): void => {
        let message
        try { message = parseEngineMessage(raw) } catch { return }
        if (!('event' in message)) return
        if (message.event.type === 'standby') {
          release()
          this.standby = { child, location: { ...location }, monitored: launched.monitored, lastComplaint, release: () => {} }
          // One that dies on standby is forgotten: the start forks afresh.
          const onStandbyExit = (): void => { if (this.standby?.child === child) this.standby = undefined }
          child.once('exit', onStandbyExit)
          this.standby.release = () => { child.off('exit', onStandbyExit) }
          resolve()
        } else if (message.event.type === 'fatal') {
          release()
          void stopChild(child, () => { child.kill('SIGTERM') }, 1000)
          reject(new EngineRpcError(`the engine failed while loading: ${message.event.error.name}: ${message.event.error.message}`))
        }
      }
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        release()
        const reason = lastComplaint()
        reject(new EngineRpcError(`the engine exited while loading (code ${code}, signal ${signal})${reason === '' ? '' : `: ${reason}`}`))
      }
      const release = (): void => {
        child.off('message', onMessage)
        child.off('exit', onExit)
      }
      child.on('message', onMessage)
      child.once('exit', onExit)
    })
  }

  /** Stops the engine; a prepared one stays on standby only when asked (a switch stops the old engine first). */
  async stop (options: { keepStandby?: boolean } = {}): Promise<void> {
    if (options.keepStandby !== true) this.discardStandby()
    this.wanted = false
    clearTimeout(this.restartTimer)
    const child = this.child
    if (child !== undefined) await stopChild(child, async () => { await this.request('stop') }, 5000)
    this.setState('stopped')
  }

  /**
   * Calls an engine RPC method and resolves with its parsed result; an error the engine answered
   * rejects as a RemoteError keeping the engine's error name (ShadowModeRequiredError, ...).
   */
  async request<M extends EngineMethod> (method: M, ...[params]: ParamsArgument<M>): Promise<EngineResult<M>> {
    const child = this.child
    if (child === undefined || !child.connected) throw new EngineRpcError(`the engine is not running (${this.currentState})`)
    const id = this.nextRequestId++
    return await new Promise<EngineResult<M>>((resolve, reject) => {
      const timeoutMs = engineAnswerWithinMs(method, this.init.requestTimeoutMs ?? 10_000)
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new EngineRpcError(`the engine did not answer "${method}" within ${timeoutMs} ms`))
      }, timeoutMs)
      const settle = (result: Result<unknown>): void => {
        if (!result.ok) { reject(new RemoteError(result.error)); return }
        try {
          const value = parseEngineResult(method, result.value)
          if (engineRpcSpec[method].result === EngineStatusSchema) this.updateStatus(EngineStatusSchema.parse(value))
          resolve(value)
        } catch (err) {
          reject(err instanceof Error ? err : new EngineRpcError(String(err)))
        }
      }
      this.pending.set(id, { settle, reject, timer })
      child.send({ rpc: ENGINE_RPC_VERSION, id, method, ...(params === undefined ? {} : { params }) })
    })
  }

  /** The prepared engine, if it is the one to start and still waits. */
  private takeStandby (): StandbyEngine | undefined {
    const standby = this.standby
    this.standby = undefined
    if (standby === undefined) return undefined
    standby.release()
    const same = standby.location.entry === this.location.entry && standby.location.rootDir === this.location.rootDir
    if (same && standby.child.connected && standby.child.exitCode === null) return standby
    void stopChild(standby.child, () => { standby.child.kill('SIGTERM') }, 1000)
    return undefined
  }

  private discardStandby (): void {
    const standby = this.standby
    this.standby = undefined
    if (standby === undefined) return
    standby.release()
    void stopChild(standby.child, () => { standby.child.kill('SIGTERM') }, 1000)
  }

  private async spawn (): Promise<EngineStatus> {
    this.setState(this.restarts > 0 ? 'restarting' : 'starting')
    const standby = this.takeStandby()
    const launched = standby ?? { ...this.forkLive(this.location), lastComplaint: undefined }
    const child = launched.child
    this.child = child
    this.watched = launched.monitored
    const lastComplaint = launched.lastComplaint ?? lastStderrLine(child)
    // The reply to `begin` is not waited on: 'ready' (or the exit) settles the start as on a cold one.
    if (standby !== undefined) child.send({ rpc: ENGINE_RPC_VERSION, id: this.nextRequestId++, method: 'begin' })

    return await new Promise<EngineStatus>((resolve, reject) => {
      let ready = false
      child.on('message', (raw: unknown) => {
        let message
        try {
          message = parseEngineMessage(raw)
        } catch (err) {
          this.activity('rpc:invalid', err instanceof Error ? err.message : String(err))
          return
        }
        if ('id' in message) {
          const waiter = this.pending.get(message.id)
          if (waiter === undefined) return
          this.pending.delete(message.id)
          clearTimeout(waiter.timer)
          waiter.settle(message.result)
          return
        }
        const event = message.event
        switch (event.type) {
          case 'standby':
            return
          case 'ready':
            ready = true
            this.startedAt = this.now()
            this.lastError = undefined
            this.updateStatus(event.status)
            this.setState('running')
            resolve(event.status)
            return
          case 'status':
            this.updateStatus(event.status)
            return
          case 'activity':
            this.dispatchEvent(new CustomEvent('engine:activity', { detail: event.activity }))
            return
          case 'fatal':
            this.lastError = event.error
            this.activity('engine:fatal', `${event.error.name}: ${event.error.message}`)
            return
          default: {
            const unknownEvent: never = event
            this.activity('rpc:invalid', `unknown engine event ${JSON.stringify(unknownEvent)}`)
          }
        }
      })
      child.once('exit', (code, signal) => {
        this.child = undefined
        this.startedAt = null
        for (const [id, waiter] of this.pending) {
          clearTimeout(waiter.timer)
          waiter.reject(new EngineRpcError('the engine exited before it answered'))
          this.pending.delete(id)
        }
        const reason = this.lastError?.message ?? lastComplaint()
        if (!ready) reject(new EngineRpcError(`the engine exited during start-up (code ${code}, signal ${signal})${reason === '' ? '' : `: ${reason}`}`))
        this.onExit(code, signal)
      })
    })
  }

  private onExit (code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.wanted) {
      this.dispatchEvent(new CustomEvent('engine:exit', { detail: { code, signal, restartInMs: undefined } }))
      this.setState('stopped')
      return
    }
    const now = this.now()
    this.crashTimes = [...this.crashTimes.filter(time => now - time < this.policy.crashWindowMs), now]
    if (this.crashTimes.length >= this.policy.crashLoopCount) {
      this.dispatchEvent(new CustomEvent('engine:exit', { detail: { code, signal, restartInMs: undefined } }))
      this.setState('failed')
      return
    }
    const delay = restartDelay(this.crashTimes.length, this.policy)
    this.dispatchEvent(new CustomEvent('engine:exit', { detail: { code, signal, restartInMs: delay } }))
    this.setState('restarting')
    this.restartTimer = setTimeout(() => {
      this.restarts++
      this.spawn().catch(() => { /* its exit schedules the next attempt */ })
    }, delay)
  }

  private updateStatus (status: EngineStatus): void {
    this.lastStatus = status
    this.dispatchEvent(new CustomEvent('engine:status', { detail: status }))
  }

  private setState (state: EngineProcessState): void {
    if (state === this.currentState) return
    this.currentState = state
    this.dispatchEvent(new CustomEvent('engine:state', { detail: state }))
  }

  /** Forks the chosen engine, under the live egress monitor when this build has it (DESIGN §3.8). */
  private forkLive (location: EngineLocation, extraEnv: NodeJS.ProcessEnv = {}): { child: ChildProcess, monitored: boolean } {
    const { entry, rootDir } = location
    // The config is built once per launch: it goes to the engine and names the dir it may write.
    const config = this.init.config()
    const env: NodeJS.ProcessEnv = { ...extraEnv, [ENGINE_CONFIG_ENV]: JSON.stringify(config) }
    for (const key of PASSED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key]
    const launch = liveEngineLaunch(config.dataDir, this.init.egressMonitor ?? {})
    if (!launch.monitored) this.activity('monitor:unavailable', launch.detail)
    const child = fork(entry, [], { cwd: rootDir, env: { ...env, ...launch.env }, execArgv: launch.execArgv, stdio: launch.stdio, serialization: 'advanced' })
    if (launch.monitored) {
      watchLiveEgress(child, attempt => {
        if (attempt.allowed) {
          this.egressCounts.allowed++
          return
        }
        this.egressCounts.denied++
        this.activity('engine:egress', `the engine tried to reach ${attempt.target} (${attempt.kind}), which its policy does not allow`)
        this.dispatchEvent(new CustomEvent('engine:egress', { detail: { attempt, entry } }))
      }, err => { this.activity('monitor:invalid', err.message) })
    }
    return { child, monitored: launch.monitored }
  }

  private activity (kind: string, message: string): void {
    this.dispatchEvent(new CustomEvent('engine:activity', { detail: { at: this.now(), kind, message } }))
  }
}
