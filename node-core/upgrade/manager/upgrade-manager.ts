// The upgrade manager (issue 5; DESIGN §3.4-3.7): installs a candidate, shadow-tests it beside the
// live engine, schedules it by the owner's policy and the signed rollout, and asks the switch to
// make it live or to roll back. Its state survives restarts (upgrades.json); what the owner sees
// of it is one UpgradeStatus. The shadow runner, the switch and the clock are injected.
import { resolve } from 'node:path'
import { TypedEventEmitter } from 'main-event'
import { namedError } from '../../../contract/named-error.ts'
import { ShadowVerdictSchema, type ShadowVerdict, type UpgradeHistoryEntry, type UpgradePolicy, type UpgradeStatus } from '../../../contract/upgrade.ts'
import { drawRolloutJitter, eligibleAt } from '../schedule/rollout.ts'
import { deferToDate, DeferPastDeadlineError, formatScheduleTime, nextUpgradeAction, type UpgradeAction } from '../schedule/upgrade-policy.ts'
import type { TracedRequest } from '../shadow/shadow-runner.ts'
import type { SwitchOutcome, SwitcherEvents } from '../switch/switcher.ts'
import { candidateUnderTest, topReason, withCandidateShadow, withCandidateView, withVerdict, type CandidateSpec } from './candidate-state.ts'
import { systemClock, type Clock, type ClockTimer } from './clock.ts'
import { APP_ROOT, engineView, runnableEngine, type EngineLocations } from './engine-records.ts'
import { installEngineBundle } from './install-bundle.ts'
import {
  DEFAULT_SHADOW_SECONDS, DEVELOPMENT_VERIFICATION, NO_RELEASE_SOURCE,
  type UpgradeManagerComponents, type UpgradeManagerEvents, type UpgradeManagerInit
} from './manager-components.ts'
import { releaseRefusal, verifiedCheck, type CandidateContext } from './release-candidates.ts'
import { applySwitchOutcome } from './switch-outcome.ts'
import { DEFAULT_UPGRADE_STATE, loadUpgradeState, saveUpgradeState, withHistory, type CandidateRecord, type UpgradeState } from './upgrade-state.ts'

export class UpgradeBusyError extends namedError('UpgradeBusyError') {}
export class NoCandidateError extends namedError('NoCandidateError') {}
export class NotApprovableError extends namedError('NotApprovableError') {}
export class NothingToRollBackError extends namedError('NothingToRollBackError') {}
export class ShadowRunError extends namedError('ShadowRunError') {}

const message = (err: unknown): string => err instanceof Error ? err.message : String(err)

export class UpgradeManager extends TypedEventEmitter<UpgradeManagerEvents> {
  private readonly locations: EngineLocations
  private readonly loaded: UpgradeManagerInit['loaded']
  private readonly releaseShadowMs: number
  private readonly components: UpgradeManagerComponents
  private readonly clock: Clock
  private readonly random: () => number
  private state: UpgradeState = DEFAULT_UPGRADE_STATE
  private switching: UpgradeStatus['switching'] = null
  private busy: string | undefined
  private shadowAbort: AbortController | undefined
  private timer: ClockTimer | undefined
  private saving: Promise<void> = Promise.resolve()
  private readonly applied = new WeakSet<SwitchOutcome>()
  /** Releases taken as candidates on their own (noticeReleases), each once per run of the host. */
  private readonly autoChecked = new Set<string>()
  /** A candidate whose scheduled switch threw: not tried again on its own (no retry loop). */
  private switchFailedFor: string | undefined
  private started = false
  /** Set when upgrades.json was unreadable and was moved aside. */
  problem: string | undefined

  constructor (init: UpgradeManagerInit, components: UpgradeManagerComponents) {
    super()
    this.locations = { dataDir: init.dataDir, appRoot: init.appRoot ?? APP_ROOT }
    this.loaded = init.loaded
    this.releaseShadowMs = (init.releaseShadowSeconds ?? DEFAULT_SHADOW_SECONDS) * 1000
    this.components = components
    this.clock = components.clock ?? systemClock
    this.random = components.random ?? Math.random
  }

  async start (): Promise<void> {
    const loaded = this.loaded ?? await loadUpgradeState(this.locations.dataDir, () => this.clock.now())
    this.state = loaded.state
    this.problem = loaded.problem
    if (this.problem !== undefined) this.activity('upgrade:state', this.problem)
    this.components.switcher.addEventListener('switch:phase', this.onPhase)
    this.components.switcher.addEventListener('switch:outcome', this.onOutcome)
    this.started = true
    const interrupted = this.state.candidate
    if (interrupted?.view.shadow.state === 'running') {
      this.activity('upgrade:shadow', `the shadow run of ${interrupted.view.engineVersion} was cut short when the host stopped; run it again`)
      await this.update(state => withCandidateShadow(state, { state: 'idle', progress: 0, startedAt: null }))
    }
    this.schedule()
    this.noticeReleases()
  }

