// The verdict of a shadow run (DESIGN §3.4, issue 5 deliver 3): pass, marginal or fail, with the
// evidence the owner sees. Critical findings fail the run on their own; the figures are compared
// only when both engines ran to the end, since a run cut short compares nothing.
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { ShadowVerdictSchema, type ShadowOperation, type ShadowVerdict, type VerdictReason, type VerdictResult } from '../../../contract/upgrade.ts'
import { compareAnswers, egressReasons, faultReasons, lostStateReasons, wasCutShort } from './critical-reasons.ts'
import { ShadowObservationsSchema } from './observations.ts'
import { latencyReasons, resourceReasons, throughputReasons } from './performance-reasons.ts'
import { runMetrics } from './run-metrics.ts'
import { resolveTolerances, type VerdictTolerances } from './tolerances.ts'

export class InvalidObservationsError extends namedError('InvalidObservationsError') {}

const AS_GOOD: VerdictReason = {
  code: 'as-good',
  severity: 'info',
  message: 'The candidate did as well as the current version: the same answers, no attempt to reach outside, ' +
    'its state kept through the migration, and its speed, CPU time and memory within tolerance.'
}

const SEVERITY_ORDER: Record<VerdictReason['severity'], number> = { critical: 0, warning: 1, info: 2 }

function resultOf (reasons: readonly VerdictReason[]): VerdictResult {
  if (reasons.some(reason => reason.severity === 'critical')) return 'fail'
  if (reasons.some(reason => reason.severity === 'warning')) return 'marginal'
  return 'pass'
}

/** Judges what a shadow run observed; `tolerances` override DEFAULT_VERDICT_TOLERANCES one by one. */
export function judgeShadowRun (input: z.input<typeof ShadowObservationsSchema>, tolerances: Partial<VerdictTolerances> = {}): ShadowVerdict {
  const parsed = ShadowObservationsSchema.safeParse(input)
  if (!parsed.success) throw new InvalidObservationsError(`"observations" expected a shadow run's observations: ${z.prettifyError(parsed.error)}`)
  const observations = parsed.data
  const limits = resolveTolerances(tolerances)
  const { baseline, candidate } = observations

  const reasons: VerdictReason[] = [
    ...egressReasons(candidate.egress, observations.isolation),
    ...faultReasons(candidate, 'candidate'),
    ...lostStateReasons(observations.state),
    ...faultReasons(baseline, 'baseline')
  ]
  let mismatches = 0
  if (!wasCutShort(baseline) && !wasCutShort(candidate)) {
    const answers = compareAnswers(baseline.requests, candidate.requests)
    mismatches = answers.mismatches
    reasons.push(
      ...answers.reasons,
      ...latencyReasons(baseline, candidate, limits),
      ...throughputReasons(baseline, candidate, limits),
      ...resourceReasons(baseline, candidate, limits)
    )
  }
  const result = resultOf(reasons)
  if (result === 'pass') reasons.unshift(AS_GOOD)
  // Stable: within a severity, the order above (what reached outside first).
  reasons.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])

  const operations = new Set<ShadowOperation>([...baseline.requests, ...candidate.requests].map(request => request.operation))
  return ShadowVerdictSchema.parse({
    result,
    reasons,
    baseline: runMetrics(baseline, mismatches, operations),
    candidate: runMetrics(candidate, mismatches, operations),
    egress: candidate.egress,
    isolation: observations.isolation,
    startedAt: observations.startedAt,
    durationMs: Math.max(baseline.durationMs, candidate.durationMs)
  })
}
