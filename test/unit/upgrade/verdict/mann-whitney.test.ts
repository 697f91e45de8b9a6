import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPrng, type Prng } from '../../../../node-core/section/rules/prng.ts'
import { EXACT_BELOW, mannWhitney } from '../../../../node-core/upgrade/verdict/mann-whitney.ts'

function close (actual: number, expected: number, tolerance = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`)
}

function untyped<T> (value: unknown): T {
  return value as T
}

/** Distinct values from a fixed stream: multiples of a step modulo a prime, as in the R calls below. */
function residues (count: number, factor: number, modulus: number, offset: number): number[] {
  return Array.from({ length: count }, (_, i) => ((i + 1) * factor) % modulus + offset)
}

function normalSample (prng: Prng, count: number, mean: number): number[] {
  // Box-Muller: a continuous distribution, so no ties.
  return Array.from({ length: count }, () => mean + Math.sqrt(-2 * Math.log(1 - prng.nextFloat())) * Math.cos(2 * Math.PI * prng.nextFloat()))
}

// R 4.2.2 (wilcox.test in package stats). wilcox.test(x, y) tests x against y and estimates
// x − y, so the candidate is R's x and the baseline its y.
describe('mannWhitney: known answers from R', () => {
  it("matches ?wilcox.test's permeability example (Hollander & Wolfe, p. 111), exact", () => {
    // x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)
    // y <- c(1.15, 0.88, 0.90, 0.74, 1.21)
    // wilcox.test(x, y, conf.int = TRUE, conf.level = 0.98)
    //   W = 35, p-value = 0.254412254412; 98 percent confidence interval: -0.17  0.90;
    //   difference in location 0.305
    // wilcox.test(x, y, conf.int = TRUE)   → interval -0.15 0.76 (95%)
    const candidate = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    const baseline = [1.15, 0.88, 0.90, 0.74, 1.21]
    const result = mannWhitney(baseline, candidate)
    assert.equal(result.method, 'exact')
    assert.equal(result.u, 35)
    close(result.pValue, 0.254412254412254)
    close(result.shift, 0.305)
    close(result.interval.lower, -0.17)
    close(result.interval.upper, 0.90)
    assert.ok(result.interval.confidence >= 0.98)
    const at95 = mannWhitney(baseline, candidate, { confidence: 0.95 })
    close(at95.interval.lower, -0.15)
    close(at95.interval.upper, 0.76)
  })

  it('matches R on a clear shift, exact', () => {
    // p <- c(12.1, 14.3, 11.8, 15.2, 13.9, 16.4, 12.7, 17.0, 14.8, 13.3, 15.9, 18.2)
    // q <- c(10.2, 11.5, 9.8, 12.9, 10.9, 11.1, 13.4, 10.4, 12.2)
    // wilcox.test(p, q, conf.int = TRUE, conf.level = 0.98)
    //   W = 99, p-value = 0.000660021093458; 98 percent confidence interval: 1.2 5.3;
    //   difference in location 3.15
    const result = mannWhitney([10.2, 11.5, 9.8, 12.9, 10.9, 11.1, 13.4, 10.4, 12.2], [12.1, 14.3, 11.8, 15.2, 13.9, 16.4, 12.7, 17.0, 14.8, 13.3, 15.9, 18.2])
    assert.equal(result.u, 99)
    close(result.pValue, 0.000660021093457626)
    close(result.shift, 3.15)
    close(result.interval.lower, 1.2)
    close(result.interval.upper, 5.3)
  })

  it('matches R with 40 and 45 values, the exact distribution near its size limit', () => {
    // x <- ((1:40) * 37) %% 101 + 0.5; y <- ((1:45) * 53) %% 97 + 0.25
    // wilcox.test(x, y, conf.int = TRUE, conf.level = 0.98)
    //   W = 1005, p-value = 0.359395522700689; interval -9.75 20.25; difference in location 5.25
    const result = mannWhitney(residues(45, 53, 97, 0.25), residues(40, 37, 101, 0.5))
    assert.equal(result.method, 'exact')
    assert.equal(result.u, 1005)
    close(result.pValue, 0.359395522700689)
    close(result.shift, 5.25)
    assert.deepEqual([result.interval.lower, result.interval.upper], [-9.75, 20.25])
  })

  it('matches R with ties: the normal approximation with tie and continuity corrections', () => {
    // wilcox.test(c(1,2,2,3,4,5,5,6), c(3,3,4,5,7,8,9,9))
    //   W = 14.5, p-value = 0.0718645720811 (with continuity correction; "cannot compute exact p-value with ties")
    const result = mannWhitney([3, 3, 4, 5, 7, 8, 9, 9], [1, 2, 2, 3, 4, 5, 5, 6])
    assert.equal(result.method, 'normal')
    assert.equal(result.u, 14.5)
    close(result.pValue, 0.0718645720811026)
  })

  it('matches R past 49 values: the normal approximation', () => {
    // x <- ((1:60) * 37) %% 101 + 10.5; y <- ((1:70) * 53) %% 97 + 0.25
    // wilcox.test(x, y)   → W = 2691, p-value = 0.00582059600116266
    const result = mannWhitney(residues(70, 53, 97, 0.25), residues(60, 37, 101, 10.5))
    assert.equal(result.method, 'normal')
    assert.equal(result.u, 2691)
    close(result.pValue, 0.00582059600116266, 1e-11)
  })
})

describe('mannWhitney: small cases by hand', () => {
  it('baseline [1, 2] against candidate [3, 4]', () => {
    // All 4 pairs favour the candidate: U = 4, the largest of C(4, 2) = 6 equally likely orderings,
    // so p = 2 · 1/6. Differences 2, 1, 3, 2: median 2. At 98% the quantile is 0, raised to 1, so
    // the interval is the whole range [1, 3] and achieves 1 − 2 · P(U ≤ 0) = 2/3.
    const result = mannWhitney([1, 2], [3, 4])
    assert.equal(result.u, 4)
    close(result.pValue, 1 / 3)
    assert.equal(result.shift, 2)
    assert.deepEqual(result.interval, { lower: 1, upper: 3, confidence: 1 - 2 / 6 })
  })

  it('one value each', () => {
    const result = mannWhitney([5], [7])
    assert.deepEqual([result.u, result.pValue, result.shift, result.interval.lower, result.interval.upper], [1, 1, 2, 2, 2])
  })

  it('all values equal: no evidence of a difference', () => {
    const result = mannWhitney([3, 3, 3], [3, 3, 3, 3])
    assert.equal(result.method, 'normal')
    assert.deepEqual([result.u, result.pValue, result.shift], [6, 1, 0])
  })
})

describe('mannWhitney: properties', () => {
  const prng = createPrng(20250301)
  const a = normalSample(prng, 30, 10)
  const b = normalSample(prng, 25, 10.5)
  const big = normalSample(prng, 400, 10)
  const bigShifted = normalSample(prng, 300, 12)

  it('swapping the samples mirrors U, the shift and the interval, and keeps p', () => {
    for (const [x, y] of [[a, b], [big, bigShifted]] as const) {
      const forward = mannWhitney(x, y)
      const backward = mannWhitney(y, x)
      close(forward.u + backward.u, x.length * y.length)
      close(forward.pValue, backward.pValue)
      close(forward.shift, -backward.shift)
      close(forward.interval.lower, -backward.interval.upper)
      close(forward.interval.upper, -backward.interval.lower)
    }
  })

  it('moving both samples by the same amount changes nothing but rounding', () => {
    const moved = mannWhitney(a.map(v => v + 100), b.map(v => v + 100))
    const original = mannWhitney(a, b)
    assert.equal(moved.u, original.u)
    close(moved.pValue, original.pValue)
    close(moved.shift, original.shift, 1e-9)
    close(moved.interval.lower, original.interval.lower, 1e-9)
  })

  it('moving the candidate by c moves the shift and the interval by c', () => {
    const original = mannWhitney(big, bigShifted)
    const moved = mannWhitney(big, bigShifted.map(v => v + 3))
    close(moved.shift, original.shift + 3, 1e-9)
    close(moved.interval.lower, original.interval.lower + 3, 1e-9)
    close(moved.interval.upper, original.interval.upper + 3, 1e-9)
  })

  it('identical samples: U at its centre, p = 1, shift 0, an interval around 0', () => {
    for (const sample of [a, big]) {
      const result = mannWhitney(sample, [...sample].reverse())
      assert.equal(result.u, (sample.length * sample.length) / 2)
      assert.equal(result.pValue, 1)
      assert.equal(result.shift, 0)
      assert.ok(result.interval.lower < 0 && result.interval.upper > 0)
    }
  })

  it('finds a shift of 2 in 400 against 300 values, with a narrow interval around its estimate and a tiny p', () => {
    const result = mannWhitney(big, bigShifted)
    assert.equal(result.method, 'normal')
    assert.ok(result.pValue < 1e-50, `p = ${result.pValue}`)
    assert.ok(result.interval.lower > 1.5 && result.interval.upper < 2.5, JSON.stringify(result.interval))
    assert.ok(result.interval.lower < result.shift && result.shift < result.interval.upper)
    assert.ok(result.interval.confidence >= 0.98 && result.interval.confidence < 0.981)
  })

  for (const [method, baselineSize, candidateSize] of [['exact', 25, 20], ['normal', 120, 100]] as const) {
    it(`the 98% interval covers the true shift in about 98% of samples (${method})`, () => {
      // 300 draws from unit normals 1.5 apart: a correct interval misses about 6 times;
      // 15 misses would be over 3.5 standard deviations out.
      const draws = createPrng(7)
      let misses = 0
      for (let trial = 0; trial < 300; trial++) {
        const result = mannWhitney(normalSample(draws, baselineSize, 0), normalSample(draws, candidateSize, 1.5))
        assert.equal(result.method, method)
        if (!(result.interval.lower <= 1.5 && 1.5 <= result.interval.upper)) misses++
      }
      assert.ok(misses <= 15, `${misses} misses`)
      assert.ok(misses >= 1, 'an interval that never misses is wider than 98%')
    })
  }

  it('exact and normal methods agree either side of the size limit', () => {
    const draws = createPrng(11)
    const x = normalSample(draws, EXACT_BELOW, 0)
    const y = normalSample(draws, EXACT_BELOW, 0.4)
    const exact = mannWhitney(x.slice(1), y.slice(1))
    const normal = mannWhitney(x, y)
    assert.equal(exact.method, 'exact')
    assert.equal(normal.method, 'normal')
    assert.ok(Math.abs(exact.pValue - normal.pValue) < 0.05, `${exact.pValue} against ${normal.pValue}`)
    assert.ok(Math.abs(exact.interval.lower - normal.interval.lower) < 0.2)
  })
})

describe('mannWhitney: inputs', () => {
  it('refuses what is not an array of finite numbers, by kind and by value', () => {
    assert.throws(() => mannWhitney(untyped('1,2'), [1]), { name: 'TypeError', message: '"baseline" expected an array of finite numbers, got string' })
    assert.throws(() => mannWhitney([1], []), { name: 'RangeError', message: '"candidate" expected an array of finite numbers, got an empty array' })
    assert.throws(() => mannWhitney([1, untyped('2')], [1]), { name: 'TypeError', message: '"baseline[1]" expected a finite number, got string' })
    assert.throws(() => mannWhitney([1], [Number.NaN]), { name: 'RangeError', message: '"candidate[0]" expected a finite number, got NaN' })
    assert.throws(() => mannWhitney([1], [Infinity]), { name: 'RangeError' })
  })

  it('refuses a confidence outside (0, 1)', () => {
    assert.throws(() => mannWhitney([1], [2], { confidence: 1 }), { name: 'RangeError', message: '"confidence" expected a number between 0 and 1 exclusive, got 1' })
    assert.throws(() => mannWhitney([1], [2], { confidence: untyped('0.9') }), { name: 'TypeError' })
  })

  it('leaves its inputs as they were', () => {
    const baseline = [3, 1, 2]
    const candidate = [6, 4, 5]
    mannWhitney(baseline, candidate)
    assert.deepEqual([baseline, candidate], [[3, 1, 2], [6, 4, 5]])
  })
})