  async stop (): Promise<void> {
    this.started = false
    this.timer?.cancel()
    this.shadowAbort?.abort()
    this.components.switcher.removeEventListener('switch:phase', this.onPhase)
    this.components.switcher.removeEventListener('switch:outcome', this.onOutcome)
    await this.saving
  }

  status (): UpgradeStatus {
    const { policy, current, previous, candidate, failedVersions, history } = this.state
    return {
      policy,
      current: engineView(current),
      previous: previous === null ? null : engineView(previous),
      candidate: candidate?.view ?? null,
      switching: this.switching,
      failedVersions: [...failedVersions],
      history: [...history]
    }
  }

  /** What happens next to the candidate and why; null without a tested candidate. */
  nextAction (): UpgradeAction | null {
    const candidate = this.state.candidate
    if (candidate === null || candidate.view.shadow.state !== 'done') return null
    return nextUpgradeAction({ policy: this.state.policy, candidate: candidate.view, failedVersions: this.state.failedVersions, now: this.clock.now() })
  }

  /** Shadow-tests a local bundle: development only, by the owner's explicit choice. */
  async shadowUpgrade (candidatePath: string, durationSeconds: number = DEFAULT_SHADOW_SECONDS): Promise<UpgradeStatus> {
    await this.exclusive('test a candidate', async () => {
      const installed = await installEngineBundle({ bundlePath: resolve(candidatePath), ...this.locations })
      await this.shadowTest({ engine: installed.record, verification: DEVELOPMENT_VERIFICATION, rollout: null, allowedHosts: [], deadline: null }, durationSeconds * 1000)
    })
    return this.status()
  }

  /**
   * Takes the newest release the live engine verified as candidate and shadow-tests it; a
   * rejected release, or one no newer than the live engine, is never a candidate (the activity
   * log says why).
   */
  async checkUpgrade (): Promise<UpgradeStatus> {
    const source = this.components.releaseSource
    if (source === undefined) {
      this.activity('upgrade:check', NO_RELEASE_SOURCE)
      return this.status()
    }
    const latest = this.components.liveEngine.latestRelease()
    const refusal = releaseRefusal(latest, this.candidateContext())
    if (latest === null || refusal !== undefined) {
      this.activity('upgrade:check', refusal ?? 'no release has been heard on the network yet')
      return this.status()
    }
    await this.exclusive('check for a release', async () => {
      const release = await source.fetchVerified(latest)
      const installed = await installEngineBundle({ bundlePath: release.bundlePath, expectedSha256: release.sha256, ...this.locations })
      const verification = { kind: 'release' as const, verified: true, reasons: [], signedBy: release.signedBy, attestedBy: release.attestedBy }
      await this.shadowTest({ engine: installed.record, verification, rollout: release.rollout, allowedHosts: release.allowedHosts, deadline: release.deadline }, this.releaseShadowMs)
    })
    return this.status()
  }

  /**
   * Called as the live engine reports its status: a newly verified release newer than the live
   * engine is taken as candidate and tested without the owner asking. Each release is tried so
   * once; after a failure the owner can still run `vault upgrade check`.
   */
  noticeReleases (): void {
    if (!this.started || this.busy !== undefined || this.components.releaseSource === undefined) return
    const latest = this.components.liveEngine.latestRelease()
    const check = verifiedCheck(latest)
    if (check === undefined || this.autoChecked.has(check.bundleSha256) || releaseRefusal(latest, this.candidateContext()) !== undefined) return
    this.autoChecked.add(check.bundleSha256)
    this.activity('upgrade:check', `the live engine verified release ${check.engineVersion}; testing it beside ${engineView(this.state.current).engineVersion}`)
    this.checkUpgrade().catch(err => {
      this.activity('upgrade:check', `release ${check.engineVersion} could not be tested: ${message(err)}; run vault upgrade check to try again`)
    })
  }

  private candidateContext (): CandidateContext {
    const candidate = this.state.candidate
    return {
      currentVersion: engineView(this.state.current).engineVersion,
      failedVersions: this.state.failedVersions,
      // A run cut short (idle) may be tested again; one running or done is not.
      candidate: candidate === null ? null : { bundleSha256: candidate.view.bundleSha256, tested: candidate.view.shadow.state !== 'idle' }
    }
  }

