// An embedded local network: N vaults in one process on loopback, started in batches so all
// connect, plus a client simulator and, if asked, churn (local-churn.ts). It is what `vault
// testnet` runs and what `vault start` joins when no bootstrap peers are configured.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { createVaultLibp2p, type VaultLibp2p } from '../engine/network/libp2p-node.ts'
import { grindKeys } from '../engine/identity/grind.ts'
import { identityFromSeed, NEW_VAULT_AGE, readIdentity, writeIdentity } from '../engine/identity/identity-file.ts'
import { takeNextName, type NextName } from '../engine/identity/relocated-identity.ts'
import type { SectionServiceInit } from '../engine/section/section-service.ts'
import { nameToHex } from '../engine/section/known-vaults.ts'
import { createVault, onNextName, type Vault } from '../engine/vault.ts'
import type { VaultStandingInit } from '../engine/vault-standing.ts'
import { ClientSimulator, type ClientStats } from './client-simulator.ts'
import { LocalChurn, type ChurnVaults, type LocalChurnEvents } from './local-churn.ts'

export interface LocalNetworkInit {
  nodes: number
  dataDir: string
  /** Vaults started at once; each batch bootstraps from the first vault. */
  batchSize?: number
  /** Client stores per second; 0 for no client. */
  clientRate?: number
  chunkBytes?: number
  capacityBytes?: number
  /** One churn event every `intervalMs` once the founders run (local-churn.ts); none when absent. */
  churn?: { intervalMs: number, seed?: number }
  /** Section policy and timings of every vault: grace in churns, dysfunction thresholds. */
  section?: SectionServiceInit
  /** Audit interval and self-check period of every vault. */
  standing?: VaultStandingInit
}

export interface LocalNetworkEvents extends LocalChurnEvents {
  'network:progress': CustomEvent<{ joined: number, total: number }>
  'client:stats': CustomEvent<ClientStats>
}

export const DEFAULT_LOCAL_NETWORK_SIZE = 20
/** Ages the local network's founding vaults start at: from a newcomer's 5 up to a veteran's 20. */
export const FOUNDING_AGES = { youngest: NEW_VAULT_AGE, oldest: 20 } as const

/** The founding age of the vault at `index`: spread over FOUNDING_AGES, the first one oldest. */
export function foundingAge (index: number): number {
  const span = FOUNDING_AGES.oldest - FOUNDING_AGES.youngest + 1
  return FOUNDING_AGES.oldest - ((index * 7) % span)
}
const DEFAULT_BATCH_SIZE = 10
/** How long the elders of a new section wait for an expected founder before forming without it. */
export const EXPECTED_FOUNDER_WAIT_MS = 60_000
/** How long a churn's leaving vault waits for its section to decide its Leave before it just stops. */
const LEAVE_DECISION_WAIT_MS = 20_000

export class LocalNetwork extends TypedEventEmitter<LocalNetworkEvents> {
  /** The vaults running now, the bootstrap vault first. */
  readonly vaults: Vault[] = []
  private readonly init: LocalNetworkInit
  private readonly dirs = new WeakMap<Vault, string>()
  private clientNode: VaultLibp2p | undefined
  private client: ClientSimulator | undefined
  private churn: LocalChurn<Vault> | undefined
  private bootstrap: string[] = []
  /** Every vault's section policy: `init.section` with the founders this start expects. */
  private section: SectionServiceInit | undefined
  private nextIndex: number
  private stopped = false

  constructor (init: LocalNetworkInit) {
    super()
    if (!Number.isInteger(init.nodes) || init.nodes < 1 || init.nodes > 500) {
      throw new RangeError(`"nodes" expected an integer from 1 to 500, got ${init.nodes}`)
    }
    this.init = init
    this.nextIndex = init.nodes
  }

  /** Addresses a vault outside this process dials to join. */
  bootstrapAddrs (): string[] {
    return this.vaults[0]?.multiaddrs() ?? []
  }

  get clientStats (): ClientStats | undefined {
    return this.client?.stats
  }

  async start (): Promise<void> {
    const batchSize = this.init.batchSize ?? DEFAULT_BATCH_SIZE
    const earlier = await this.earlierVaults()
    const joinedEarlier = earlier.map(vault => vault.index).filter(index => index >= this.init.nodes)
    this.nextIndex = Math.max(this.init.nodes, ...joinedEarlier.map(index => index + 1))
    this.section = expectingEarlierVaults(this.init.section, earlier.map(vault => vault.name))
    await this.prepareIdentities(Array.from({ length: Math.min(this.init.nodes, 1 + batchSize) }, (_, index) => index))
    const first = await this.launch(this.vaultDir(0), [])
    this.progress()
    this.bootstrap = first.multiaddrs()
    for (let index = 1; index < this.init.nodes; index += batchSize) {
      const batch = Array.from({ length: Math.min(batchSize, this.init.nodes - index) }, (_, offset) => index + offset)
      // A batch that starts once the section is keyed joins it as new vaults, of age 5 (createVault
      // grinds them): elders admit an older vault only with a relocation or demotion proof.
      if (index > batchSize && first.section?.node.phase === 'forming') await this.prepareIdentities(batch)
      await this.launchBatch(batch)
      this.progress()
    }
    // The vaults an earlier run's churn added, at the ages they reached.
    for (let i = 0; i < joinedEarlier.length; i += batchSize) await this.launchBatch(joinedEarlier.slice(i, i + batchSize))
    if ((this.init.clientRate ?? 1) > 0) await this.startClient(this.bootstrap)
    if (this.init.churn !== undefined) this.startChurn(this.init.churn)
  }

