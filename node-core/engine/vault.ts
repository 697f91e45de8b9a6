// createVault: the vault proper, as a library, so tests and the local network can run many in one
// process. Services (store, chunk protocol, placement, local trust) share one start/stop lifecycle.
// In shadow mode (issue 5) it is the sandboxed copy the upgrade runner tests: no network, a
// read-only snapshot of the live store under its own, the live vault's identity.
import { join } from 'node:path'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import type { Root } from '@tufjs/models'
import { TypedEventEmitter } from 'main-event'
import type { ReleaseFollower } from '../release/network/release-follower.ts'
import type { ReleaseGossip } from '../release/network/release-gossip.ts'
import { ReleaseStateStore } from '../release/network/release-state.ts'
import type { ReleaseTrust } from '../release/release-trust.ts'
import { ChunkService } from './chunk-protocol/chunk-service.ts'
import { RequestTrace } from './chunk-protocol/request-trace.ts'
import { loadOrCreateIdentity, type VaultIdentity } from './identity/identity-file.ts'
import { openAgeHistory, type AgeHistory } from './identity/age-history.ts'
import { createVaultLibp2p, type EncryptionChoice, type VaultLibp2p } from './network/libp2p-node.ts'
import { LearnedAddresses } from './network/learned-addresses.ts'
import { LocalTrust } from './network/local-trust.ts'
import { Neighbourhood } from './network/neighbourhood.ts'
import type { SectionView } from './replication/holder-order.ts'
import type { Replicator } from './replication/replicator.ts'
import { placeChunk, type SectionPlacement } from './replication/section-placement.ts'
import { vaultReplication } from './replication/vault-replication.ts'
import { addressToBytes, chunkAddress } from './store/chunk-address.ts'
import { ChunkStore } from './store/chunk-store.ts'
import { SnapshotLayer } from './store/snapshot-layer.ts'
import { assertShadowConfig, loadShadowIdentity, type ShadowInit } from './shadow/shadow-mode.ts'
import { NO_EARNINGS, type VersionsStatus } from '../../contract/host-api.ts'
import { forwardEarnings, openVaultEarnings, type VaultEarnings } from './earnings/vault-earnings.ts'
import { nameToHex } from './section/known-vaults.ts'
import { SUPPORTED_ERAS } from './eras.ts'
import { forwardReleaseActivity, latestRelease, vaultReleases, type ReleaseFollowing, type VaultReleases } from './vault-releases.ts'
import type { EngineStatus } from './rpc/engine-rpc.ts'
import { PeerVersionService, upgradeRequiredNotice } from './versions/peer-versions.ts'
import { NETWORK_PREFIX, SECTION_PROTOCOL } from './section/constants.ts'
import { NotAMemberError } from './section/section-node.ts'
import type { DemotionProofWire, RelocationProofWire } from './section/section-messages.ts'
import { loadDemotionProof, loadRelocationProof, type Move, type NextName } from './identity/relocated-identity.ts'
import { forwardSectionActivity } from './section/section-activity.ts'
import { SectionService, type SectionServiceInit } from './section/section-service.ts'
import { FIRST_ERA } from './section/section-membership.ts'
import { storageLevel } from './section/storage-reports.ts'
import { DATA_COPIES } from '../section/rules/split.ts'
import { EraWatch } from './versions/era-watch.ts'
import { VaultStanding, type VaultStandingInit } from './vault-standing.ts'
import { auditMaterialFile, type AuditMaterialSnapshot } from './audit/audit-material.ts'
import { AUDIT_PROTOCOL } from './audit/constants.ts'

/** Where a vault keeps the audit chunks it placed on members, as an elder (audit-material.ts). */
export const AUDIT_MATERIAL_FILE = 'audit-material.json'

interface AuditMaterialFile {
  material: AuditMaterialSnapshot | undefined
  persist: (snapshot: AuditMaterialSnapshot) => Promise<void>
}
import { CHUNK_PROTOCOL, ENGINE_VERSION, KAD_PROTOCOL } from './version.ts'
import { namedError } from '../../contract/named-error.ts'

export const DEFAULT_CAPACITY_BYTES = 10 * 1024 ** 3
/** DESIGN §2: each chunk is held by the 4 closest vaults. */
export const DEFAULT_COPIES = DATA_COPIES

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
  /** A live vault's release trust: it then also fetches, verifies and keeps each release it hears of. */
  releaseTrust?: ReleaseTrust
  /** Run as a shadow engine on a snapshot of the live store (issue 5); see shadow/shadow-mode.ts. */
  shadow?: ShadowInit
  /** Timings of the section protocol (issue 3); tests shorten them. */
  section?: SectionServiceInit
  /** The eras this engine supports: a release's are SUPPORTED_ERAS; tests of era changes set others. */
  supportedEras?: readonly number[]
  /** Timings of audits and of the paused vault's self-check (issue 3); tests shorten them. */
  standing?: VaultStandingInit
  /** The clock of the request trace and of the age history. */
  now?: () => number
}

