// The age card's history (issue 3 deliver 7): each name the vault has had, newest first, with its
// age and why it came, in the owner's words (DESIGN §2: relocation adds one, a demotion halves).
import type { AgeHistoryEntry, AgeHistoryReason } from '../../../../contract/host-api.ts'
import { formatEventTime, formatTimestamp } from '../../format/duration.ts'

export interface AgeHistoryRow {
  /** The name, unique in the history. */
  key: string
  age: number
  reason: AgeHistoryReason
  reasonText: string
  /** Short time ("12 Mar, 14:03"), and the full one for a tooltip; null when unknown. */
  when: string | null
  whenFull: string | null
  /** The vault's present name. */
  current: boolean
}

export function ageReasonText (reason: AgeHistoryReason): string {
  switch (reason) {
    case 'new': return 'new vault'
    case 'relocated': return 'relocated by the section'
    case 'demoted': return 'demoted: rejoined at half its age'
    case 'left': return 'left the network: rejoined at half its age'
    case 'earlier': return 'before the history was kept'
    default: {
      const unknown: never = reason
      throw new TypeError(`unknown age history reason ${String(unknown)}`)
    }
  }
}

/** The history newest first; `now` (the status's time) picks between a time of day and a date. */
export function describeAgeHistory (entries: readonly AgeHistoryEntry[], now: number, timeZone?: string): AgeHistoryRow[] {
  return entries.map((entry, index): AgeHistoryRow => ({
    key: entry.name,
    age: entry.age,
    reason: entry.reason,
    reasonText: ageReasonText(entry.reason),
    when: entry.at === null ? null : formatEventTime(entry.at, now, timeZone),
    whenFull: entry.at === null ? null : formatTimestamp(entry.at, timeZone),
    current: index === entries.length - 1
  })).reverse()
}
