// An elder's promise never to sign two different values for one slot with its key share: one
// membership proposal per generation (ElderVoter, decisions.ts), one reward record per epoch
// (RewardSigner, economy/reward-signer.ts). Two conflicting values signed by the section would need
// 5 + 5 shares from 7 elders, so at least 3 elders signing both; with at most 2 faulty elders
// (floor(7/3)) that never happens, as long as each honest elder remembers what it signed, across
// restarts too. So the entry is made before anything is awaited and persisted before the share is
// released; if persisting fails the entry stays, and the elder refuses rather than risk signing twice.

/** What an elder signed in one slot: the value's digest, and whatever else its owner keeps with it. */
export interface SlotEntry { digest: string }

export interface SlotGuardOptions<T extends SlotEntry> {
  /** What was signed before (from disk). */
  entries?: Iterable<readonly [number, T]>
  /** Stores the owner's state, which includes every entry; awaited before a share is released. */
  persist?: () => Promise<void>
  /** Slots remembered at most, the oldest forgotten first; unbounded when absent (the owner forgets settled ones). */
  capacity?: number
}

export class SlotGuard<T extends SlotEntry> {
  readonly #entries = new Map<number, T>()
  /** The write of each slot's entry; a failed one keeps failing every claim of that slot. */
  readonly #persisting = new Map<number, Promise<void>>()
  readonly #persist: (() => Promise<void>) | undefined
  readonly #capacity: number

  constructor (options: SlotGuardOptions<T>) {
    for (const [slot, entry] of options.entries ?? []) this.#entries.set(slot, entry)
    this.#persist = options.persist
    this.#capacity = options.capacity ?? Number.POSITIVE_INFINITY
  }

  /** Every slot signed, in ascending order. */
  get entries (): Array<[number, T]> {
    return [...this.#entries].sort(([a], [b]) => a - b)
  }

  /** Whether signing `digest` in `slot` would keep the slot to one value. */
  allows (slot: number, digest: string): boolean {
    const previous = this.#entries.get(slot)
    return previous === undefined || previous.digest === digest
  }

  /**
   * Claims `slot` for `entry`, resolving once the claim is durable; throws `refusal(previous)` when
   * the slot holds a different digest. Claiming the same digest again waits for the same write.
   */
  async claim (slot: number, entry: T, refusal: (previous: T) => Error): Promise<void> {
    const previous = this.#entries.get(slot)
    if (previous !== undefined && previous.digest !== entry.digest) throw refusal(previous)
    if (previous === undefined) {
      this.#entries.set(slot, entry)
      // The slot being claimed stays, however old: forgetting it would release an unpersisted share.
      const others = [...this.#entries.keys()].filter(other => other !== slot).sort((x, y) => y - x)
      for (const forgotten of others.slice(Math.max(0, this.#capacity - 1))) this.#forget(forgotten)
      this.#persisting.set(slot, Promise.resolve(this.#persist?.()))
    }
    await this.#persisting.get(slot)
  }

  /** Forgets slots below `slot`, once they are settled. */
  forgetBelow (slot: number): void {
    for (const signed of [...this.#entries.keys()]) if (signed < slot) this.#forget(signed)
  }

  #forget (slot: number): void {
    this.#entries.delete(slot)
    this.#persisting.delete(slot)
  }
}
