import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  assertRewardRecord, earningsOf, encodeRewardRecord, NoEligibleAdultsError, REWARD_RECORD_DOMAIN, RewardRecordRejectedError,
  RewardSigningError, rewardWeight, signRewardRecord, signRewardShare, splitRewardPool, verifyRewardRecord,
  type AdultService, type RewardRecord, type UnsignedRewardRecord
} from '../../../../node-core/section/economy/reward-record.ts'
import { SectionChain } from '../../../../node-core/section/crypto/section-chain.ts'
import {
  dealSharesAsTrustedDealer, groupPublicKey, hashMessage, type PublicKeySet, type SecretKeyShare
} from '../../../../node-core/section/crypto/threshold-bls.ts'
import { seededRandom } from '../crypto/seeded-random.ts'

interface Section { set: PublicKeySet, shares: SecretKeyShare[] }

function section (seed: string): Section {
  const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom(seed) })
  return { set: dealt.publicKeySet, shares: dealt.secretKeyShares }
}

/** A vault name whose first byte is `tag` and whose last byte (its age) is `age`. */
function name (tag: number, age: number): string {
  return tag.toString(16).padStart(2, '0').repeat(31) + age.toString(16).padStart(2, '0')
}

function adult (tag: number, age: number, held = true, served = true): AdultService {
  return { name: name(tag, age), age, held, served }
}

/** Elders 1, 3, 4, 6 and 7 sign: any 5 of 7 give the section's signature. */
function signed (s: Section, record: UnsignedRewardRecord): RewardRecord {
  const message = hashMessage(encodeRewardRecord(record))
  const shares = [1, 3, 4, 6, 7].map(i => signRewardShare(record, s.shares[i - 1] ?? assert.fail(`no share ${i}`), message))
  return signRewardRecord(record, s.set, shares)
}

const ours = section('economy/ours')
const impostor = section('economy/impostor')
const known = [groupPublicKey(ours.set)]

describe('splitRewardPool', () => {
  it('weights by 2^age from age 6, amounts summing exactly to the pool', () => {
    const shares = splitRewardPool({ pool: 1000, adults: [adult(1, 6), adult(2, 7), adult(3, 8)] })
    // Weights 64 : 128 : 256 of 448; 1000 * 64/448 = 142.857, 285.714, 571.428: floors 142 + 285 + 571 = 998;
    // the two leftover units go to the largest remainders, .857 (age 6) then .714 (age 7).
    assert.deepEqual(shares.map(s => [s.age, s.weight, s.amount]), [[6, '64', 143], [7, '128', 286], [8, '256', 571]])
    assert.equal(shares.reduce((sum, s) => sum + s.amount, 0), 1000)
  })

  it('gives nothing to age < 6, to an adult that did not serve, nor to one that did not hold data', () => {
    const shares = splitRewardPool({ pool: 99, adults: [adult(1, 5), adult(2, 9, true, false), adult(3, 9, false, true), adult(4, 9)] })
    assert.deepEqual(shares.map(s => [s.name, s.amount]), [[name(4, 9), 99]])
    assert.throws(() => splitRewardPool({ pool: 10, adults: [adult(1, 5), adult(2, 12, true, false)] }), NoEligibleAdultsError)
  })

  it('breaks remainder ties by the lower name, whatever the input order', () => {
    const adults = [adult(9, 6), adult(3, 6), adult(5, 6)]
    const a = splitRewardPool({ pool: 4, adults })
    const b = splitRewardPool({ pool: 4, adults: [...adults].reverse() })
    assert.deepEqual(a, b)
    assert.deepEqual(a.map(s => [s.name.slice(0, 2), s.amount]), [['03', 2], ['05', 1], ['09', 1]])
  })

  it('sums exactly for many random pools and sections (property)', () => {
    const random = seededRandom('economy/split-property')
    for (let round = 0; round < 200; round++) {
      const bytes = random(34)
      const count = 1 + ((bytes[0] ?? 0) % 30)
      const adults = Array.from({ length: count }, (_, i) => adult(i + 1, 6 + ((bytes[i + 2] ?? 0) % 40)))
      const pool = ((bytes[1] ?? 0) * 7919 + round) % 100_003
      const shares = splitRewardPool({ pool, adults })
      assert.equal(shares.reduce((sum, s) => sum + s.amount, 0), pool)
      for (const s of shares) {
        // Largest remainder: each amount is the floor or the ceiling of its exact share.
        const total = shares.reduce((sum, t) => sum + BigInt(t.weight), 0n)
        const exactFloor = BigInt(pool) * BigInt(s.weight) / total
        assert.ok(BigInt(s.amount) === exactFloor || BigInt(s.amount) === exactFloor + 1n)
      }
    }
  })

  it('refuses an age that is not the last byte of the name', () => {
    assert.throws(() => splitRewardPool({ pool: 1, adults: [{ name: name(1, 6), age: 30, held: true, served: true }] }), RangeError)
    assert.equal(rewardWeight(5), 0n)
    assert.equal(rewardWeight(255), 1n << 255n)
  })
})

