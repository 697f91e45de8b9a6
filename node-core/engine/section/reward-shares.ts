// The key shares elders sent over one epoch's reward records (section-rewards.ts), each already
// verified against its elder's public key share: 5 over one record combine into the section's
// signature. Honest elders sign only the record they committed to in rounds, so at most one record
// gathers their shares; each elder may back at most 2 records here (2 prove it signed both ways),
// so a faulty elder sending shares over many records cannot crowd out the honest one.
import { signRewardRecord, type RewardRecord, type UnsignedRewardRecord } from '../../section/economy/reward-record.ts'
import { rewardRecordDigest } from '../../section/economy/reward-signer.ts'
import type { PublicKeySet, SignatureShare } from '../../section/crypto/threshold-bls.ts'

const MAX_RECORDS_PER_SIGNER = 2

export class RewardShares {
  readonly #publicKeySet: PublicKeySet
  readonly #candidates = new Map<string, { record: UnsignedRewardRecord, shares: Map<number, SignatureShare> }>()

  constructor (publicKeySet: PublicKeySet) {
    this.#publicKeySet = publicKeySet
  }

  /** Whether elder `index`'s share over `record` is here already: a copy it sent again needs no pairing. */
  has (record: UnsignedRewardRecord, index: number): boolean {
    return this.#candidates.get(rewardRecordDigest(record))?.shares.has(index) === true
  }

  /** Adds a verified share; the record signed by the section once a supermajority of shares agree on it. */
  add (record: UnsignedRewardRecord, share: SignatureShare): RewardRecord | undefined {
    const digest = rewardRecordDigest(record)
    let candidate = this.#candidates.get(digest)
    if (candidate?.shares.has(share.index) !== true) {
      const backed = [...this.#candidates.values()].filter(other => other.shares.has(share.index)).length
      if (backed >= MAX_RECORDS_PER_SIGNER) return undefined
    }
    if (candidate === undefined) {
      candidate = { record, shares: new Map() }
      this.#candidates.set(digest, candidate)
    }
    candidate.shares.set(share.index, share)
    if (candidate.shares.size <= this.#publicKeySet.threshold) return undefined
    return signRewardRecord(record, this.#publicKeySet, [...candidate.shares.values()])
  }
}
