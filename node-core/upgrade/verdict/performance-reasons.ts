// The figures of a shadow run that were run to its end, compared with tolerances (issue 5,
// deliver 3): latency per operation by Mann-Whitney U with an effect-size tolerance, as automated
// canary analysis does, then throughput, CPU time and peak memory by ratio. Fail-level findings are
// critical (the contract: a critical reason fails the run); marginal ones are warnings.
import { ShadowOperationSchema, type VerdictReason } from '../../../contract/upgrade.ts'
import { mannWhitney } from './mann-whitney.ts'
import type { EngineObservation } from './observations.ts'
import { answeredLatencies, quantile, throughputPerSecond } from './run-metrics.ts'
import type { VerdictTolerances } from './tolerances.ts'
import { formatCpu, formatMemory, formatMs, formatRatio, formatShare, operationTitle } from './wording.ts'

const FAILS = 'That fails the test.'
const NEEDS_APPROVAL = 'On its own, that needs your approval before switching.'

function confidenceLabel (confidence: number): string {
  return `${Number((confidence * 100).toFixed(1))}%`
}

export function latencyReasons (baseline: EngineObservation, candidate: EngineObservation, tolerances: VerdictTolerances): VerdictReason[] {
  const before = answeredLatencies(baseline.requests)
  const after = answeredLatencies(candidate.requests)
  const reasons: VerdictReason[] = []
  for (const operation of ShadowOperationSchema.options) {
    const x = before.get(operation) ?? []
    const y = after.get(operation) ?? []
    if (x.length === 0 && y.length === 0) continue
    if (Math.min(x.length, y.length) < tolerances.minLatencySamples) {
      reasons.push({
        code: 'slower',
        severity: 'info',
        message: `${operationTitle(operation)} were too few to judge their speed (${x.length} answered by the current version, ${y.length} by the candidate; at least ${tolerances.minLatencySamples} each are needed).`
      })
      continue
    }
    const test = mannWhitney(x, y, { confidence: tolerances.confidence })
    const [baselineMedian, candidateMedian] = [quantile(x, 0.5), quantile(y, 0.5)]
    const tolerance = Math.max(tolerances.latencyShiftFraction * baselineMedian, tolerances.latencyShiftFloorMs)
    if (!(test.interval.lower > tolerance)) continue
    const ratio = baselineMedian > 0 ? candidateMedian / baselineMedian : Number.POSITIVE_INFINITY
    const fails = ratio >= tolerances.latencyFailRatio
    const how = Number.isFinite(ratio) ? `${formatRatio(ratio)} slower` : 'slower'
    reasons.push({
      code: 'slower',
      severity: fails ? 'critical' : 'warning',
      message: `${operationTitle(operation)} were ${how} (median ${formatMs(candidateMedian)} against ${formatMs(baselineMedian)}; ` +
        `${confidenceLabel(tolerances.confidence)} interval of the difference ${formatMs(test.interval.lower)} to ${formatMs(test.interval.upper)}). ${fails ? FAILS : NEEDS_APPROVAL}`
    })
  }
  return reasons
}

export function throughputReasons (baseline: EngineObservation, candidate: EngineObservation, tolerances: VerdictTolerances): VerdictReason[] {
  const before = throughputPerSecond(baseline)
  const after = throughputPerSecond(candidate)
  if (before === 0) return []
  const ratio = after / before
  if (ratio >= tolerances.throughputMarginalRatio) return []
  const fails = ratio < tolerances.throughputFailRatio
  return [{
    code: 'lower-throughput',
    severity: fails ? 'critical' : 'warning',
    message: `The candidate served ${after.toFixed(1)} requests per second against ${before.toFixed(1)} for the current version (${formatShare(ratio)}). ${fails ? FAILS : NEEDS_APPROVAL}`
  }]
}

interface CostComparison {
  before: number
  after: number
  floor: number
  marginalRatio: number
  failRatio: number
}

/** 'critical', 'warning' or null: the candidate's cost over the baseline's, when the difference is past the floor. */
function costLevel ({ before, after, floor, marginalRatio, failRatio }: CostComparison): 'critical' | 'warning' | null {
  if (after - before <= floor) return null
  const ratio = before > 0 ? after / before : Number.POSITIVE_INFINITY
  if (ratio > failRatio) return 'critical'
  if (ratio > marginalRatio) return 'warning'
  return null
}

function times (before: number, after: number): string {
  return before > 0 ? `${formatRatio(after / before)} ` : 'more than '
}

export function resourceReasons (baseline: EngineObservation, candidate: EngineObservation, tolerances: VerdictTolerances): VerdictReason[] {
  const reasons: VerdictReason[] = []
  const cpu = costLevel({ before: baseline.cpuMs, after: candidate.cpuMs, floor: tolerances.cpuFloorMs, marginalRatio: tolerances.cpuMarginalRatio, failRatio: tolerances.cpuFailRatio })
  if (cpu !== null) {
    reasons.push({
      code: 'more-cpu',
      severity: cpu,
      message: `The candidate used ${times(baseline.cpuMs, candidate.cpuMs)}the CPU time of the current version (${formatCpu(candidate.cpuMs)} against ${formatCpu(baseline.cpuMs)}). ${cpu === 'critical' ? FAILS : NEEDS_APPROVAL}`
    })
  }
  const memory = costLevel({ before: baseline.peakRssBytes, after: candidate.peakRssBytes, floor: tolerances.memoryFloorBytes, marginalRatio: tolerances.memoryMarginalRatio, failRatio: tolerances.memoryFailRatio })
  if (memory !== null) {
    reasons.push({
      code: 'more-memory',
      severity: memory,
      message: `The candidate's memory peaked at ${times(baseline.peakRssBytes, candidate.peakRssBytes)}the current version's (${formatMemory(candidate.peakRssBytes)} against ${formatMemory(baseline.peakRssBytes)}). ${memory === 'critical' ? FAILS : NEEDS_APPROVAL}`
    })
  }
  return reasons
}
