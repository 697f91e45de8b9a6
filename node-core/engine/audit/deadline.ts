// One audit's time limit on the injected clock (section/schedule.ts), merged with the signals that
// may end it sooner, so tests drive timeouts with a manual clock instead of sleeping.
import type { Schedule } from '../section/schedule.ts'
import { AuditTimeoutError } from './audit-errors.ts'

export interface Deadline {
  signal: AbortSignal
  /** True when it was the time limit, not another signal, that ended the wait. */
  timedOut: () => boolean
  cancel: () => void
}

export function deadline (schedule: Schedule, ms: number, signals: readonly AbortSignal[]): Deadline {
  const timeout = new AbortController()
  const cancel = schedule(ms, () => { timeout.abort(new AuditTimeoutError(`no answer within ${ms} ms`)) })
  return { signal: AbortSignal.any([timeout.signal, ...signals]), timedOut: () => timeout.signal.aborted, cancel }
}

export function positive (value: number, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new RangeError(`"${what}" expected an integer from 1 to ${max}, got ${value}`)
  return value
}
