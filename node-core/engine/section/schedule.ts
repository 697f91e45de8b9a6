// Timers the section's state machine runs on. Injected, so tests drive a manual clock and wait on
// events instead of sleeping.

/** Runs `callback` after `ms`; returns a function that cancels it. */
export type Schedule = (ms: number, callback: () => void | Promise<void>) => () => void

/** Node's timers, unreferenced: a pending round or vote never keeps a stopping process alive. */
export const timerSchedule: Schedule = (ms, callback) => {
  const timer = setTimeout(() => { void callback() }, ms)
  timer.unref()
  return () => { clearTimeout(timer) }
}

/**
 * A request sent again every `intervalMs` until it is no longer wanted: `run(ask)` asks now (the
 * request is still wanted while `ask` returns true) and replaces any earlier asking; `again(ask)`
 * does the same from one interval on, for a request just sent; `stop` ends it.
 */
export class Reasking {
  readonly #schedule: Schedule
  readonly #intervalMs: number
  #cancel: (() => void) | undefined

  constructor (schedule: Schedule, intervalMs: number) {
    this.#schedule = schedule
    this.#intervalMs = intervalMs
  }

  run (ask: () => boolean): void {
    this.stop()
    if (ask()) this.again(ask)
  }

  again (ask: () => boolean): void {
    this.stop()
    this.#cancel = this.#schedule(this.#intervalMs, () => {
      this.#cancel = undefined
      this.run(ask)
    })
  }

  stop (): void {
    this.#cancel?.()
    this.#cancel = undefined
  }
}
