// The local network's client: stores random chunks on the closest vaults and reads them back,
// at a configurable rate, so a fresh install shows a vault that is really used. It places chunks
// as a vault does (replication/section-placement.ts): on the section's members once it is told
// the section, on the closest known peers before.
import { randomBytes, randomInt } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { ChunkService } from '../engine/chunk-protocol/chunk-service.ts'
import type { VaultLibp2p } from '../engine/network/libp2p-node.ts'
import { LocalTrust } from '../engine/network/local-trust.ts'
import { XorPlacement } from '../engine/network/placement.ts'
import type { SectionView } from '../engine/replication/holder-order.ts'
import { FullHolders, placeChunk, SectionPlacement } from '../engine/replication/section-placement.ts'
import { addressToBytes, chunkAddress } from '../engine/store/chunk-address.ts'
import { SectionPayer } from './section-payer.ts'

export interface ClientSimulatorInit {
  /** Chunks stored per second (reads follow at the same rate). 0 stops the simulator. */
  rate: number
  chunkBytes: number
  copies: number
  /** Looks for vaults that joined since (a DHT walk); runs every `discoverEveryMs`. */
  discover?: () => Promise<void>
  discoverEveryMs?: number
  /** Randomness, injectable for tests: chunk contents, and which stored chunk to read back. */
  random?: (size: number) => Uint8Array
  pick?: (count: number) => number
  /** The section, as a vault of it sees it; without one the client places on the closest known peers. */
  section?: () => SectionView | undefined
  /** Ledger units paid to the section's elders per chunk stored (section-payer.ts); 0 pays nothing. */
  storeCost?: number
}

export interface ClientStats {
  stored: number
  fetched: number
  failedStores: number
  failedFetches: number
  wrongData: number
  /** Ledger units paid into the section for stored chunks. */
  paid: number
}

export interface ClientSimulatorEvents {
  'client:stats': CustomEvent<ClientStats>
}

export class ClientSimulator extends TypedEventEmitter<ClientSimulatorEvents> {
  private readonly libp2p: VaultLibp2p
  private readonly chunks: ChunkService
  private readonly placement: SectionPlacement
  private readonly init: ClientSimulatorInit
  private readonly written: string[] = []
  private timer: NodeJS.Timeout | undefined
  private discoverTimer: NodeJS.Timeout | undefined
  private busy = false
  private readonly payer: SectionPayer | undefined
  readonly stats: ClientStats = { stored: 0, fetched: 0, failedStores: 0, failedFetches: 0, wrongData: 0, paid: 0 }

  constructor (libp2p: VaultLibp2p, init: ClientSimulatorInit) {
    super()
    this.libp2p = libp2p
    this.init = init
    const trust = new LocalTrust()
    // A client only asks: its chunk service has no store and is never started.
    this.chunks = new ChunkService({ libp2p, trust })
    this.payer = init.storeCost === 0 ? undefined : new SectionPayer(libp2p, init.storeCost === undefined ? {} : { storeCost: init.storeCost })
    const isIgnored = (peer: PeerId): boolean => trust.isIgnored(peer.toString())
    this.placement = new SectionPlacement({
      self: libp2p.peerId,
      view: init.section ?? (() => undefined),
      fallback: new XorPlacement({ self: libp2p.peerId, knownPeers: async () => (await libp2p.peerStore.all()).map(peer => peer.id), isIgnored }),
      isIgnored,
      full: new FullHolders()
    })
  }

  start (): void {
    if (this.init.rate <= 0) return
    this.timer = setInterval(() => { void this.tick() }, Math.max(10, 1000 / this.init.rate))
    this.timer.unref()
    const discover = this.init.discover
    if (discover !== undefined) {
      this.discoverTimer = setInterval(() => { void discover() }, this.init.discoverEveryMs ?? 5000)
      this.discoverTimer.unref()
    }
  }

  stop (): void {
    clearInterval(this.timer)
    clearInterval(this.discoverTimer)
  }

  /** One store and one read of an earlier chunk; skipped when the previous tick is still busy. */
  async tick (): Promise<void> {
    if (this.busy) return
    this.busy = true
    // A store or read that threw (a lookup or a payment failing) only counts as failed: an error
    // here, in a timer, would end the process the local network runs in.
    await this.storeOne().catch(() => { this.stats.failedStores++ })
    await this.fetchOne().catch(() => { this.stats.failedFetches++ })
    this.busy = false
    this.dispatchEvent(new CustomEvent('client:stats', { detail: { ...this.stats } }))
  }

  /** The fallback placement counts this client among the closest peers; it stores and serves nothing. */
  private withoutSelf (peers: PeerId[]): PeerId[] {
    return peers.filter(peer => !peer.equals(this.libp2p.peerId))
  }

  private async storeOne (): Promise<void> {
    const bytes = (this.init.random ?? randomBytes)(this.init.chunkBytes)
    const address = chunkAddress(bytes)
    const candidates = this.withoutSelf(await this.placement.closest(addressToBytes(address), Number.POSITIVE_INFINITY))
    const placed = await placeChunk(candidates, this.init.copies, async peer => { await this.chunks.put(peer, bytes) }, peer => { this.placement.markFull(peer) })
    if (placed.holders.length > 0) {
      this.stats.stored++
      this.written.push(address)
      if (this.written.length > 1000) this.written.shift()
      const payment = await this.payer?.pay(address, placed.holders)
      if (payment !== undefined && payment.elders > 0) this.stats.paid += payment.amount
    } else {
      this.stats.failedStores++
    }
  }

  private async fetchOne (): Promise<void> {
    if (this.written.length === 0) return
    const address = this.written[(this.init.pick ?? randomInt)(this.written.length)]
    if (address === undefined) return
    const readers = this.withoutSelf(await this.placement.readers(addressToBytes(address), this.init.copies + 1)).slice(0, this.init.copies)
    for (const peer of readers) {
      try {
        const data = await this.chunks.get(peer, address)
        if (data === undefined) continue
        this.stats.fetched++
        return
      } catch (err) {
        if (err instanceof Error && err.name === 'ChunkMismatchError') this.stats.wrongData++
      }
    }
    this.stats.failedFetches++
  }
}
