// Defer choices (DESIGN §3, step 6: defer by a day, a week, or to a date), each refused when it
// would pass the deadline the active era sets; and the date picker's local-time conversions.
const MINUTE = 60_000
export const DAY = 24 * 60 * MINUTE
export const WEEK = 7 * DAY

export type DeferChoice = { id: 'day' | 'week', label: string, until: number, enabled: boolean, reason: string | null }

/** Why `until` is refused, or null when the host may be asked to defer to it. */
export function deferRefusal (until: number, now: number, deadline: number | null, formatAt: (at: number) => string): string | null {
  if (!Number.isFinite(until)) return 'Pick a date and time.'
  if (until <= now) return 'Pick a time in the future.'
  if (deadline !== null && until > deadline) return `That is past the deadline, ${formatAt(deadline)}: the active era requires this version by then.`
  return null
}

/** "A day" and "a week" from now; the time is shown so the owner knows what each means. */
export function deferChoices (now: number, deadline: number | null, formatAt: (at: number) => string): DeferChoice[] {
  const choices: Array<{ id: DeferChoice['id'], span: number, label: string }> = [
    { id: 'day', span: DAY, label: 'Defer a day' },
    { id: 'week', span: WEEK, label: 'Defer a week' }
  ]
  return choices.map(({ id, span, label }) => {
    const until = now + span
    const reason = deferRefusal(until, now, deadline, formatAt)
    return { id, label, until, enabled: reason === null, reason }
  })
}

function pad (value: number): string {
  return String(value).padStart(2, '0')
}

/** `<input type="datetime-local">` value for an instant, in the machine's zone, to the minute. */
export function toDateTimeInputValue (at: number): string {
  const date = new Date(at)
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** The instant a datetime-local value names in the machine's zone; null when it is not one. */
export function parseDateTimeInputValue (value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value)
  if (match === null) return null
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = match.slice(1).map((part) => part === undefined ? 0 : Number(part))
  const date = new Date(year, month - 1, day, hour, minute, second)
  // new Date rolls 31 Feb over into March and a time skipped by a clock change into the next
  // hour: a value that does not round-trip names no real local time.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day || date.getHours() !== hour || date.getMinutes() !== minute) return null
  return date.getTime()
}

/** The picker's bounds: from the next minute to the deadline's minute (rounded down, so max never passes it). */
export function dateInputBounds (now: number, deadline: number | null): { min: string, max: string | undefined } {
  const nextMinute = Math.floor(now / MINUTE) * MINUTE + MINUTE
  return {
    min: toDateTimeInputValue(nextMinute),
    max: deadline === null ? undefined : toDateTimeInputValue(Math.floor(deadline / MINUTE) * MINUTE)
  }
}
