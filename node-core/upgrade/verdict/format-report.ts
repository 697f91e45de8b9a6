// The shadow verdict as plain text for `vault upgrade shadow` (issue 5, deliver 7): the result, the
// reasons, baseline and candidate side by side, which isolation layers held, and every attempt to
// reach outside. No colours or box drawing, so a log or a pipe keeps it as written.
import type { EgressAttempt, RunMetrics, ShadowOperation, ShadowVerdict, VerdictReason } from '../../../contract/upgrade.ts'
import { formatCpu, formatMemory, formatMs, printable } from './wording.ts'

/** Past this many, the attempts are summed up rather than listed. */
export const MAX_LISTED_ATTEMPTS = 50

const RESULT_WORDING: Record<ShadowVerdict['result'], string> = {
  pass: 'PASS: the candidate is at least as good as the current version.',
  marginal: 'MARGINAL: the candidate works but is worse in some ways; switching needs your approval.',
  fail: 'FAIL: the candidate will not be installed.'
}

const SEVERITY_LABEL: Record<VerdictReason['severity'], string> = {
  critical: '[critical]',
  warning: '[warning] ',
  info: '[info]    '
}

function timestamp (at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

function seconds (ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

function table (rows: ReadonlyArray<readonly [string, string, string]>): string[] {
  const widths = [0, 1, 2].map(column => Math.max(...rows.map(row => row[column]?.length ?? 0)))
  return rows.map(([label, left, right]) =>
    `  ${label.padEnd(widths[0] ?? 0)}  ${left.padStart(widths[1] ?? 0)}  ${right.padStart(widths[2] ?? 0)}`.trimEnd())
}

function latencyCell (metrics: RunMetrics, operation: ShadowOperation): string {
  const summary = metrics.latency.find(entry => entry.operation === operation)
  if (summary === undefined || summary.count === 0) return '-'
  return `${formatMs(summary.p50)} / ${formatMs(summary.p95)}`
}

function metricsTable (verdict: ShadowVerdict): string[] {
  const { baseline, candidate } = verdict
  const operations = [...new Set([...baseline.latency, ...candidate.latency].map(entry => entry.operation))]
  return table([
    ['', `current ${printable(baseline.engineVersion, 30)}`, `candidate ${printable(candidate.engineVersion, 30)}`],
    ['requests', String(baseline.requests), String(candidate.requests)],
    ['errors', String(baseline.errors), String(candidate.errors)],
    ['answers that differ', String(baseline.mismatches), String(candidate.mismatches)],
    ['throughput (per s)', baseline.throughputPerSecond.toFixed(1), candidate.throughputPerSecond.toFixed(1)],
    ...operations.map(operation => [`${operation} latency p50 / p95`, latencyCell(baseline, operation), latencyCell(candidate, operation)] as const),
    ['CPU time', formatCpu(baseline.cpuMs), formatCpu(candidate.cpuMs)],
    ['peak memory', formatMemory(baseline.peakRssBytes), formatMemory(candidate.peakRssBytes)]
  ])
}

function attemptLine (attempt: EgressAttempt, startedAt: number): string {
  const offset = `+${seconds(Math.max(0, attempt.at - startedAt))}`
  return `  ${offset.padStart(9)}  ${(attempt.allowed ? 'allowed' : 'NOT ALLOWED').padEnd(11)}  ${attempt.kind.padEnd(13)}  ${printable(attempt.target)}`
}

export function formatShadowReport (verdict: ShadowVerdict): string {
  const lines = [
    `Shadow test of ${printable(verdict.candidate.engineVersion, 60)} against ${printable(verdict.baseline.engineVersion, 60)}`,
    `Started ${timestamp(verdict.startedAt)}, ran ${seconds(verdict.durationMs)}.`,
    '',
    RESULT_WORDING[verdict.result],
    '',
    'Reasons',
    ...verdict.reasons.map(reason => `  ${SEVERITY_LABEL[reason.severity]} ${reason.message}`),
    '',
    'Figures',
    ...metricsTable(verdict),
    '',
    'Isolation on this machine',
    ...(verdict.isolation.length === 0
      ? ['  (not reported)']
      : verdict.isolation.map(layer => `  ${(layer.active ? 'active' : 'INACTIVE').padEnd(8)}  ${layer.layer.padEnd(22)}  ${printable(layer.detail)}`)),
    '',
    'Attempts to reach outside (candidate)'
  ]
  if (verdict.egress.length === 0) lines.push('  none')
  for (const attempt of verdict.egress.slice(0, MAX_LISTED_ATTEMPTS)) lines.push(attemptLine(attempt, verdict.startedAt))
  if (verdict.egress.length > MAX_LISTED_ATTEMPTS) lines.push(`  ... and ${verdict.egress.length - MAX_LISTED_ATTEMPTS} more`)
  return lines.join('\n')
}
