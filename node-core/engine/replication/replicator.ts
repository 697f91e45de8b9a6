// Re-replication after churn (issue 3 deliver 4; DESIGN §2 "re-replicated on churn"), in the shape
// of a js-libp2p service. When the section's members, elders or pauses change (a join, a pause, a
// resume, a demote: each a decision that moves the generation), this vault re-checks every chunk it
// holds: the first holder in holderOrder sees the chunk onto the first `copies` non-full members
// of storageOrder (holder-order.ts has the rule). A run is bounded (a few chunks at once), yields
// between batches, and is cancelled by the next churn; the chunks it had not reached go first in
// the next run. The section's own event handling only starts a run, never waits for one.
//
// Vaults learn of a churn at different moments, so a push can land on a member after that member
// listed its chunks for its own run: it then holds a chunk it will not check. Two guards: a chunk
// stored while a run is under way joins that run (noteStored), and a vault does not defer to a
// member it pushed the chunk to itself since its last completed run. What is left (a third vault's
// late push, in an unlucky order of holders) is one copy short until the next churn.
//
// Never delete on churn: a chunk this vault is no longer among the holders of is KEPT. The next
// churn may make it a holder again, a holder may be lost before it passed the chunk on, and
// elders audit what was placed on a vault (DESIGN §2 "Storage and audits").
import { setImmediate as yieldToEvents } from 'node:timers/promises'
import { TypedEventEmitter } from 'main-event'
import type { ChunkStore } from '../store/chunk-store.ts'
import { addressToBytes } from '../store/chunk-address.ts'
import { placementKey, replicationPlan, type SectionView } from './holder-order.ts'
import { isFullAnswer } from './section-placement.ts'

export const DEFAULT_REPLICATION_CONCURRENCY = 4
/** Chunks checked between two yields to the event loop. */
const BATCH = 32

export interface ReplicatorComponents {
  /** This vault's name (hex). */
  self: string
  store: Pick<ChunkStore, 'addresses' | 'get'>
  /** The section this vault knows now; undefined while it knows none. */
  view(): SectionView | undefined
  /** Whether a member holds a chunk (the chunk protocol's `has`); a member that cannot be asked throws. */
  has(name: string, address: string, options: { signal: AbortSignal }): Promise<boolean>
  put(name: string, bytes: Uint8Array, options: { signal: AbortSignal }): Promise<void>
  /** Whether a member may receive data now: not known to be full, not ignored for low local trust. */
  mayReceive(name: string, generation: number): boolean
  /** A member answered a push with "full". */
  full(name: string, generation: number): void
}

export interface ReplicatorInit {
  copies?: number
  /** Chunks checked at once. */
  concurrency?: number
}

export interface ReplicationStatus {
  /** Chunks the current run has still to check. */
  pending: number
  /** Copies pushed since the vault started. */
  pushed: number
  /** Pushes that failed since the vault started. */
  failed: number
}

export interface ReplicationRun {
  generation: number
  checked: number
  pushed: number
  failed: number
  cancelled: boolean
}

export interface ReplicatorEvents {
  'replication:started': CustomEvent<{ generation: number, chunks: number }>
  'replication:pushed': CustomEvent<{ address: string, to: string }>
  'replication:finished': CustomEvent<ReplicationRun>
}

export class Replicator extends TypedEventEmitter<ReplicatorEvents> {
  readonly #components: ReplicatorComponents
  readonly #copies: number
  readonly #concurrency: number
  /** Chunks not checked since the last run that was cancelled, checked first by the next. */
  #unchecked = new Set<string>()
  #controller: AbortController | undefined
  #running: Promise<void> = Promise.resolve()
  #placedBy = ''
  /** The chunks of the run under way, to which a chunk stored meanwhile is added. */
  #queue: { addresses: string[], queued: Set<string> } | undefined
  /** Address -> members this vault pushed it to since its last completed run. */
  #pushedSince = new Map<string, Set<string>>()
  #started = false
  readonly #totals = { pushed: 0, failed: 0 }

  constructor (components: ReplicatorComponents, init: ReplicatorInit = {}) {
    super()
    this.#components = components
    this.#copies = init.copies ?? 4
    this.#concurrency = init.concurrency ?? DEFAULT_REPLICATION_CONCURRENCY
  }

  start (): void {
    this.#started = true
  }

  async stop (): Promise<void> {
    this.#started = false
    this.#controller?.abort()
    await this.#running
  }

