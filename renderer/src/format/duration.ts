// Durations and timestamps for uptimes, retry countdowns and the event list.
const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/**
 * A duration in its two largest units: `"3 d 4 h"`, `"2 h 5 min"`, `"4 min 10 s"`, `"45 s"`.
 * Rounds down, so an uptime never claims more than it has.
 */
export function formatDuration (ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`"ms" expected a finite number, got ${ms}`)
  const total = Math.max(0, Math.floor(ms / SECOND)) * SECOND
  const parts: Array<[number, string]> = [
    [Math.floor(total / DAY), 'd'],
    [Math.floor((total % DAY) / HOUR), 'h'],
    [Math.floor((total % HOUR) / MINUTE), 'min'],
    [Math.floor((total % MINUTE) / SECOND), 's']
  ]
  const first = parts.findIndex(([amount]) => amount > 0)
  if (first === -1) return '0 s'
  return parts.slice(first, first + 2)
    .filter(([amount]) => amount > 0)
    .map(([amount, unit]) => `${amount} ${unit}`)
    .join(' ')
}

/** `"just now"`, `"5 min ago"`, `"3 h ago"`, `"2 d ago"`; a future time (clock skew) reads "just now". */
export function formatTimeAgo (at: number, now: number): string {
  const elapsed = now - at
  if (elapsed < 10 * SECOND) return 'just now'
  if (elapsed < MINUTE) return `${Math.floor(elapsed / SECOND)} s ago`
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min ago`
  if (elapsed < DAY) return `${Math.floor(elapsed / HOUR)} h ago`
  return `${Math.floor(elapsed / DAY)} d ago`
}

/**
 * Wall-clock time of an event: `"14:03:27"` when it happened on the same day as `now`, else
 * `"12 Mar, 14:03"`. The time zone is a parameter so tests do not depend on the machine's.
 */
export function formatEventTime (at: number, now: number, timeZone?: string): string {
  const day = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  if (day.format(at) === day.format(now)) {
    return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(at)
  }
  return new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at)
}

/** ISO-like full timestamp for tooltips: `"2025-03-12 14:03:27"` in the given zone. */
export function formatTimestamp (at: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23'
  }).formatToParts(at)
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`
}
