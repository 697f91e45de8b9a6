// This vault's own standing in its section (DESIGN §2, pause, fix, demote), as the dashboard and
// the CLI show it: active; paused by a signed decision, with its reasons and deadline; resume
// requested after its self-check passed; or demoted, to rejoin at half its age. The deadline is in
// churns (generations); its time is estimated from how fast the section has churned lately.
import type { SectionStanding, SelfCheck } from '../../../contract/host-api.ts'
import { ACTIVE_STANDING } from '../../../contract/host-api.ts'
import type { PauseNotice } from '../../section/economy/pause-and-fix.ts'

/** Generation changes remembered for the churn-rate estimate. */
const CHURN_SAMPLES = 16

export class SelfStanding {
  readonly #now: () => number
  readonly #churnTimes: number[] = []
  #selfCheck: SelfCheck | null = null
  #resumeRequested = false
  #rejoinAge: number | null = null
  #left = false

  constructor (now: () => number) {
    this.#now = now
  }

  get resumeRequested (): boolean { return this.#resumeRequested }
  get demoted (): boolean { return this.#rejoinAge !== null }
  /** A Demote or a Leave removed this vault: it rejoins only under a new name. */
  get removed (): boolean { return this.demoted || this.#left }

  churned (): void {
    this.#churnTimes.push(this.#now())
    if (this.#churnTimes.length > CHURN_SAMPLES) this.#churnTimes.shift()
  }

  recordSelfCheck (check: SelfCheck): void {
    this.#selfCheck = check
  }

  askedToResume (): void {
    this.#resumeRequested = true
  }

  /** Paused again, or resumed: either way a new request is needed the next time. */
  decided (): void {
    this.#resumeRequested = false
  }

  /** A Leave this vault asked for removed it; its standing reads as before, active until it stops. */
  hasLeft (): void {
    this.#left = true
  }

  wasDemoted (rejoinAge: number): void {
    this.#rejoinAge = rejoinAge
    this.#resumeRequested = false
  }

  standing (pause: PauseNotice | undefined, generation: number): SectionStanding {
    if (this.#rejoinAge !== null) return { ...ACTIVE_STANDING, state: 'demoted', selfCheck: this.#selfCheck, rejoinAge: this.#rejoinAge }
    if (pause === undefined) return ACTIVE_STANDING
    return {
      state: this.#resumeRequested ? 'resume-requested' : 'paused',
      pause: { reasons: [...pause.reasons], pausedAt: pause.pausedAt, deadline: pause.deadlineChurn },
      deadlineAt: this.#deadlineAt(pause.deadlineChurn - generation),
      selfCheck: this.#selfCheck,
      rejoinAge: null
    }
  }

  /** When `churnsLeft` more churns are expected, at the mean interval of the recent ones; null with too few. */
  #deadlineAt (churnsLeft: number): number | null {
    const times = this.#churnTimes
    const first = times[0]
    const last = times.at(-1)
    if (times.length < 2 || first === undefined || last === undefined || last <= first) return null
    return Math.round(this.#now() + Math.max(0, churnsLeft) * (last - first) / (times.length - 1))
  }
}
