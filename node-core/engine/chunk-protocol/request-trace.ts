// The bounded trace of requests a live vault served to its peers (issue 5, deliver 2): the shadow
// runner replays it to baseline and candidate. Only the operation and the address are kept, never
// the bytes: chunks are content-addressed, so a replay reads them from the store's snapshot.
import type { ChunkRequest } from './frames.ts'

/** DESIGN §3.4: enough recent requests for a replay to be a fair sample, in well under 1 MB. */
export const DEFAULT_TRACE_CAPACITY = 2000

export interface TraceEntry {
  /** When the request was served, in ms since the Unix epoch. */
  at: number
  op: ChunkRequest['op']
  address: string
}

export interface RequestTraceInit {
  capacity?: number
  now?: () => number
}

/** A ring buffer of the last `capacity` served requests, oldest first when read. */
export class RequestTrace {
  readonly capacity: number
  private readonly now: () => number
  private readonly ring: TraceEntry[] = []
  private next = 0
  /** Requests recorded since the vault started, kept or since overwritten. */
  private total = 0

  constructor (init: RequestTraceInit = {}) {
    const capacity = init.capacity ?? DEFAULT_TRACE_CAPACITY
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`"capacity" expected a positive integer, got ${capacity}`)
    this.capacity = capacity
    this.now = init.now ?? Date.now
  }

  get recorded (): number { return this.total }

  record (op: TraceEntry['op'], address: string): void {
    const entry = { at: this.now(), op, address }
    if (this.ring.length < this.capacity) this.ring.push(entry)
    else this.ring[this.next] = entry
    this.next = (this.next + 1) % this.capacity
    this.total++
  }

  /** The newest `limit` entries (all kept by default), oldest first. */
  entries (limit = this.capacity): TraceEntry[] {
    const ordered = this.ring.length < this.capacity
      ? this.ring
      : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)]
    return ordered.slice(Math.max(0, ordered.length - limit)).map(entry => ({ ...entry }))
  }
}
