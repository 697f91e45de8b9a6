import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPrng } from '../../../../node-core/section/rules/prng.ts'
import { kthDifference, medianDifference } from '../../../../node-core/upgrade/verdict/pairwise-differences.ts'

function allDifferences (baseline: number[], candidate: number[]): number[] {
  return candidate.flatMap(y => baseline.map(x => y - x)).sort((a, b) => a - b)
}

function ascending (values: number[]): number[] {
  return [...values].sort((a, b) => a - b)
}

describe('kthDifference', () => {
  it('agrees with sorting all differences, with and without ties, past the size it sorts directly', () => {
    const prng = createPrng(42)
    const cases: Array<[number[], number[]]> = [
      [[1, 2], [3, 4]],
      [Array.from({ length: 37 }, () => prng.nextFloat() * 10), Array.from({ length: 41 }, () => prng.nextFloat() * 10 + 2)],
      // Few distinct values: many equal differences straddle every pivot.
      [Array.from({ length: 60 }, () => prng.nextInt(4)), Array.from({ length: 50 }, () => prng.nextInt(5))],
      [Array.from({ length: 3 }, () => prng.nextFloat()), Array.from({ length: 200 }, () => prng.nextFloat())]
    ]
    for (const [rawBaseline, rawCandidate] of cases) {
      const samples = { baseline: ascending(rawBaseline), candidate: ascending(rawCandidate) }
      const expected = allDifferences(samples.baseline, samples.candidate)
      for (let k = 1; k <= expected.length; k += Math.max(1, Math.floor(expected.length / 97))) {
        assert.equal(kthDifference(samples, k), expected[k - 1], `k = ${k} of ${expected.length}`)
      }
      assert.equal(kthDifference(samples, expected.length), expected[expected.length - 1])
    }
  })

  it('refuses a rank out of range', () => {
    const samples = { baseline: [1, 2], candidate: [3] }
    for (const k of [0, 3, 1.5]) assert.throws(() => kthDifference(samples, k), { name: 'RangeError' })
  })
})

describe('medianDifference', () => {
  it('averages the two middle differences of an even count', () => {
    // Differences 1, 2, 2, 3 → 2; 1, 3 → 2; 1, 2, 3, 4, 4, 6 → 3.5.
    assert.equal(medianDifference({ baseline: [1, 2], candidate: [3, 4] }), 2)
    assert.equal(medianDifference({ baseline: [0, 2], candidate: [3] }), 2)
    assert.equal(medianDifference({ baseline: [1, 3], candidate: [4, 5, 7] }), 3.5)
  })

  it('handles thousands of values without building every difference', () => {
    const prng = createPrng(9)
    const baseline = ascending(Array.from({ length: 4000 }, () => prng.nextFloat()))
    const candidate = ascending(Array.from({ length: 5000 }, () => prng.nextFloat() + 0.25))
    assert.ok(Math.abs(medianDifference({ baseline, candidate }) - 0.25) < 0.02)
  })
})