export interface VaultActivity {
  kind: string
  message: string
}

export interface VaultEvents {
  'vault:activity': CustomEvent<VaultActivity>
  'vault:peers': CustomEvent<number>
  /** The section demoted this vault: it may rejoin under a new name of this age (engine-main does). */
  'vault:demoted': CustomEvent<{ rejoinAge: number }>
  /** The section relocated this vault: it rejoins under a new name of age + 1 with a proof (engine-main does). */
  'vault:relocated': CustomEvent<Move>
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
  /** Where chunks go: the section's members once it is known (replication/section-placement.ts). */
  readonly placement: SectionPlacement
  /** Re-replicates the chunks held after each churn; absent in shadow mode. */
  readonly replication: Replicator | undefined
  /** The section as placement sees it; undefined while this vault knows none. */
  readonly sectionView: () => SectionView | undefined
  /** Which versions peers run; peers two protocol versions behind are refused and deranked. */
  readonly versions: PeerVersionService
  readonly releases: ReleaseGossip | undefined
  /** Fetches and verifies each release the gossip hears of; only with a release trust. */
  readonly releaseFollower: ReleaseFollower | undefined
  private readonly releaseParts: VaultReleases
  /** The last requests served to peers, for the shadow runner's replay. */
  readonly trace: RequestTrace
  /** Every peer address learned, for the live egress watch (DESIGN §3.8). */
  readonly learned: LearnedAddresses
  /** The vault's section: elders, key and members (issue 3); absent in shadow mode. */
  readonly section: SectionService | undefined
  /** Audits (as an elder), the self-check and Reconnect (as a paused member); absent in shadow mode. */
  readonly standing: VaultStanding | undefined
  /** The reward records naming this vault (issue 3); absent in shadow mode. */
  readonly earnings: VaultEarnings | undefined
  /** Every name this vault has had, read at creation (it is recreated after each rejoin); absent in shadow mode. */
  readonly ageHistory: AgeHistory | undefined
  /** Halts the vault once its section is in an era this release does not support; absent in shadow mode. */
  private readonly eraWatch: EraWatch | undefined
  private readonly supportedEras: readonly number[]
  /** Absent in shadow mode: a shadow engine dials nobody. */
  private readonly neighbourhood: Neighbourhood | undefined
  readonly shadow: boolean
  private readonly copies: number
  private paused = false
  private started = false
  /** The store level in tenths this vault last told its section (reportStorageLevel). */
  private reportedStorageLevel = -1
  /** The last time a peer told this vault it is outdated. */
  private upgradeRequired: { minimum: string[], since: number } | undefined

