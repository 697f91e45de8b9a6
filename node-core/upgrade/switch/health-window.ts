// The health window of a switch (DESIGN §3.7): start the new engine on the live data and watch it.
// Healthy means it became ready in time, did not exit, kept the vault's name, age and chunks, and
// the egress monitor reported no attempt outside its policy. The window ends early, on the event,
// at the first failure: nothing here waits longer than it must.
import type { TypedEventTarget } from 'main-event'
import type { EgressAttempt } from '../../../contract/upgrade.ts'
import type { EngineStatus } from '../../engine/rpc/engine-rpc.ts'
import type { EngineEgress, EngineLocation, EngineProcessState, EngineSupervisorEvents } from '../../host/engine-supervisor.ts'
import type { RunnableEngine } from '../shadow/shadow-runner.ts'
import { egressReason, exitedReason, notReadyReason, stateReasons, unresponsiveReason, type HealthBaseline } from './health-checks.ts'
import type { SwitchReason } from './switcher.ts'

/** What the switch needs of the engine supervisor (node-core/host/engine-supervisor.ts). */
export interface SwitchableSupervisor extends TypedEventTarget<EngineSupervisorEvents> {
  readonly state: EngineProcessState
  setEngine(location: EngineLocation): void
  /** Forks the engine and lets it load its code while the live one serves (a warm start). */
  prepare(location: EngineLocation): Promise<void>
  start(): Promise<EngineStatus>
  stop(options?: { keepStandby?: boolean }): Promise<void>
  request(method: 'status' | 'pause'): Promise<EngineStatus>
}

/** Waits `ms` unless `signal` aborts first, then rejects. */
export type Delay = (ms: number, signal: AbortSignal) => Promise<void>

export function locationOf (engine: RunnableEngine): EngineLocation {
  return { entry: engine.entry, rootDir: engine.rootDir }
}

export function problemOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Sums the spans the vault served nothing: each `down` ends at the next `up`. */
export class OutageClock {
  private downSince: number | undefined
  private total = 0
  private readonly now: () => number
  constructor (now: () => number) { this.now = now }
  down (): void { this.downSince ??= this.now() }
  up (): void {
    if (this.downSince === undefined) return
    this.total += this.now() - this.downSince
    this.downSince = undefined
  }

  /** Null while still down: no engine serves. */
  get downtimeMs (): number | null { return this.downSince === undefined ? this.total : null }
}

/** The supervisor's start, bounded: an engine that hangs before ready, or fails a check meanwhile, is given up on. */
export async function startBounded (supervisor: SwitchableSupervisor, delay: Delay, timeoutMs: number, signal: AbortSignal): Promise<EngineStatus> {
  const giveUp = new AbortController()
  const onFailure = (): void => { giveUp.abort() }
  signal.addEventListener('abort', onFailure, { once: true })
  try {
    return await Promise.race([
      supervisor.start(),
      delay(timeoutMs, giveUp.signal).then(
        () => { throw new Error(`not ready within ${Math.round(timeoutMs / 1000)} s`) },
        () => { throw new Error('stopped by a failed check') }
      )
    ])
  } finally {
    signal.removeEventListener('abort', onFailure)
    giveUp.abort()
  }
}

export interface HealthWindowOptions {
  supervisor: SwitchableSupervisor
  engine: RunnableEngine
  baseline: HealthBaseline
  /** Marked up when the engine is ready. */
  outage: OutageClock
  windowMs: number
  startTimeoutMs: number
  delay: Delay
  /** Called when the engine is ready and the window opens. */
  onWindowOpen: () => void
}

export interface HealthResult {
  /** Empty when healthy. */
  reasons: SwitchReason[]
  /** The engine's attempts outside its policy. */
  egress: EgressAttempt[]
}

/** Starts `engine` through the supervisor and watches it for the window. */
export async function runHealthWindow (options: HealthWindowOptions): Promise<HealthResult> {
  const { supervisor, engine, baseline } = options
  const version = engine.engineVersion
  const reasons: SwitchReason[] = []
  const egress: EgressAttempt[] = []
  const failed = new AbortController()
  let ready = false
  const fail = (found: SwitchReason[]): void => {
    if (found.length === 0 || failed.signal.aborted) return
    reasons.push(...found)
    failed.abort()
  }
  const onEgress = (event: CustomEvent<EngineEgress>): void => {
    if (event.detail.entry !== engine.entry) return
    egress.push(event.detail.attempt)
    fail([egressReason(version, event.detail.attempt)])
  }
  const onExit = (event: CustomEvent<{ code: number | null, signal: string | null }>): void => {
    if (ready) fail([exitedReason(version, event.detail.code, event.detail.signal)])
  }
  const onStatus = (event: CustomEvent<EngineStatus>): void => {
    if (ready) fail(stateReasons(baseline, event.detail, version))
  }
  supervisor.addEventListener('engine:egress', onEgress)
  supervisor.addEventListener('engine:exit', onExit)
  supervisor.addEventListener('engine:status', onStatus)
  try {
    supervisor.setEngine(locationOf(engine))
    const status = await startBounded(supervisor, options.delay, options.startTimeoutMs, failed.signal).catch((err: unknown) => {
      fail([notReadyReason(version, problemOf(err))])
      return undefined
    })
    if (status === undefined) return { reasons, egress }
    ready = true
    options.outage.up()
    fail(stateReasons(baseline, status, version))
    if (failed.signal.aborted) return { reasons, egress }
    options.onWindowOpen()
    await options.delay(options.windowMs, failed.signal).catch(() => {})
    if (failed.signal.aborted) return { reasons, egress }
    const last = await supervisor.request('status').catch((err: unknown) => { fail([unresponsiveReason(version, problemOf(err))]) })
    if (last !== undefined) fail(stateReasons(baseline, last, version))
    return { reasons, egress }
  } finally {
    supervisor.removeEventListener('engine:egress', onEgress)
    supervisor.removeEventListener('engine:exit', onExit)
    supervisor.removeEventListener('engine:status', onStatus)
  }
}
