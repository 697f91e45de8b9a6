// Baseline and candidate side by side (issue 5, deliver 3 and 6): one row per measure with both
// values and the change in words. The verdict is the host's; these words only help reading.
import type { RunMetrics, ShadowOperation } from '../../../../contract/upgrade.ts'
import { formatBytes, formatCount } from '../../format/bytes.ts'

/** 'neutral': a row that informs without judging; 'unknown': only one engine measured it. */
export type Assessment = 'better' | 'worse' | 'same' | 'neutral' | 'unknown'

export type MetricRow = {
  id: string
  label: string
  baseline: string
  candidate: string
  /** "+12% (worse)", "same", "+3 (worse)": the change conveyed in text, not only in colour. */
  change: string
  assessment: Assessment
}

/** Relative changes below this read as "about the same": timing noise, not a difference. */
export const SAME_WITHIN = 0.05

const OPERATIONS: readonly ShadowOperation[] = ['get', 'put', 'audit']

type Better = 'higher' | 'lower' | null

/** `0.42` → `"0.42 ms"`, `4.25` → `"4.3 ms"`, `120.4` → `"120 ms"`, `1500` → `"1.5 s"`. */
export function formatMilliseconds (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`"ms" expected a non-negative finite number, got ${ms}`)
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(ms >= 10_000 ? 0 : 1))} s`
  if (ms >= 100) return `${Math.round(ms)} ms`
  return `${Number(ms.toFixed(ms >= 10 ? 1 : 2))} ms`
}

/** `12.345` → `"12.3/s"`. */
export function formatRate (perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) throw new RangeError(`"perSecond" expected a non-negative finite number, got ${perSecond}`)
  return `${Number(perSecond.toFixed(perSecond >= 100 ? 0 : 1))}/s`
}

/**
 * The change from baseline to candidate. Counts of bad things (errors, mismatches) are `exact`:
 * no tolerance, one more is worse. Measures compare relatively, with SAME_WITHIN of slack.
 * `better` null marks a row that informs without judging.
 */
export function compareMetric (baseline: number, candidate: number, better: Better, exact = false, format: (value: number) => string = formatCount): { change: string, assessment: Assessment } {
  if (baseline === candidate) return { change: 'same', assessment: better === null ? 'neutral' : 'same' }
  const delta = candidate - baseline
  // From zero a percentage means nothing: show the amount itself.
  const absolute = exact || baseline === 0
  const relative = absolute ? 0 : delta / baseline
  const magnitude = absolute ? format(Math.abs(delta)) : `${Math.round(Math.abs(relative) * 100)}%`
  const change = magnitude === '0%' ? '±0%' : `${delta > 0 ? '+' : '−'}${magnitude}`
  if (better === null) return { change, assessment: 'neutral' }
  if (!absolute && Math.abs(relative) < SAME_WITHIN) return { change: `${change} (about the same)`, assessment: 'same' }
  const assessment: Assessment = (better === 'higher') === (delta > 0) ? 'better' : 'worse'
  return { change: `${change} (${assessment})`, assessment }
}

function row (id: string, label: string, baseline: number, candidate: number, format: (value: number) => string, better: Better, exact = false): MetricRow {
  return { id, label, baseline: format(baseline), candidate: format(candidate), ...compareMetric(baseline, candidate, better, exact, format) }
}

function latencyRows (baseline: RunMetrics, candidate: RunMetrics): MetricRow[] {
  const rows: MetricRow[] = []
  for (const operation of OPERATIONS) {
    const left = baseline.latency.find((entry) => entry.operation === operation)
    const right = candidate.latency.find((entry) => entry.operation === operation)
    if (left === undefined && right === undefined) continue
    for (const quantile of ['p50', 'p95'] as const) {
      const id = `latency-${operation}-${quantile}`
      const label = `${operation.charAt(0).toUpperCase()}${operation.slice(1)} latency ${quantile}`
      if (left === undefined || right === undefined) {
        rows.push({
          id,
          label,
          baseline: left === undefined ? 'not measured' : formatMilliseconds(left[quantile]),
          candidate: right === undefined ? 'not measured' : formatMilliseconds(right[quantile]),
          change: 'not comparable',
          assessment: 'unknown'
        })
        continue
      }
      rows.push(row(id, label, left[quantile], right[quantile], formatMilliseconds, 'lower'))
    }
  }
  return rows
}

export function metricRows (baseline: RunMetrics, candidate: RunMetrics): MetricRow[] {
  return [
    // Both engines get the same workload: requests only say how much was compared.
    row('requests', 'Requests', baseline.requests, candidate.requests, formatCount, null, true),
    row('errors', 'Errors', baseline.errors, candidate.errors, formatCount, 'lower', true),
    row('mismatches', 'Mismatched responses', baseline.mismatches, candidate.mismatches, formatCount, 'lower', true),
    row('throughput', 'Throughput', baseline.throughputPerSecond, candidate.throughputPerSecond, formatRate, 'higher'),
    ...latencyRows(baseline, candidate),
    row('cpu', 'CPU time', baseline.cpuMs, candidate.cpuMs, formatMilliseconds, 'lower'),
    row('memory', 'Peak memory', baseline.peakRssBytes, candidate.peakRssBytes, formatBytes, 'lower')
  ]
}
