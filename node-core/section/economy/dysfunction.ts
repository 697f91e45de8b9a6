// Dysfunction tracking (DESIGN §2 "Dysfunction: pause, fix, demote"): elders note each member's
// failures; past a threshold the section should decide Pause, with the reasons. Proven
// misbehaviour (an invalid signature, equivocation) removes the member at once, whatever its score.
// Pure: the caller owns the state and feeds it events; nothing here reads a clock or the network.
// Node-age reference §9: sn_dysfunction scored comms, DKG and knowledge issues per node.

export const FAILURE_KINDS = ['missed-audit', 'unresponsive', 'wrong-data', 'outdated-version', 'invalid-signature', 'equivocation'] as const
export type FailureKind = typeof FAILURE_KINDS[number]

/** Kinds that are proof of misbehaviour, not of a fault: the evidence is checked before it is fed here. */
export const PROVEN_MISBEHAVIOUR: ReadonlySet<FailureKind> = new Set(['invalid-signature', 'equivocation'])

export interface FailureEvent {
  kind: FailureKind
  /** The section's churn count when the failure was observed. */
  churn: number
  /** What happened, for the notice: "chunk 3f2a... not returned". */
  detail?: string
}

export interface DysfunctionOptions {
  /** Score per failure kind; the proven kinds' weights are unused (they remove at once). */
  weights: Readonly<Record<FailureKind, number>>
  /** Pause is due once the score within the window reaches this. */
  threshold: number
  /** Failures older than this many churns no longer count: a vault that recovered is not punished forever. */
  windowChurns: number
}

/**
 * Defaults: wrong data is the worst fault (3), an outdated version next (2: it is fixable but
 * harms the section), a missed audit or an unanswered request 1 each. Threshold 6: six missed
 * audits, or two wrong answers, within 50 churns. These are section policy, not protocol constants.
 */
export const DEFAULT_DYSFUNCTION_OPTIONS: DysfunctionOptions = {
  weights: { 'missed-audit': 1, unresponsive: 1, 'wrong-data': 3, 'outdated-version': 2, 'invalid-signature': 0, equivocation: 0 },
  threshold: 6,
  windowChurns: 50
}

/** One member's failure history: the caller keeps it, this module only derives new values. */
export interface DysfunctionState {
  readonly failures: readonly FailureEvent[]
}

export interface FailureReason {
  kind: FailureKind
  count: number
  score: number
  details: string[]
}

export type DysfunctionVerdict =
  | { action: 'ok', score: number }
  | { action: 'pause-due', score: number, reasons: FailureReason[] }
  | { action: 'remove-now', reasons: FailureReason[] }

export const EMPTY_DYSFUNCTION: DysfunctionState = { failures: [] }

/** Adds a failure, dropping those that fell out of the window at its churn. */
export function noteFailure (state: DysfunctionState, event: FailureEvent, options: DysfunctionOptions = DEFAULT_DYSFUNCTION_OPTIONS): DysfunctionState {
  assertOptions(options)
  if (!(FAILURE_KINDS as readonly string[]).includes(event.kind)) throw new RangeError(`"event.kind" expected one of ${FAILURE_KINDS.join(', ')}, got "${String(event.kind)}"`)
  assertChurn(event.churn, 'event.churn')
  const latest = state.failures[state.failures.length - 1]
  if (latest !== undefined && event.churn < latest.churn) throw new RangeError(`"event.churn" ${event.churn} is before the last failure's churn ${latest.churn}`)
  const kept = state.failures.filter(f => f.churn > event.churn - options.windowChurns)
  return { failures: [...kept, { ...event }] }
}

/** What the section should do about the member at churn `atChurn`. */
export function assessDysfunction (state: DysfunctionState, atChurn: number, options: DysfunctionOptions = DEFAULT_DYSFUNCTION_OPTIONS): DysfunctionVerdict {
  assertOptions(options)
  assertChurn(atChurn, 'atChurn')
  const proven = state.failures.filter(f => PROVEN_MISBEHAVIOUR.has(f.kind))
  // Proof does not age out of the window: a member that equivocated once is never trusted again.
  if (proven.length > 0) return { action: 'remove-now', reasons: summarise(proven, options) }
  const recent = state.failures.filter(f => f.churn > atChurn - options.windowChurns && f.churn <= atChurn)
  const reasons = summarise(recent, options)
  const score = reasons.reduce((sum, r) => sum + r.score, 0)
  return score >= options.threshold ? { action: 'pause-due', score, reasons } : { action: 'ok', score }
}

/** After a resume the slate is clean: the member proved itself in the probation audit. */
export function clearAfterResume (): DysfunctionState {
  return EMPTY_DYSFUNCTION
}

/** A reason as one line for a decision's payload and the owner's notice: "missed-audit x3: ...". */
export function formatReason (reason: FailureReason): string {
  // The same failure seen again says nothing new: each detail once.
  const distinct = [...new Set(reason.details)]
  const details = distinct.length > 0 ? `: ${distinct.slice(0, 3).join('; ')}` : ''
  return `${reason.kind} x${reason.count}${details}`.slice(0, 1024)
}

function summarise (failures: readonly FailureEvent[], options: DysfunctionOptions): FailureReason[] {
  const byKind = new Map<FailureKind, FailureReason>()
  for (const failure of failures) {
    const reason = byKind.get(failure.kind) ?? { kind: failure.kind, count: 0, score: 0, details: [] }
    reason.count += 1
    reason.score += options.weights[failure.kind]
    if (failure.detail !== undefined) reason.details.push(failure.detail)
    byKind.set(failure.kind, reason)
  }
  // Worst first, so the notice leads with what matters most; kinds in a fixed order on ties.
  return [...byKind.values()].sort((a, b) => b.score - a.score || FAILURE_KINDS.indexOf(a.kind) - FAILURE_KINDS.indexOf(b.kind))
}

function assertChurn (churn: number, what: string): void {
  if (!Number.isSafeInteger(churn) || churn < 0) throw new RangeError(`"${what}" expected a non-negative integer churn count, got ${churn}`)
}

function assertOptions (options: DysfunctionOptions): void {
  if (!(options.threshold > 0)) throw new RangeError(`"threshold" expected a positive number, got ${options.threshold}`)
  if (!Number.isSafeInteger(options.windowChurns) || options.windowChurns < 1) throw new RangeError(`"windowChurns" expected a positive integer, got ${options.windowChurns}`)
  for (const kind of FAILURE_KINDS) {
    const weight = options.weights[kind]
    if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`"weights.${kind}" expected a non-negative number, got ${weight}`)
  }
}
