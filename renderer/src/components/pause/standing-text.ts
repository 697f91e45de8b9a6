// The pause-and-fix notice in words (issue 3, deliver 7; DESIGN §2, pause, fix, demote): what is
// wrong, what it costs, the steps to fix it, whether Reconnect may be pressed, and how long is left
// before the section demotes the vault. The renderer may not import node-core, so the rejoin rule
// is restated here and a unit test checks it against node-core/section/economy/pause-and-fix.ts.
import { failedCheckFixes, type SectionStanding, type SelfCheck } from '../../../../contract/host-api.ts'
import { formatDuration } from '../../format/duration.ts'
import { NEW_VAULT_AGE } from '../vault/age.ts'

/** RFC 0045: a demoted vault may rejoin at half its age, never below a new vault's. */
export function rejoinAgeOf (age: number): number {
  if (!Number.isInteger(age) || age < 0 || age > 255) throw new RangeError(`"age" expected an integer 0..255, got ${age}`)
  return Math.max(NEW_VAULT_AGE, Math.floor(age / 2))
}

/** The last self-check's failed checks' fixes, in the order the engine ran the checks. */
export function selfCheckFixes (selfCheck: SelfCheck | null): string[] {
  // Checks that could not run for the same cause share its fix: each fix once, in order.
  return [...new Set(failedCheckFixes(selfCheck))]
}

/** A check's result in words, so it never depends on colour alone. */
export function checkLabel (check: { passed: boolean }): 'Passed' | 'Failed' {
  return check.passed ? 'Passed' : 'Failed'
}

export function describeSelfCheck (selfCheck: SelfCheck | null): string {
  if (selfCheck === null) return 'Not run yet since the pause.'
  const failed = selfCheck.checks.filter((check) => !check.passed).length
  return selfCheck.passed
    ? `All ${selfCheck.checks.length} checks passed.`
    : `${failed} of ${selfCheck.checks.length} checks failed.`
}

export function describeCost (age: number): string {
  return `Not earning: a paused vault takes no new data and receives no rewards. Age ${age} is at risk: ` +
    `if it is not fixed and resumed by the deadline, the section demotes it, and it rejoins at age ${rejoinAgeOf(age)}.`
}

/** Before a self-check says what is wrong: the causes the elders' audits can see (DESIGN §2, dysfunction). */
const GENERIC_STEPS = [
  'Make sure the drive holding the vault\'s data is connected, writable and not full.',
  'Keep this computer awake and online, and let the vault accept connections through the firewall.',
  'Run the self-check: it tells you what still needs fixing.'
] as const

export type FixSteps = { source: 'self-check' | 'generic' | 'ready', steps: string[] }

/** The steps, in order: the failed checks' fixes, else the generic ones; always ending on Reconnect. */
export function fixSteps (selfCheck: SelfCheck | null): FixSteps {
  const reconnect = 'When the self-check passes, press Reconnect: the elders then audit the vault on probation and resume it with its age.'
  if (selfCheck?.passed === true) return { source: 'ready', steps: ['The self-check passed: press Reconnect to ask the elders to resume this vault.'] }
  const fixes = selfCheckFixes(selfCheck)
  if (fixes.length > 0) return { source: 'self-check', steps: [...fixes, 'Run the self-check again.', reconnect] }
  return { source: 'generic', steps: [...GENERIC_STEPS, reconnect] }
}

export type ReconnectOffer = { enabled: boolean, hint: string }

/** Reconnect is offered only once the last self-check passed (issue 3, deliver 7). */
export function reconnectOffer (standing: SectionStanding): ReconnectOffer {
  switch (standing.state) {
    case 'paused':
      if (standing.selfCheck === null) return { enabled: false, hint: 'Run the self-check first: Reconnect is enabled once it passes.' }
      if (!standing.selfCheck.passed) return { enabled: false, hint: 'Fix the failed checks and run the self-check again: Reconnect is enabled once it passes.' }
      return { enabled: true, hint: 'The self-check passed: Reconnect asks the elders to resume this vault.' }
    case 'resume-requested':
      return { enabled: false, hint: 'Resume requested, waiting for the elders\' probation audit.' }
    case 'active':
    case 'demoted':
      return { enabled: false, hint: 'Only a vault its section paused can reconnect.' }
    default: {
      const unknownState: never = standing.state
      throw new RangeError(`unknown standing ${String(unknownState)}`)
    }
  }
}

export type DeadlineCountdown = {
  churnsLeft: number
  churnsText: string
  /** Null when the engine has no estimate of when the deadline comes. */
  timeText: string | null
}

/** The deadline is a generation (churns); `deadlineAt` the engine's estimate of when it comes. */
export function deadlineCountdown (pause: NonNullable<SectionStanding['pause']>, generation: number, deadlineAt: number | null, now: number): DeadlineCountdown {
  const churnsLeft = Math.max(0, pause.deadline - generation)
  const churnsText = churnsLeft === 0 ? 'No churns left: demotion is due at the next one' : `${churnsLeft} churn${churnsLeft === 1 ? '' : 's'} left`
  if (deadlineAt === null) return { churnsLeft, churnsText, timeText: null }
  const remaining = deadlineAt - now
  return { churnsLeft, churnsText, timeText: remaining <= 0 ? 'due now, at the section\'s recent churn rate' : `about ${formatDuration(remaining)} at the section's recent churn rate` }
}

export function describeDemotion (standing: SectionStanding, age: number): string {
  return 'The section removed this vault: its pause was not fixed by the deadline, or it was paused too often. ' +
    `It may rejoin at age ${standing.rejoinAge ?? rejoinAgeOf(age)}; fix what caused the pauses first, or it will be paused again.`
}
