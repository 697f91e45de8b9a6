// DESIGN §3.6-3.7: what to do next about a candidate, given the owner's policy and the candidate's
// state. Automatic switches at the scheduled time; ask switches once approved and scheduled; manual
// only when approved. A marginal verdict always waits for the owner, a failed one or a version
// that failed before never installs, and no deferral reaches past the deadline an era sets.
import { namedError } from '../../../contract/named-error.ts'
import { UpgradePolicySchema, type UpgradePolicy, type VerdictResult } from '../../../contract/upgrade.ts'

export const DAY_MS = 24 * 60 * 60 * 1000
export const WEEK_MS = 7 * DAY_MS

export class DeferToPastError extends namedError('DeferToPastError') {}
export class DeferPastDeadlineError extends namedError('DeferPastDeadlineError') {}

/** The parts of UpgradeCandidate the decision reads, so a candidate can be passed as it is. */
export interface CandidateState {
  engineVersion: string
  /** Null while the shadow test runs. */
  verdict: { result: VerdictResult } | null
  eligibleAt: number | null
  approved: boolean
  deferredUntil: number | null
  /** When the active era requires the version. */
  deadline: number | null
}

export interface PolicyInput {
  policy: UpgradePolicy
  candidate: CandidateState
  /** Versions that failed a shadow test or a health window here. */
  failedVersions: readonly string[]
  now: number
}

export type UpgradeAction =
  | { kind: 'wait', until?: number, why: string }
  | { kind: 'ask-owner', why: string }
  | { kind: 'switch', why: string }
  | { kind: 'blocked', why: string }

/** `2025-03-01 14:00 UTC`. */
export function formatScheduleTime (at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

function assertTime (name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`"${name}" expected milliseconds since 1970 as an integer, got ${typeof value}`)
  if (!Number.isSafeInteger(value)) throw new RangeError(`"${name}" expected milliseconds since 1970 as an integer, got ${value}`)
}

function assertOptionalTime (name: string, value: unknown): void {
  if (value !== null) assertTime(name, value)
}

function assertInput ({ policy, candidate, failedVersions, now }: PolicyInput): void {
  if (!UpgradePolicySchema.safeParse(policy).success) throw new RangeError(`"policy" expected one of ${UpgradePolicySchema.options.join(', ')}, got ${String(policy)}`)
  if (!Array.isArray(failedVersions)) throw new TypeError(`"failedVersions" expected an array of versions, got ${typeof failedVersions}`)
  assertTime('now', now)
  assertOptionalTime('candidate.eligibleAt', candidate.eligibleAt)
  assertOptionalTime('candidate.deferredUntil', candidate.deferredUntil)
  assertOptionalTime('candidate.deadline', candidate.deadline)
}

/** The time the candidate may switch at: its turn in the rollout, or the deadline if that comes first. */
function switchTime (candidate: CandidateState): number | null {
  const { eligibleAt, deadline } = candidate
  if (eligibleAt === null) return deadline
  if (deadline === null) return eligibleAt
  return Math.min(eligibleAt, deadline)
}

function deadlineNote (candidate: CandidateState): string {
  return candidate.deadline === null ? '' : ` The active era requires it by ${formatScheduleTime(candidate.deadline)}.`
}

/** Approval is missing where it is needed: a marginal verdict, or a policy other than automatic. */
function awaitingApproval (policy: UpgradePolicy, candidate: CandidateState, now: number): UpgradeAction {
  const version = candidate.engineVersion
  const marginal = candidate.verdict?.result === 'marginal'
  const deadlinePassed = candidate.deadline !== null && now >= candidate.deadline
  if (deadlinePassed && !marginal && policy === 'ask') {
    return { kind: 'switch', why: `The active era requires ${version} since ${formatScheduleTime(candidate.deadline ?? now)}, and it passed its shadow test: it cannot be deferred any longer.` }
  }
  if (policy === 'manual' && !deadlinePassed) {
    return {
      kind: 'wait',
      why: marginal
        ? `Your policy is manual, and ${version}'s shadow test was marginal: it switches only if you approve it.${deadlineNote(candidate)}`
        : `Your policy is manual: ${version} passed its shadow test and switches when you approve it.${deadlineNote(candidate)}`
    }
  }
  if (marginal) return { kind: 'ask-owner', why: `${version}'s shadow test was marginal: it needs your approval before it is installed.${deadlineNote(candidate)}` }
  if (deadlinePassed) return { kind: 'ask-owner', why: `The active era requires ${version} since ${formatScheduleTime(candidate.deadline ?? now)}: approve it to keep this vault in the network.` }
  return { kind: 'ask-owner', why: `${version} passed its shadow test: approve it, or defer it by a day, a week or to a date.${deadlineNote(candidate)}` }
}

