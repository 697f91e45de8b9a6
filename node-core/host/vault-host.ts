// VaultHost: supervises the live engine (and the embedded local network when no network is
// configured) and exposes the HostApi that Electron IPC and the headless server both carry.
import { join } from 'node:path'
import { NO_EARNINGS, type HostApi, type HostEvent, type Notice, type VaultEvent, type VaultState, type VaultStatus, type VerbParams } from '../../contract/host-api.ts'
import { namedError } from '../../contract/named-error.ts'
import { DEFAULT_CAPACITY_BYTES } from '../engine/vault.ts'
import { FIRST_ERA } from '../engine/section/section-membership.ts'
import { readIdentity } from '../engine/identity/identity-file.ts'
import { nameToHex } from '../engine/section/known-vaults.ts'
import { SUPPORTED_ERAS } from '../engine/eras.ts'
import type { EngineConfig } from '../engine/rpc/engine-rpc.ts'
import { ENGINE_VERSION } from '../engine/version.ts'
import { DEFAULT_LOCAL_NETWORK_SIZE } from '../localnet/local-network.ts'
import { EmbeddedNetwork, type NetworkPolicy } from './embedded-network.ts'
import { EngineSupervisor, type EngineProcessState, type RestartPolicy } from './engine-supervisor.ts'
import { buildNotices } from './notices.ts'
import { loadSettings, saveSettings, type Settings } from './settings.ts'
import { installReleaseTrust, trustRoot, type ReleaseTrust } from '../release/release-trust.ts'
import { prepareHostUpgrades, type HostUpgrades } from '../upgrade/manager/host-upgrades.ts'
import type { UpgradeManager } from '../upgrade/manager/upgrade-manager.ts'
import type { ShadowRunner } from '../upgrade/shadow/shadow-runner.ts'

/**
 * The NetworkPolicy goes to the embedded network's vaults (which churn every 30 s when
 * `churnIntervalMs` is absent, embedded-network.ts) and, but for the churn, to this host's engine.
 */
export interface VaultHostOptions extends NetworkPolicy {
  dataDir: string
  /** Peers to join; none means the embedded local network. */
  bootstrap?: string[]
  /** The vault's libp2p TCP port; 0 picks a free one. */
  listenPort?: number
  /** Listen on every interface instead of loopback (a vault on a real network). */
  listenHost?: string
  capacityBytes?: number
  localNetworkSize?: number
  /** The local network's client simulator: chunks stored per second. */
  clientRate?: number
  engineEntry?: string
  restart?: Partial<RestartPolicy>
  /**
   * A release trust file (release-trust.ts) to check and copy into the data dir; later starts
   * reuse the copy. With one, the engine follows releases and the upgrade manager takes them.
   */
  releaseTrustFile?: string
  /** The shadow runner, the switch's health window and a release's shadow run length; the real ones by default. */
  upgrades?: { shadowRunner?: ShadowRunner, healthWindowMs?: number, releaseShadowSeconds?: number }
  now?: () => number
}

export class HostNotStartedError extends namedError('HostNotStartedError') {}

export interface VaultHost extends HostApi {
  start(): Promise<void>
  stop(): Promise<void>
  subscribe(listener: (event: HostEvent) => void): () => void
}

const RECENT_EVENTS = 50

export function createVaultHost (options: VaultHostOptions): VaultHost {
  return new SupervisingVaultHost(options)
}

class SupervisingVaultHost implements VaultHost {
  private readonly options: VaultHostOptions
  private readonly now: () => number
  private readonly supervisor: EngineSupervisor
  private readonly listeners = new Set<(event: HostEvent) => void>()
  private readonly recentEvents: VaultEvent[] = []
  private readonly noticeSince = new Map<string, number>()
  private embedded: EmbeddedNetwork | undefined
  private upgrades: HostUpgrades | undefined
  private bootstrap: string[]
  private settings: Settings = { version: 1, paused: false }
  private settingsProblem: string | undefined
  private releaseTrust: ReleaseTrust | undefined
  private stopped = false

