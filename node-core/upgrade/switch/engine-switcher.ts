// Switch and rollback of the live engine (DESIGN §3.7, issue 5 deliver 5): drain, stop, back up
// what a migration touches, start the new engine on the live data, watch a health window, and on
// any failure restore the previous engine and its data. The live egress watch (DESIGN §3.8) never
// ends: a switched-to engine that reaches outside its policy, however long after its window, is
// rolled back and named as failed.
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { TypedEventEmitter } from 'main-event'
import type { EngineStatus } from '../../engine/rpc/engine-rpc.ts'
import type { EngineEgress } from '../../host/engine-supervisor.ts'
import type { RunnableEngine } from '../shadow/shadow-runner.ts'
import { backupData, pruneBackups, readBackup, restoreData, type DataBackup } from './data-backup.ts'
import { baselineOf, egressReason, healthyReason } from './health-checks.ts'
import {
  locationOf, OutageClock, problemOf, runHealthWindow, startBounded, type Delay, type SwitchableSupervisor
} from './health-window.ts'
import {
  EngineNotRunningError, NoPreviousEngineError, SwitchInProgressError,
  type EngineRef, type SwitcherEvents, type SwitchOutcome, type SwitchPhase, type SwitchReason, type Switcher
} from './switcher.ts'

/** DESIGN §3.7: long enough for a new engine to join its peers and serve. */
export const DEFAULT_HEALTH_WINDOW_MS = 60_000
export const DEFAULT_START_TIMEOUT_MS = 60_000
/** In-flight requests finish within this once new data is refused (the engine counts none for us). */
export const DEFAULT_DRAIN_GRACE_MS = 500
export const DEFAULT_KEEP_BACKUPS = 3

export type { SwitchableSupervisor } from './health-window.ts'

export interface EngineSwitcherComponents {
  supervisor: SwitchableSupervisor
}

export interface EngineSwitcherInit {
  /** The live engine's data directory (EngineConfig.dataDir). */
  dataDir: string
  /** The engine the supervisor runs now. */
  current: RunnableEngine
  /** The engine live before the last switch and the backup taken then (persisted by the manager). */
  previous?: { engine: RunnableEngine, backupDir: string }
  /** Where backups go; `<dataDir>/backups` by default. */
  backupsDir?: string
  healthWindowMs?: number
  startTimeoutMs?: number
  drainGraceMs?: number
  keepBackups?: number
  now?: () => number
  /** Injectable so tests end windows by events. */
  delay?: Delay
}

interface Previous { engine: RunnableEngine, backup: DataBackup | string }

function refOf (engine: RunnableEngine): EngineRef {
  return { engineVersion: engine.engineVersion, bundleSha256: engine.bundleSha256 }
}

export class EngineSwitcher extends TypedEventEmitter<SwitcherEvents> implements Switcher {
  private readonly supervisor: SwitchableSupervisor
  private readonly dataDir: string
  private readonly backupsDir: string
  private readonly healthWindowMs: number
  private readonly startTimeoutMs: number
  private readonly drainGraceMs: number
  private readonly keepBackups: number
  private readonly now: () => number
  private readonly delay: Delay
  private live: RunnableEngine
  private previous: Previous | undefined
  private busy: Promise<SwitchOutcome> | undefined

  constructor (components: EngineSwitcherComponents, init: EngineSwitcherInit) {
    super()
    this.supervisor = components.supervisor
    this.dataDir = init.dataDir
    this.backupsDir = init.backupsDir ?? join(init.dataDir, 'backups')
    this.healthWindowMs = init.healthWindowMs ?? DEFAULT_HEALTH_WINDOW_MS
    this.startTimeoutMs = init.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS
    this.drainGraceMs = init.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS
    this.keepBackups = init.keepBackups ?? DEFAULT_KEEP_BACKUPS
    this.now = init.now ?? Date.now
    this.delay = init.delay ?? (async (ms, signal) => { await sleep(ms, undefined, { signal }) })
    this.live = init.current
    this.previous = init.previous === undefined ? undefined : { engine: init.previous.engine, backup: init.previous.backupDir }
    // The watch is armed from the start: an engine switched to before the app restarted is still watched.
    this.supervisor.addEventListener('engine:egress', this.onLiveEgress)
  }

  /** The engine live now, and the one a rollback returns to. */
  get current (): RunnableEngine { return this.live }
  get previousEngine (): RunnableEngine | undefined { return this.previous?.engine }

