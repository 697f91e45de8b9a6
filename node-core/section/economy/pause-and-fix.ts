// Pause, fix, demote (DESIGN §2): one member's path through the section's pause-and-fix rules, as a
// pure state machine. Paused, a vault keeps its age but earns nothing; its owner fixes the cause,
// the vault's self-check must pass before it may ask to resume, and the elders' probation audit
// decides Resume (age kept) or Pause again. Grace expiry, or a third pause within the window,
// demotes it: removed, free to rejoin at half its age. Proven misbehaviour removes it at once.
//
// Churns, not hours: the section has no shared clock, only its sequence of decisions, so the
// "6 hours of churn" grace is counted in churns. graceChurnsFor converts; the default assumes
// DEFAULT_CHURNS_PER_HOUR (a section of some 30-60 members sees a membership change every few
// minutes). A section whose observed rate differs passes its own `graceChurns`.
import { isDeepStrictEqual } from 'node:util'
import { hexToBytes } from '@noble/curves/utils.js'
import { namedError } from '../../../contract/named-error.ts'
import { NEW_VAULT_AGE } from '../../engine/identity/identity-file.ts'
import { ageOfName } from '../../engine/identity/name.ts'
import { verifyDecision, type Decision, type DecisionExpectations, type Proposal } from '../crypto/decisions.ts'
import type { SectionChain } from '../crypto/section-chain.ts'
import type { G1Point } from '../crypto/threshold-bls.ts'
import { FAILURE_KINDS, type DysfunctionVerdict, type FailureKind } from './dysfunction.ts'

export const DEFAULT_GRACE_HOURS = 6
/** Assumed churn rate for the default grace: one membership decision every 6 minutes. */
export const DEFAULT_CHURNS_PER_HOUR = 10

/** Grace in churns for `hours` at a section's churn rate, rounded up so the owner never gets less time. */
export function graceChurnsFor (hours: number, churnsPerHour: number): number {
  if (!(hours > 0) || !Number.isFinite(hours)) throw new RangeError(`"hours" expected a positive number, got ${hours}`)
  if (!(churnsPerHour > 0) || !Number.isFinite(churnsPerHour)) throw new RangeError(`"churnsPerHour" expected a positive number, got ${churnsPerHour}`)
  return Math.ceil(hours * churnsPerHour)
}

export interface PauseAndFixOptions {
  /** Churns a paused vault has to pass its self-check and ask to resume. */
  graceChurns: number
  /** The window in which `maxPausesInWindow` pauses demote. */
  pauseWindowChurns: number
  /** DESIGN §2: the third pause in the window demotes. */
  maxPausesInWindow: number
}

export const DEFAULT_PAUSE_AND_FIX_OPTIONS: PauseAndFixOptions = {
  graceChurns: graceChurnsFor(DEFAULT_GRACE_HOURS, DEFAULT_CHURNS_PER_HOUR),
  // A day of churn at the default rate.
  pauseWindowChurns: graceChurnsFor(24, DEFAULT_CHURNS_PER_HOUR),
  maxPausesInWindow: 3
}

interface Member {
  /** The vault's name in hex. */
  readonly member: string
  readonly age: number
  /** Churns at which it was paused, oldest first. */
  readonly pauses: readonly number[]
}

interface Paused extends Member {
  readonly reasons: readonly string[]
  readonly pausedAt: number
  /** At this churn, unless a resume was requested, the vault is demoted. */
  readonly deadline: number
}

export type MemberState =
  | Member & { readonly status: 'active' }
  | Paused & { readonly status: 'paused' }
  | Paused & { readonly status: 'resume-requested', readonly requestedAt: number }
  | { readonly status: 'demoted', readonly member: string, readonly age: number, readonly rejoinAge: number, readonly reason: 'grace-expired' | 'paused-too-often', readonly at: number }
  | { readonly status: 'removed', readonly member: string, readonly age: number, readonly reason: string, readonly at: number }

