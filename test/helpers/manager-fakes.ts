// A shadow runner, a switch, a clock and a live engine of the test's own, for the upgrade manager.
import { TypedEventEmitter } from 'main-event'
import type { ShadowVerdict, VerdictResult } from '../../contract/upgrade.ts'
import type { Clock, ClockTimer } from '../../node-core/upgrade/manager/clock.ts'
import type { LatestRelease, LiveEngine, LiveEras } from '../../node-core/upgrade/manager/manager-components.ts'
import type { RunnableEngine, ShadowRunner, ShadowRunOptions, TracedRequest } from '../../node-core/upgrade/shadow/shadow-runner.ts'
import { NoPreviousEngineError, type SwitchPhase, type SwitcherEvents, type SwitchOutcome, type Switcher } from '../../node-core/upgrade/switch/switcher.ts'

export function verdictOf (result: VerdictResult, candidateVersion: string, reason = `the candidate's ${result} reason`): ShadowVerdict {
  const metrics = (engineVersion: string): ShadowVerdict['baseline'] => ({ engineVersion, requests: 100, errors: 0, mismatches: 0, throughputPerSecond: 10, latency: [], cpuMs: 5, peakRssBytes: 1000 })
  return {
    result,
    reasons: [
      { code: result === 'fail' ? 'egress' : 'as-good', severity: result === 'fail' ? 'critical' : 'info', message: reason },
      { code: 'as-good', severity: 'info', message: 'the rest was as good' }
    ],
    baseline: metrics('0.1.0'),
    candidate: metrics(candidateVersion),
    egress: [],
    isolation: [],
    startedAt: 0,
    durationMs: 5000
  }
}

/** Each run waits until the test settles it, so the test sees the run in progress. */
export class TestShadowRunner implements ShadowRunner {
  readonly runs: ShadowRunOptions[] = []
  private pending: { resolve: (verdict: ShadowVerdict) => void, reject: (err: Error) => void } | undefined
  private waiting: (() => void) | undefined

  async run (options: ShadowRunOptions): Promise<ShadowVerdict> {
    this.runs.push(options)
    const verdict = new Promise<ShadowVerdict>((resolve, reject) => { this.pending = { resolve, reject } })
    this.waiting?.()
    return await verdict
  }

  /** Resolves once a run has started. */
  async started (): Promise<ShadowRunOptions> {
    if (this.pending === undefined) await new Promise<void>(resolve => { this.waiting = resolve })
    const last = this.runs.at(-1)
    if (last === undefined) throw new Error('no run started')
    return last
  }

  finish (verdict: ShadowVerdict): void {
    const pending = this.pending
    this.pending = undefined
    this.waiting = undefined
    pending?.resolve(verdict)
  }

  fail (err: Error): void {
    const pending = this.pending
    this.pending = undefined
    this.waiting = undefined
    pending?.reject(err)
  }
}

const ref = (engine: RunnableEngine): SwitchOutcome['from'] => ({ engineVersion: engine.engineVersion, bundleSha256: engine.bundleSha256 })

/** Switches as told: the next switchTo passes its health window unless `failNext` is set. */
export class TestSwitcher extends TypedEventEmitter<SwitcherEvents> implements Switcher {
  readonly switchedTo: RunnableEngine[] = []
  rollbacks = 0
  failNext: string | undefined
  private live: RunnableEngine
  private previous: RunnableEngine | undefined
  private readonly now: () => number

  constructor (live: RunnableEngine, now: () => number) {
    super()
    this.live = live
    this.now = now
  }

