// The standard normal distribution, for the large-sample Mann-Whitney test. JavaScript has no
// erf, and a short table-free method is easier to check than a transcribed rational fit: a
// series with positive terms where it converges fast, Laplace's continued fraction in the tails.

const SQRT_PI = Math.sqrt(Math.PI)
// Below this the series needs at most ~80 terms; above it the continued fraction needs fewer.
const SERIES_LIMIT = 3
const CONTINUED_FRACTION_TERMS = 120

/** erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (Abramowitz & Stegun 7.1.6): no cancellation. */
function erfSeries (x: number): number {
  let term = x
  let sum = x
  for (let n = 1; Math.abs(term) > Number.EPSILON * Math.abs(sum) * 1e-2; n++) {
    term *= (2 * x * x) / (2 * n + 1)
    sum += term
  }
  return (2 / SQRT_PI) * Math.exp(-x * x) * sum
}

/** erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))) for x > 0 (A&S 7.1.14), evaluated backwards. */
function erfcContinuedFraction (x: number): number {
  let tail = x
  for (let n = CONTINUED_FRACTION_TERMS; n >= 1; n--) tail = x + (n / 2) / tail
  return Math.exp(-x * x) / SQRT_PI / tail
}

/** The complementary error function, accurate in relative terms far into the upper tail. */
export function erfc (x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  if (x < 0) return 2 - erfc(-x)
  if (x < SERIES_LIMIT) return 1 - erfSeries(x)
  return erfcContinuedFraction(x)
}

/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf (z: number): number {
  if (typeof z !== 'number') throw new TypeError(`"z" expected a number, got ${typeof z}`)
  if (Number.isNaN(z)) throw new RangeError('"z" expected a number, got NaN')
  return erfc(-z / Math.SQRT2) / 2
}

/** The z with P(Z ≤ z) = p, by bisection on normalCdf: slow next to a fitted formula, but only called once per test. */
export function normalQuantile (p: number): number {
  if (typeof p !== 'number') throw new TypeError(`"p" expected a number between 0 and 1 exclusive, got ${typeof p}`)
  if (!(p > 0 && p < 1)) throw new RangeError(`"p" expected a number between 0 and 1 exclusive, got ${p}`)
  let low = -40
  let high = 40
  for (let step = 0; step < 200; step++) {
    const middle = (low + high) / 2
    if (middle === low || middle === high) break
    if (normalCdf(middle) < p) low = middle
    else high = middle
  }
  return (low + high) / 2
}
