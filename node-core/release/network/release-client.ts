// A maintainer's publishing client (DESIGN §3.3): a libp2p node that is not a vault, on a machine
// that listens on nothing. It joins through the bootstrap vaults, finds the others by a DHT walk,
// stores each chunk of the publication on the vaults closest to its address (DESIGN §2: 4 copies)
// and hands the signed release pointer to the vaults it is connected to; their gossip does the rest.
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { isLoopback } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { namedError } from '../../../contract/named-error.ts'
import { ChunkService } from '../../engine/chunk-protocol/chunk-service.ts'
import { createVaultLibp2p, type VaultLibp2p } from '../../engine/network/libp2p-node.ts'
import { LocalTrust } from '../../engine/network/local-trust.ts'
import { XorPlacement } from '../../engine/network/placement.ts'
import { addressToBytes, chunkAddress } from '../../engine/store/chunk-address.ts'
import type { ReleaseKey } from '../keys.ts'
import { publishReleaseToNetwork, type PublishedToNetwork } from './publish-to-network.ts'
import { chunkRelease, readReleaseDirectory } from './release-files.ts'
import { RELEASE_PROTOCOL, sendReleasePointer } from './release-gossip.ts'
import type { SignedReleasePointer } from './release-pointer.ts'

export const DEFAULT_PUBLISH_COPIES = 4
export const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000
const WALK_FIRST_RETRY_MS = 50
const WALK_MAX_RETRY_MS = 1000

export class BootstrapUnreachableError extends namedError('BootstrapUnreachableError') {}
export class NoVaultsFoundError extends namedError('NoVaultsFoundError') {}
export class ChunkNotStoredError extends namedError('ChunkNotStoredError') {}
export class PointerNotAnnouncedError extends namedError('PointerNotAnnouncedError') {}

export interface ReleaseClientInit {
  /** Multiaddrs of vaults to join through, each with its /p2p/ peer id. */
  bootstrap: readonly string[]
  /** Vaults each chunk goes to; at least one of them must accept it. */
  copies?: number
  /** Bounds the discovery walk and each store or announce request. */
  timeoutMs?: number
  /** A random ed25519 key by default: the client has no identity worth keeping. */
  privateKey?: PrivateKey
}

export interface PublishProgress {
  stored: number
  total: number
  address: string
  holders: number
}

export interface ReleaseClientEvents {
  /** Vaults known after the discovery walk. */
  'publish:discovered': CustomEvent<{ vaults: number }>
  'publish:progress': CustomEvent<PublishProgress>
  'publish:announced': CustomEvent<{ vaults: number }>
}

export interface PublishedThroughClient extends PublishedToNetwork {
  /** Vaults the client handed the pointer to directly. */
  announcedTo: number
}

/** Only when every bootstrap vault is on loopback is this a local network (libp2p-node.ts). */
export function isLocalNetwork (bootstrap: readonly Multiaddr[]): boolean {
  return bootstrap.length > 0 && bootstrap.every(address => isLoopback(address))
}

/** Waits `ms`, or less when the signal aborts first; never throws. */
async function delay (ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => {})
}

export class ReleaseClient extends TypedEventEmitter<ReleaseClientEvents> {
  readonly #bootstrap: Multiaddr[]
  readonly #copies: number
  readonly #timeoutMs: number
  readonly #privateKey: PrivateKey | undefined