  async stop (): Promise<void> {
    this.stopped = true
    await this.churn?.stop()
    this.client?.stop()
    await this.clientNode?.stop()
    await Promise.all(this.vaults.map(async vault => { await vault.stop() }))
  }

  private vaultDir (index: number): string {
    return join(this.init.dataDir, `vault-${String(index).padStart(3, '0')}`)
  }

  /** Every vault an earlier run left on disk, by dir index: the founders' and those its churn added after them. */
  private async earlierVaults (): Promise<Array<{ index: number, name: string }>> {
    const entries = await readdir(this.init.dataDir).catch(() => [])
    const indexes = entries.map(entry => /^vault-(\d{3,})$/.exec(entry)?.[1]).filter(index => index !== undefined).map(Number).sort((a, b) => a - b)
    const found: Array<{ index: number, name: string }> = []
    for (const index of indexes) {
      const identity = await readIdentity(this.vaultDir(index))
      if (identity !== undefined) found.push({ index, name: nameToHex(identity.name) })
    }
    return found
  }

  /** Starts the vaults of `indexes` at once, and waits until each is connected. */
  private async launchBatch (indexes: readonly number[]): Promise<void> {
    const started = await Promise.all(indexes.map(async index => await this.launch(this.vaultDir(index), this.bootstrap)))
    await Promise.all(started.map(waitForPeer))
  }

  /**
   * Grinds the identities of the founding vaults at `indexes`, one worker pool per age. Founding
   * vaults start at varied ages (issue 3: so that the oldest, the elders, are meaningful), spread
   * evenly over FOUNDING_AGES by index so a network of any size has old and young members.
   */
  private async prepareIdentities (indexes: readonly number[]): Promise<void> {
    const missingByAge = new Map<number, string[]>()
    for (const index of indexes) {
      if (await readIdentity(this.vaultDir(index)) !== undefined) continue
      const age = foundingAge(index)
      missingByAge.set(age, [...(missingByAge.get(age) ?? []), this.vaultDir(index)])
    }
    for (const [age, dirs] of missingByAge) {
      const { keys } = await grindKeys(dirs.length, { prefix: '', age })
      await Promise.all(dirs.map(async (dir, i) => {
        const key = keys[i]
        if (key !== undefined) await writeIdentity(dir, identityFromSeed(key.seed))
      }))
    }
  }

  /** Starts the vault of `dataDir` (its identity loaded, or ground at age 5) and counts it running. */
  private async launch (dataDir: string, bootstrap: string[]): Promise<Vault> {
    const vault = await createVault({
      dataDir,
      localNetwork: true,
      bootstrap,
      capacityBytes: this.init.capacityBytes ?? 256 * 1024 * 1024,
      ...(this.section === undefined ? {} : { section: this.section }),
      ...(this.init.standing === undefined ? {} : { standing: this.init.standing })
    })
    this.dirs.set(vault, dataDir)
    onNextName(vault, next => { void this.rejoin(vault, next) })
    await vault.start()
    this.vaults.push(vault)
    return vault
  }

  private dirOf (vault: Vault): string {
    const dir = this.dirs.get(vault)
    if (dir === undefined) throw new RangeError(`vault ${vault.peerId.toString()} was not started by this network`)
    return dir
  }

  private startChurn (init: NonNullable<LocalNetworkInit['churn']>): void {
    const vaults: ChurnVaults<Vault> = {
      running: () => this.vaults,
      startNew: async () => await this.launch(await this.unusedVaultDir(), this.bootstrap),
      leave: async vault => {
        this.vaults.splice(this.vaults.indexOf(vault), 1)
        await this.leaveNetwork(vault)
      },
      restart: async vault => await this.launch(this.dirOf(vault), this.bootstrap),
      mustKeep: vault => this.mustKeep(vault)
    }
    const churn = new LocalChurn({ vaults }, { intervalMs: init.intervalMs, seed: init.seed ?? randomBytes(4).readUInt32LE(), founders: this.init.nodes, started: this.vaults.length })
    churn.addEventListener('network:churn', event => { this.dispatchEvent(new CustomEvent('network:churn', { detail: event.detail })) })
    churn.addEventListener('network:churn-failed', event => { this.dispatchEvent(new CustomEvent('network:churn-failed', { detail: event.detail })) })
    churn.start()
    this.churn = churn
  }

