// The critical findings of a shadow run (DESIGN §3.4, issue 5 deliver 3): each fails the run on
// its own, whatever the figures say: reaching outside, crashing, hanging, going over budget,
// losing state across the migration, answering wrongly.
import { namedError } from '../../../contract/named-error.ts'
import type { EgressAttempt, IsolationLayer, ShadowOperation, VerdictReason } from '../../../contract/upgrade.ts'
import type { EngineObservation, KeptState, RequestRecord, StateField } from './observations.ts'
import { countsByOperation, printable, quoted, times } from './wording.ts'

export class MisalignedRequestsError extends namedError('MisalignedRequestsError') {}

const NETWORK_KINDS: ReadonlySet<EgressAttempt['kind']> = new Set(['net', 'tls', 'http', 'dns', 'dgram'])

const ATTEMPT_WORDING: Record<EgressAttempt['kind'], (target: string) => string> = {
  net: target => `connect to ${target}`,
  tls: target => `open an encrypted connection to ${target}`,
  http: target => `send a web request to ${target}`,
  dns: target => `look up the name ${target}`,
  dgram: target => `send a datagram to ${target}`,
  'child-process': target => `start the program ${target}`,
  worker: target => `start a worker thread (${target})`,
  'fs-write': target => `write to ${target}`
}

/**
 * DESIGN §3.5: the in-process monitor blocks what it records as not allowed; beneath it, the
 * network namespace stops network traffic and the permission model stops processes and writes.
 */
function wasBlocked (kind: EgressAttempt['kind'], isolation: readonly IsolationLayer[]): boolean {
  const active = (layer: IsolationLayer['layer']): boolean => isolation.some(entry => entry.layer === layer && entry.active)
  return active('egress-monitor') || active(NETWORK_KINDS.has(kind) ? 'network-namespace' : 'permission-model')
}

/** One reason per distinct kind and target the policy did not allow, in the order first tried. */
export function egressReasons (attempts: readonly EgressAttempt[], isolation: readonly IsolationLayer[]): VerdictReason[] {
  const grouped = new Map<string, { attempt: EgressAttempt, count: number }>()
  for (const attempt of [...attempts].filter(a => !a.allowed).sort((a, b) => a.at - b.at)) {
    const key = `${attempt.kind}\u0000${attempt.target}`
    const entry = grouped.get(key)
    if (entry === undefined) grouped.set(key, { attempt, count: 1 })
    else entry.count++
  }
  return [...grouped.values()].map(({ attempt, count }) => {
    const action = ATTEMPT_WORDING[attempt.kind](printable(attempt.target))
    const repeated = count > 1 ? ` (${times(count)})` : ''
    const outcome = wasBlocked(attempt.kind, isolation) ? 'it was blocked' : 'this machine could not block it, so it may have got through'
    if (attempt.kind === 'fs-write') {
      return { code: 'write-outside-sandbox', severity: 'critical', message: `The candidate tried to ${action}${repeated}, outside its own folder: ${outcome}.` }
    }
    return { code: 'egress', severity: 'critical', message: `The candidate tried to ${action}${repeated}, which its release does not allow: ${outcome}.` }
  })
}

/** The engine did not run to the end of the test: the figures it left behind compare nothing. */
export function wasCutShort (engine: EngineObservation): boolean {
  return engine.crash !== null || engine.hang || engine.overBudget !== null
}

function crashDetail (crash: NonNullable<EngineObservation['crash']>): string {
  if (crash.signal !== null) return `killed by signal ${printable(crash.signal)}`
  if (crash.exitCode !== null) return `exit code ${crash.exitCode}`
  return 'it exited'
}

/**
 * What ended an engine early. Going over budget or hanging gets it killed, so that kill is not
 * also reported as a crash. The baseline's faults are warnings: they say nothing against the
 * candidate, but the run proves nothing for it either.
 */
export function faultReasons (engine: EngineObservation, role: 'baseline' | 'candidate'): VerdictReason[] {
  const [subject, severity] = role === 'candidate'
    ? ['The candidate', 'critical'] as const
    : [`The current version (${printable(engine.engineVersion)})`, 'warning'] as const
  const consequence = role === 'candidate' ? '' : ', so this comparison proves little: run the test again'
  if (engine.overBudget !== null) {
    const budget = engine.overBudget === 'cpu' ? 'CPU' : 'memory'
    return [{ code: 'over-budget', severity, message: `${subject} went over its ${budget} budget and was stopped${consequence}.` }]
  }
  if (engine.hang) return [{ code: 'hang', severity, message: `${subject} stopped answering and was stopped${consequence}.` }]
  if (engine.crash !== null) return [{ code: 'crash', severity, message: `${subject} crashed during the test (${crashDetail(engine.crash)})${consequence}.` }]
  return []
}

const STATE_WORDING: Record<StateField, string> = {
  identity: "the vault's identity",
  age: "the vault's age",
  settings: "the vault's settings",
  ports: "the vault's ports",
  earnings: "the vault's earnings address"
}

/** DESIGN §3.4: identity and age, settings, ports and earnings must survive the data migration. */
export function lostStateReasons (state: readonly KeptState[]): VerdictReason[] {
  return state.filter(entry => entry.baseline !== entry.candidate).map(entry => ({
    code: 'lost-state',
    severity: 'critical',
    message: `The candidate lost ${STATE_WORDING[entry.field]} in its data migration: it was ${quoted(entry.baseline)}, it became ${quoted(entry.candidate)}.`
  }))
}

export interface AnswerComparison {
  /** Requests both answered, with different responses. */
  mismatches: number
  reasons: VerdictReason[]
}

/**
 * Both engines got the same requests in the same order on the same snapshot, so every response
 * must match, and a request the baseline answered must not fail (or go unanswered) on the candidate.
 */
export function compareAnswers (baseline: readonly RequestRecord[], candidate: readonly RequestRecord[]): AnswerComparison {
  if (candidate.length > baseline.length) {
    throw new MisalignedRequestsError(`"candidate.requests" expected at most the baseline's ${baseline.length} records of the same replay, got ${candidate.length}`)
  }
  const wrong = new Map<ShadowOperation, number>()
  const failed = new Map<ShadowOperation, number>()
  baseline.forEach((expected, index) => {
    const actual = candidate[index]
    if (actual !== undefined && actual.operation !== expected.operation) {
      throw new MisalignedRequestsError(`"candidate.requests[${index}]" expected a ${expected.operation} as in the baseline's replay, got a ${actual.operation}`)
    }
    if (!expected.ok) return
    if (actual === undefined || !actual.ok) failed.set(expected.operation, (failed.get(expected.operation) ?? 0) + 1)
    else if (actual.digest !== expected.digest) wrong.set(expected.operation, (wrong.get(expected.operation) ?? 0) + 1)
  })
  const mismatches = [...wrong.values()].reduce((sum, count) => sum + count, 0)
  const failures = [...failed.values()].reduce((sum, count) => sum + count, 0)
  const reasons: VerdictReason[] = []
  if (mismatches > 0) {
    reasons.push({
      code: 'wrong-data',
      severity: 'critical',
      message: `The candidate answered ${mismatches} of ${baseline.length} requests differently from the current version (${countsByOperation(wrong)}): it returned wrong data.`
    })
  }
  if (failures > 0) {
    reasons.push({
      code: 'more-errors',
      severity: 'critical',
      message: `The candidate failed ${failures} of ${baseline.length} requests that the current version answered (${countsByOperation(failed)}).`
    })
  }
  return { mismatches, reasons }
}
