import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { normalCdf, normalQuantile } from '../../../../node-core/upgrade/verdict/normal-distribution.ts'

function untyped<T> (value: unknown): T {
  return value as T
}

function relativelyClose (actual: number, expected: number, tolerance: number): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.abs(expected), `expected ${expected}, got ${actual}`)
}

describe('normalCdf', () => {
  it('matches R 4.2.2 pnorm to 13 digits, far into the lower tail', () => {
    // options(digits = 15); pnorm(c(-1, -3, -5, -8, -20, 0.5, 2.5))
    const expected: Array<[number, number]> = [
      [-1, 1.58655253931457e-01], [-3, 1.34989803163009e-03], [-5, 2.86651571879194e-07],
      [-8, 6.22096057427178e-16], [-20, 2.75362411860623e-89], [0.5, 6.91462461274013e-01], [2.5, 9.93790334674224e-01]
    ]
    for (const [z, p] of expected) relativelyClose(normalCdf(z), p, 1e-13)
  })

  it('is symmetric, continuous where its two methods meet, and monotone', () => {
    for (const z of [0.1, 1.7, 4.2426406871, 6]) relativelyClose(normalCdf(z) + normalCdf(-z), 1, 1e-15)
    const edge = 3 * Math.SQRT2
    relativelyClose(normalCdf(-edge + 1e-9), normalCdf(-edge - 1e-9), 1e-7)
    let previous = 0
    for (let z = -10; z <= 10; z += 0.01) {
      const p = normalCdf(z)
      assert.ok(p >= previous, `not monotone at ${z}`)
      previous = p
    }
    assert.equal(normalCdf(0), 0.5)
  })

  it('refuses what is not a number', () => {
    assert.throws(() => normalCdf(untyped('1')), { name: 'TypeError' })
    assert.throws(() => normalCdf(Number.NaN), { name: 'RangeError' })
  })
})

describe('normalQuantile', () => {
  it('matches R 4.2.2 qnorm', () => {
    // qnorm(c(0.01, 0.025, 0.001, 0.99))
    const expected: Array<[number, number]> = [[0.01, -2.32634787404084], [0.025, -1.95996398454005], [0.001, -3.09023230616781], [0.99, 2.32634787404084]]
    for (const [p, z] of expected) relativelyClose(normalQuantile(p), z, 1e-13)
    assert.ok(Math.abs(normalQuantile(0.5)) < 1e-15)
  })

  it('inverts normalCdf', () => {
    for (const p of [1e-12, 0.003, 0.3, 0.77, 0.999]) relativelyClose(normalCdf(normalQuantile(p)), p, 1e-12)
  })

  it('refuses probabilities outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, Number.NaN]) assert.throws(() => normalQuantile(p), { name: 'RangeError' })
    assert.throws(() => normalQuantile(untyped(null)), { name: 'TypeError' })
  })
})