export interface SelfCheckResult {
  checks: ReadonlyArray<{ name: string, passed: boolean, detail?: string }>
}

/** The transition is not allowed from the member's state. */
export class InvalidTransitionError extends namedError('InvalidTransitionError') {}
/** The vault's self-check failed: it may not ask to resume. `failing` lists the checks. */
export class SelfCheckFailedError extends namedError('SelfCheckFailedError') {
  failing: string[] = []
}
/** The grace period is over: the vault is demoted, not resumed. */
export class GraceExpiredError extends namedError('GraceExpiredError') {}
/** A decision that is not a valid, signed Pause of this member. */
export class InvalidPauseDecisionError extends namedError('InvalidPauseDecisionError') {}

/**
 * RFC 0045: a demoted vault may rejoin at half its age. Never below NEW_VAULT_AGE (5): any new
 * vault joins at 5, so a lower age would be no penalty a fresh key could not avoid, and ages
 * below 5 do not exist in the section (node-age reference §9: the 2021-22 code used max(4 or 5, age/2)).
 */
export function rejoinAge (age: number): number {
  return Math.max(NEW_VAULT_AGE, Math.floor(age / 2))
}

export function activeMember (member: string): MemberState {
  return { status: 'active', member, age: ageOfName(hexToBytes(member)), pauses: [] }
}

/** The section decided Pause at `atChurn`: the vault stops earning; it must fix and resume by the deadline. */
export function pause (state: MemberState, input: { atChurn: number, reasons: readonly string[], deadline?: number }, options: PauseAndFixOptions = DEFAULT_PAUSE_AND_FIX_OPTIONS): MemberState {
  if (state.status !== 'active' && state.status !== 'resume-requested') throw invalid(state, 'pause')
  assertChurn(input.atChurn, state)
  const pauses = [...state.pauses.filter(churn => churn > input.atChurn - options.pauseWindowChurns), input.atChurn]
  if (pauses.length >= options.maxPausesInWindow) {
    return { status: 'demoted', member: state.member, age: state.age, rejoinAge: rejoinAge(state.age), reason: 'paused-too-often', at: input.atChurn }
  }
  const deadline = input.deadline ?? input.atChurn + options.graceChurns
  if (!Number.isSafeInteger(deadline) || deadline <= input.atChurn) throw new RangeError(`"deadline" expected a churn after ${input.atChurn}, got ${deadline}`)
  return { status: 'paused', member: state.member, age: state.age, pauses, reasons: [...input.reasons], pausedAt: input.atChurn, deadline }
}

/** The owner fixed the cause; the self-check must pass before the vault may ask to resume. */
export function requestResume (state: MemberState, input: { atChurn: number, selfCheck: SelfCheckResult }): MemberState {
  if (state.status !== 'paused') throw invalid(state, 'request resume')
  assertChurn(input.atChurn, state)
  if (input.atChurn >= state.deadline) throw new GraceExpiredError(`the grace period ended at churn ${state.deadline}; it is churn ${input.atChurn}`)
  const failing = input.selfCheck.checks.filter(check => !check.passed).map(check => check.detail === undefined ? check.name : `${check.name}: ${check.detail}`)
  if (input.selfCheck.checks.length === 0) failing.push('no checks were run')
  if (failing.length > 0) {
    const error = new SelfCheckFailedError(`the self-check failed, so the vault may not ask to resume: ${failing.join('; ')}`)
    error.failing = failing
    throw error
  }
  return { ...state, status: 'resume-requested', requestedAt: input.atChurn }
}