  /** The next vault dir without an identity: one a churn join of an earlier run used is not new. */
  private async unusedVaultDir (): Promise<string> {
    for (;;) {
      const dir = this.vaultDir(this.nextIndex++)
      if (await readIdentity(dir) === undefined) return dir
    }
  }

  /**
   * A churn's leave: the vault asks its section for a Leave decision and, once it is decided, takes
   * its next name at the age the decision gave it, which a later rejoin starts under. It stops
   * either way: one whose Leave is not decided in time (not a member yet, a section busy with a
   * handover) stays a member until the elders' audits pause it.
   */
  private async leaveNetwork (vault: Vault): Promise<void> {
    const left = await vault.leave({ signal: AbortSignal.timeout(LEAVE_DECISION_WAIT_MS) }).catch(() => undefined)
    await vault.stop()
    if (left !== undefined) await takeNextName(this.dirOf(vault), { leftAt: left.rejoinAge })
  }

  /** The bootstrap vault and the section's elders keep running; while no vault knows the elders yet, all do. */
  private mustKeep (vault: Vault): boolean {
    if (vault === this.vaults[0]) return true
    const elders = new Set(this.vaults.flatMap(running => running.section?.node.membership?.elders ?? []))
    return elders.size === 0 || elders.has(vault.section?.node.self ?? '')
  }

  /**
   * As engine-main does for the live vault: a demoted vault rejoins under a new name at the age the
   * decision gave it, a relocated one at age + 1 with the proof of its move.
   */
  private async rejoin (vault: Vault, next: NextName): Promise<void> {
    const index = this.vaults.indexOf(vault)
    if (index === -1 || this.stopped) return
    this.vaults.splice(index, 1)
    try {
      await vault.stop()
      const dir = this.dirOf(vault)
      await takeNextName(dir, next)
      if (this.stopped) return
      const rejoined = await this.launch(dir, this.bootstrap)
      this.dispatchEvent(new CustomEvent('network:churn', { detail: { kind: 'rejoin', vault: rejoined.peerId, running: this.vaults.length } }))
    } catch (err) {
      this.dispatchEvent(new CustomEvent('network:churn-failed', { detail: { kind: 'rejoin', error: err instanceof Error ? err : new Error(String(err)) } }))
    }
  }

  private async startClient (bootstrap: string[]): Promise<void> {
    const node = await createVaultLibp2p({ privateKey: await generateKeyPair('Ed25519'), listen: [], localNetwork: true })
    await node.start()
    this.clientNode = node
    for (const vault of this.vaults) {
      await node.peerStore.merge(vault.peerId, { multiaddrs: vault.libp2p.getMultiaddrs() })
    }
    const client = new ClientSimulator(node, {
      rate: this.init.clientRate ?? 1,
      chunkBytes: this.init.chunkBytes ?? 64 * 1024,
      copies: 4,
      // The client is no vault: it places by the section as the bootstrap vault knows it.
      section: () => this.vaults[0]?.sectionView(),
      // Vaults that join from outside this process (the live vault) are found by DHT walks.
      discover: async () => {
        try {
          for await (const _event of node.peerRouting.getClosestPeers(randomBytes(32), { signal: AbortSignal.timeout(2000) })) { /* fills the peer store */ }
        } catch { /* a walk that times out still taught the peer store what it found */ }
      }
    })
    client.addEventListener('client:stats', event => { this.dispatchEvent(new CustomEvent('client:stats', { detail: event.detail })) })
    await node.dial(multiaddr(bootstrap[0] ?? ''))
    client.start()
    this.client = client
  }

  private progress (): void {
    this.dispatchEvent(new CustomEvent('network:progress', { detail: { joined: this.vaults.length, total: this.init.nodes } }))
  }
}

/**
 * The section forms anew on each start (its state is not kept), and an aged vault joins a formed
 * section only with a proof of its age. So the vaults a network ran before, which start again now,
 * are expected founders as well: they found the section at the ages they had, or, when late, still
 * join at them.
 */
function expectingEarlierVaults (section: SectionServiceInit | undefined, earlier: readonly string[]): SectionServiceInit | undefined {
  if (earlier.length === 0) return section
  const expected = section?.expectedFounders
  return { ...section, expectedFounders: { names: [...(expected?.names ?? []), ...earlier], waitMs: expected?.waitMs ?? EXPECTED_FOUNDER_WAIT_MS } }
}

/** Resolves once the vault is connected to at least one peer. */
export async function waitForPeer (vault: Vault): Promise<void> {
  if (vault.libp2p.getPeers().length > 0) return
  await new Promise<void>(resolve => {
    const onPeers = (): void => {
      if (vault.libp2p.getPeers().length === 0) return
      vault.removeEventListener('vault:peers', onPeers)
      resolve()
    }
    vault.addEventListener('vault:peers', onPeers)
  })
}