  /** Disarms the live egress watch, after any switch in progress has ended. */
  async stop (): Promise<void> {
    this.supervisor.removeEventListener('engine:egress', this.onLiveEgress)
    await this.busy?.catch(() => {})
  }

  async switchTo (engine: RunnableEngine): Promise<SwitchOutcome> {
    return await this.exclusive(async () => await this.runSwitch(engine))
  }

  async rollback (): Promise<SwitchOutcome> {
    return await this.exclusive(async () => {
      const previous = this.previous
      if (previous === undefined) throw new NoPreviousEngineError('there is no previous engine to roll back to: no switch has happened')
      const startedAt = this.now()
      const outage = new OutageClock(this.now)
      const from = this.live
      // A live engine that does not pause is stopped all the same: the owner asked to leave it.
      if (this.supervisor.state === 'running') await this.drain().catch(() => undefined)
      const reasons = await this.restorePrevious(previous, outage)
      this.previous = undefined
      return this.finish({
        kind: 'manual-rollback',
        from: refOf(from),
        to: refOf(previous.engine),
        running: outage.downtimeMs !== null,
        reasons: reasons.length > 0 ? reasons : [{ check: 'rollback', severity: 'info', message: `Rolled back from version ${from.engineVersion} to ${previous.engine.engineVersion} at the owner's request; the data was restored as it was before the switch (stored chunks are kept).` }],
        failedVersion: null,
        downtimeMs: outage.downtimeMs,
        backupDir: this.backupDirOf(previous),
        egress: [],
        startedAt
      })
    })
  }

  private async runSwitch (engine: RunnableEngine): Promise<SwitchOutcome> {
    if (this.supervisor.state !== 'running') throw new EngineNotRunningError(`the live engine is not running (${this.supervisor.state}): switch once it is back`)
    const startedAt = this.now()
    const from = this.live
    const outage = new OutageClock(this.now)
    // Loading the new engine's code takes longer than starting it: done while the old one serves.
    // One that fails to load is started cold below, where the health window judges it.
    const warm = await this.supervisor.prepare(locationOf(engine)).then(() => true, () => false)
    const baseline = baselineOf(await this.drain())

    this.setPhase('stopping')
    outage.down()
    await this.supervisor.stop({ keepStandby: warm })

    this.setPhase('backing-up')
    let backup: DataBackup
    try {
      backup = await backupData(this.dataDir, this.backupsDir, this.now())
    } catch (err) {
      // Nothing was changed yet: the same engine starts again on the same data.
      const cancelled: SwitchReason = { check: 'backup', severity: 'critical', message: `The vault's data could not be backed up (${problemOf(err)}), so the switch to version ${engine.engineVersion} was cancelled and version ${from.engineVersion} restarted.` }
      const restart = await this.startEngine(from, outage)
      return this.finish({ kind: 'rolled-back', from: refOf(engine), to: refOf(from), running: restart === undefined, reasons: [cancelled, ...restart === undefined ? [] : [restart]], failedVersion: null, downtimeMs: outage.downtimeMs, backupDir: null, egress: [], startedAt })
    }

    this.setPhase('starting')
    const health = await runHealthWindow({
      supervisor: this.supervisor,
      engine,
      baseline,
      outage,
      windowMs: this.healthWindowMs,
      startTimeoutMs: this.startTimeoutMs,
      delay: this.delay,
      onWindowOpen: () => { this.setPhase('health-window') }
    })
    if (health.reasons.length === 0) {
      this.previous = { engine: from, backup }
      this.live = engine
      await pruneBackups(this.backupsDir, this.keepBackups, [backup.dir]).catch(() => [])
      return this.finish({ kind: 'switched', from: refOf(from), to: refOf(engine), running: true, reasons: [healthyReason(engine.engineVersion, this.healthWindowMs)], failedVersion: null, downtimeMs: outage.downtimeMs, backupDir: backup.dir, egress: [], startedAt })
    }
    // The engine before `from` stays the one a manual rollback returns to.
    const rollbackReasons = await this.restorePrevious({ engine: from, backup }, outage)
    return this.finish({
      kind: 'rolled-back',
      from: refOf(engine),
      to: refOf(from),
      running: outage.downtimeMs !== null,
      reasons: [...health.reasons, ...rollbackReasons],
      failedVersion: engine.engineVersion,
      downtimeMs: outage.downtimeMs,
      backupDir: backup.dir,
      egress: health.egress,
      startedAt
    })
  }