  constructor (init: {
    identity: VaultIdentity, libp2p: VaultLibp2p, store: ChunkStore, bootstrap: string[], copies: number,
    requestTimeoutMs?: number, trustedReleaseRoot?: () => Root, releaseFollowing?: ReleaseFollowing, shadow: boolean, now?: () => number,
    section?: SectionServiceInit, supportedEras: readonly number[], standing?: VaultStandingInit, auditMaterial?: AuditMaterialFile,
    relocation?: RelocationProofWire
    demotion?: DemotionProofWire
    earnings?: VaultEarnings
    ageHistory?: AgeHistory
  }) {
    super()
    this.identity = init.identity
    this.libp2p = init.libp2p
    this.store = init.store
    this.shadow = init.shadow
    this.copies = init.copies
    this.trust = new LocalTrust()
    this.chunks = new ChunkService({
      libp2p: this.libp2p,
      trust: this.trust,
      // A vault its section paused still takes puts: its elders place audit chunks for its
      // probation, and a broken store refuses by itself (chunk-store.ts never remakes its folder).
      serving: { store: this.store, acceptsPuts: () => !this.paused }
    }, init.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: init.requestTimeoutMs })
    this.versions = new PeerVersionService({ libp2p: this.libp2p, trust: this.trust })
    this.releaseParts = vaultReleases(
      { libp2p: this.libp2p, trust: this.trust, fetchChunk: async (address, options) => await this.fetchChunk(address, options) },
      { ...(init.trustedReleaseRoot === undefined ? {} : { trustedReleaseRoot: init.trustedReleaseRoot }), ...(init.releaseFollowing === undefined ? {} : { following: init.releaseFollowing }) }
    )
    this.releases = this.releaseParts.gossip
    this.releaseFollower = this.releaseParts.follower
    this.trace = new RequestTrace(init.now === undefined ? {} : { now: init.now })
    this.chunks.addEventListener('request:served', event => { this.trace.record(event.detail.op, event.detail.address) })
    this.learned = new LearnedAddresses({ libp2p: this.libp2p })
    this.learned.learn(init.bootstrap)
    this.neighbourhood = init.shadow
      ? undefined
      : new Neighbourhood({ libp2p: this.libp2p, trust: this.trust, activity: (kind, message) => { this.activity(kind, message) } }, { bootstrap: init.bootstrap })
    this.supportedEras = init.supportedEras
    this.earnings = init.shadow ? undefined : init.earnings
    this.ageHistory = init.shadow ? undefined : init.ageHistory
    this.section = init.shadow
      ? undefined
      : new SectionService({
        libp2p: this.libp2p,
        trust: this.trust,
        identity: init.identity,
        supportedEras: init.supportedEras,
        ...(init.relocation === undefined ? {} : { relocation: init.relocation }),
        ...(init.demotion === undefined ? {} : { demotion: init.demotion }),
        ...(this.earnings === undefined ? {} : { persistRewardSigner: this.earnings.persistSigner }),
        ...(this.earnings?.signerState === undefined ? {} : { rewardSignerState: this.earnings.signerState })
      }, init.section)
    this.eraWatch = this.section === undefined
      ? undefined
      : new EraWatch({
        section: this.section,
        supportedEras: init.supportedEras,
        halt: () => { void this.stop().catch((err: unknown) => { this.activity('vault:stop-failed', String(err)) }) },
        activity: (kind, message) => { this.activity(kind, message) }
      })
    this.standing = this.section === undefined
      ? undefined
      : new VaultStanding({
        libp2p: this.libp2p,
        trust: this.trust,
        store: this.store,
        section: this.section,
        putChunk: async (peer, bytes, options) => { await this.chunks.put(peer, bytes, options); return true },
        ...(init.auditMaterial === undefined ? {} : { material: init.auditMaterial.material, persistMaterial: init.auditMaterial.persist }),
        listenAddresses: () => this.multiaddrs(),
        connectedPeers: () => this.libp2p.getPeers().length,
        activity: (kind, message) => { this.activity(kind, message) }
      }, init.standing)
    const replication = vaultReplication({
      self: this.libp2p.peerId,
      section: this.section,
      store: this.store,
      chunks: this.chunks,
      knownPeers: async () => (await this.libp2p.peerStore.all()).map(peer => peer.id),
      isIgnored: peer => this.trust.isIgnored(peer.toString()) || this.versions.isOutdated(peer),
      activity: (kind, message) => { this.activity(kind, message) }
    }, { copies: this.copies })
    this.placement = replication.placement
    this.replication = replication.replication
    this.sectionView = replication.view
    this.forwardActivity()
    this.store.addEventListener('chunk:stored', () => { this.reportStorageLevel() })
    this.store.addEventListener('store:full', () => { this.reportStorageLevel() })
  }

  get peerId (): PeerId { return this.libp2p.peerId }
  get age (): number { return this.identity.age }
  get isPaused (): boolean { return this.paused }

  async start (): Promise<void> {
    await this.store.start()
    // Handlers registered before libp2p starts are advertised to the very first peers by identify.
    await this.releases?.start()
    await this.section?.start()
    await this.standing?.start()
    this.learned.start()
    await this.libp2p.start()
    this.learned.afterStart()
    await this.versions.start()
    await this.chunks.start()
    this.replication?.start()
    this.reportStorageLevel()
    this.started = true
    this.activity('vault:started', `${this.shadow ? 'shadow ' : ''}vault ${this.peerId.toString()} of age ${this.age} listening on ${this.multiaddrs().join(', ')}`)
    for (const problem of this.releaseParts.problems) this.activity('release:state', problem)
    for (const problem of this.earnings?.problems ?? []) this.activity('earnings:unreadable', problem)
    if (this.ageHistory?.problem !== undefined) this.activity('age-history:unreadable', this.ageHistory.problem)
    this.neighbourhood?.start()
    this.releaseFollower?.start()
  }

  /**
   * Leaves the network for good: asks the elders to decide this vault's Leave and resolves, once
   * they have, with the age it may rejoin at under a new name (takeNextName with `leftAt`). The
   * caller stops the vault then. NotAMemberError when it is not a member of a section.
   */
  async leave (options: { signal?: AbortSignal } = {}): Promise<{ rejoinAge: number }> {
    this.assertStarted()
    const section = this.section
    if (section === undefined) throw new NotAMemberError('this vault takes part in no section: there is nothing to leave')
    const { signal } = options
    signal?.throwIfAborted()
    let forget = (): void => {}
    const left = new Promise<{ rejoinAge: number }>((resolve, reject) => {
      const onLeft = (event: CustomEvent<{ self: boolean, rejoinAge: number }>): void => {
        if (!event.detail.self) return
        forget()
        resolve({ rejoinAge: event.detail.rejoinAge })
      }
      const onAbort = (): void => {
        forget()
        reject(signal?.reason)
      }
      forget = () => {
        section.removeEventListener('section:left', onLeft)
        signal?.removeEventListener('abort', onAbort)
      }
      section.addEventListener('section:left', onLeft)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
    try {
      await section.node.requestLeave()
    } catch (err) {
      forget()
      throw err
    }
    return await left
  }

  async stop (): Promise<void> {
    this.neighbourhood?.stop()
    if (!this.started) return
    await this.releaseFollower?.stop()
    this.started = false
    this.learned.stop()
    await this.replication?.stop()
    await this.chunks.stop()
    await this.standing?.stop()
    await this.section?.stop()
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
      protocols: [CHUNK_PROTOCOL, KAD_PROTOCOL, ...(this.section === undefined ? [] : [SECTION_PROTOCOL, AUDIT_PROTOCOL])],
      peers: this.libp2p.getPeers().length,
      listenAddrs: this.multiaddrs(),
      paused: this.paused,
      store: this.store.stats(),
      versions: this.versionsStatus(),
      section: this.section?.status() ?? null,
      earnings: this.earnings?.book.status() ?? NO_EARNINGS,
      ageHistory: this.ageHistory?.entries ?? []
    }
  }

  /** Known peers by engine version and compatibility, the eras, the latest release heard of. */
  versionsStatus (): VersionsStatus {
    return {
      supportedEras: [...this.supportedEras],
      activeEra: this.section?.node.activeEra.era ?? FIRST_ERA.era,
      eraNotice: this.eraWatch?.notice ?? null,
      followsReleases: this.releaseFollower !== undefined,
      peers: this.versions.versionSummary(),
      latestRelease: latestRelease(this.releaseParts),
      upgradeRequired: this.upgradeRequired === undefined ? null : { minimum: [...this.upgradeRequired.minimum], since: this.upgradeRequired.since }
    }
  }

  /**
   * Stores a chunk on the vaults that should hold it (this one included when it is among them); a
   * vault that fails or answers full hands its place to the next in the placement's order.
   */
  async storeChunk (bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<StoredChunk> {
    this.assertStarted()
    const address = chunkAddress(bytes)
    const candidates = await this.placement.closest(addressToBytes(address), Number.POSITIVE_INFINITY)
    const placed = await placeChunk(candidates, this.copies, async peer => {
      if (peer.equals(this.peerId)) await this.store.put(bytes, address)
      else await this.chunks.put(peer, bytes, options)
    }, peer => { this.placement.markFull(peer) })
    if (placed.holders.length === 0) {
      throw new NoHolderError(`no vault accepted chunk ${address}: ${placed.errors.map(String).join('; ')}`)
    }
    return { address, holders: placed.holders.map(peer => peer.toString()) }
  }

  /** Reads a chunk from this vault or from the closest vaults that hold it. */
  async fetchChunk (address: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array | undefined> {
    this.assertStarted()
    const local = await this.store.get(address).catch(() => undefined)
    if (local !== undefined) return local
    const candidates = await this.placement.readers(addressToBytes(address), this.copies * 2)
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

  /**
   * The section learns how full this vault's store is whenever its level in tenths changes: at 90 %
   * an adult tells its elders, which lets a new vault join (DESIGN §2 "Joins", storage-reports.ts).
   */
  private reportStorageLevel (): void {
    const node = this.section?.node
    const level = storageLevel(this.store.stats())
    if (node === undefined || level === this.reportedStorageLevel) return
    this.reportedStorageLevel = level
    void node.reportStorageLevel(level)
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
    forwardReleaseActivity(this.releaseFollower, (kind, message) => { this.activity(kind, message) })
    this.standing?.addEventListener('vault:demoted', event => {
      this.activity('section:demoted', `the section demoted this vault: it rejoins under a new name at age ${event.detail.rejoinAge}`)
      this.dispatchEvent(new CustomEvent('vault:demoted', { detail: event.detail }))
    })
    if (this.section !== undefined) forwardSectionActivity(this.section, (kind, message) => { this.activity(kind, message) })
    this.section?.addEventListener('section:relocated', event => {
      const { self, newAge, destination, decisionSignatures } = event.detail
      if (self) this.dispatchEvent(new CustomEvent('vault:relocated', { detail: { newAge, destination, decisionSignatures, sectionPrefix: NETWORK_PREFIX } }))
    })
    if (this.section !== undefined && this.earnings !== undefined) forwardEarnings(this.section, this.earnings.book, (kind, message) => { this.activity(kind, message) })
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

/** Calls `listener` when the section demotes or relocates `vault`: it rejoins under the name takeNextName gives it. */
export function onNextName (vault: Vault, listener: (next: NextName) => void): void {
  vault.addEventListener('vault:demoted', event => { listener({ demotedTo: event.detail.rejoinAge }) })
  vault.addEventListener('vault:relocated', event => { listener({ relocated: event.detail }) })
}

export async function createVault (init: VaultInit): Promise<Vault> {
  const listen = init.listen ?? ['/ip4/127.0.0.1/tcp/0']
  const bootstrap = init.bootstrap ?? []
  const shadow = init.shadow
  if (shadow !== undefined) assertShadowConfig({ listen, bootstrap, releaseGossip: init.trustedReleaseRoot !== undefined || init.releaseTrust !== undefined })
  const identity = init.identity ?? (shadow === undefined ? await loadOrCreateIdentity(init.dataDir, init.now === undefined ? {} : { now: init.now }) : await loadShadowIdentity(init.dataDir))
  const privateKey = await generateKeyPairFromSeed('Ed25519', identity.seed)
  const libp2p = await createVaultLibp2p({
    privateKey,
    listen,
    localNetwork: init.localNetwork ?? false,
    isolated: shadow !== undefined,
    ...(init.encryption === undefined ? {} : { encryption: init.encryption })
  })
  const store = new ChunkStore({
    dir: join(init.dataDir, 'store'),
    capacityBytes: init.capacityBytes ?? DEFAULT_CAPACITY_BYTES,
    ...(shadow === undefined ? {} : { readOnlyLower: new SnapshotLayer({ dir: shadow.snapshotDir }) })
  })
  // A vault relocated before a restart still shows its proof; an unreadable proof file is left as it is, and the vault joins as a newcomer.
  const relocation = shadow === undefined ? await loadRelocationProof(init.dataDir, identity).catch(() => undefined) : undefined
  const demotion = shadow === undefined ? await loadDemotionProof(init.dataDir, identity).catch(() => undefined) : undefined
  const auditFile = auditMaterialFile(join(init.dataDir, AUDIT_MATERIAL_FILE))
  const auditMaterial = shadow === undefined ? { material: await auditFile.load(), persist: auditFile.persist } : undefined
  const ageHistory = shadow === undefined ? await openAgeHistory(init.dataDir, identity, init.now === undefined ? {} : { now: init.now }) : undefined
  // Records earned under the names this vault left (relocated, demoted) still count towards its earnings.
  const names = [nameToHex(identity.name), ...(ageHistory?.entries.map(entry => entry.name) ?? [])]
  const earnings = shadow === undefined ? await openVaultEarnings({ dataDir: init.dataDir, names }) : undefined
  const trust = init.releaseTrust
  const releaseFollowing = trust === undefined ? undefined : { state: await ReleaseStateStore.open({ dataDir: init.dataDir, trust, now: Date.now }), trust }
  return new Vault({
    identity,
    libp2p,
    store,
    bootstrap,
    copies: init.copies ?? DEFAULT_COPIES,
    shadow: shadow !== undefined,
    ...(init.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: init.requestTimeoutMs }),
    ...(init.trustedReleaseRoot === undefined ? {} : { trustedReleaseRoot: init.trustedReleaseRoot }),
    ...(releaseFollowing === undefined ? {} : { releaseFollowing }),
    ...(init.now === undefined ? {} : { now: init.now }),
    ...(init.section === undefined ? {} : { section: init.section }),
    supportedEras: init.supportedEras ?? SUPPORTED_ERAS,
    ...(init.standing === undefined ? {} : { standing: init.standing }),
    ...(auditMaterial === undefined ? {} : { auditMaterial }),
    ...(relocation === undefined ? {} : { relocation }),
    ...(demotion === undefined ? {} : { demotion }),
    ...(earnings === undefined ? {} : { earnings }),
    ...(ageHistory === undefined ? {} : { ageHistory })
  })
}
