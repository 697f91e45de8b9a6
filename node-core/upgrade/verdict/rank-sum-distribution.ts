// The exact null distribution of the Mann-Whitney U statistic for samples of m and n values
// without ties: every one of the C(m+n, m) orderings is equally likely, and the number of them
// with U = u is the coefficient of qᵘ in the Gaussian binomial [m+n choose m]_q. Harding (1984,
// Applied Statistics 33:1-6) builds it as ∏ᵢ (1 − q^(n+i)) / (1 − qⁱ), one factor at a time;
// BigInt keeps the counts exact (C(98, 49) is about 2.5·10²⁸).

function assertSize (name: string, value: number): void {
  if (typeof value !== 'number') throw new TypeError(`"${name}" expected a positive integer, got ${typeof value}`)
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`"${name}" expected a positive integer, got ${value}`)
}

/** counts[u] = the number of orderings of m and n values whose U is u, for u = 0 … m·n. */
export function rankSumCounts (m: number, n: number): bigint[] {
  assertSize('m', m)
  assertSize('n', n)
  const top = m * n
  const counts = new Array<bigint>(top + 1).fill(0n)
  counts[0] = 1n
  for (let i = 1; i <= m; i++) {
    // After step i the array holds [n+i choose i]_q, a polynomial of degree i·n, so both loops stay in range.
    for (let k = top; k >= n + i; k--) counts[k] = (counts[k] ?? 0n) - (counts[k - n - i] ?? 0n)
    for (let k = i; k <= top; k++) counts[k] = (counts[k] ?? 0n) + (counts[k - i] ?? 0n)
  }
  return counts
}

/** The exact distribution of U for samples of m and n values, with its cumulative probabilities. */
export interface RankSumDistribution {
  m: number
  n: number
  /** P(U ≤ u). */
  cdf: (u: number) => number
  /** P(U ≥ u). */
  survival: (u: number) => number
  /** The smallest u with P(U ≤ u) ≥ p (R's qwilcox). */
  quantile: (p: number) => number
}

export function rankSumDistribution (m: number, n: number): RankSumDistribution {
  const counts = rankSumCounts(m, n)
  const total = counts.reduce((sum, count) => sum + count, 0n)
  const below: bigint[] = []
  let running = 0n
  for (const count of counts) {
    running += count
    below.push(running)
  }
  const top = m * n
  const cdf = (u: number): number => {
    if (u < 0) return 0
    if (u >= top) return 1
    return Number(below[Math.floor(u)] ?? total) / Number(total)
  }
  return {
    m,
    n,
    cdf,
    // U is symmetric about mn/2, so P(U ≥ u) = P(U ≤ mn − u).
    survival: (u: number): number => cdf(top - Math.ceil(u)),
    quantile: (p: number): number => {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`"p" expected a probability from 0 to 1, got ${p}`)
      // R's qwilcox allows the same few ulps, so a p computed as 1 − confidence still finds its quantile.
      const target = p - 10 * Number.EPSILON
      for (let u = 0; u <= top; u++) if (cdf(u) >= target) return u
      return top
    }
  }
}