  status (): ReplicationStatus {
    return { pending: this.#controller === undefined ? 0 : this.#unchecked.size, ...this.#totals }
  }

  /** The section moved on: re-check every chunk held, unless members, elders and pauses are as they were. */
  churned (): void {
    const view = this.#components.view()
    if (!this.#started || view === undefined) return
    const key = placementKey(view)
    if (key === this.#placedBy) return
    this.#placedBy = key
    this.#controller?.abort()
    const controller = new AbortController()
    this.#controller = controller
    const previous = this.#running
    this.#running = (async () => {
      await previous
      await this.#run(view, controller.signal)
      if (this.#controller === controller) this.#controller = undefined
    })()
  }

  /** A chunk was stored here (by a peer's put or a push): a run under way checks it too. */
  noteStored (address: string): void {
    const queue = this.#queue
    if (queue === undefined || queue.queued.has(address)) return
    queue.queued.add(address)
    queue.addresses.push(address)
    this.#unchecked.add(address)
  }

  /** Resolves once no run is under way (for tests and orderly shutdown). */
  async idle (): Promise<void> {
    let running: Promise<void>
    do {
      running = this.#running
      await running
    } while (running !== this.#running)
  }

  async #run (view: SectionView, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return
    const queued = new Set([...this.#unchecked, ...this.#components.store.addresses()])
    const queue = { addresses: [...queued], queued }
    this.#queue = queue
    this.#unchecked = new Set(queued)
    this.#emit('replication:started', { generation: view.generation, chunks: queued.size })
    const run: ReplicationRun = { generation: view.generation, checked: 0, pushed: 0, failed: 0, cancelled: false }
    let next = 0
    const worker = async (): Promise<void> => {
      while (!signal.aborted) {
        const address = queue.addresses[next++]
        if (address === undefined) return
        if (next % BATCH === 0) await yieldToEvents()
        const outcome = await this.#check(address, view, signal)
        if (signal.aborted) return
        this.#unchecked.delete(address)
        run.checked++
        run.pushed += outcome.pushed
        run.failed += outcome.failed
      }
    }
    // Chunks stored while the workers ran are checked before the run ends.
    while (next < queue.addresses.length && !signal.aborted) await Promise.all(Array.from({ length: this.#concurrency }, worker))
    this.#queue = undefined
    run.cancelled = signal.aborted
    if (!run.cancelled) this.#pushedSince = new Map()
    this.#emit('replication:finished', run)
  }

  async #check (address: string, view: SectionView, signal: AbortSignal): Promise<{ pushed: number, failed: number }> {
    const outcome = { pushed: 0, failed: 0 }
    const { self } = this.#components
    const plan = replicationPlan(addressToBytes(address), view, self)
    if (plan.kind === 'not-a-member') return outcome
    const pushedTo = this.#pushedSince.get(address)
    for (const member of plan.ask) {
      // An earlier holder is the one that pushes; one that cannot be asked is taken as not holding,
      // and one this vault pushed the chunk to may have listed its chunks before it arrived.
      if (pushedTo?.has(member) !== true && await this.#holds(member, address, signal)) return outcome
      if (signal.aborted) return outcome
    }
    let bytes: Uint8Array | undefined
    let held = 0
    for (const member of plan.storage) {
      if (held >= this.#copies || signal.aborted) break
      if (member === self) {
        held++
        continue
      }
      if (!this.#components.mayReceive(member, view.generation)) continue
      if (await this.#holds(member, address, signal)) {
        held++
        continue
      }
      // A chunk gone from this vault's disk since the run began (quarantined) has nothing to push.
      bytes ??= await this.#components.store.get(address).catch(() => undefined)
      if (bytes === undefined) return outcome
      try {
        await this.#components.put(member, bytes, { signal })
        held++
        outcome.pushed++
        this.#totals.pushed++
        this.#pushedSince.set(address, (this.#pushedSince.get(address) ?? new Set()).add(member))
        this.#emit('replication:pushed', { address, to: member })
      } catch (err) {
        if (signal.aborted) break
        if (isFullAnswer(err)) this.#components.full(member, view.generation)
        outcome.failed++
        this.#totals.failed++
      }
    }
    return outcome
  }

  async #holds (member: string, address: string, signal: AbortSignal): Promise<boolean> {
    try {
      return await this.#components.has(member, address, { signal })
    } catch {
      return false
    }
  }

  #emit<K extends keyof ReplicatorEvents> (type: K, detail: ReplicatorEvents[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
