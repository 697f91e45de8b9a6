// `vault status`: what the vault earned (DESIGN §2 "Earnings"), the sum of the signed reward
// records naming it, or why it has earned nothing.
import { earningsEmptyReason } from '../../../contract/earnings.ts'
import type { VaultStatus } from '../../../contract/host-api.ts'

export function formatEarnings (status: Pick<VaultStatus, 'age' | 'section' | 'state' | 'earnings'>): string[] {
  const { total, records, problem } = status.earnings
  const lines = records.length === 0 && total === '0'
    ? [`earnings 0: ${earningsEmptyReason(status)}`]
    : [`earnings ${total} ledger units from ${records.length} signed reward record${records.length === 1 ? '' : 's'}${latest(records)}`]
  if (problem !== undefined) lines.push(`earnings problem: ${problem}`)
  return lines
}

function latest (records: VaultStatus['earnings']['records']): string {
  const last = records.at(-1)
  return last === undefined ? '' : ` (latest: epoch ${last.epoch}, ${last.amount} of a pool of ${last.pool})`
}
