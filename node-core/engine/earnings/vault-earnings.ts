// The vault's side of earnings (issue 3 deliver 5): its book of the records naming it, and, as an
// elder, the persisted guard that it never signs two reward records for one epoch. Both live in
// the data dir; opened once per start, before the section service.
import { join } from 'node:path'
import { loadRewardSignerState, RewardSignerStateError, saveRewardSignerState, type RewardSignerState } from '../../section/economy/reward-signer.ts'
import type { SectionService } from '../section/section-service.ts'
import { EarningsBook } from './earnings-book.ts'

export const REWARD_SIGNER_FILE = 'reward-signer.json'

export interface VaultEarnings {
  book: EarningsBook
  signerState: RewardSignerState | undefined
  persistSigner: (state: RewardSignerState) => Promise<void>
  /** What could not be read, for the activity log once the vault starts. */
  problems: string[]
}

/** `names`: every name the vault has had (its age history), the current one included. */
export async function openVaultEarnings (options: { dataDir: string, names: readonly string[] }): Promise<VaultEarnings> {
  const book = new EarningsBook(options)
  await book.load()
  const problems = book.problem === undefined ? [] : [`reward records: ${book.problem}`]
  const signerPath = join(options.dataDir, REWARD_SIGNER_FILE)
  let signerState: RewardSignerState | undefined
  let persistSigner = async (state: RewardSignerState): Promise<void> => { await saveRewardSignerState(signerPath, state) }
  try {
    signerState = await loadRewardSignerState(signerPath)
  } catch (err) {
    if (!(err instanceof RewardSignerStateError)) throw err
    // Without its record an elder could sign a second record for an epoch: it signs none until restored.
    problems.push(err.message)
    persistSigner = async () => { throw new RewardSignerStateError(`not signing reward records: ${err.message}`) }
  }
  return { book, signerState, persistSigner, problems }
}

/** Keeps each verified record naming this vault, and says what it earned (or why a record was refused). */
export function forwardEarnings (section: SectionService, book: EarningsBook, activity: (kind: string, message: string) => void): void {
  section.addEventListener('section:reward-record', event => {
    const { record } = event.detail
    book.keep(record).then(outcome => {
      if (outcome.kept) activity('earnings:record', `earned ${outcome.amount} of a pool of ${record.pool} in reward epoch ${record.epoch}, by a record the section signed`)
      else if (outcome.conflict) activity('earnings:rejected', `refused a reward record: ${outcome.reason}`)
    }, (err: unknown) => { activity('earnings:write-failed', `could not keep the reward record of epoch ${record.epoch}: ${String(err)}`) })
  })
  section.addEventListener('section:reward-declined', event => {
    activity('earnings:declined', `as an elder, declined to sign the reward record of epoch ${event.detail.epoch}: ${event.detail.reason.slice(0, 300)}`)
  })
}
