import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { evaluatePolynomial, lagrangeCoefficientsAtZero, powersOf, randomPolynomial } from '../../../../node-core/section/crypto/polynomial.ts'
import { Fr, scalarFromHex, scalarToHex } from '../../../../node-core/section/crypto/scalar.ts'
import { seededRandom, subsets } from './seeded-random.ts'

// Known answers from maidsafe/blsttc src/lib.rs, test `vectors_secret_key_set_to_from_bytes`
// (commit 108c02cdb8aef93172030b740c8d8af521deb17b): a secret key set is its polynomial's
// coefficients (32 bytes each, constant term first) and blsttc's share i is f(i + 1), our index i + 1.
const BLSTTC_SECRET_KEY_SETS = [
  {
    set: '474da5f155b0580b6ffcd28b62973226883bfc75658a06c2592175448221f68f64681c46c8de0e28f0666b6a849463e07a8a353bbd4b01457c0aeeb6e7dd1fa6',
    shares: ['37c81ae4f4f0e8ec2d2965eddd89be01af088dae22d6ac08d52c63fc69ff1634', '28428fd8943179ccea55f950587c49dcd5d51ee6e023514f513752b451dc35d9', '18bd04cc33720aada7828cb2d36ed5b7fca1b01f9d6ff695cd42416c39b9557e']
  },
  {
    set: '004e7590e4a4a97685f4d9f2c10cd8b71c88fead21f701701ddb2ee9c2d2047f015ea5a4ffc5ae4830f5dae1d0b3fed09b9bbebb983c1fc7d79b351361ba075a',
    shares: ['01ad1b35e46a57beb6eab4d491c0d787b824bd68ba332137f57663fd248c0bd9', '030bc0dae4300606e7e08fb66274d65853c07c24526f40ffcd11991086461333', '046a667fe3f5b44f18d66a983328d528ef5c3adfeaab60c7a4acce23e8001a8d']
  },
  {
    set: '1c838171bcbb0c20e3f259cadcba86e611eb4587f069a6dcd5ee46f186e37039579311c4b4d7d016c3cae22fad69c8b8f5ce17ac826c8fefd6b38b746dd83cf8',
    shares: ['0028ebe347f55eef748363f280827799b3fbb93172d7dacdaca1d266f4bbad30', '57bbfda7fccd2f06384e46222dec4052a9c9d0ddf5446abd83555ddb6293ea28', '3b616819880781d4c8df5049d1b431064bda448777b29eae5a08e950d06c271f']
  }
]

function interpolateAtZero (points: Array<{ index: number, value: bigint }>): bigint {
  const lambdas = lagrangeCoefficientsAtZero(points.map(p => p.index))
  return points.reduce((sum, p, i) => Fr.add(sum, Fr.mul(lambdas[i] ?? 0n, p.value)), Fr.ZERO)
}

describe('evaluatePolynomial', () => {
  it('matches blsttc secret key set shares (known answers)', () => {
    for (const vector of BLSTTC_SECRET_KEY_SETS) {
      const coefficients = [scalarFromHex(vector.set.slice(0, 64)), scalarFromHex(vector.set.slice(64))]
      assert.deepEqual(vector.shares.map((_, i) => scalarToHex(evaluatePolynomial(coefficients, BigInt(i + 1)))), vector.shares)
    }
  })

  it('computes f(x) = a0 + a1 x + a2 x^2 in the field', () => {
    assert.equal(evaluatePolynomial([5n, 3n, 2n], 10n), 235n)
    assert.equal(evaluatePolynomial([Fr.ORDER - 1n, 1n], 1n), 0n)
    assert.deepEqual(powersOf(3n, 4), [1n, 3n, 9n, 27n])
    assert.throws(() => evaluatePolynomial([], 1n), RangeError)
    assert.throws(() => evaluatePolynomial([Fr.ORDER], 1n), RangeError)
  })
})

describe('randomPolynomial', () => {
  it('has degree + 1 non-zero coefficients, keeps a given secret, and replays from a seed', () => {
    const a = randomPolynomial(4, seededRandom('poly'))
    assert.equal(a.length, 5)
    for (const c of a) assert.ok(c > 0n && c < Fr.ORDER)
    assert.deepEqual(randomPolynomial(4, seededRandom('poly')), a)
    assert.notDeepEqual(randomPolynomial(4, seededRandom('other')), a)
    assert.equal(randomPolynomial(2, seededRandom('poly'), 42n)[0], 42n)
    assert.throws(() => randomPolynomial(-1), RangeError)
    assert.throws(() => randomPolynomial(1.5), RangeError)
  })
})

describe('lagrangeCoefficientsAtZero', () => {
  it('gives lambda = (2, -1) for indices 1 and 2', () => {
    assert.deepEqual(lagrangeCoefficientsAtZero([1, 2]), [2n, Fr.ORDER - 1n])
    assert.deepEqual(lagrangeCoefficientsAtZero([7]), [1n])
  })

  it('recovers the secret from any 5 of 7 shares of a degree-4 polynomial, and not from 4', () => {
    const coefficients = randomPolynomial(4, seededRandom('lagrange'))
    const secret = coefficients[0]
    const shares = [1, 2, 3, 4, 5, 6, 7].map(index => ({ index, value: evaluatePolynomial(coefficients, BigInt(index)) }))
    const fives = subsets(shares, 5)
    assert.equal(fives.length, 21)
    for (const five of fives) assert.equal(interpolateAtZero(five), secret, `indices ${five.map(s => s.index).join(',')}`)
    for (const four of subsets(shares, 4)) assert.notEqual(interpolateAtZero(four), secret)
  })

  it('rejects duplicate indices and index 0 with RangeError', () => {
    assert.throws(() => lagrangeCoefficientsAtZero([1, 2, 2]), { name: 'RangeError', message: /distinct, got 2 twice/ })
    assert.throws(() => lagrangeCoefficientsAtZero([0, 1, 2]), { name: 'RangeError', message: /must not contain 0/ })
    assert.throws(() => lagrangeCoefficientsAtZero([]), RangeError)
    assert.throws(() => lagrangeCoefficientsAtZero([1, -3]), RangeError)
    assert.throws(() => lagrangeCoefficientsAtZero([1, 2.5]), RangeError)
    assert.throws(() => lagrangeCoefficientsAtZero('12' as unknown as number[]), TypeError)
  })
})
