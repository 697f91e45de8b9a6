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