  async approveUpgrade (): Promise<UpgradeStatus> {
    this.assertIdle('approve the candidate')
    const candidate = this.requireCandidate('approve')
    const { verdict, engineVersion } = candidate.view
    if (verdict === null) throw new NotApprovableError(`the shadow run of ${engineVersion} has not finished; it can be approved once it has a verdict`)
    if (verdict.result === 'fail') throw new NotApprovableError(`${engineVersion} failed its shadow run (${topReason(verdict)}); it cannot be approved`)
    const approved = { ...candidate.view, approved: true, deferredUntil: null }
    const action = nextUpgradeAction({ policy: this.state.policy, candidate: approved, failedVersions: this.state.failedVersions, now: this.clock.now() })
    if (action.kind === 'blocked') throw new NotApprovableError(action.why)
    this.switchFailedFor = undefined
    await this.update(state => withHistory(withCandidateView(state, { approved: true, deferredUntil: null }), this.entry('approved', engineVersion, action.why)))
    if (action.kind === 'switch') await this.switchToCandidate(action.why)
    else this.schedule()
    return this.status()
  }

  /** Defers the candidate to `until`, stopped at the deadline an era sets. */
  async deferUpgrade (until: number): Promise<UpgradeStatus> {
    this.assertIdle('defer the candidate')
    const { deadline, engineVersion } = this.requireCandidate('defer').view
    const now = this.clock.now()
    const clamped = deadline !== null && until > deadline
    if (clamped && deadline <= now) throw new DeferPastDeadlineError(`the active era has required ${engineVersion} since ${formatScheduleTime(deadline)}; it cannot be deferred`)
    const target = deferToDate(clamped ? deadline : until, now, deadline)
    const detail = `deferred to ${formatScheduleTime(target)}${clamped ? ` (asked for ${formatScheduleTime(until)}, but the active era requires it by then)` : ''}`
    await this.update(state => withHistory(withCandidateView(state, { deferredUntil: target, approved: false }), this.entry('deferred', engineVersion, detail)))
    this.schedule()
    return this.status()
  }

  async rollbackUpgrade (): Promise<UpgradeStatus> {
    this.assertIdle('roll back')
    if (this.state.previous === null) {
      throw new NothingToRollBackError(`there is nothing to roll back to: this vault runs ${engineView(this.state.current).engineVersion} and keeps no earlier engine`)
    }
    await this.exclusive('roll back', async () => { await this.applyOutcome(await this.components.switcher.rollback()) })
    return this.status()
  }

  async setUpgradePolicy (policy: UpgradePolicy): Promise<UpgradeStatus> {
    await this.update(state => ({ ...state, policy }))
    this.activity('upgrade:policy', `upgrade policy set to ${policy}`)
    this.schedule()
    return this.status()
  }

  private async shadowTest (spec: CandidateSpec, durationMs: number): Promise<void> {
    const version = spec.engine.engineVersion
    await this.update(state => ({ ...state, candidate: candidateUnderTest(spec, this.clock.now()) }))
    this.switchFailedFor = undefined
    const baseline = runnableEngine(this.state.current, this.locations)
    this.activity('upgrade:shadow', `shadow-testing ${version} beside ${baseline.engineVersion} for ${Math.round(durationMs / 1000)} s`)
    const controller = new AbortController()
    this.shadowAbort = controller
    let verdict: ShadowVerdict
    try {
      verdict = ShadowVerdictSchema.parse(await this.components.shadowRunner.run({
        baseline,
        candidate: runnableEngine(spec.engine, this.locations),
        liveDataDir: this.components.liveEngine.dataDir,
        trace: await this.liveTrace(),
        durationMs,
        allowedHosts: spec.allowedHosts,
        signal: controller.signal,
        onProgress: fraction => { this.progress(fraction) }
      }))
    } catch (err) {
      await this.update(state => withCandidateShadow(state, { state: 'idle', progress: 0, startedAt: null }))
      const why = `the shadow run of ${version} could not finish: ${message(err)}`
      this.activity('upgrade:shadow', why)
      throw new ShadowRunError(why, { cause: err })
    } finally {
      this.shadowAbort = undefined
    }
    const scheduled = verdict.result === 'fail' ? null : this.eligibleTime(spec.rollout)
    await this.update(state => withVerdict(state, verdict, scheduled, this.clock.now()))
    this.activity('upgrade:shadow', `shadow run of ${version}: ${verdict.result} (${topReason(verdict)})`)
  }

  /** A development candidate is eligible at once; a release at its turn in the signed rollout. */
  private eligibleTime (rollout: CandidateRecord['rollout']): number {
    if (rollout === null) return this.clock.now()
    const jitter = drawRolloutJitter(this.random)
    const name = this.components.liveEngine.name()
    // Without a name the vault's turn is unknown: the end of the rollout is never too early.
    return name === '' ? Date.parse(rollout.start) + rollout.durationSeconds * 1000 + jitter : eligibleAt(rollout, name, jitter)
  }