  /** Stops new data (the engine keeps serving reads) and gives requests in flight time to finish. */
  private async drain (): Promise<EngineStatus> {
    this.setPhase('draining')
    let status: EngineStatus
    try {
      status = await this.supervisor.request('pause')
    } catch (err) {
      throw new EngineNotRunningError(`the live engine did not pause for the switch (${problemOf(err)}): nothing was changed`)
    }
    await this.delay(this.drainGraceMs, new AbortController().signal)
    // The count after the drain: puts that were in flight are in it.
    return await this.supervisor.request('status').catch(() => status)
  }

  /** Stops whatever runs, puts the data back as `previous` left it, and starts `previous`; the caller settles what is previous next. */
  private async restorePrevious (previous: Previous, outage: OutageClock): Promise<SwitchReason[]> {
    this.setPhase('rolling-back')
    outage.down()
    await this.supervisor.stop()
    const reasons: SwitchReason[] = []
    try {
      const backup = typeof previous.backup === 'string' ? await readBackup(previous.backup) : previous.backup
      if (backup === undefined) throw new Error(`the backup ${this.backupDirOf(previous)} never completed`)
      await restoreData(this.dataDir, this.backupsDir, backup)
    } catch (err) {
      reasons.push({ check: 'rollback', severity: 'critical', message: `The vault's data could not be restored from its backup (${problemOf(err)}); version ${previous.engine.engineVersion} was started on the data as it is.` })
    }
    this.live = previous.engine
    const failure = await this.startEngine(previous.engine, outage)
    return failure === undefined ? reasons : [...reasons, failure]
  }

  /** Starts `engine` and marks the vault up; a failure is returned as the reason it is still down. */
  private async startEngine (engine: RunnableEngine, outage: OutageClock): Promise<SwitchReason | undefined> {
    this.setPhase('starting')
    this.supervisor.setEngine(locationOf(engine))
    try {
      await startBounded(this.supervisor, this.delay, this.startTimeoutMs, new AbortController().signal)
      outage.up()
      return undefined
    } catch (err) {
      // The supervisor keeps retrying with back-off; the host raises the crash-loop notice.
      return { check: 'rollback', severity: 'critical', message: `Version ${engine.engineVersion} could not be started again (${problemOf(err)}): the vault is not serving until it starts.` }
    }
  }

  /** The live egress watch after the health window (DESIGN §3.8): any attempt rolls the version back. */
  private readonly onLiveEgress = (event: CustomEvent<EngineEgress>): void => {
    const previous = this.previous
    if (this.busy !== undefined || previous === undefined || event.detail.entry !== this.live.entry) return
    const culprit = this.live
    const attempt = event.detail.attempt
    this.exclusive(async () => {
      const startedAt = this.now()
      const outage = new OutageClock(this.now)
      // No drain: an engine reaching outside is stopped at once.
      const rollbackReasons = await this.restorePrevious(previous, outage)
      this.previous = undefined
      return this.finish({
        kind: 'rolled-back',
        from: refOf(culprit),
        to: refOf(previous.engine),
        running: outage.downtimeMs !== null,
        reasons: [egressReason(culprit.engineVersion, attempt), ...rollbackReasons],
        failedVersion: culprit.engineVersion,
        downtimeMs: outage.downtimeMs,
        backupDir: this.backupDirOf(previous),
        egress: [attempt],
        startedAt
      })
    }).catch(() => { /* the outcome event carries what happened */ })
  }

  private backupDirOf (previous: Previous): string {
    return typeof previous.backup === 'string' ? previous.backup : previous.backup.dir
  }

  private async exclusive (run: () => Promise<SwitchOutcome>): Promise<SwitchOutcome> {
    if (this.busy !== undefined) throw new SwitchInProgressError('a switch or rollback is already in progress')
    // Marked busy before `run` starts, so a listener of its first phase cannot start another.
    const running = Promise.resolve().then(run)
    this.busy = running
    try {
      return await running
    } finally {
      this.busy = undefined
      this.setPhase(null)
    }
  }

  private finish (outcome: Omit<SwitchOutcome, 'finishedAt'>): SwitchOutcome {
    const done: SwitchOutcome = { ...outcome, finishedAt: this.now() }
    this.dispatchEvent(new CustomEvent('switch:outcome', { detail: done }))
    return done
  }

  private setPhase (phase: SwitchPhase | null): void {
    this.dispatchEvent(new CustomEvent('switch:phase', { detail: { phase, since: this.now() } }))
  }
}