export function nextUpgradeAction (input: PolicyInput): UpgradeAction {
  assertInput(input)
  const { policy, candidate, failedVersions, now } = input
  const version = candidate.engineVersion
  if (failedVersions.includes(version)) {
    return { kind: 'blocked', why: `${version} failed on this vault before (a shadow test or the health window after a switch), so it is not installed again.` }
  }
  if (candidate.verdict === null) return { kind: 'wait', why: `The shadow test of ${version} has not finished yet.` }
  const result = candidate.verdict.result
  switch (result) {
    case 'fail': return { kind: 'blocked', why: `${version} failed its shadow test, so it will not be installed.` }
    case 'pass':
    case 'marginal': break
    default: {
      const unknown: never = result
      throw new RangeError(`"verdict.result" expected pass, marginal or fail, got ${String(unknown)}`)
    }
  }

  if (candidate.deferredUntil !== null) {
    const clamped = candidate.deadline !== null && candidate.deadline < candidate.deferredUntil
    const until = clamped ? candidate.deadline ?? candidate.deferredUntil : candidate.deferredUntil
    if (now < until) {
      return {
        kind: 'wait',
        until,
        why: clamped
          ? `You deferred ${version} to ${formatScheduleTime(candidate.deferredUntil)}, but the active era requires it by ${formatScheduleTime(until)}: it waits until then.`
          : `You deferred ${version} until ${formatScheduleTime(until)}.`
      }
    }
  }

  if (!candidate.approved && (result === 'marginal' || policy !== 'automatic')) return awaitingApproval(policy, candidate, now)
  if (policy === 'manual') return { kind: 'switch', why: `You approved ${version}.` }

  const at = switchTime(candidate)
  const who = candidate.approved ? `You approved ${version}` : `${version} passed its shadow test`
  if (at === null) return { kind: 'wait', why: `${who}; its time in the rollout is not known yet.` }
  const byDeadline = candidate.deadline !== null && at === candidate.deadline && (candidate.eligibleAt === null || candidate.deadline < candidate.eligibleAt)
  if (now < at) {
    return {
      kind: 'wait',
      until: at,
      why: byDeadline
        ? `${who}; the active era requires it by ${formatScheduleTime(at)}, before its turn in the rollout, so it switches then.`
        : `${who}; its turn in the rollout comes at ${formatScheduleTime(at)}, so vaults do not all restart at once.`
    }
  }
  return { kind: 'switch', why: byDeadline ? `${who}, and the active era requires it now.` : `${who}, and its turn in the rollout has come.` }
}

export interface DeferChoice {
  kind: 'day' | 'week'
  until: number
  /** The preset would pass the deadline, so it stops there. */
  clampedToDeadline: boolean
}

/** The preset deferrals from `now`, each stopped at the deadline; none once the deadline has come. */
export function deferChoices (now: number, deadline: number | null): DeferChoice[] {
  assertTime('now', now)
  assertOptionalTime('deadline', deadline)
  if (deadline !== null && deadline <= now) return []
  return ([['day', DAY_MS], ['week', WEEK_MS]] as const).map(([kind, length]) => {
    const until = deadline === null ? now + length : Math.min(now + length, deadline)
    return { kind, until, clampedToDeadline: until < now + length }
  })
}

/** Checks a date the owner picked to defer to: in the future, and not after the deadline. */
export function deferToDate (date: number, now: number, deadline: number | null): number {
  assertTime('date', date)
  assertTime('now', now)
  assertOptionalTime('deadline', deadline)
  if (date <= now) throw new DeferToPastError(`${formatScheduleTime(date)} has passed: pick a time in the future to defer to.`)
  if (deadline !== null && date > deadline) {
    throw new DeferPastDeadlineError(`The active era requires this version by ${formatScheduleTime(deadline)}: pick a time no later than that.`)
  }
  return date
}
