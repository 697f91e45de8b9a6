// `vault status`: the names this vault has had, each age with why it came (issue 3 deliver 7):
// "age 5 (new, …) → 6 (relocated, …)", the newest last, the oldest folded past a few.
import type { VaultStatus } from '../../../contract/host-api.ts'
import { formatScheduleTime } from '../../upgrade/schedule/upgrade-policy.ts'

/** Names shown one by one; earlier ones are counted. */
export const SHOWN_AGE_HISTORY = 6

export function formatAgeHistory (status: Pick<VaultStatus, 'name' | 'ageHistory'>): string[] {
  const { ageHistory } = status
  if (ageHistory.length === 0) return status.name === '' ? [] : ['history  none reported (an engine older than the age history)']
  const shown = ageHistory.slice(-SHOWN_AGE_HISTORY)
  const folded = ageHistory.length - shown.length
  const steps = shown.map(entry => `${entry.age} (${entry.reason}${entry.at === null ? '' : `, ${formatScheduleTime(entry.at)}`})`)
  return [`history  age ${folded === 0 ? '' : `… ${folded} earlier name${folded === 1 ? '' : 's'} → `}${steps.join(' → ')}`]
}