  async switchTo (engine: RunnableEngine): Promise<SwitchOutcome> {
    this.switchedTo.push(engine)
    this.setPhase('draining')
    this.setPhase('health-window')
    const failure = this.failNext
    this.failNext = undefined
    if (failure !== undefined) {
      return this.finish({ kind: 'rolled-back', from: ref(engine), to: ref(this.live), reasons: [{ check: 'chunks', severity: 'critical', message: failure }], failedVersion: engine.engineVersion, backupDir: '/backups/1' })
    }
    const from = this.live
    this.previous = from
    this.live = engine
    return this.finish({ kind: 'switched', from: ref(from), to: ref(engine), reasons: [{ check: 'healthy', severity: 'info', message: `${engine.engineVersion} was healthy` }], failedVersion: null, backupDir: '/backups/1' })
  }

  async rollback (): Promise<SwitchOutcome> {
    const previous = this.previous
    if (previous === undefined) throw new NoPreviousEngineError('there is no previous engine to roll back to: no switch has happened')
    this.rollbacks++
    return this.backTo(previous, 'manual-rollback', 'rolled back at the owner\'s request', null)
  }

  /** What the live egress watch does on its own, long after the switch (DESIGN §3.8). */
  liveEgressRollback (): SwitchOutcome {
    const previous = this.previous
    if (previous === undefined) throw new Error('nothing to roll back to')
    return this.backTo(previous, 'rolled-back', `${this.live.engineVersion} reached 203.0.113.9:443 once live`, this.live.engineVersion)
  }

  private backTo (previous: RunnableEngine, kind: SwitchOutcome['kind'], message: string, failedVersion: string | null): SwitchOutcome {
    const from = this.live
    this.live = previous
    this.previous = undefined
    this.setPhase('rolling-back')
    return this.finish({ kind, from: ref(from), to: ref(previous), reasons: [{ check: 'rollback', severity: 'critical', message }], failedVersion, backupDir: '/backups/1' })
  }

  private setPhase (phase: SwitchPhase | null): void {
    this.dispatchEvent(new CustomEvent('switch:phase', { detail: { phase, since: this.now() } }))
  }

  private finish (outcome: Pick<SwitchOutcome, 'kind' | 'from' | 'to' | 'reasons' | 'failedVersion' | 'backupDir'>): SwitchOutcome {
    this.setPhase(null)
    const done: SwitchOutcome = { ...outcome, running: true, downtimeMs: 1200, egress: [], startedAt: this.now(), finishedAt: this.now() }
    this.dispatchEvent(new CustomEvent('switch:outcome', { detail: done }))
    return done
  }
}

/** Time moves only when the test says so; due timers fire then. */
export class TestClock implements Clock {
  private time: number
  private timers: Array<{ due: number, callback: () => void, cancelled: boolean }> = []

  constructor (start: number) { this.time = start }

  now (): number { return this.time }

  setTimer (callback: () => void, delayMs: number): ClockTimer {
    const timer = { due: this.time + delayMs, callback, cancelled: false }
    this.timers.push(timer)
    return { cancel: () => { timer.cancelled = true } }
  }

  /** When the next live timer is due, if any. */
  get nextDue (): number | undefined {
    return this.timers.filter(timer => !timer.cancelled).map(timer => timer.due).sort((a, b) => a - b)[0]
  }

  advanceTo (time: number): void {
    this.time = time
    const due = this.timers.filter(timer => !timer.cancelled && timer.due <= time)
    this.timers = this.timers.filter(timer => !due.includes(timer))
    for (const timer of due) timer.callback()
  }
}

export class TestLiveEngine implements LiveEngine {
  readonly dataDir: string
  vaultName = ''
  latest: LatestRelease | null = null
  traced: TracedRequest[] = [{ at: 1, op: 'get', address: 'ab'.repeat(32) }]
  traceError: Error | undefined

  constructor (dataDir: string) { this.dataDir = dataDir }
  name (): string { return this.vaultName }
  async trace (): Promise<TracedRequest[]> {
    if (this.traceError !== undefined) throw this.traceError
    return this.traced
  }

  latestRelease (): LatestRelease | null { return this.latest }
  liveEras: LiveEras | null = { active: 1, supported: [1] }
  eras (): LiveEras | null { return this.liveEras }
}