  private async liveTrace (): Promise<TracedRequest[]> {
    try {
      return await this.components.liveEngine.trace()
    } catch (err) {
      this.activity('upgrade:shadow', `the live engine gave no trace of its requests (${message(err)}); the shadow run uses the synthetic workload only`)
      return []
    }
  }

  private progress (fraction: number): void {
    const shadow = this.state.candidate?.view.shadow
    if (shadow?.state !== 'running') return
    const progress = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0))
    if (Math.abs(progress - shadow.progress) < 0.01) return
    // Progress is for the owner's eyes only; it is not worth a disk write.
    this.state = withCandidateShadow(this.state, { ...shadow, progress })
    this.emitStatus()
  }

  private schedule (): void {
    this.timer?.cancel()
    this.timer = undefined
    if (!this.started || this.busy !== undefined) return
    const action = this.nextAction()
    if (action === null) return
    switch (action.kind) {
      case 'switch':
        if (this.switchFailedFor === this.state.candidate?.view.bundleSha256) return
        this.switchToCandidate(action.why).catch(err => {
          this.switchFailedFor = this.state.candidate?.view.bundleSha256
          this.activity('upgrade:switch', `the switch could not run: ${message(err)}; approve the candidate to try again`)
        })
        return
      case 'wait':
        if (action.until !== undefined) this.timer = this.clock.setTimer(() => { this.schedule() }, Math.max(0, action.until - this.clock.now()))
        return
      case 'ask-owner':
      case 'blocked':
        return
      default: {
        const unknownAction: never = action
        throw new RangeError(`unknown upgrade action ${JSON.stringify(unknownAction)}`)
      }
    }
  }

  private async switchToCandidate (why: string): Promise<void> {
    await this.exclusive('switch engines', async () => {
      const candidate = this.state.candidate
      if (candidate === null) return
      this.activity('upgrade:switch', `switching to ${candidate.view.engineVersion}: ${why}`)
      await this.applyOutcome(await this.components.switcher.switchTo(runnableEngine(candidate.engine, this.locations)))
    })
  }

  private readonly onPhase = (event: SwitcherEvents['switch:phase']): void => {
    const { phase, since } = event.detail
    this.switching = phase === null ? null : { phase, since }
    this.emitStatus()
  }

  /** Outcomes no call asked for too: the live egress watch rolls back on its own (DESIGN §3.8). */
  private readonly onOutcome = (event: SwitcherEvents['switch:outcome']): void => {
    this.applyOutcome(event.detail).then(() => { this.schedule() }, err => {
      this.activity('upgrade:state', `the outcome of a switch could not be saved: ${message(err)}`)
    })
  }

  /** Each outcome once, whether it came back from a call, as an event, or both. */
  private async applyOutcome (outcome: SwitchOutcome): Promise<void> {
    if (this.applied.has(outcome)) return
    this.applied.add(outcome)
    this.activity(`upgrade:${outcome.kind}`, `${outcome.kind} from ${outcome.from.engineVersion} to ${outcome.to.engineVersion}: ${outcome.reasons[0]?.message ?? ''}`)
    await this.update(state => applySwitchOutcome(state, outcome))
  }

  private async exclusive (what: string, task: () => Promise<void>): Promise<void> {
    this.assertIdle(what)
    this.busy = what
    try {
      await task()
    } finally {
      this.busy = undefined
      this.schedule()
    }
  }

  private assertIdle (what: string): void {
    if (this.busy !== undefined) throw new UpgradeBusyError(`cannot ${what} now: the upgrade manager is busy (${this.busy}); try again when it is done`)
  }

  private requireCandidate (verb: string): CandidateRecord {
    const candidate = this.state.candidate
    if (candidate === null) throw new NoCandidateError(`there is no candidate to ${verb}; test one with vault upgrade shadow --candidate PATH`)
    return candidate
  }

  private entry (kind: UpgradeHistoryEntry['kind'], toVersion: string, detail: string): UpgradeHistoryEntry {
    return { at: this.clock.now(), kind, fromVersion: engineView(this.state.current).engineVersion, toVersion, detail }
  }

  private async update (change: (state: UpgradeState) => UpgradeState): Promise<void> {
    this.state = change(this.state)
    const snapshot = this.state
    this.emitStatus()
    // One write after another, so the file always ends as the newest state.
    const saved = this.saving.then(async () => { await saveUpgradeState(this.locations.dataDir, snapshot) })
    this.saving = saved.catch(() => {})
    await saved
  }

  private emitStatus (): void {
    this.dispatchEvent(new CustomEvent('upgrade:status', { detail: this.status() }))
  }

  private activity (kind: string, text: string): void {
    this.dispatchEvent(new CustomEvent('upgrade:activity', { detail: { at: this.clock.now(), kind, message: text } }))
  }
}
