import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { rankSumCounts, rankSumDistribution } from '../../../../node-core/upgrade/verdict/rank-sum-distribution.ts'

function binomial (n: number, k: number): bigint {
  let result = 1n
  for (let i = 1; i <= k; i++) result = (result * BigInt(n - k + i)) / BigInt(i)
  return result
}

/** Counts by brute force: every way to choose which of the m + n ranks are the first sample's. */
function bruteForceCounts (m: number, n: number): bigint[] {
  const counts = new Array<bigint>(m * n + 1).fill(0n)
  for (let mask = 0; mask < 2 ** (m + n); mask++) {
    let bits = 0
    let u = 0
    let secondSeen = 0
    for (let position = 0; position < m + n; position++) {
      if ((mask >> position) & 1) {
        bits++
        u += secondSeen
      } else {
        secondSeen++
      }
    }
    if (bits === m) counts[u] = (counts[u] ?? 0n) + 1n
  }
  return counts
}

describe('rankSumCounts', () => {
  it('matches R 4.2.2 dwilcox(0:6, 3, 2) · C(5, 2): 1 1 2 2 2 1 1', () => {
    assert.deepEqual(rankSumCounts(3, 2), [1n, 1n, 2n, 2n, 2n, 1n, 1n])
  })

  it('matches counting every ordering, for every size up to 6 and 6', () => {
    for (let m = 1; m <= 6; m++) {
      for (let n = 1; n <= 6; n++) assert.deepEqual(rankSumCounts(m, n), bruteForceCounts(m, n), `${m}, ${n}`)
    }
  })

  it('sums to C(m + n, m), is symmetric, and does not depend on which sample is which', () => {
    const counts = rankSumCounts(49, 49)
    assert.equal(counts.reduce((sum, count) => sum + count, 0n), binomial(98, 49))
    assert.deepEqual(counts, [...counts].reverse())
    assert.deepEqual(rankSumCounts(7, 12), rankSumCounts(12, 7))
  })

  it('refuses sizes that are not positive integers', () => {
    assert.throws(() => rankSumCounts(0, 3), { name: 'RangeError', message: '"m" expected a positive integer, got 0' })
    assert.throws(() => rankSumCounts(2, 1.5), { name: 'RangeError' })
  })
})

describe('rankSumDistribution', () => {
  it('matches R 4.2.2 pwilcox and qwilcox for samples of 12 and 9', () => {
    // pwilcox(c(21, 22), 12, 9) → 0.0091926649202191 0.0113564454121730
    // qwilcox(c(0.01, 0.025, 0.5), 12, 9) → 22 27 54
    const distribution = rankSumDistribution(12, 9)
    assert.ok(Math.abs(distribution.cdf(21) - 0.0091926649202191) < 1e-15)
    assert.ok(Math.abs(distribution.cdf(22) - 0.0113564454121730) < 1e-15)
    assert.deepEqual([0.01, 0.025, 0.5].map(distribution.quantile), [22, 27, 54])
  })

  it('has survival(u) = cdf(mn − u), and the ends right', () => {
    const distribution = rankSumDistribution(5, 4)
    for (let u = 0; u <= 20; u++) assert.equal(distribution.survival(u), distribution.cdf(20 - u))
    assert.deepEqual([distribution.cdf(-1), distribution.cdf(20), distribution.survival(0)], [0, 1, 1])
    assert.equal(distribution.quantile(0), 0)
    assert.equal(distribution.quantile(1), 20)
  })
})