/** The elders' probation audit: passed resumes the vault with its age; failed pauses it again. */
export function probationResult (state: MemberState, input: { atChurn: number, passed: boolean, reasons?: readonly string[] }, options: PauseAndFixOptions = DEFAULT_PAUSE_AND_FIX_OPTIONS): MemberState {
  if (state.status !== 'resume-requested') throw invalid(state, 'take a probation result')
  assertChurn(input.atChurn, state)
  if (input.passed) return { status: 'active', member: state.member, age: state.age, pauses: state.pauses }
  return pause(state, { atChurn: input.atChurn, reasons: ['probation audit failed', ...(input.reasons ?? [])] }, options)
}

/**
 * A new churn: a paused vault past its deadline is demoted. A vault that asked to resume in time
 * is not: the probation audit is the elders' to run, and its result decides.
 */
export function advanceChurn (state: MemberState, atChurn: number): MemberState {
  if (state.status !== 'paused' || atChurn < state.deadline) return state
  return { status: 'demoted', member: state.member, age: state.age, rejoinAge: rejoinAge(state.age), reason: 'grace-expired', at: atChurn }
}

/** Proven misbehaviour: removed at once, from any state, with no rejoin age. */
export function remove (state: MemberState, input: { atChurn: number, reason: string }): MemberState {
  if (state.status === 'removed' || state.status === 'demoted') throw invalid(state, 'remove')
  return { status: 'removed', member: state.member, age: state.age, reason: input.reason, at: input.atChurn }
}

/** Acts on the dysfunction tracker's verdict: remove-now removes; pause-due pauses an active member. */
export function applyVerdict (state: MemberState, verdict: DysfunctionVerdict, atChurn: number, options: PauseAndFixOptions = DEFAULT_PAUSE_AND_FIX_OPTIONS): MemberState {
  switch (verdict.action) {
    case 'ok': return state
    case 'pause-due': return state.status === 'active' ? pause(state, { atChurn, reasons: verdict.reasons.map(r => `${r.kind} x${r.count}`) }, options) : state
    case 'remove-now': return state.status === 'removed' || state.status === 'demoted' ? state : remove(state, { atChurn, reason: `proven misbehaviour: ${verdict.reasons.map(r => r.kind).join(', ')}` })
    default: {
      const never: never = verdict
      throw new TypeError(`unknown verdict ${JSON.stringify(never)}`)
    }
  }
}

function invalid (state: MemberState, what: string): InvalidTransitionError {
  return new InvalidTransitionError(`cannot ${what}: vault ${state.member.slice(0, 16)}... is ${state.status}`)
}

function assertChurn (atChurn: number, state: MemberState): void {
  if (!Number.isSafeInteger(atChurn) || atChurn < 0) throw new RangeError(`"atChurn" expected a non-negative integer, got ${atChurn}`)
  if (state.status === 'paused' || state.status === 'resume-requested') {
    if (atChurn < state.pausedAt) throw new RangeError(`"atChurn" ${atChurn} is before the pause at churn ${state.pausedAt}`)
  }
}

// --- The signed pause notice ------------------------------------------------------------------

/** What the owner sees: why, what it costs, how to fix it, by when. Every field follows from the signed decision. */
export interface PauseNotice {
  member: string
  age: number
  reasons: string[]
  costs: string
  steps: string[]
  pausedAt: number
  deadlineChurn: number
  rejoinAge: number
  decision: Decision
}

const FIX_STEPS: Record<FailureKind, string> = {
  'missed-audit': 'Make sure the data disk is mounted, not full and readable, then run the self-check.',
  unresponsive: 'Keep the machine awake and online, and make the vault reachable from peers (port forwarding or UPnP for NAT).',
  'wrong-data': 'Run the store integrity check, let the vault re-fetch or drop corrupt chunks, and check the disk for errors.',
  'outdated-version': 'Upgrade the vault to the current release (vault upgrade check).',
  'invalid-signature': 'None: proven misbehaviour removes the vault.',
  equivocation: 'None: proven misbehaviour removes the vault.'
}
const GENERIC_STEP = 'Read the vault\'s log for the failure above, fix its cause, then run the self-check.'
const SELF_CHECK_STEP = 'When the self-check passes, request resume (vault resume); the elders then run a probation audit.'

