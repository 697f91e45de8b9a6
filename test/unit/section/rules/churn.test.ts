import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { sha3_256 } from '@noble/hashes/sha3.js'
import {
  churnId, highestQualifyingAge, isRelocationCandidate, relocatedAge, relocationDestination,
  relocationTieBreakTarget, SIGNATURE_BYTES, trailingZeroBits
} from '../../../../node-core/section/rules/churn.ts'
import { createPrng } from '../../../../node-core/section/rules/prng.ts'

/** OpenSSL's SHA3-256: an implementation independent of the noble one under test. */
function opensslSha3 (...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha3-256')
  for (const part of parts) hash.update(part)
  return new Uint8Array(hash.digest())
}

/** A churn ID whose last bytes are `tail`, zeros elsewhere unless `fill` says otherwise. */
function idEndingWith (tail: number[], fill = 0xff): Uint8Array {
  const id = new Uint8Array(32).fill(fill)
  id.set(tail, 32 - tail.length)
  return id
}

function untyped<T> (value: unknown): T {
  return value as T
}

describe('SHA3-256', () => {
  it('is FIPS 202 SHA3-256, not Keccak-256 (NIST example "abc")', () => {
    assert.equal(Buffer.from(sha3_256(new TextEncoder().encode('abc'))).toString('hex'), '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532')
  })
})

describe('churnId', () => {
  const prng = createPrng(11)
  const a = prng.bytes(SIGNATURE_BYTES)
  const b = prng.bytes(SIGNATURE_BYTES)

  it('is SHA3-256 of the decision signatures concatenated in order', () => {
    assert.deepEqual(churnId([a]), opensslSha3(a))
    assert.deepEqual(churnId([a, b]), opensslSha3(a, b))
    assert.notDeepEqual(churnId([b, a]), churnId([a, b]))
    assert.equal(churnId([a]).length, 32)
  })

  it('rejects no signatures, or a signature that is not 96 bytes', () => {
    assert.throws(() => churnId([]), { name: 'RangeError', message: /at least one signature/ })
    assert.throws(() => churnId([a, new Uint8Array(95)]), { name: 'RangeError', message: '"signatures[1]" expected Uint8Array of 96 bytes, got 95 bytes' })
    assert.throws(() => churnId([untyped('x'.repeat(96))]), TypeError)
    assert.throws(() => churnId(untyped(a)), TypeError)
  })
})

describe('trailingZeroBits', () => {
  it('counts the zero bits at the end of the big-endian churn ID', () => {
    assert.equal(trailingZeroBits(idEndingWith([0x01])), 0)
    assert.equal(trailingZeroBits(idEndingWith([0x02])), 1)
    assert.equal(trailingZeroBits(idEndingWith([0x80])), 7)
    assert.equal(trailingZeroBits(idEndingWith([0x01, 0x00])), 8)
    assert.equal(trailingZeroBits(idEndingWith([0x30, 0x00, 0x00])), 20)
    assert.equal(trailingZeroBits(idEndingWith([0x80], 0x00)), 7)
    assert.equal(trailingZeroBits(new Uint8Array(32)), 256)
  })

  it('reads the last byte as least significant: a zero first byte does not count', () => {
    assert.equal(trailingZeroBits(idEndingWith([0xff]).fill(0, 0, 31)), 0)
  })

  it('rejects a churn ID that is not 32 bytes', () => {
    assert.throws(() => trailingZeroBits(new Uint8Array(31)), RangeError)
  })
})

describe('isRelocationCandidate', () => {
  it('is churnId mod 2^age == 0 on the ID read as a big-endian integer', () => {
    const prng = createPrng(12)
    for (let i = 0; i < 300; i++) {
      const id = prng.bytes(32)
      // Force a spread of trailing zeros so every age from 0 to 12 sees both outcomes.
      id[31] = (id[31] ?? 0) & (0xff << prng.nextInt(9))
      if (prng.nextInt(4) === 0) id[31] = 0
      const value = BigInt(`0x${Buffer.from(id).toString('hex')}`)
      for (let age = 0; age <= 12; age++) {
        assert.equal(isRelocationCandidate(id, age), value % (1n << BigInt(age)) === 0n, `age ${age}`)
      }
    }
  })

  it('always qualifies age 0 (x mod 1 == 0) and qualifies age A exactly when A <= trailing zeros', () => {
    const id = idEndingWith([0x08])
    assert.equal(isRelocationCandidate(idEndingWith([0x01]), 0), true)
    assert.equal(isRelocationCandidate(id, 3), true)
    assert.equal(isRelocationCandidate(id, 4), false)
    assert.equal(isRelocationCandidate(new Uint8Array(32), 255), true)
    assert.equal(highestQualifyingAge(id), 3)
    assert.equal(highestQualifyingAge(new Uint8Array(32)), 255)
  })

  it('rejects an age outside 0 to 255', () => {
    assert.throws(() => isRelocationCandidate(idEndingWith([0]), 256), RangeError)
    assert.throws(() => isRelocationCandidate(idEndingWith([0]), 1.5), TypeError)
  })

  it('qualifies age A on a fraction 2^-A of churns, within 4 standard deviations (property over the PRNG)', () => {
    const prng = createPrng(13)
    const churns = 40_000
    const qualified = new Array<number>(11).fill(0)
    for (let i = 0; i < churns; i++) {
      const id = churnId([prng.bytes(SIGNATURE_BYTES)])
      for (let age = 0; age < qualified.length; age++) {
        if (isRelocationCandidate(id, age)) qualified[age] = (qualified[age] ?? 0) + 1
      }
    }
    assert.equal(qualified[0], churns)
    for (let age = 1; age < qualified.length; age++) {
      const p = 2 ** -age
      const tolerance = 4 * Math.sqrt(churns * p * (1 - p))
      assert.ok(Math.abs((qualified[age] ?? 0) - churns * p) <= tolerance, `age ${age}: ${qualified[age]} of ${churns}, expected ${churns * p} +- ${tolerance.toFixed(1)}`)
    }
  })
})

describe('relocationDestination', () => {
  const prng = createPrng(14)
  const oldName = prng.bytes(32)
  const a = prng.bytes(SIGNATURE_BYTES)
  const b = prng.bytes(SIGNATURE_BYTES)

  it('is SHA3-256(oldName || signatures)', () => {
    assert.deepEqual(relocationDestination(oldName, [a]), opensslSha3(oldName, a))
    assert.deepEqual(relocationDestination(oldName, [a, b]), opensslSha3(oldName, a, b))
  })

  it('differs per vault and per decision', () => {
    assert.notDeepEqual(relocationDestination(prng.bytes(32), [a]), relocationDestination(oldName, [a]))
    assert.notDeepEqual(relocationDestination(oldName, [b]), relocationDestination(oldName, [a]))
  })

  it('rejects a name that is not 32 bytes', () => {
    assert.throws(() => relocationDestination(new Uint8Array(31), [a]), RangeError)
  })
})

describe('relocationTieBreakTarget and relocatedAge', () => {
  it('hashes the churn ID once more', () => {
    const id = churnId([createPrng(15).bytes(SIGNATURE_BYTES)])
    assert.deepEqual(relocationTieBreakTarget(id), opensslSha3(id))
  })

  it('adds one to the age, saturating at 255', () => {
    assert.equal(relocatedAge(5), 6)
    assert.equal(relocatedAge(0), 1)
    assert.equal(relocatedAge(254), 255)
    assert.equal(relocatedAge(255), 255)
    assert.throws(() => relocatedAge(256), RangeError)
  })
})
