// Churn in the local network (issue 3, deliver 8): at a fixed interval one seeded-random event, a
// new vault joining, a running vault leaving, or a vault that left rejoining, so that the section
// keeps deciding (a churn is one membership generation) and deadlines counted in churns pass.
//
// A vault that leaves asks its section for a Leave decision, takes its next name at half its age
// and stops; one whose Leave is not decided in time just stops, and stays a member until the
// elders' audits find it missing, pause it and demote it once its grace runs out (DESIGN §2,
// pause, fix, demote). A vault that rejoins restarts from its data dir: under its new name with the
// proof its old key signed, or under the name it had. A new vault starts and asks to join; its
// section admits it once it needs storage (DESIGN §2 "Joins"), typically after the next leave.
import type { PeerId } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { ELDER_COUNT } from '../section/rules/elders.ts'
import { createPrng, type Prng } from '../section/rules/prng.ts'
import { timerSchedule, type Schedule } from '../engine/section/schedule.ts'

export const CHURN_KINDS = ['join', 'leave', 'rejoin'] as const
export type ChurnKind = typeof CHURN_KINDS[number]

export interface ChurnEvent {
  kind: ChurnKind
  vault: PeerId
  /** Vaults of this network running once the event is done. */
  running: number
}

export interface LocalChurnEvents {
  'network:churn': CustomEvent<ChurnEvent>
  'network:churn-failed': CustomEvent<{ kind: ChurnKind, error: Error }>
}

export interface ChurnVault {
  readonly peerId: PeerId
}

/** What the churn needs of a network: its running vaults, and starting and stopping them. */
export interface ChurnVaults<V extends ChurnVault> {
  /** The vaults running now. */
  running(): readonly V[]
  /** Starts a new vault (age 5) in a new data dir. */
  startNew(): Promise<V>
  /** The vault leaves the network, and stops. */
  leave(vault: V): Promise<void>
  /** Starts a vault that left again, from its data dir; the running vault may be a new handle. */
  restart(vault: V): Promise<V>
  /**
   * Whether the vault must keep running: one of the section's elders (stopping one would stall its
   * decisions: no live DKG re-keys a changed elder set yet), or one the others bootstrap from.
   */
  mustKeep(vault: V): boolean
}

export interface LocalChurnComponents<V extends ChurnVault> {
  vaults: ChurnVaults<V>
  schedule?: Schedule
}

export interface LocalChurnInit {
  /** Time between two events. */
  intervalMs: number
  /** Seeds the choice of each event and of its vault. */
  seed: number | bigint
  /** The network's founding vaults: at most twice as many vaults in all, and never fewer than its elders running. */
  founders: number
  /** Vaults started before the churn: the founders, and joiners of an earlier run started again (default `founders`). */
  started?: number
}

export class LocalChurn<V extends ChurnVault> extends TypedEventEmitter<LocalChurnEvents> {
  readonly #vaults: ChurnVaults<V>
  readonly #schedule: Schedule
  readonly #prng: Prng
  readonly #intervalMs: number
  readonly #maxVaults: number
  readonly #minRunning: number
  /** Vaults that left and have not rejoined, oldest departure first. */
  readonly #left: V[] = []
  /** Every vault this network started: founders and joiners. */
  #total: number
  #cancel: (() => void) | undefined
  #current: Promise<void> | undefined
  #stopped = true

  constructor (components: LocalChurnComponents<V>, init: LocalChurnInit) {
    super()
    if (!Number.isInteger(init.intervalMs) || init.intervalMs < 1) throw new RangeError(`"intervalMs" expected a positive integer, got ${init.intervalMs}`)
    if (!Number.isInteger(init.founders) || init.founders < 1) throw new RangeError(`"founders" expected a positive integer, got ${init.founders}`)
    this.#vaults = components.vaults
    this.#schedule = components.schedule ?? timerSchedule
    this.#prng = createPrng(init.seed)
    this.#intervalMs = init.intervalMs
    this.#maxVaults = 2 * init.founders
    this.#minRunning = Math.min(ELDER_COUNT, init.founders)
    this.#total = init.started ?? init.founders
  }

  /** Vaults that left and may rejoin. */
  get left (): readonly V[] {
    return this.#left
  }

  /** Vaults started in all, founders included. */
  get total (): number {
    return this.#total
  }

  start (): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.#next()
  }

  /** Cancels the next event and waits for one under way. */
  async stop (): Promise<void> {
    this.#stopped = true
    this.#cancel?.()
    this.#cancel = undefined
    await this.#current
  }

  /** The events possible now, within the bounds. */
  possibleKinds (): ChurnKind[] {
    return CHURN_KINDS.filter(kind => kind === 'join' ? this.#total < this.#maxVaults : this.#candidates(kind).length > 0)
  }

  #next (): void {
    if (this.#stopped) return
    this.#cancel = this.#schedule(this.#intervalMs, async () => {
      this.#cancel = undefined
      this.#current = this.#churnOnce()
      await this.#current
      this.#current = undefined
      this.#next()
    })
  }

  async #churnOnce (): Promise<void> {
    const kinds = this.possibleKinds()
    if (kinds.length === 0) return
    const kind = this.#prng.pick(kinds)
    try {
      const vault = await this.#apply(kind)
      this.dispatchEvent(new CustomEvent('network:churn', { detail: { kind, vault: vault.peerId, running: this.#vaults.running().length } }))
    } catch (err) {
      this.dispatchEvent(new CustomEvent('network:churn-failed', { detail: { kind, error: err instanceof Error ? err : new Error(String(err)) } }))
    }
  }

  async #apply (kind: ChurnKind): Promise<V> {
    switch (kind) {
      case 'join': {
        const vault = await this.#vaults.startNew()
        this.#total++
        return vault
      }
      case 'leave': {
        const vault = this.#prng.pick(this.#candidates(kind))
        await this.#vaults.leave(vault)
        this.#left.push(vault)
        return vault
      }
      case 'rejoin': {
        const vault = this.#prng.pick(this.#candidates(kind))
        const restarted = await this.#vaults.restart(vault)
        this.#left.splice(this.#left.indexOf(vault), 1)
        return restarted
      }
      default: {
        const unknownKind: never = kind
        throw new Error(`unknown churn kind ${String(unknownKind)}`)
      }
    }
  }

  /** The vaults an event of `kind` may pick from, in name order so a seed replays the same choices. */
  #candidates (kind: Exclude<ChurnKind, 'join'>): V[] {
    switch (kind) {
      case 'leave': {
        const running = this.#vaults.running()
        if (running.length <= this.#minRunning) return []
        return byName(running.filter(vault => !this.#vaults.mustKeep(vault)))
      }
      case 'rejoin': return byName(this.#left)
      default: {
        const unknownKind: never = kind
        throw new Error(`unknown churn kind ${String(unknownKind)}`)
      }
    }
  }
}

function byName<V extends ChurnVault> (vaults: readonly V[]): V[] {
  return [...vaults].sort((a, b) => {
    const [x, y] = [a.peerId.toString(), b.peerId.toString()]
    return x < y ? -1 : x > y ? 1 : 0
  })
}