describe('signed reward records', () => {
  const body: UnsignedRewardRecord = { sectionPrefix: '01', epoch: 7, pool: 1000, shares: splitRewardPool({ pool: 1000, adults: [adult(1, 6), adult(2, 7), adult(3, 8)] }) }
  const record = signed(ours, body)

  it('verify under the section key; the encoding is domain separated and bound to every field', () => {
    assert.deepEqual(verifyRewardRecord(record, known), { ok: true, record })
    assert.ok(verifyRewardRecord(record, SectionChain.fromGenesis(groupPublicKey(ours.set))).ok)
    assert.ok(new TextDecoder().decode(encodeRewardRecord(body)).startsWith(`${REWARD_RECORD_DOMAIN}\u0000`))
    assert.deepEqual(encodeRewardRecord({ ...body, shares: [...body.shares].reverse() }), encodeRewardRecord(body))
    const replayedAtAnotherEpoch = verifyRewardRecord({ ...record, epoch: 8 }, known)
    assert.equal(replayedAtAnotherEpoch.ok ? '' : replayedAtAnotherEpoch.problem, 'bad-signature')
  })

  it('rejects a forged record, signed by a key that is not the section\'s, with the reason', () => {
    const forged = signed(impostor, body)
    const result = verifyRewardRecord(forged, known)
    assert.equal(result.ok, false)
    assert.equal(result.ok ? '' : result.problem, 'unknown-section-key')
    assert.match(result.ok ? '' : result.reason, /^forged: signed by key [0-9a-f]{16}\.\.\., which is not a known key of section "01"/)
    // Claiming the section's key on the impostor's signature fails the pairing check instead.
    const claimed = verifyRewardRecord({ ...forged, sectionKey: record.sectionKey }, known)
    assert.equal(claimed.ok ? '' : claimed.problem, 'bad-signature')
    assert.throws(() => assertRewardRecord(forged, known), (err: unknown) => err instanceof RewardRecordRejectedError && err.name === 'RewardRecordRejectedError' && err.problem === 'unknown-section-key')
  })

  it('rejects tampered amounts, weights, ages, duplicates and malformed records, each with its reason', () => {
    const [a, b, c] = record.shares
    assert.ok(a !== undefined && b !== undefined && c !== undefined)
    const cases: Array<[unknown, string]> = [
      [{ ...record, shares: [{ ...a, amount: a.amount + 1 }, b, c] }, 'amounts-not-summing-to-pool'],
      // Moving a unit keeps the sum but is not the 2^age split; checked before the (equally failing) signature.
      [{ ...record, shares: [{ ...a, amount: a.amount - 1 }, { ...b, amount: b.amount + 1 }, c] }, 'amounts-not-the-split'],
      [{ ...record, shares: [{ ...a, weight: '128' }, b, c] }, 'wrong-weight'],
      [{ ...record, shares: [{ ...a, age: 9, weight: '512' }, b, c] }, 'wrong-age'],
      [{ ...record, shares: [a, a, c] }, 'duplicate-name'],
      [{ ...record, pool: -1 }, 'malformed'],
      [{ ...record, shares: [{ ...a, amount: 1.5 }, b, c] }, 'malformed'],
      [{ ...record, signature: 'ab'.repeat(96) }, 'malformed'],
      [{ ...record, extra: 1 }, 'malformed']
    ]
    for (const [value, problem] of cases) {
      const result = verifyRewardRecord(value, known)
      assert.equal(result.ok ? 'accepted' : result.problem, problem, JSON.stringify(value).slice(0, 120))
    }
    const newcomer = name(4, 5)
    const low = verifyRewardRecord({ ...record, shares: [...record.shares, { name: newcomer, age: 5, weight: '32', amount: 0 }] }, known)
    assert.match(low.ok ? '' : low.reason, /of age 5 is below the earning age 6/)
  })

  it('are not signed from shares that do not verify, nor from a record that breaks the rules', () => {
    const message = hashMessage(encodeRewardRecord(body))
    const mixed = [1, 2, 3, 4].map(i => signRewardShare(body, ours.shares[i - 1] ?? assert.fail(), message))
    mixed.push(signRewardShare(body, impostor.shares[4] ?? assert.fail(), message))
    assert.throws(() => signRewardRecord(body, ours.set, mixed), (err: unknown) => err instanceof RewardSigningError && /1 of 5 signature shares do not verify/.test(err.message))
    assert.throws(() => signRewardRecord({ ...body, pool: 1001 }, ours.set, mixed), RewardSigningError)
  })
})

describe('earningsOf', () => {
  it('sums verified records naming the vault, skipping and reporting a forged one and a replay', () => {
    const me = name(2, 7)
    const epoch = (n: number, pool: number): UnsignedRewardRecord => ({ sectionPrefix: '01', epoch: n, pool, shares: splitRewardPool({ pool, adults: [adult(1, 6), adult(2, 7), adult(3, 8)] }) })
    const first = signed(ours, epoch(1, 1000))
    const second = signed(ours, epoch(2, 448))
    const notMine = signed(ours, { sectionPrefix: '01', epoch: 3, pool: 50, shares: splitRewardPool({ pool: 50, adults: [adult(5, 9)] }) })
    // The forgery pays the vault far more, for an epoch not yet counted.
    const forged = signed(impostor, epoch(4, 1_000_000))
    const conflicting = signed(ours, epoch(2, 896))
    const earnings = earningsOf(me, [first, forged, second, first, notMine, conflicting], known)
    assert.equal(earnings.total, 286n + 128n)
    assert.deepEqual(earnings.counted, [{ sectionPrefix: '01', epoch: 1, amount: 286 }, { sectionPrefix: '01', epoch: 2, amount: 128 }])
    assert.deepEqual(earnings.rejected.map(r => [r.index, r.problem]), [[1, 'unknown-section-key'], [3, 'replayed'], [5, 'conflicting']])
    assert.match(earnings.rejected[0]?.reason ?? '', /^forged/)
    assert.equal(earningsOf(name(9, 9), [first, second], known).total, 0n)
  })
})
