// A vault's earnings (DESIGN §2 "Earnings"; issue 3 deliver 5): the reward records signed by its
// section that name it, each verified against the section chain before it reaches this book
// (SectionRewards.receiveRecord), kept in <dataDir>/reward-records.json. A file that cannot be
// read is moved aside and reported, never silently dropped; the vault starts a new one. The total
// counts each epoch of each section once (earningsOf's rule): a replay adds nothing, and a second,
// different record for a counted epoch (which honest elders never sign) is refused with the reason.
import { join } from 'node:path'
import { z } from 'zod'
import { MAX_STATUS_EARNINGS_RECORDS, type EarningsStatus } from '../../../contract/host-api.ts'
import { RewardRecordSchema, type RewardRecord } from '../../section/economy/reward-record.ts'
import { rewardRecordDigest } from '../../section/economy/reward-signer.ts'
import { readJsonFileKeepingUnreadable, writeJsonFile } from '../../storage/json-file.ts'

export const REWARD_RECORDS_FILE = 'reward-records.json'
/** Records kept one by one; older ones are folded into `earlier`, whose total still counts. */
export const MAX_KEPT_RECORDS = 5000

const KeptRecordSchema = z.object({ record: RewardRecordSchema, receivedAt: z.number().int().nonnegative() }).strict()

export const RewardRecordsFileSchema = z.object({
  version: z.literal(1),
  /** Folded older records: their total and how many. */
  earlier: z.object({ total: z.string().regex(/^(0|[1-9][0-9]*)$/), count: z.number().int().nonnegative() }).strict(),
  records: z.array(KeptRecordSchema).max(MAX_KEPT_RECORDS)
}).strict()
export type RewardRecordsFile = z.infer<typeof RewardRecordsFileSchema>

export type KeepOutcome =
  | { kept: true, amount: number }
  | { kept: false, reason: string, /** A replay is no fault; a conflicting record is. */ conflict: boolean }

export class EarningsBook {
  readonly #path: string
  /** Every name this vault has had: a record earned under a name it left (relocated, demoted) still counts. */
  readonly #names: ReadonlySet<string>
  readonly #now: () => number
  #file: RewardRecordsFile = { version: 1, earlier: { total: '0', count: 0 }, records: [] }
  /** `${sectionPrefix}/${epoch}` → digest of the record counted for it. */
  readonly #counted = new Map<string, string>()
  #problem: string | undefined
  #writing: Promise<void> = Promise.resolve()

  constructor (options: { dataDir: string, names: readonly string[], now?: () => number }) {
    this.#path = join(options.dataDir, REWARD_RECORDS_FILE)
    this.#names = new Set(options.names)
    this.#now = options.now ?? Date.now
  }

  /** Why the kept records could not be read at load, if they could not. */
  get problem (): string | undefined { return this.#problem }

  /** Reads the kept records; a file that does not parse is copied aside, reported, and a new one started. */
  async load (): Promise<void> {
    const read = await readJsonFileKeepingUnreadable(this.#path, RewardRecordsFileSchema, this.#now)
    if (read.problem !== undefined) {
      this.#problem = `${read.problem}; ${read.aside === undefined ? 'it could not be copied aside' : `it is kept as ${read.aside}`}, and earnings count again from the records received from now on`
      return
    }
    const file = read.value
    if (file === undefined) return
    this.#file = file
    for (const { record } of file.records) this.#counted.set(epochKey(record), rewardRecordDigest(record))
  }

  /** Keeps a verified record if it names this vault and its epoch is not counted yet. */
  async keep (record: RewardRecord): Promise<KeepOutcome> {
    const share = this.#shareOf(record)
    if (share === undefined) return { kept: false, reason: 'the record does not name this vault', conflict: false }
    const key = epochKey(record)
    const digest = rewardRecordDigest(record)
    const counted = this.#counted.get(key)
    if (counted !== undefined) {
      return counted === digest
        ? { kept: false, reason: `epoch ${record.epoch} of section "${record.sectionPrefix}" is already counted`, conflict: false }
        : { kept: false, reason: `a different record for epoch ${record.epoch} of section "${record.sectionPrefix}" is already counted`, conflict: true }
    }
    this.#counted.set(key, digest)
    const kept = { record, receivedAt: this.#now() }
    try {
      await this.#save(file => this.#folded({ ...file, records: [...file.records, kept] }))
    } catch (err) {
      // Not on disk, so not counted: the same record, sent again, is kept then.
      this.#counted.delete(key)
      throw err
    }
    return { kept: true, amount: share.amount }
  }

  /** Pushed with every status (engine-main): only the records it shows are built. */
  status (): EarningsStatus {
    const records = this.#file.records.slice(-MAX_STATUS_EARNINGS_RECORDS).map(({ record, receivedAt }) => (
      { epoch: record.epoch, sectionPrefix: record.sectionPrefix, amount: this.#amountOf(record), pool: record.pool, signedAt: receivedAt }
    ))
    const total = this.#totalOf(this.#file.records, BigInt(this.#file.earlier.total))
    return { total: total.toString(), records, ...(this.#problem === undefined ? {} : { problem: this.#problem }) }
  }

  #shareOf (record: RewardRecord): RewardRecord['shares'][number] | undefined {
    return record.shares.find(share => this.#names.has(share.name))
  }

  #amountOf (record: RewardRecord): number {
    return this.#shareOf(record)?.amount ?? 0
  }

  #totalOf (kept: ReadonlyArray<{ record: RewardRecord }>, from: bigint): bigint {
    let total = from
    for (const { record } of kept) total += BigInt(this.#amountOf(record))
    return total
  }

  /** `file` with the records past MAX_KEPT_RECORDS folded into `earlier`. */
  #folded (file: RewardRecordsFile): RewardRecordsFile {
    const excess = file.records.length - MAX_KEPT_RECORDS
    if (excess <= 0) return file
    const total = this.#totalOf(file.records.slice(0, excess), BigInt(file.earlier.total))
    return { ...file, earlier: { total: total.toString(), count: file.earlier.count + excess }, records: file.records.slice(excess) }
  }

  /**
   * Writes the file `change` makes of the kept one, one write at a time; the status shows it only
   * once it is on disk, so a total the farmer saw is never lost to a crash.
   */
  async #save (change: (file: RewardRecordsFile) => RewardRecordsFile): Promise<void> {
    const write = this.#writing.then(async () => {
      const next = change(this.#file)
      await writeJsonFile(this.#path, next)
      this.#file = next
    })
    this.#writing = write.catch(() => {})
    await write
  }
}

function epochKey (record: RewardRecord): string {
  return `${record.sectionPrefix}/${record.epoch}`
}