  constructor (options: VaultHostOptions) {
    this.options = options
    this.now = options.now ?? Date.now
    this.bootstrap = options.bootstrap ?? []
    this.supervisor = new EngineSupervisor({
      config: () => this.engineConfig(),
      ...(options.engineEntry === undefined ? {} : { entry: options.engineEntry }),
      ...(options.restart === undefined ? {} : { restart: options.restart }),
      now: this.now
    })
    this.supervisor.addEventListener('engine:status', () => { this.publishStatus() })
    this.supervisor.addEventListener('engine:state', event => {
      this.record('engine:state', describeEngineState(event.detail))
      this.publishStatus()
    })
    this.supervisor.addEventListener('engine:activity', event => { this.record(event.detail.kind, event.detail.message, event.detail.at) })
    this.supervisor.addEventListener('engine:exit', event => {
      const { code, signal, restartInMs } = event.detail
      if (restartInMs !== undefined) this.record('engine:exit', `engine exited (code ${code}, signal ${signal}); restarting in ${restartInMs} ms`)
    })
  }

  /**
   * The vault's name, once it has one. A vault not started yet is ground at age 5 and joins like
   * any newcomer; an unreadable identity is the engine's to report when it starts.
   */
  private async ownVaultName (): Promise<string[]> {
    const identity = await readIdentity(join(this.options.dataDir, 'vault')).catch(() => undefined)
    return identity === undefined ? [] : [nameToHex(identity.name)]
  }

  private get usesEmbeddedNetwork (): boolean {
    return (this.options.bootstrap ?? []).length === 0
  }

  private engineConfig (): EngineConfig {
    const { auditIntervalMs, graceChurns, rewardEpochMs } = this.options
    return {
      dataDir: join(this.options.dataDir, 'vault'),
      listen: [`/ip4/${this.options.listenHost ?? '127.0.0.1'}/tcp/${this.options.listenPort ?? 0}`],
      bootstrap: this.bootstrap,
      capacityBytes: this.options.capacityBytes ?? DEFAULT_CAPACITY_BYTES,
      localNetwork: this.usesEmbeddedNetwork,
      paused: this.settings.paused,
      ...(this.releaseTrust === undefined ? {} : { releaseTrust: this.releaseTrust }),
      ...(auditIntervalMs === undefined && graceChurns === undefined && rewardEpochMs === undefined
        ? {}
        // Crosses to the engine as JSON, which leaves out the ones undefined.
        : { section: { auditIntervalMs, graceChurns, rewardEpochMs } })
    }
  }

  async start (): Promise<void> {
    const loaded = await loadSettings(this.options.dataDir, this.now)
    this.settings = loaded.settings
    this.settingsProblem = loaded.problem
    this.releaseTrust = await installReleaseTrust({ dataDir: this.options.dataDir, ...(this.options.releaseTrustFile === undefined ? {} : { from: this.options.releaseTrustFile }) })
    if (this.releaseTrust !== undefined) this.record('release:trust', `following releases signed under root v${trustRoot(this.releaseTrust).signed.version} and attested by ${this.releaseTrust.builders.threshold} of ${this.releaseTrust.builders.keys.length} pinned builders`)
    this.upgrades = await prepareHostUpgrades({
      dataDir: this.options.dataDir,
      liveDataDir: join(this.options.dataDir, 'vault'),
      supervisor: this.supervisor,
      now: this.now,
      keepSupervisorEngine: this.options.engineEntry !== undefined,
      followReleases: this.releaseTrust !== undefined,
      ...this.options.upgrades
    })
    this.upgrades.manager.addEventListener('upgrade:status', () => { this.publishStatus() })
    this.upgrades.manager.addEventListener('upgrade:activity', event => { this.record(event.detail.kind, event.detail.message, event.detail.at) })
    if (this.usesEmbeddedNetwork) {
      this.record('network:embedded', `no bootstrap peers configured: starting an embedded local network of ${this.options.localNetworkSize ?? DEFAULT_LOCAL_NETWORK_SIZE} vaults`)
      this.publishStatus()
      this.embedded = new EmbeddedNetwork({
        dataDir: join(this.options.dataDir, 'local-network'),
        nodes: this.options.localNetworkSize ?? DEFAULT_LOCAL_NETWORK_SIZE,
        clientRate: this.options.clientRate ?? 1,
        churnIntervalMs: this.options.churnIntervalMs,
        auditIntervalMs: this.options.auditIntervalMs,
        graceChurns: this.options.graceChurns,
        rewardEpochMs: this.options.rewardEpochMs,
        // An aged vault could not join a section formed without it (a join without a proof is at age 5): it founds it.
        founders: await this.ownVaultName()
      })
      const ready = await this.embedded.start()
      this.bootstrap = ready.bootstrap
      this.record('network:embedded', `local network of ${ready.nodes} vaults is up at ${ready.bootstrap[0] ?? ''}`)
    }
    try {
      // A vault that left the network stays stopped until its owner resumes it.
      if (this.settings.left === undefined) await this.supervisor.start()
    } finally {
      // After the live engine runs, so a switch that is due has an engine to drain.
      await this.upgrades.start()
    }
  }

