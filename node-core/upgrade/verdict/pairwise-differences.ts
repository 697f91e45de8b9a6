// Order statistics of the m·n differences candidate[i] − baseline[j], which the Hodges-Lehmann
// estimate and its confidence interval are made of, without building all of them: a shadow run
// may hold thousands of requests per operation, and 5,000² differences would be 200 MB.
// With the candidate ascending and the baseline descending the differences form a matrix whose
// rows and columns are sorted (floating-point subtraction is monotone in each argument), so the
// k-th smallest is found by repeatedly counting against a pivot (Johnson & Mizoguchi 1978), in
// O((m + n) log(m·n)) steps. The pivot is the weighted median of the row middles, so each round
// discards at least a quarter of the remaining candidates.

// Once this few differences remain candidates, sorting them is cheaper than another round.
const SORT_BELOW = 256

export interface SortedSamples {
  /** Ascending. */
  baseline: readonly number[]
  /** Ascending. */
  candidate: readonly number[]
}

/** The k-th smallest (1-based) of candidate[i] − baseline[j] over all pairs. */
export function kthDifference ({ baseline, candidate }: SortedSamples, k: number): number {
  const rows = candidate.length
  const columns = baseline.length
  if (!Number.isInteger(k) || k < 1 || k > rows * columns) throw new RangeError(`"k" expected an integer from 1 to ${rows * columns}, got ${k}`)
  const at = (row: number, column: number): number => (candidate[row] ?? 0) - (baseline[columns - 1 - column] ?? 0)

  // Row i's candidates are columns [low[i], high[i]); everything left of low[i] is known to
  // rank below the answer and everything from high[i] on above it.
  const low = new Array<number>(rows).fill(0)
  const high = new Array<number>(rows).fill(columns)

  for (;;) {
    let remaining = 0
    for (let row = 0; row < rows; row++) remaining += (high[row] ?? 0) - (low[row] ?? 0)
    if (remaining <= SORT_BELOW) {
      const values: number[] = []
      let ranked = 0
      for (let row = 0; row < rows; row++) {
        ranked += low[row] ?? 0
        for (let column = low[row] ?? 0; column < (high[row] ?? 0); column++) values.push(at(row, column))
      }
      values.sort((a, b) => a - b)
      const value = values[k - ranked - 1]
      if (value === undefined) throw new Error('kthDifference lost track of its candidates')
      return value
    }

    const pivot = weightedMedianOfRowMiddles(rows, low, high, at)
    const below = countPerRow(rows, columns, at, value => value < pivot)
    const atMost = countPerRow(rows, columns, at, value => value <= pivot)
    const totalBelow = below.reduce((sum, count) => sum + count, 0)
    const totalAtMost = atMost.reduce((sum, count) => sum + count, 0)
    if (k <= totalBelow) {
      for (let row = 0; row < rows; row++) high[row] = Math.min(high[row] ?? 0, below[row] ?? 0)
    } else if (k > totalAtMost) {
      for (let row = 0; row < rows; row++) low[row] = Math.max(low[row] ?? 0, atMost[row] ?? 0)
    } else {
      return pivot
    }
  }
}

function weightedMedianOfRowMiddles (rows: number, low: number[], high: number[], at: (row: number, column: number) => number): number {
  const middles: Array<{ value: number, weight: number }> = []
  let totalWeight = 0
  for (let row = 0; row < rows; row++) {
    const [from, to] = [low[row] ?? 0, high[row] ?? 0]
    if (from >= to) continue
    middles.push({ value: at(row, Math.floor((from + to) / 2)), weight: to - from })
    totalWeight += to - from
  }
  middles.sort((a, b) => a.value - b.value)
  let accumulated = 0
  for (const middle of middles) {
    accumulated += middle.weight
    if (2 * accumulated >= totalWeight) return middle.value
  }
  throw new Error('kthDifference found no candidates left')
}

/** Per row, how many differences satisfy `inside`, which must hold for a prefix of every row. */
function countPerRow (rows: number, columns: number, at: (row: number, column: number) => number, inside: (value: number) => boolean): number[] {
  // Each row is at least the one above it column by column, so its prefix is no longer.
  const counts = new Array<number>(rows)
  let column = columns
  for (let row = 0; row < rows; row++) {
    while (column > 0 && !inside(at(row, column - 1))) column--
    counts[row] = column
  }
  return counts
}

/** The Hodges-Lehmann estimate of the shift: the median of all m·n differences. */
export function medianDifference (samples: SortedSamples): number {
  const count = samples.baseline.length * samples.candidate.length
  if (count % 2 === 1) return kthDifference(samples, (count + 1) / 2)
  return (kthDifference(samples, count / 2) + kthDifference(samples, count / 2 + 1)) / 2
}