/** The Pause proposal elders vote on: the reasons and the deadline are part of what they sign. */
export function pauseProposal (input: { member: string, generation: number, sectionPrefix: string, reasons: readonly string[], pausedAt: number, deadline: number }): Proposal {
  return { kind: 'pause', subject: input.member, generation: input.generation, sectionPrefix: input.sectionPrefix, payload: { reasons: [...input.reasons], pausedAt: input.pausedAt, deadline: input.deadline } }
}

/** Builds the owner's notice from a Pause decision (verify it first, or use verifyPauseNotice). */
export function pauseNoticeFromDecision (decision: Decision): PauseNotice {
  const { proposal } = decision
  const { reasons, pausedAt, deadline } = proposal.payload
  if (proposal.kind !== 'pause') throw new InvalidPauseDecisionError(`expected a pause decision, got "${proposal.kind}"`)
  if (!Array.isArray(reasons) || typeof pausedAt !== 'number' || typeof deadline !== 'number' || deadline <= pausedAt) {
    throw new InvalidPauseDecisionError('a pause decision needs payload reasons (a list), pausedAt and a later deadline (churns)')
  }
  const age = ageOfName(hexToBytes(proposal.subject))
  const kinds = reasons.map(reason => FAILURE_KINDS.find(kind => reason.startsWith(kind)))
  const steps = [...new Set(kinds.map(kind => kind === undefined ? GENERIC_STEP : FIX_STEPS[kind])), SELF_CHECK_STEP]
  return {
    member: proposal.subject,
    age,
    reasons: [...reasons],
    costs: `not earning; age at risk: resume before churn ${deadline} to keep age ${age}, or be demoted and rejoin at age ${rejoinAge(age)}`,
    steps,
    pausedAt,
    deadlineChurn: deadline,
    rejoinAge: rejoinAge(age),
    decision
  }
}

export type PauseNoticeVerification = { ok: true, notice: PauseNotice } | { ok: false, reason: string }

/** Accepts a notice only if its decision verifies under a known section key and every field follows from it. */
export function verifyPauseNotice (value: PauseNotice, knownSectionKeys: SectionChain | readonly G1Point[], expected: DecisionExpectations = {}): PauseNoticeVerification {
  const verified = verifyDecision(value.decision, knownSectionKeys, expected)
  if (!verified.ok) return { ok: false, reason: verified.reason }
  let rebuilt: PauseNotice
  try {
    rebuilt = pauseNoticeFromDecision(verified.decision)
  } catch (err) {
    return { ok: false, reason: (err as Error).message }
  }
  for (const field of ['member', 'age', 'reasons', 'costs', 'steps', 'pausedAt', 'deadlineChurn', 'rejoinAge'] as const) {
    if (!isDeepStrictEqual(value[field], rebuilt[field])) return { ok: false, reason: `the notice's ${field} differs from the signed decision` }
  }
  return { ok: true, notice: rebuilt }
}

/** Moves a member to paused on a verified Pause decision naming it, with the decision's reasons and deadline. */
export function applyPauseDecision (state: MemberState, decision: unknown, knownSectionKeys: SectionChain | readonly G1Point[], options: PauseAndFixOptions = DEFAULT_PAUSE_AND_FIX_OPTIONS, expected: DecisionExpectations = {}): MemberState {
  const verified = verifyDecision(decision, knownSectionKeys, expected)
  if (!verified.ok) throw new InvalidPauseDecisionError(verified.reason)
  const notice = pauseNoticeFromDecision(verified.decision)
  if (notice.member !== state.member) throw new InvalidPauseDecisionError(`the decision pauses ${notice.member.slice(0, 16)}..., not ${state.member.slice(0, 16)}...`)
  return pause(state, { atChurn: notice.pausedAt, reasons: notice.reasons, deadline: notice.deadlineChurn }, options)
}
