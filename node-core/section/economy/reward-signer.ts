// An elder's guard over the reward records it signs (issue 3 deliver 5): never two different
// records for one reward epoch, as ElderVoter (crypto/decisions.ts) never signs two proposals for
// one generation. Two conflicting records would need 5 + 5 shares from 7 elders, so at least 3
// elders signing both; with at most 2 faulty elders that never happens. The record is made before
// anything is awaited and persisted before the share is returned; if persisting fails the record
// stays, so the elder refuses rather than risk signing twice.
import { z } from 'zod'
import { bytesToHex } from '@noble/curves/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { namedError } from '../../../contract/named-error.ts'
import { readJsonFile, writeJsonFile } from '../../storage/json-file.ts'
import { MAX_INDEX } from '../crypto/scalar.ts'
import type { SecretKeyShare, SignatureShare } from '../crypto/threshold-bls.ts'
import { encodeRewardRecord, signRewardShare, type UnsignedRewardRecord } from './reward-record.ts'

/** Epochs a signer remembers: far more than a record can take to gather its shares. */
export const MAX_REMEMBERED_EPOCHS = 256

export const RewardSignerStateSchema = z.object({
  version: z.literal(1),
  index: z.number().int().min(1).max(MAX_INDEX),
  signed: z.array(z.object({
    epoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** SHA-256 of the record's signed bytes. */
    digest: z.string().regex(/^[0-9a-f]{64}$/),
    pool: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
  }).strict()).max(MAX_REMEMBERED_EPOCHS)
}).strict()
export type RewardSignerState = z.infer<typeof RewardSignerStateSchema>

/** The elder already signed a different record for the epoch. */
export class RewardEquivocationRefusedError extends namedError('RewardEquivocationRefusedError') {}
export class RewardSignerStateError extends namedError('RewardSignerStateError') {}

export function rewardRecordDigest (record: UnsignedRewardRecord): string {
  return bytesToHex(sha256(encodeRewardRecord(record)))
}

export interface RewardSignerOptions {
  secretKeyShare: SecretKeyShare
  /** Stores the signer's record before a share leaves; in memory when absent. */
  persist?: (state: RewardSignerState) => Promise<void>
  /** A record loaded from disk; ignored when it belongs to another key share index. */
  state?: RewardSignerState
}

export class RewardSigner {
  readonly index: number
  readonly #secretKeyShare: SecretKeyShare
  readonly #persist: ((state: RewardSignerState) => Promise<void>) | undefined
  readonly #signed = new Map<number, { digest: string, pool: number }>()
  readonly #persisting = new Map<number, Promise<void>>()

  constructor (options: RewardSignerOptions) {
    this.#secretKeyShare = options.secretKeyShare
    this.index = options.secretKeyShare.index
    this.#persist = options.persist
    if (options.state !== undefined && options.state.index === this.index) {
      for (const { epoch, digest, pool } of options.state.signed) this.#signed.set(epoch, { digest, pool })
    }
  }

  get state (): RewardSignerState {
    const signed = [...this.#signed].sort(([a], [b]) => a - b).map(([epoch, { digest, pool }]) => ({ epoch, digest, pool }))
    return { version: 1, index: this.index, signed }
  }

  /** Epochs this elder signed a record for, with the records' pools. */
  signedEpochs (): Array<{ epoch: number, pool: number }> {
    return [...this.#signed].map(([epoch, { pool }]) => ({ epoch, pool }))
  }

  /** Whether signing `record` would be the one record of its epoch. */
  mayShare (record: UnsignedRewardRecord): boolean {
    const previous = this.#signed.get(record.epoch)
    return previous === undefined || previous.digest === rewardRecordDigest(record)
  }

  /** This elder's share over `record`, unless it signed a different record for the epoch. Signing the same record again gives the same share. */
  async sign (record: UnsignedRewardRecord): Promise<SignatureShare> {
    const digest = rewardRecordDigest(record)
    const previous = this.#signed.get(record.epoch)
    if (previous !== undefined && previous.digest !== digest) {
      throw new RewardEquivocationRefusedError(`elder ${this.index} already signed reward record ${previous.digest.slice(0, 16)}... for epoch ${record.epoch}; refusing ${digest.slice(0, 16)}...`)
    }
    if (previous === undefined) {
      this.#signed.set(record.epoch, { digest, pool: record.pool })
      this.#forgetOldest()
      this.#persisting.set(record.epoch, Promise.resolve(this.#persist?.(this.state)))
    }
    await this.#persisting.get(record.epoch)
    return signRewardShare(record, this.#secretKeyShare)
  }

  #forgetOldest (): void {
    while (this.#signed.size > MAX_REMEMBERED_EPOCHS) {
      const oldest = Math.min(...this.#signed.keys())
      this.#signed.delete(oldest)
      this.#persisting.delete(oldest)
    }
  }
}

export async function loadRewardSignerState (path: string): Promise<RewardSignerState | undefined> {
  return await readJsonFile(path, RewardSignerStateSchema, problem => new RewardSignerStateError(`${path} ${problem}; it is left untouched, and the elder must not sign reward records until it is restored`))
}

export async function saveRewardSignerState (path: string, state: RewardSignerState): Promise<void> {
  await writeJsonFile(path, RewardSignerStateSchema.parse(state))
}
