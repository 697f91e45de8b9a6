// Time as the upgrade manager sees it: injected, so tests decide when a scheduled switch is due
// instead of sleeping until it is.
export interface Clock {
  now(): number
  /** Calls `callback` once, `delayMs` from now; the handle cancels it. */
  setTimer(callback: () => void, delayMs: number): ClockTimer
}

export interface ClockTimer {
  cancel(): void
}

/** setTimeout's limit: longer delays fire at once, so they are waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer (callback, delayMs) {
    let timer: NodeJS.Timeout
    const due = Date.now() + delayMs
    const arm = (): void => {
      const remaining = Math.max(0, due - Date.now())
      timer = setTimeout(remaining > MAX_TIMER_MS ? arm : callback, Math.min(remaining, MAX_TIMER_MS))
      // A pending upgrade never keeps the process alive on its own.
      timer.unref()
    }
    arm()
    return { cancel: () => { clearTimeout(timer) } }
  }
}
