// Reconnect back-off: exponential, capped, with jitter so many dashboards reconnecting after a
// host restart do not arrive at the same instant.

export type BackoffOptions = {
  initialMs: number
  maxMs: number
  /** Each delay is scaled by a factor drawn from [1 - jitter, 1 + jitter]. */
  jitter: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, jitter: 0.2 }

/** Delay before retry number `attempt` (1 for the first retry); `random` returns [0, 1). */
export function nextRetryDelay (attempt: number, options: BackoffOptions, random: () => number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`"attempt" expected a positive integer, got ${attempt}`)
  // Cap the exponent too, so a long outage never computes 2^1000.
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt - 1, 30))
  const factor = 1 - options.jitter + 2 * options.jitter * random()
  return Math.round(base * factor)
}
