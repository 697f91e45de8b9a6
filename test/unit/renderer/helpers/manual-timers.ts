// A clock and timers that move only when the test says so (no sleeps, no flakiness).
export class ManualTimers {
  now = 0
  private nextHandle = 1
  private readonly tasks = new Map<number, { at: number, callback: () => void }>()

  setTimeout = (callback: () => void, ms: number): unknown => {
    const handle = this.nextHandle++
    this.tasks.set(handle, { at: this.now + ms, callback })
    return handle
  }

  clearTimeout = (handle: unknown): void => {
    if (typeof handle === 'number') this.tasks.delete(handle)
  }

  get pending (): number {
    return this.tasks.size
  }

  /** Moves the clock forward, running due callbacks in time order. */
  advance (ms: number): void {
    const until = this.now + ms
    for (;;) {
      let due: [number, { at: number, callback: () => void }] | null = null
      for (const entry of this.tasks) {
        if (entry[1].at <= until && (due === null || entry[1].at < due[1].at)) due = entry
      }
      if (due === null) break
      this.tasks.delete(due[0])
      this.now = due[1].at
      due[1].callback()
    }
    this.now = until
  }
}

/** Lets already-settled promise callbacks run (the socket client's auth probe is async). */
export function flushPromises (): Promise<void> {
  return new Promise((resolve) => { setImmediate(resolve) })
}
