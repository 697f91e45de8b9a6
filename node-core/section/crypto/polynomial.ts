// Polynomials over Fr for Shamir sharing: f(x) = a0 + a1 x + ... + at x^t, where a0 is the secret
// and any t+1 evaluations f(i) (i = 1..n) recover it by Lagrange interpolation at x = 0.
// Evaluation is noble's (`poly(...).monomial`); only the Lagrange coefficients for an arbitrary
// set of indices are composed here, because noble's own helper is private to its FROST module.
import { poly, type RootsOfUnity } from '@noble/curves/abstract/fft.js'
import { FpInvertBatch } from '@noble/curves/abstract/modular.js'
import { assertIndex, assertScalar, Fr, randomScalar, defaultRandom, type Random } from './scalar.ts'

/** Shares sit at arbitrary indices, not at roots of unity, so the root-based methods must never run. */
const NO_ROOTS_MESSAGE = 'Shamir polynomials are evaluated at participant indices, not at roots of unity'
const noRoots: RootsOfUnity = {
  info: { G: Fr.ZERO, oddFactor: Fr.ZERO, powerOfTwo: 0 },
  roots () { throw new Error(NO_ROOTS_MESSAGE) },
  brp () { throw new Error(NO_ROOTS_MESSAGE) },
  inverse () { throw new Error(NO_ROOTS_MESSAGE) },
  omega () { throw new Error(NO_ROOTS_MESSAGE) },
  clear () {}
}
const Poly = poly(Fr, noRoots)

/** The most coefficients we accept: far above any section's threshold, low enough to bound work. */
export const MAX_DEGREE = 255

export function assertDegree (degree: number): void {
  if (typeof degree !== 'number') throw new TypeError(`"degree" expected an integer from 0 to ${MAX_DEGREE}, got ${typeof degree}`)
  if (!Number.isInteger(degree) || degree < 0 || degree > MAX_DEGREE) throw new RangeError(`"degree" expected an integer from 0 to ${MAX_DEGREE}, got ${degree}`)
}

/**
 * A random polynomial of the given degree (t): t+1 coefficients, each a uniform non-zero scalar.
 * `secret` fixes the constant term, for resharing a known key and for known-answer tests.
 */
export function randomPolynomial (degree: number, random: Random = defaultRandom, secret?: bigint): bigint[] {
  assertDegree(degree)
  if (secret !== undefined) assertScalar(secret)
  const coefficients: bigint[] = [secret ?? randomScalar(random)]
  for (let i = 0; i < degree; i++) coefficients.push(randomScalar(random))
  return coefficients
}

/** f(x) for a polynomial given by its coefficients, lowest degree first. */
export function evaluatePolynomial (coefficients: readonly bigint[], x: bigint): bigint {
  if (!Array.isArray(coefficients) || coefficients.length === 0) throw new RangeError('"coefficients" expected a non-empty array of scalars')
  for (const coefficient of coefficients) assertScalar(coefficient)
  assertScalar(x)
  return Poly.monomial.eval([...coefficients], x)
}

/** The powers 1, x, x^2, ... x^(count-1): the weights that evaluate commitments at x. */
export function powersOf (x: bigint, count: number): bigint[] {
  assertScalar(x)
  return Poly.monomial.basis(x, count)
}

/** Indices must be distinct participant indices (never 0, which is the secret itself). */
export function assertDistinctIndices (indices: readonly number[]): void {
  if (!Array.isArray(indices)) throw new TypeError(`"indices" expected an array of integers, got ${typeof indices}`)
  if (indices.length === 0) throw new RangeError('"indices" expected at least one index')
  const seen = new Set<number>()
  for (const index of indices) {
    if (index === 0) throw new RangeError('"indices" must not contain 0: f(0) is the secret, not a share')
    assertIndex(index)
    if (seen.has(index)) throw new RangeError(`"indices" must be distinct, got ${index} twice`)
    seen.add(index)
  }
}

/**
 * Lagrange coefficients at x = 0 for shares at `indices`: lambda_i = prod_{j != i} x_j / (x_j - x_i),
 * so that f(0) = sum lambda_i f(x_i) for any polynomial of degree below indices.length.
 * One batched inversion (noble's FpInvertBatch) serves all the denominators.
 */
export function lagrangeCoefficientsAtZero (indices: readonly number[]): bigint[] {
  assertDistinctIndices(indices)
  const xs = indices.map(index => BigInt(index))
  const numerators: bigint[] = []
  const denominators: bigint[] = []
  for (const xi of xs) {
    let numerator = Fr.ONE
    let denominator = Fr.ONE
    for (const xj of xs) {
      if (xj === xi) continue
      numerator = Fr.mul(numerator, xj)
      denominator = Fr.mul(denominator, Fr.sub(xj, xi))
    }
    numerators.push(numerator)
    denominators.push(denominator)
  }
  // Distinct indices below r make every denominator non-zero.
  const inverses = FpInvertBatch(Fr, denominators, true)
  return numerators.map((numerator, i) => Fr.mul(numerator, inverses[i] ?? Fr.ZERO))
}
