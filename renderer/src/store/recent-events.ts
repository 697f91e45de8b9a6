// The dashboard's list of recent vault events: what the status snapshot carries plus what the
// host pushed since, without duplicates, newest first, bounded so a chatty host cannot grow
// the page without limit.
import type { VaultEvent } from '../../../contract/host-api.ts'

export const MAX_RECENT_EVENTS = 100

function eventKey (event: VaultEvent): string {
  return `${event.at}\u0000${event.kind}\u0000${event.message}`
}

/** Merges `incoming` into `current` (both any order); returns newest first, at most `limit`. */
export function mergeEvents (current: readonly VaultEvent[], incoming: readonly VaultEvent[], limit = MAX_RECENT_EVENTS): VaultEvent[] {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`"limit" expected a non-negative integer, got ${limit}`)
  const seen = new Set<string>()
  const merged: VaultEvent[] = []
  for (const event of [...current, ...incoming]) {
    const key = eventKey(event)
    if (seen.has(key)) continue
    seen.add(key)
    merged.push(event)
  }
  // Array.prototype.sort is stable: events with the same time keep their arrival order.
  merged.sort((a, b) => b.at - a.at)
  return merged.slice(0, limit)
}