  constructor (init: ReleaseClientInit) {
    super()
    if (init.bootstrap.length === 0) throw new RangeError('"bootstrap" expected at least one multiaddr, got none')
    this.#bootstrap = init.bootstrap.map(address => multiaddr(address))
    this.#copies = init.copies ?? DEFAULT_PUBLISH_COPIES
    if (!Number.isInteger(this.#copies) || this.#copies < 1) throw new RangeError(`"copies" expected a whole number >= 1, got ${this.#copies}`)
    this.#timeoutMs = init.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS
    this.#privateKey = init.privateKey
  }

  /** Stores the publication directory in the network and announces its pointer; the node always stops. */
  async publish (options: { releaseDir: string, timestampKeys: readonly ReleaseKey[], version?: number, now?: () => Date, signal?: AbortSignal }): Promise<PublishedThroughClient> {
    const total = chunkRelease(await readReleaseDirectory(options.releaseDir)).chunks.length
    const node = await createVaultLibp2p({
      privateKey: this.#privateKey ?? await generateKeyPair('Ed25519'),
      listen: [],
      localNetwork: isLocalNetwork(this.#bootstrap)
    })
    await node.start()
    try {
      await this.#join(node, options.signal)
      const trust = new LocalTrust()
      // The client never serves: its store is not started and its protocol handler not registered.
      const chunks = new ChunkService({ libp2p: node, trust })
      const placement = new XorPlacement({
        self: node.peerId,
        knownPeers: async () => (await node.peerStore.all()).map(peer => peer.id),
        isIgnored: peer => trust.isIgnored(peer.toString())
      })
      let stored = 0
      let announcedTo = 0
      const published = await publishReleaseToNetwork({
        releaseDir: options.releaseDir,
        timestampKeys: options.timestampKeys,
        ...(options.version === undefined ? {} : { version: options.version }),
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        storeChunk: async bytes => {
          const address = chunkAddress(bytes)
          const targets = (await placement.closest(addressToBytes(address), this.#copies + 1)).filter(peer => !peer.equals(node.peerId)).slice(0, this.#copies)
          const holders = await this.#storeOn(chunks, targets, bytes, options.signal)
          if (holders.accepted === 0) throw new ChunkNotStoredError(`no vault accepted chunk ${address} (tried ${targets.length}): ${holders.reasons.join('; ') || 'no vault known'}`)
          stored++
          this.dispatchEvent(new CustomEvent('publish:progress', { detail: { stored, total, address, holders: holders.accepted } }))
        },
        announce: async pointer => {
          announcedTo = await this.#announce(node, pointer, options.signal)
          this.dispatchEvent(new CustomEvent('publish:announced', { detail: { vaults: announcedTo } }))
        }
      })
      return { ...published, announcedTo }
    } finally {
      await node.stop()
    }
  }

  async #join (node: VaultLibp2p, signal: AbortSignal | undefined): Promise<void> {
    const dialed = await Promise.allSettled(this.#bootstrap.map(async address => await node.dial(address, { signal: this.#signal(signal) })))
    if (!dialed.some(result => result.status === 'fulfilled')) {
      const reasons = dialed.flatMap(result => result.status === 'rejected' ? [result.reason instanceof Error ? result.reason.message : String(result.reason)] : [])
      throw new BootstrapUnreachableError(`no bootstrap vault reachable: ${reasons.join('; ')}`)
    }
    // The DHT learns a peer speaks Kademlia through identify and adds it to its routing table
    // a little later; a walk before that finds no one, so walk again (with back-off) until one
    // finds vaults or the timeout ends the search.
    await Promise.allSettled(node.getConnections().map(async connection => await node.services.identify.identify(connection, { signal: this.#signal(signal) })))
    const search = this.#signal(signal)
    for (let backOffMs = WALK_FIRST_RETRY_MS; !search.aborted; backOffMs = Math.min(2 * backOffMs, WALK_MAX_RETRY_MS)) {
      if (await this.#walk(node, search) > 0) break
      await delay(backOffMs, search)
    }
    signal?.throwIfAborted()
    const vaults = (await node.peerStore.all()).filter(peer => !peer.id.equals(node.peerId)).length
    if (vaults === 0) throw new NoVaultsFoundError('no vault found in the network')
    this.dispatchEvent(new CustomEvent('publish:discovered', { detail: { vaults } }))
  }

  /** The same walk the local network's client makes: the query fills the peer store with vaults. */
  async #walk (node: VaultLibp2p, signal: AbortSignal): Promise<number> {
    let found = 0
    try {
      for await (const _peer of node.peerRouting.getClosestPeers(randomBytes(32), { signal })) found++
    } catch {
      // A walk cut short by the timeout still taught the peer store what it found.
    }
    return found
  }

  async #storeOn (chunks: ChunkService, targets: PeerId[], bytes: Uint8Array, signal: AbortSignal | undefined): Promise<{ accepted: number, reasons: string[] }> {
    const results = await Promise.allSettled(targets.map(async peer => await chunks.put(peer, bytes, { signal: this.#signal(signal) })))
    return {
      accepted: results.filter(result => result.status === 'fulfilled').length,
      reasons: results.flatMap(result => result.status === 'rejected' ? [result.reason instanceof Error ? result.reason.message : String(result.reason)] : [])
    }
  }

  /** To every connected vault that speaks the release protocol (or is not identified yet); one must take it. */
  async #announce (node: VaultLibp2p, pointer: SignedReleasePointer, signal: AbortSignal | undefined): Promise<number> {
    const targets = new Map<string, ReturnType<VaultLibp2p['getConnections']>[number]>()
    for (const connection of node.getConnections()) {
      const peer = connection.remotePeer.toString()
      if (connection.status !== 'open' || targets.has(peer)) continue
      const known = await node.peerStore.get(connection.remotePeer).catch(() => undefined)
      if (known !== undefined && known.protocols.length > 0 && !known.protocols.includes(RELEASE_PROTOCOL)) continue
      targets.set(peer, connection)
    }
    const results = await Promise.allSettled([...targets.values()].map(async connection => { await sendReleasePointer(connection, pointer, { signal: this.#signal(signal), untilRead: true }) }))
    const sent = results.filter(result => result.status === 'fulfilled').length
    if (sent === 0) {
      const reasons = results.flatMap(result => result.status === 'rejected' ? [result.reason instanceof Error ? result.reason.message : String(result.reason)] : [])
      throw new PointerNotAnnouncedError(`no vault took the release pointer (${targets.size} connected): ${reasons.join('; ') || 'none speaks ' + RELEASE_PROTOCOL}`)
    }
    return sent
  }

  #signal (outer: AbortSignal | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.#timeoutMs)
    return outer === undefined ? timeout : AbortSignal.any([outer, timeout])
  }
}
