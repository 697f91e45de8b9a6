// Where a new chunk goes (issue 3 deliver 4): once a vault knows its section, the members in
// storageOrder (holder-order.ts) that this vault does not know to be full or ignore for low local
// trust; a holder that answers full is remembered until the section's next generation and the
// next member in the order takes its place. While the vault does not know its section (forming,
// or a client outside it) the known-peers placement stands in (network/placement.ts).
import type { PeerId } from '@libp2p/interface'
import { nameOfPeer, type Placement } from '../network/placement.ts'
import { nameToHex } from '../section/known-vaults.ts'
import { peerIdOfHexName } from '../section/section-service.ts'
import { holderOrder, storageOrder, type SectionView } from './holder-order.ts'

/** ENOSPC and EDQUOT: the disk or the owner's quota is full, which StoreWriteError names by code. */
const FULL_DISK_CODE = /\((ENOSPC|EDQUOT)\)$/

/** Whether a failed put means the holder is full: its store's cap (StoreFullError) or its disk. */
export function isFullAnswer (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  if (err.name === 'StoreFullError') return true
  if (err.name === 'StoreWriteError') return FULL_DISK_CODE.test(err.message)
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOSPC' || code === 'EDQUOT'
}

/** Members that answered full, until the section's next generation (a churn is when it is asked again). */
export class FullHolders {
  readonly #full = new Set<string>()
  #generation = -1

  mark (name: string, generation: number): void {
    this.#forgetBefore(generation)
    this.#full.add(name)
  }

  isFull (name: string, generation: number): boolean {
    this.#forgetBefore(generation)
    return this.#full.has(name)
  }

  #forgetBefore (generation: number): void {
    if (generation === this.#generation) return
    this.#generation = generation
    this.#full.clear()
  }
}

export interface SectionPlacementComponents {
  self: PeerId
  /** The section this vault knows now; undefined while it knows none. */
  view(): SectionView | undefined
  /** The known-peers placement, for while no section is known. */
  fallback: Placement
  isIgnored(peer: PeerId): boolean
  /** Whether this vault's own store is full (it then places nothing on itself). */
  selfFull?(): boolean
  full: FullHolders
}

export class SectionPlacement implements Placement {
  readonly #components: SectionPlacementComponents
  readonly #self: string
  readonly #peerIds = new Map<string, PeerId>()

  constructor (components: SectionPlacementComponents) {
    this.#components = components
    const name = nameOfPeer(components.self)
    this.#self = name === undefined ? '' : nameToHex(name)
  }

  async closest (address: Uint8Array, count: number): Promise<PeerId[]> {
    const view = this.#components.view()
    if (view === undefined) return await this.#components.fallback.closest(address, count)
    const chosen: PeerId[] = []
    for (const name of storageOrder(address, view)) {
      if (chosen.length >= count) break
      if (!this.#eligible(name, view.generation)) continue
      const peer = this.peerIdOf(name)
      if (!this.#components.isIgnored(peer)) chosen.push(peer)
    }
    return chosen
  }

  /**
   * The `count` members to read a chunk from, in holder order: full and paused members included,
   * since both still serve what they hold; only locally ignored peers are left out.
   */
  async readers (address: Uint8Array, count: number): Promise<PeerId[]> {
    const view = this.#components.view()
    if (view === undefined) return await this.#components.fallback.closest(address, count)
    return holderOrder(address, view).map(name => this.peerIdOf(name)).filter(peer => !this.#components.isIgnored(peer)).slice(0, count)
  }

  /** A holder answered full: skipped until the section's next generation. */
  markFull (peer: PeerId): void {
    const view = this.#components.view()
    const name = nameOfPeer(peer)
    if (view !== undefined && name !== undefined) this.#components.full.mark(nameToHex(name), view.generation)
  }

  /** The PeerId of a member's name, made once per name: placement and re-replication ask per chunk. */
  peerIdOf (name: string): PeerId {
    if (name === this.#self) return this.#components.self
    let peer = this.#peerIds.get(name)
    if (peer === undefined) {
      peer = peerIdOfHexName(name)
      this.#peerIds.set(name, peer)
    }
    return peer
  }

  #eligible (name: string, generation: number): boolean {
    if (name === this.#self) return this.#components.selfFull?.() !== true
    return !this.#components.full.isFull(name, generation)
  }
}

export interface PlacedChunk {
  holders: PeerId[]
  errors: Error[]
}

/**
 * Puts a chunk on the first `copies` candidates that accept it: `copies` at once, and each one that
 * fails hands its place to the next candidate in order. A full answer also goes to `full`.
 */
export async function placeChunk (
  candidates: readonly PeerId[],
  copies: number,
  put: (peer: PeerId) => Promise<void>,
  full: (peer: PeerId) => void = () => {}
): Promise<PlacedChunk> {
  const holders: PeerId[] = []
  const errors: Error[] = []
  let next = 0
  // One slot per copy: a slot tries candidates in order until one accepts.
  const slot = async (): Promise<void> => {
    for (;;) {
      const peer = candidates[next++]
      if (peer === undefined) return
      try {
        await put(peer)
        holders.push(peer)
        return
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err))
        if (isFullAnswer(error)) full(peer)
        errors.push(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(copies, candidates.length) }, slot))
  return { holders, errors }
}
