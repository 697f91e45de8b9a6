// When things happen (DESIGN §3, step 6): each time as a local date and time plus how far away it is.
import type { UpgradeCandidate, UpgradePolicy } from '../../../../contract/upgrade.ts'
import { formatDuration, formatTimeAgo } from '../../format/duration.ts'

const NEAR = 10_000

/** `"in 3 h"`, `"in 2 d 4 h"`, `"now"`, `"5 min ago"`. */
export function formatRelative (at: number, now: number): string {
  if (Math.abs(at - now) < NEAR) return 'now'
  if (at > now) return `in ${formatDuration(at - now)}`
  return formatTimeAgo(at, now)
}

export type ScheduleEntry = { id: 'eligible' | 'deferred' | 'deadline', label: string, at: number }

/**
 * The candidate's times that are set, in the order the owner reads them. Only the automatic
 * policy switches at the eligible time; under the others it is when approving becomes possible.
 */
export function scheduleEntries (candidate: Pick<UpgradeCandidate, 'eligibleAt' | 'deferredUntil' | 'deadline'>, policy: UpgradePolicy): ScheduleEntry[] {
  const entries: Array<{ id: ScheduleEntry['id'], label: string, at: number | null }> = [
    { id: 'eligible', label: policy === 'automatic' ? 'Switches automatically at' : 'Eligible for this vault from', at: candidate.eligibleAt },
    { id: 'deferred', label: 'Deferred until', at: candidate.deferredUntil },
    { id: 'deadline', label: 'Deadline (required by the active era)', at: candidate.deadline }
  ]
  return entries.flatMap(({ id, label, at }) => at === null ? [] : [{ id, label, at }])
}
