import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  assertIndex, bytesFromHex, Fr, randomScalar, scalarFromBytes, scalarFromHex, scalarToBytes, scalarToHex, SCALAR_BYTES
} from '../../../../node-core/section/crypto/scalar.ts'
import { seededRandom } from './seeded-random.ts'

/** The order r of BLS12-381's G1/G2 subgroups (draft-irtf-cfrg-pairing-friendly-curves, section 4.2.1). */
const R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n

describe('randomScalar', () => {
  it('works in the field of order r', () => {
    assert.equal(Fr.ORDER, R)
    assert.equal(SCALAR_BYTES, 32)
  })

  it('draws 48 bytes and reduces them mod r-1, plus 1, so it is never zero', () => {
    const requested: number[] = []
    const all = (byte: number) => (bytes: number): Uint8Array => { requested.push(bytes); return new Uint8Array(bytes).fill(byte) }
    assert.equal(randomScalar(all(0)), 1n)
    const max = (1n << 384n) - 1n
    assert.equal(randomScalar(all(0xff)), max % (R - 1n) + 1n)
    assert.deepEqual(requested, [48, 48])
  })

  it('is deterministic under a seeded generator and spreads over the field', () => {
    const a = Array.from({ length: 50 }, ((random) => () => randomScalar(random))(seededRandom('scalar')))
    const b = Array.from({ length: 50 }, ((random) => () => randomScalar(random))(seededRandom('scalar')))
    assert.deepEqual(a, b)
    assert.equal(new Set(a).size, 50)
    for (const scalar of a) assert.ok(scalar > 0n && scalar < R)
    // A bias to small values (reducing 32 bytes mod r) would leave the top half nearly empty.
    const high = a.filter(scalar => scalar > R / 2n).length
    assert.ok(high > 10 && high < 40, `${high} of 50 in the upper half`)
  })

  it('refuses a generator that returns the wrong kind or length', () => {
    assert.throws(() => randomScalar('random' as unknown as (bytes: number) => Uint8Array), TypeError)
    assert.throws(() => randomScalar(() => new Uint8Array(32)), RangeError)
    assert.throws(() => randomScalar(() => 'bytes' as unknown as Uint8Array), TypeError)
  })
})

describe('scalar encoding', () => {
  it('round-trips big-endian, 32 bytes, with leading zeros kept', () => {
    assert.equal(scalarToHex(1n), '00'.repeat(31) + '01')
    assert.equal(scalarFromHex(scalarToHex(R - 1n)), R - 1n)
    assert.deepEqual(scalarFromBytes(scalarToBytes(123456789n)), 123456789n)
  })

  it('rejects r and above instead of reducing, and wrong lengths', () => {
    const rBytes = Uint8Array.from(Buffer.from(R.toString(16).padStart(64, '0'), 'hex'))
    assert.throws(() => scalarFromBytes(rBytes), RangeError)
    assert.throws(() => scalarFromBytes(new Uint8Array(31)), RangeError)
    assert.throws(() => scalarFromBytes('00' as unknown as Uint8Array), TypeError)
    assert.throws(() => scalarToBytes(R), RangeError)
    assert.throws(() => scalarToBytes(-1n), RangeError)
  })

  it('decodes only lowercase hex of the exact length', () => {
    assert.deepEqual(bytesFromHex('0aff', 2, 'x'), Uint8Array.of(10, 255))
    assert.throws(() => bytesFromHex('0AFF', 2, 'x'), RangeError)
    assert.throws(() => bytesFromHex('0af', 2, 'x'), RangeError)
    assert.throws(() => bytesFromHex('0aff00', 2, 'x'), RangeError)
    assert.throws(() => bytesFromHex(10 as unknown as string, 2, 'x'), TypeError)
  })
})

describe('assertIndex', () => {
  it('takes participant indices 1 and up, never 0', () => {
    assertIndex(1)
    assertIndex(1000)
    assert.throws(() => { assertIndex(0) }, RangeError)
    assert.throws(() => { assertIndex(1.5) }, RangeError)
    assert.throws(() => { assertIndex(1001) }, RangeError)
    assert.throws(() => { assertIndex('1' as unknown as number) }, TypeError)
  })
})
