// createVault: the vault proper, as a library, so tests and the local network can run many in one
// process. Services (store, chunk protocol, placement, local trust) share one start/stop lifecycle.
import { join } from 'node:path'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import type { Root } from '@tufjs/models'
import { multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { ReleaseGossip } from '../release/network/release-gossip.ts'
import { ChunkService } from './chunk-protocol/chunk-service.ts'
import { loadOrCreateIdentity, type VaultIdentity } from './identity/identity-file.ts'
import { createVaultLibp2p, type EncryptionChoice, type VaultLibp2p } from './network/libp2p-node.ts'
import { LocalTrust } from './network/local-trust.ts'
import { XorPlacement, type Placement } from './network/placement.ts'
import { addressToBytes, chunkAddress } from './store/chunk-address.ts'
import { ChunkStore } from './store/chunk-store.ts'
import type { VersionsStatus } from '../../contract/host-api.ts'
import { SUPPORTED_ERAS } from './eras.ts'
import type { EngineStatus } from './rpc/engine-rpc.ts'
import { PeerVersionService, upgradeRequiredNotice } from './versions/peer-versions.ts'
import { CHUNK_PROTOCOL, ENGINE_VERSION, KAD_PROTOCOL } from './version.ts'
import { namedError } from '../../contract/named-error.ts'

export const DEFAULT_CAPACITY_BYTES = 10 * 1024 ** 3
/** DESIGN §2: each chunk is held by the 4 closest vaults. */
export const DEFAULT_COPIES = 4
/** Connections a vault seeks beyond its bootstrap peer. */
export const DEFAULT_TARGET_PEERS = 8
const NEIGHBOUR_LOOKUP_TIMEOUT_MS = 10_000
const NEIGHBOUR_FIRST_CHECK_MS = 1000
const NEIGHBOUR_CHECK_MAX_MS = 60_000
/**
 * The era the network is in. Eras change by section decision (DESIGN §2, versions and eras); until
 * sections decide one, every vault is in the first.
 */
export const ACTIVE_ERA = 1

export interface VaultInit {
  dataDir: string
  /** Identity to use; by default loaded from the data dir, or ground (age 5) on first start. */
  identity?: VaultIdentity
  capacityBytes?: number
  listen?: string[]
  bootstrap?: string[]
  localNetwork?: boolean
  encryption?: EncryptionChoice
  copies?: number
  requestTimeoutMs?: number
  /** The newest release root this vault trusts; without one it takes no part in release gossip. */
  trustedReleaseRoot?: () => Root
}

export interface VaultActivity {
  kind: string
  message: string
}

export interface VaultEvents {
  'vault:activity': CustomEvent<VaultActivity>
  'vault:peers': CustomEvent<number>
}

export interface StoredChunk {
  address: string
  holders: string[]
}

export class VaultNotStartedError extends namedError('VaultNotStartedError') {}

export class NoHolderError extends namedError('NoHolderError') {}

export class Vault extends TypedEventEmitter<VaultEvents> {
  readonly identity: VaultIdentity
  readonly libp2p: VaultLibp2p
  readonly store: ChunkStore
  readonly trust: LocalTrust
  readonly chunks: ChunkService
  readonly placement: Placement
  /** Which versions peers run; peers two protocol versions behind are refused and deranked. */
  readonly versions: PeerVersionService
  readonly releases: ReleaseGossip | undefined
  private readonly bootstrap: string[]
  private readonly copies: number
  private readonly targetPeers = DEFAULT_TARGET_PEERS
  private lookingForNeighbours = false
  private neighbourTimer: NodeJS.Timeout | undefined
  private paused = false
  private started = false
  /** The last time a peer told this vault it is outdated. */
  private upgradeRequired: { minimum: string[], since: number } | undefined
  private readonly stopController = new AbortController()

  constructor (init: { identity: VaultIdentity, libp2p: VaultLibp2p, store: ChunkStore, bootstrap: string[], copies: number, requestTimeoutMs?: number, trustedReleaseRoot?: () => Root }) {
    super()
    this.identity = init.identity
    this.libp2p = init.libp2p
    this.store = init.store
    this.bootstrap = init.bootstrap
    this.copies = init.copies
    this.trust = new LocalTrust()
    this.chunks = new ChunkService({
      libp2p: this.libp2p,
      trust: this.trust,
      serving: { store: this.store, acceptsPuts: () => !this.paused }
    }, init.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: init.requestTimeoutMs })
    this.versions = new PeerVersionService({ libp2p: this.libp2p, trust: this.trust })
    this.releases = init.trustedReleaseRoot === undefined
      ? undefined
      : new ReleaseGossip({ libp2p: this.libp2p, trust: this.trust, trustedRoot: init.trustedReleaseRoot, now: () => new Date() })
    this.placement = new XorPlacement({
      self: this.libp2p.peerId,
      knownPeers: async () => (await this.libp2p.peerStore.all()).map(peer => peer.id),
      isIgnored: peer => this.trust.isIgnored(peer.toString()) || this.versions.isOutdated(peer)
    })
    this.forwardActivity()
  }

  get peerId (): PeerId { return this.libp2p.peerId }
  get age (): number { return this.identity.age }
  get isPaused (): boolean { return this.paused }

  async start (): Promise<void> {
    await this.store.start()
    // Handlers registered before libp2p starts are advertised to the very first peers by identify.
    await this.releases?.start()
    await this.libp2p.start()
    await this.versions.start()
    await this.chunks.start()
    this.started = true
    this.scheduleNeighbourCheck(NEIGHBOUR_FIRST_CHECK_MS)
    this.activity('vault:started', `vault ${this.peerId.toString()} of age ${this.age} listening on ${this.multiaddrs().join(', ')}`)
    void this.joinBootstrap()
  }

  async stop (): Promise<void> {
    this.stopController.abort()
    clearTimeout(this.neighbourTimer)
    if (!this.started) return
    this.started = false
    await this.chunks.stop()
    await this.versions.stop()
    await this.releases?.stop()
    await this.libp2p.stop()
    await this.store.stop()
  }

  pause (): void {
    this.paused = true
    this.activity('vault:paused', 'paused by its owner: serving reads, accepting no new data')
  }

  resume (): void {
    this.paused = false
    this.activity('vault:resumed', 'resumed: accepting new data')
  }

  multiaddrs (): string[] {
    return this.libp2p.getMultiaddrs().map(address => address.toString())
  }

  status (): EngineStatus {
    return {
      name: this.peerId.toString(),
      age: this.age,
      engineVersion: ENGINE_VERSION,
      protocols: [CHUNK_PROTOCOL, KAD_PROTOCOL],
      peers: this.libp2p.getPeers().length,
      listenAddrs: this.multiaddrs(),
      paused: this.paused,
      store: this.store.stats(),
      versions: this.versionsStatus()
    }
  }

  /** Known peers by engine version and compatibility, the eras, the latest release heard of. */
  versionsStatus (): VersionsStatus {
    const latest = this.releases?.latest
    return {
      supportedEras: [...SUPPORTED_ERAS],
      activeEra: ACTIVE_ERA,
      peers: this.versions.versionSummary(),
      latestRelease: latest === undefined
        ? null
        : { pointerVersion: latest.pointer.version, indexAddress: latest.pointer.indexAddress, publishedAt: latest.pointer.publishedAt },
      upgradeRequired: this.upgradeRequired === undefined ? null : { minimum: [...this.upgradeRequired.minimum], since: this.upgradeRequired.since }
    }
  }

  /** Stores a chunk on the closest vaults (this one included when it is among them). */
  async storeChunk (bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<StoredChunk> {
    this.assertStarted()
    const address = chunkAddress(bytes)
    const targets = await this.placement.closest(addressToBytes(address), this.copies)
    const results = await Promise.allSettled(targets.map(async peer => {
      if (peer.equals(this.peerId)) await this.store.put(bytes, address)
      else await this.chunks.put(peer, bytes, options)
      return peer.toString()
    }))
    const holders = results.flatMap(result => result.status === 'fulfilled' ? [result.value] : [])
    if (holders.length === 0) {
      const reasons = results.flatMap(result => result.status === 'rejected' ? [String(result.reason)] : [])
      throw new NoHolderError(`no vault accepted chunk ${address}: ${reasons.join('; ')}`)
    }
    return { address, holders }
  }

  /** Reads a chunk from this vault or from the closest vaults that hold it. */
  async fetchChunk (address: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array | undefined> {
    this.assertStarted()
    const local = await this.store.get(address).catch(() => undefined)
    if (local !== undefined) return local
    const candidates = await this.placement.closest(addressToBytes(address), this.copies * 2)
    for (const peer of candidates) {
      if (peer.equals(this.peerId)) continue
      try {
        const data = await this.chunks.get(peer, address, options)
        if (data !== undefined) return data
      } catch {
        // Try the next holder; the failure already cost that peer local trust if it misbehaved.
      }
    }
    return undefined
  }

  private async joinBootstrap (): Promise<void> {
    const signal = this.stopController.signal
    for (const address of this.bootstrap) {
      for (let attempt = 0; !signal.aborted; attempt++) {
        try {
          await this.libp2p.dial(multiaddr(address), { signal })
          this.activity('network:joined', `connected to bootstrap peer ${address}`)
          break
        } catch (err) {
          if (signal.aborted) return
          if (attempt === 0) this.activity('network:retry', `bootstrap peer ${address} unreachable (${err instanceof Error ? err.message : String(err)}); retrying`)
          await new Promise(resolve => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)))
        }
      }
    }
  }

  /**
   * One bootstrap connection is a single point of failure: while below its target, a vault looks
   * up the vaults closest to its own name and connects to them, as a Kademlia node fills its
   * neighbourhood. It looks again soon while its routing table is still filling, then seldom.
   */
  private scheduleNeighbourCheck (delayMs: number): void {
    clearTimeout(this.neighbourTimer)
    this.neighbourTimer = setTimeout(() => {
      void this.connectToNeighbours().then(() => {
        if (!this.started) return
        const short = this.libp2p.getPeers().length < this.targetPeers
        this.scheduleNeighbourCheck(short ? Math.min(NEIGHBOUR_CHECK_MAX_MS, delayMs * 2) : NEIGHBOUR_CHECK_MAX_MS)
      })
    }, delayMs)
    this.neighbourTimer.unref()
  }

  private async connectToNeighbours (): Promise<void> {
    if (this.lookingForNeighbours || !this.started || this.libp2p.getPeers().length >= this.targetPeers) return
    this.lookingForNeighbours = true
    const signal = AbortSignal.any([this.stopController.signal, AbortSignal.timeout(NEIGHBOUR_LOOKUP_TIMEOUT_MS)])
    try {
      for await (const peer of this.libp2p.peerRouting.getClosestPeers(this.peerId.toMultihash().bytes, { signal })) {
        if (this.libp2p.getPeers().length >= this.targetPeers) break
        if (peer.id.equals(this.peerId) || this.trust.isIgnored(peer.id.toString())) continue
        await this.libp2p.dial(peer.id, { signal }).catch(() => { /* an unreachable neighbour is skipped */ })
      }
    } catch {
      // A lookup cut short by the timeout still connected what it found.
    } finally {
      this.lookingForNeighbours = false
    }
  }

  private forwardActivity (): void {
    const peersChanged = (): void => {
      this.dispatchEvent(new CustomEvent('vault:peers', { detail: this.libp2p.getPeers().length }))
    }
    this.libp2p.addEventListener('peer:connect', peersChanged)
    this.libp2p.addEventListener('peer:disconnect', peersChanged)
    this.store.addEventListener('chunk:stored', event => {
      this.activity('chunk:stored', `stored chunk ${event.detail.address.slice(0, 12)}… (${event.detail.size} bytes)`)
    })
    this.store.addEventListener('chunk:quarantined', event => {
      this.activity('chunk:quarantined', `quarantined corrupt chunk ${event.detail.address.slice(0, 12)}…: ${event.detail.reason}`)
    })
    this.store.addEventListener('store:full', () => { this.activity('store:full', 'storage cap reached: refusing new chunks') })
    this.versions.addEventListener('peer:outdated', event => {
      this.activity('peer:outdated', `peer ${event.detail.peer.slice(-8)} runs an engine two protocol versions behind: told to upgrade and disconnected`)
    })
    this.versions.addEventListener('version:upgrade-required', event => {
      this.upgradeRequired = { minimum: [...event.detail.minimum], since: Date.now() }
      this.activity('version:upgrade-required', upgradeRequiredNotice(event.detail.minimum))
    })
    this.trust.addEventListener('trust:lowered', event => {
      this.activity('peer:misbehaved', `peer ${event.detail.peer.slice(-8)} sent ${event.detail.offence} data (${event.detail.reason}); local trust now ${event.detail.score}`)
    })
  }

  private activity (kind: string, message: string): void {
    this.dispatchEvent(new CustomEvent('vault:activity', { detail: { kind, message } }))
  }

  private assertStarted (): void {
    if (!this.started) throw new VaultNotStartedError('the vault is not started')
  }
}

export async function createVault (init: VaultInit): Promise<Vault> {
  const identity = init.identity ?? await loadOrCreateIdentity(init.dataDir)
  const privateKey = await generateKeyPairFromSeed('Ed25519', identity.seed)
  const libp2p = await createVaultLibp2p({
    privateKey,
    listen: init.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    localNetwork: init.localNetwork ?? false,
    ...(init.encryption === undefined ? {} : { encryption: init.encryption })
  })
  const store = new ChunkStore({ dir: join(init.dataDir, 'store'), capacityBytes: init.capacityBytes ?? DEFAULT_CAPACITY_BYTES })
  return new Vault({
    identity,
    libp2p,
    store,
    bootstrap: init.bootstrap ?? [],
    copies: init.copies ?? DEFAULT_COPIES,
    ...(init.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: init.requestTimeoutMs }),
    ...(init.trustedReleaseRoot === undefined ? {} : { trustedReleaseRoot: init.trustedReleaseRoot })
  })
}
