// An elder's signing of reward records (issue 3 deliver 5): never two different records for one
// reward epoch (SlotGuard, the same promise ElderVoter keeps for a generation), each persisted in
// reward-signer.json before its share is returned. The elders sign only a record they committed to
// in rounds (section-rewards.ts); this guard is what still holds across a restart.
import { z } from 'zod'
import { bytesToHex } from '@noble/curves/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { namedError } from '../../../contract/named-error.ts'
import { readJsonFile, writeJsonFile } from '../../storage/json-file.ts'
import { MAX_INDEX } from '../crypto/scalar.ts'
import { SlotGuard } from '../crypto/slot-guard.ts'
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
  readonly #guard: SlotGuard<{ digest: string, pool: number }>

  constructor (options: RewardSignerOptions) {
    this.#secretKeyShare = options.secretKeyShare
    this.index = options.secretKeyShare.index
    const { persist, state } = options
    this.#guard = new SlotGuard({
      entries: state !== undefined && state.index === this.index ? state.signed.map(({ epoch, digest, pool }) => [epoch, { digest, pool }] as const) : [],
      ...(persist === undefined ? {} : { persist: async () => { await persist(this.state) } }),
      capacity: MAX_REMEMBERED_EPOCHS
    })
  }

  get state (): RewardSignerState {
    return { version: 1, index: this.index, signed: this.#guard.entries.map(([epoch, { digest, pool }]) => ({ epoch, digest, pool })) }
  }

  /** Epochs this elder signed a record for, with the records' pools. */
  signedEpochs (): Array<{ epoch: number, pool: number }> {
    return this.#guard.entries.map(([epoch, { pool }]) => ({ epoch, pool }))
  }

  /** Whether signing `record` would be the one record of its epoch. */
  mayShare (record: UnsignedRewardRecord): boolean {
    return this.#guard.allows(record.epoch, rewardRecordDigest(record))
  }

  /** This elder's share over `record`, unless it signed a different record for the epoch. Signing the same record again gives the same share. */
  async sign (record: UnsignedRewardRecord): Promise<SignatureShare> {
    const digest = rewardRecordDigest(record)
    await this.#guard.claim(record.epoch, { digest, pool: record.pool }, previous => new RewardEquivocationRefusedError(
      `elder ${this.index} already signed reward record ${previous.digest.slice(0, 16)}... for epoch ${record.epoch}; refusing ${digest.slice(0, 16)}...`
    ))
    return signRewardShare(record, this.#secretKeyShare)
  }
}

export async function loadRewardSignerState (path: string): Promise<RewardSignerState | undefined> {
  return await readJsonFile(path, RewardSignerStateSchema, problem => new RewardSignerStateError(`${path} ${problem}; it is left untouched, and the elder must not sign reward records until it is restored`))
}

export async function saveRewardSignerState (path: string, state: RewardSignerState): Promise<void> {
  await writeJsonFile(path, RewardSignerStateSchema.parse(state))
}
