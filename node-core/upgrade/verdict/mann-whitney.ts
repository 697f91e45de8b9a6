// The two-sample Mann-Whitney U test (Wilcoxon rank-sum) with the Hodges-Lehmann estimate of the
// location shift and its distribution-free confidence interval: the comparison automated canary
// analysis makes of a canary's latencies against its baseline's (issue 5, deliver 3; Kayenta's
// Mann-Whitney classifier at 98%). Results agree with R's wilcox.test(candidate, baseline,
// conf.int = TRUE): the exact distribution when both samples hold fewer than 50 values and no
// value ties, else the normal approximation with tie and continuity corrections.
import { normalCdf, normalQuantile } from './normal-distribution.ts'
import { kthDifference, medianDifference, type SortedSamples } from './pairwise-differences.ts'
import { rankSumDistribution } from './rank-sum-distribution.ts'

export const DEFAULT_CONFIDENCE = 0.98
/** R's wilcox.test computes the exact distribution when both samples are smaller than this. */
export const EXACT_BELOW = 50

export interface MannWhitneyOptions {
  /** Of the interval for the shift, between 0 and 1 exclusive. */
  confidence?: number
}

export interface ShiftInterval {
  lower: number
  upper: number
  /** The confidence the interval achieves: at least the one asked for, unless the samples are too small to reach it. */
  confidence: number
}

export interface MannWhitneyResult {
  /** The candidate's U: pairs where the candidate's value is the larger, ties counting half. */
  u: number
  /** Two-sided: the chance of a U at least this far from m·n/2 if both came from one distribution. */
  pValue: number
  method: 'exact' | 'normal'
  /** Hodges-Lehmann estimate of candidate minus baseline: the median of all pairwise differences. */
  shift: number
  interval: ShiftInterval
}

function assertSample (name: string, sample: unknown): asserts sample is readonly number[] {
  if (!Array.isArray(sample)) throw new TypeError(`"${name}" expected an array of finite numbers, got ${typeof sample}`)
  if (sample.length === 0) throw new RangeError(`"${name}" expected an array of finite numbers, got an empty array`)
  sample.forEach((value: unknown, index) => {
    if (typeof value !== 'number') throw new TypeError(`"${name}[${index}]" expected a finite number, got ${typeof value}`)
    if (!Number.isFinite(value)) throw new RangeError(`"${name}[${index}]" expected a finite number, got ${value}`)
  })
}

function assertConfidence (confidence: unknown): asserts confidence is number {
  if (typeof confidence !== 'number') throw new TypeError(`"confidence" expected a number between 0 and 1 exclusive, got ${typeof confidence}`)
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`"confidence" expected a number between 0 and 1 exclusive, got ${confidence}`)
}

interface Ranking {
  /** Sum of the candidate's ranks, ties sharing their mean rank. */
  candidateRankSum: number
  /** Σ (t³ − t) over groups of t tied values. */
  tieTerm: number
}

function rank (baseline: readonly number[], candidate: readonly number[]): Ranking {
  const pooled = [
    ...baseline.map(value => ({ value, candidate: false })),
    ...candidate.map(value => ({ value, candidate: true }))
  ].sort((a, b) => a.value - b.value)
  let candidateRankSum = 0
  let tieTerm = 0
  for (let start = 0; start < pooled.length;) {
    let end = start + 1
    while (end < pooled.length && pooled[end]?.value === pooled[start]?.value) end++
    const size = end - start
    const meanRank = (start + 1 + end) / 2
    for (let i = start; i < end; i++) if (pooled[i]?.candidate === true) candidateRankSum += meanRank
    tieTerm += size ** 3 - size
    start = end
  }
  return { candidateRankSum, tieTerm }
}

/** The rank of the interval's lower end: at least the smallest difference, never past the middle (so lower ≤ upper). */
function lowerRank (quantile: number, pairs: number): number {
  return Math.min(Math.max(quantile, 1), Math.floor((pairs + 1) / 2))
}

function interval (samples: SortedSamples, k: number, achieved: number): ShiftInterval {
  const pairs = samples.baseline.length * samples.candidate.length
  return {
    lower: kthDifference(samples, k),
    upper: kthDifference(samples, pairs - k + 1),
    confidence: Math.min(1, Math.max(0, achieved))
  }
}

/** Mann-Whitney U test of the candidate against the baseline, with the shift candidate − baseline. */
export function mannWhitney (baseline: readonly number[], candidate: readonly number[], options: MannWhitneyOptions = {}): MannWhitneyResult {
  assertSample('baseline', baseline)
  assertSample('candidate', candidate)
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE
  assertConfidence(confidence)

  const n = baseline.length
  const m = candidate.length
  const samples: SortedSamples = {
    baseline: [...baseline].sort((a, b) => a - b),
    candidate: [...candidate].sort((a, b) => a - b)
  }
  const { candidateRankSum, tieTerm } = rank(samples.baseline, samples.candidate)
  const u = candidateRankSum - (m * (m + 1)) / 2
  const pairs = m * n
  const shift = medianDifference(samples)
  const alpha = 1 - confidence

  if (m < EXACT_BELOW && n < EXACT_BELOW && tieTerm === 0) {
    const distribution = rankSumDistribution(m, n)
    const tail = u > pairs / 2 ? distribution.survival(u) : distribution.cdf(u)
    // The interval runs from the k-th smallest to the k-th largest difference, where k is the
    // α/2 quantile of U (Hollander & Wolfe, Nonparametric Statistical Methods, §4.3); R does the same.
    const k = lowerRank(distribution.quantile(alpha / 2), pairs)
    return {
      u,
      pValue: Math.min(1, 2 * tail),
      method: 'exact',
      shift,
      interval: interval(samples, k, 1 - 2 * distribution.cdf(k - 1))
    }
  }

  const tiedSigma = Math.sqrt((pairs / 12) * ((m + n + 1) - tieTerm / ((m + n) * (m + n - 1))))
  const centred = u - pairs / 2
  let pValue = 1
  if (tiedSigma > 0) {
    const z = (centred - Math.sign(centred) * 0.5) / tiedSigma
    pValue = Math.min(1, 2 * Math.min(normalCdf(z), normalCdf(-z)))
  }
  // The same quantile of U from its normal approximation with continuity correction: the smallest
  // k with Φ((k + ½ − mn/2)/σ) ≥ α/2. The interval is a statement about shifted continuous
  // distributions, so σ is the one without ties.
  const sigma = Math.sqrt((pairs * (m + n + 1)) / 12)
  const k = lowerRank(Math.ceil(pairs / 2 - 0.5 + normalQuantile(alpha / 2) * sigma), pairs)
  return {
    u,
    pValue,
    method: 'normal',
    shift,
    interval: interval(samples, k, 1 - 2 * normalCdf((k - 0.5 - pairs / 2) / sigma))
  }
}
