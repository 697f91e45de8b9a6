import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createPrng } from '../../../../node-core/section/rules/prng.ts'
import {
  createResourceChallenge, DEFAULT_RESOURCE_DIFFICULTY, leadingZeroBits, ResourceChallengeSchema, ResourceProofSchema,
  solveResourceChallenge, verifyResourceProof, type ResourceChallenge
} from '../../../../node-core/section/rules/resource-challenge.ts'

const prng = createPrng(31)
const name = prng.bytes(32)
const otherName = prng.bytes(32)

function challengeOf (difficulty: number): ResourceChallenge {
  return createResourceChallenge({ difficulty, randomBytes: length => prng.bytes(length) })
}

describe('leadingZeroBits', () => {
  it('counts zero bits from the most significant bit of byte 0', () => {
    assert.equal(leadingZeroBits(Uint8Array.of(0x80)), 0)
    assert.equal(leadingZeroBits(Uint8Array.of(0x01)), 7)
    assert.equal(leadingZeroBits(Uint8Array.of(0x00, 0x20, 0x00)), 10)
    assert.equal(leadingZeroBits(new Uint8Array(4)), 32)
  })
})

describe('resource challenge', () => {
  it('defaults to difficulty 10 with a fresh 32-byte nonce', () => {
    const a = createResourceChallenge()
    const b = createResourceChallenge()
    assert.equal(DEFAULT_RESOURCE_DIFFICULTY, 10)
    assert.equal(a.difficulty, 10)
    assert.equal(a.nonce.length, 32)
    assert.notDeepEqual(a.nonce, b.nonce)
  })

  it('is solved with SHA3-256(nonce || name || x) starting with the asked zero bits, and the elder accepts it', () => {
    const challenge = challengeOf(DEFAULT_RESOURCE_DIFFICULTY)
    const proof = solveResourceChallenge(challenge, name)
    const hash = createHash('sha3-256').update(challenge.nonce).update(name).update(proof.solution).digest()
    assert.ok(leadingZeroBits(hash) >= DEFAULT_RESOURCE_DIFFICULTY, hash.toString('hex'))
    assert.doesNotThrow(() => { verifyResourceProof(challenge, name, proof) })
  })

  it('rejects the proof for another name, another nonce or a changed solution', () => {
    const challenge = challengeOf(16)
    const proof = solveResourceChallenge(challenge, name)
    assert.throws(() => { verifyResourceProof(challenge, otherName, proof) }, { name: 'ResourceProofError', message: /asks for 16/ })
    assert.throws(() => { verifyResourceProof({ ...challenge, nonce: prng.bytes(32) }, name, proof) }, { name: 'ResourceProofError' })
    const changed = Uint8Array.from(proof.solution)
    changed[7] = (changed[7] ?? 0) ^ 0x01
    assert.throws(() => { verifyResourceProof(challenge, name, { solution: changed }) }, { name: 'ResourceProofError' })
  })

  it('accepts any solution at difficulty 0 and gives up after maxAttempts', () => {
    assert.doesNotThrow(() => { verifyResourceProof(challengeOf(0), name, { solution: new Uint8Array(8) }) })
    assert.throws(() => solveResourceChallenge(challengeOf(32), name, { maxAttempts: 16 }), { name: 'ResourceChallengeExhaustedError', message: /16 attempts/ })
  })

  it('takes about 2^difficulty attempts: the mean over 200 challenges at difficulty 6 is 64 within 4 standard deviations', () => {
    // Attempts are geometric with p = 2^-6: mean 1/p, variance (1 - p)/p^2.
    const p = 2 ** -6
    let total = 0
    for (let i = 0; i < 200; i++) {
      const proof = solveResourceChallenge(challengeOf(6), name)
      total += new DataView(proof.solution.buffer).getUint32(4) + 1
    }
    assert.ok(Math.abs(total / 200 - 1 / p) <= 4 * Math.sqrt((1 - p) / p ** 2 / 200), String(total / 200))
  })

  it('round-trips challenge and proof through their JSON wire forms', () => {
    const challenge = challengeOf(4)
    const proof = solveResourceChallenge(challenge, name)
    const wireChallenge = JSON.parse(JSON.stringify(ResourceChallengeSchema.encode(challenge))) as unknown
    const wireProof = JSON.parse(JSON.stringify(ResourceProofSchema.encode(proof))) as unknown
    assert.doesNotThrow(() => { verifyResourceProof(ResourceChallengeSchema.parse(wireChallenge), name, ResourceProofSchema.parse(wireProof)) })
    assert.equal(ResourceChallengeSchema.safeParse({ nonce: 'ab', difficulty: 4 }).success, false)
    assert.equal(ResourceChallengeSchema.safeParse({ ...ResourceChallengeSchema.encode(challenge), difficulty: 33 }).success, false)
  })

  it('rejects a bad difficulty, nonce, name or proof', () => {
    assert.throws(() => createResourceChallenge({ difficulty: 33 }), RangeError)
    assert.throws(() => createResourceChallenge({ difficulty: 1.5 }), TypeError)
    assert.throws(() => createResourceChallenge({ randomBytes: () => new Uint8Array(31) }), RangeError)
    assert.throws(() => solveResourceChallenge(challengeOf(1), new Uint8Array(31)), RangeError)
    assert.throws(() => { verifyResourceProof(challengeOf(1), name, { solution: new Uint8Array(7) }) }, { name: 'ResourceProofError', message: /malformed/ })
  })
})
