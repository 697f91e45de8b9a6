// What one elder has seen of each member's health (DESIGN §2, pause, fix, demote): the failures
// its own audits found, each member's pauses, and the probation audit of a member that asked to
// resume. The agenda (section-agenda.ts) turns this into Pause, Resume and Demote proposals, and
// into its objection to another elder's. Churns are membership generations.
import {
  assessDysfunction, clearAfterResume, DEFAULT_DYSFUNCTION_OPTIONS, EMPTY_DYSFUNCTION, noteFailure,
  type DysfunctionOptions, type DysfunctionState, type DysfunctionVerdict, type FailureKind
} from '../../section/economy/dysfunction.ts'
import { DEFAULT_PAUSE_AND_FIX_OPTIONS, type PauseAndFixOptions } from '../../section/economy/pause-and-fix.ts'

export interface AuditOutcome {
  passed: boolean
  /** The failure to note when the audit failed. */
  kind?: FailureKind
  reason: string
}

export interface MemberHealthOptions {
  dysfunction: DysfunctionOptions
  pauseAndFix: PauseAndFixOptions
}

export const DEFAULT_MEMBER_HEALTH_OPTIONS: MemberHealthOptions = { dysfunction: DEFAULT_DYSFUNCTION_OPTIONS, pauseAndFix: DEFAULT_PAUSE_AND_FIX_OPTIONS }

export class MemberHealth {
  readonly options: MemberHealthOptions
  readonly #failures = new Map<string, DysfunctionState>()
  /** Generations at which each member was paused, oldest first. */
  readonly #pauses = new Map<string, number[]>()
  /** Members that asked to resume; true once this elder's probation audit of them passed since. */
  readonly #probation = new Map<string, boolean>()

  constructor (options: MemberHealthOptions = DEFAULT_MEMBER_HEALTH_OPTIONS) {
    this.options = options
  }

  noteAudit (member: string, outcome: AuditOutcome, generation: number): void {
    if (outcome.passed) {
      if (this.#probation.has(member)) this.#probation.set(member, true)
      return
    }
    if (this.#probation.has(member)) this.#probation.set(member, false)
    const state = this.#failures.get(member) ?? EMPTY_DYSFUNCTION
    // Failures are noted in generation order; one observed late in the same generation keeps its place.
    const churn = Math.max(generation, state.failures.at(-1)?.churn ?? 0)
    this.#failures.set(member, noteFailure(state, { kind: outcome.kind ?? 'missed-audit', churn, detail: outcome.reason.slice(0, 200) }, this.options.dysfunction))
  }

  verdict (member: string, generation: number): DysfunctionVerdict {
    return assessDysfunction(this.#failures.get(member) ?? EMPTY_DYSFUNCTION, generation, this.options.dysfunction)
  }

  /** Whether one more pause would be the member's last allowed within the window (DESIGN §2: the third demotes). */
  pausedTooOften (member: string, generation: number): boolean {
    const { pauseWindowChurns, maxPausesInWindow } = this.options.pauseAndFix
    const recent = (this.#pauses.get(member) ?? []).filter(at => at > generation - pauseWindowChurns)
    return recent.length + 1 >= maxPausesInWindow
  }

  paused (member: string, generation: number): void {
    this.#pauses.set(member, [...(this.#pauses.get(member) ?? []), generation])
    this.#probation.delete(member)
  }

  requestedResume (member: string): void {
    if (!this.#probation.has(member)) this.#probation.set(member, false)
  }

  isOnProbation (member: string): boolean {
    return this.#probation.has(member)
  }

  passedProbation (member: string): boolean {
    return this.#probation.get(member) === true
  }

  /** The section resumed the member: its slate is clean (the pause history stays for the window). */
  resumed (member: string): void {
    this.#failures.set(member, clearAfterResume())
    this.#probation.delete(member)
  }

  forget (member: string): void {
    this.#failures.delete(member)
    this.#pauses.delete(member)
    this.#probation.delete(member)
  }
}