  async stop (): Promise<void> {
    this.stopped = true
    await this.upgrades?.stop()
    await this.supervisor.stop()
    await this.embedded?.stop()
    this.publishStatus()
  }

  subscribe (listener: (event: HostEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  async getStatus (): Promise<VaultStatus> {
    return this.snapshot()
  }

  async pause (): Promise<VaultStatus> {
    await this.saveSettings({ ...this.settings, paused: true })
    if (this.supervisor.state === 'running') await this.supervisor.request('pause')
    this.publishStatus()
    return this.snapshot()
  }

  async resume (): Promise<VaultStatus> {
    const { left, ...kept } = this.settings
    await this.saveSettings({ ...kept, paused: false })
    if (this.supervisor.state === 'running') {
      await this.supervisor.request('resume')
    } else if (this.supervisor.state === 'failed' || this.supervisor.state === 'stopped') {
      // The owner asks to try again after a crash loop, or to farm again after leaving.
      if (left === undefined) this.record('engine:retry', 'starting the engine again at the owner\'s request')
      else this.record('vault:rejoin', `starting the vault again at the owner's request: it asks to join under a new name, at age ${left.rejoinAge}`)
      await this.supervisor.start()
    }
    this.publishStatus()
    return this.snapshot()
  }

  // Pause and fix (DESIGN §2) is the engine's: its errors (SelfCheckFailedError, NotPausedError, or
  // EngineRpcError when it is not running) reach the caller by name, and its reply is the new status.
  async runSelfCheck (): Promise<VaultStatus> { return await this.engineVerb('runSelfCheck') }
  async reconnect (): Promise<VaultStatus> { return await this.engineVerb('reconnect') }

  /** The elders decide this vault's Leave (the engine takes its next name); then the engine stops, and stays stopped until Resume. */
  async leave (): Promise<VaultStatus> {
    const { rejoinAge } = await this.supervisor.request('leave')
    await this.saveSettings({ ...this.settings, left: { at: this.now(), rejoinAge } })
    this.record('vault:left', `this vault left the network by its section's Leave decision; its data stays on this disk, and Resume starts it again under a new name at age ${rejoinAge}`)
    await this.supervisor.stop()
    this.publishStatus()
    return this.snapshot()
  }

  private async engineVerb (method: 'runSelfCheck' | 'reconnect'): Promise<VaultStatus> {
    // The reply is a status: the supervisor keeps it, and its engine:status event publishes it.
    await this.supervisor.request(method)
    return this.snapshot()
  }

  async checkUpgrade (): Promise<VaultStatus> { return await this.upgrade(async manager => await manager.checkUpgrade()) }
  async shadowUpgrade (params: VerbParams<'shadowUpgrade'>): Promise<VaultStatus> {
    return await this.upgrade(async manager => await manager.shadowUpgrade(params.candidatePath, params.durationSeconds))
  }

  async approveUpgrade (): Promise<VaultStatus> { return await this.upgrade(async manager => await manager.approveUpgrade()) }
  async deferUpgrade (params: VerbParams<'deferUpgrade'>): Promise<VaultStatus> { return await this.upgrade(async manager => await manager.deferUpgrade(params.until)) }
  async rollbackUpgrade (): Promise<VaultStatus> { return await this.upgrade(async manager => await manager.rollbackUpgrade()) }
  async setUpgradePolicy (params: VerbParams<'setUpgradePolicy'>): Promise<VaultStatus> { return await this.upgrade(async manager => await manager.setUpgradePolicy(params.policy)) }

  private async upgrade (verb: (manager: UpgradeManager) => Promise<unknown>): Promise<VaultStatus> {
    if (this.upgrades === undefined) throw new HostNotStartedError('the vault host is still starting; try again in a moment')
    await verb(this.upgrades.manager)
    return this.snapshot()
  }

  private async saveSettings (settings: Settings): Promise<void> {
    this.settings = settings
    await saveSettings(this.options.dataDir, settings)
  }

  private vaultState (engineState: EngineProcessState): VaultState {
    switch (engineState) {
      case 'starting': return 'starting'
      // An engine whose section moved to an era it does not support has stopped its network services.
      case 'running': return this.supervisor.lastStatus?.versions.eraNotice?.level === 'error' ? 'stopped' : this.settings.paused ? 'paused' : 'active'
      case 'restarting': return 'restarting'
      case 'failed': return 'failed'
      case 'stopped': return this.settings.left !== undefined ? 'left' : this.stopped ? 'stopped' : 'starting'
      default: {
        const unknownState: never = engineState
        throw new RangeError(`unknown engine state ${String(unknownState)}`)
      }
    }
  }

  private snapshot (): VaultStatus {
    const engine = this.supervisor.lastStatus
    const state = this.vaultState(this.supervisor.state)
    const store = engine?.store ?? { chunks: 0, bytes: 0, capacityBytes: this.options.capacityBytes ?? DEFAULT_CAPACITY_BYTES, full: false, quarantined: 0 }
    const peers = this.supervisor.state === 'running' ? engine?.peers ?? 0 : 0
    const versions = engine?.versions ?? {
      supportedEras: [...SUPPORTED_ERAS], activeEra: FIRST_ERA.era, eraNotice: null, followsReleases: false, peers: [], latestRelease: null, upgradeRequired: null
    }
    const manager = this.upgrades?.manager
    // A vault that left is in no section: the engine's last word about it is stale.
    const section = this.settings.left === undefined ? engine?.section ?? null : null
    return {
      name: engine?.name ?? '',
      age: engine?.age ?? 0,
      state,
      engineVersion: engine?.engineVersion ?? ENGINE_VERSION,
      protocols: engine?.protocols ?? [],
      peers,
      versions,
      section,
      earnings: engine?.earnings ?? NO_EARNINGS,
      ageHistory: engine?.ageHistory ?? [],
      // Until upgrades.json is read: the engine shipped with the app, and nothing else yet.
      upgrade: manager?.status() ?? { policy: 'ask', current: { engineVersion: ENGINE_VERSION, bundleSha256: null }, previous: null, candidate: null, switching: null, failedVersions: [], history: [] },
      store,
      network: {
        kind: this.usesEmbeddedNetwork ? 'embedded' : 'configured',
        bootstrap: this.bootstrap,
        listenAddrs: engine?.listenAddrs ?? []
      },
      engine: { pid: this.supervisor.pid, restarts: this.supervisor.restarts, startedAt: this.supervisor.startedAt },
      notices: this.keepNoticeTimes(buildNotices({
        state,
        peers,
        store,
        restarts: this.supervisor.restarts,
        lastError: this.supervisor.lastError,
        embedded: this.usesEmbeddedNetwork,
        settingsProblem: this.settingsProblem,
        ...(this.settings.left === undefined ? {} : { left: this.settings.left }),
        upgradeRequired: versions.upgradeRequired ?? undefined,
        eraNotice: versions.eraNotice ?? undefined,
        ...(section === null ? {} : { section: { standing: section.standing, generation: section.generation, age: engine?.age ?? 0 } }),
        ...(manager === undefined ? {} : { upgrade: { status: manager.status(), nextAction: manager.nextAction(), problem: manager.problem } }),
        now: this.now()
      })),
      recentEvents: [...this.recentEvents],
      updatedAt: this.now()
    }
  }

  /** A notice keeps the time it first appeared for as long as it stays. */
  private keepNoticeTimes (notices: Notice[]): Notice[] {
    const current = new Set(notices.map(notice => notice.id))
    for (const id of this.noticeSince.keys()) if (!current.has(id)) this.noticeSince.delete(id)
    return notices.map(notice => {
      const since = this.noticeSince.get(notice.id) ?? notice.since
      this.noticeSince.set(notice.id, since)
      return { ...notice, since }
    })
  }

  private record (kind: string, message: string, at: number = this.now()): void {
    const event: VaultEvent = { at, kind, message }
    this.recentEvents.unshift(event)
    this.recentEvents.length = Math.min(this.recentEvents.length, RECENT_EVENTS)
    this.emit({ type: 'event', event })
  }

  private publishStatus (): void {
    if (this.listeners.size === 0) return
    this.emit({ type: 'status', status: this.snapshot() })
  }

  private emit (event: HostEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // One broken subscriber (a closed socket) must not starve the others.
      }
    }
  }
}

function describeEngineState (state: EngineProcessState): string {
  switch (state) {
    case 'starting': return 'engine starting'
    case 'running': return 'engine running'
    case 'restarting': return 'engine restarting'
    case 'failed': return 'engine crashed repeatedly; not restarting until the owner resumes'
    case 'stopped': return 'engine stopped'
    default: {
      const unknownState: never = state
      return String(unknownState)
    }
  }
}
