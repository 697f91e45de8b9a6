// Many SectionNodes in memory: a manual clock and a network that delivers every message through
// the wire codec, in order, until nothing is left in flight. Deterministic: no sockets, no sleeps.
import { createHash } from 'node:crypto'
import { identityFromSeed, NEW_VAULT_AGE, type VaultIdentity } from '../../../../node-core/engine/identity/identity-file.ts'
import { nameToHex } from '../../../../node-core/engine/section/known-vaults.ts'
import { decodeSectionMessage, encodeSectionMessage, type SectionMessage, type SectionReceipt } from '../../../../node-core/engine/section/section-messages.ts'
import { SectionNode, type SectionNodeComponents, type SectionNodeInit } from '../../../../node-core/engine/section/section-node.ts'
import type { Schedule } from '../../../../node-core/engine/section/schedule.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'

export class ManualClock {
  now = 0
  #timers: Array<{ due: number, seq: number, callback: () => void | Promise<void> }> = []
  #seq = 0

  readonly schedule: Schedule = (ms, callback) => {
    const timer = { due: this.now + ms, seq: this.#seq++, callback }
    this.#timers.push(timer)
    return () => { this.#timers = this.#timers.filter(t => t !== timer) }
  }

  /** The next timer due at or before `until`, removed from the list. */
  takeDue (until: number): (() => void | Promise<void>) | undefined {
    const due = this.#timers.filter(t => t.due <= until).sort((a, b) => (a.due - b.due) || (a.seq - b.seq))[0]
    if (due === undefined) return undefined
    this.#timers = this.#timers.filter(t => t !== due)
    this.now = Math.max(this.now, due.due)
    return due.callback
  }

  /** Moves the clock on by `ms`, firing each timer due in order and running `settle` before and after each. */
  async advance (ms: number, settle: () => Promise<void> = async () => {}): Promise<void> {
    const until = this.now + ms
    await settle()
    for (let callback = this.takeDue(until); callback !== undefined; callback = this.takeDue(until)) {
      await callback()
      await settle()
    }
    this.now = until
  }
}

export interface Delivery {
  from: string
  to: string
  message: SectionMessage
  receipt: SectionReceipt
}

export function testIdentity (label: string): VaultIdentity {
  return identityFromSeed(Uint8Array.from(createHash('sha256').update(`section-test/${label}`).digest()))
}

/** The first test identity for `label` whose name has age byte `age` (about 256 tries). */
export function identityOfAge (label: string, age: number): VaultIdentity {
  for (let i = 0; ; i++) {
    const identity = testIdentity(`${label}/${i}`)
    if (identity.age === age) return identity
  }
}

/** A vault that joins after the section formed: age 5, as a new vault is (DESIGN §2). */
export function newVaultIdentity (label: string): VaultIdentity {
  return identityOfAge(label, NEW_VAULT_AGE)
}

export class MemorySection {
  readonly clock = new ManualClock()
  readonly nodes = new Map<string, SectionNode>()
  readonly deliveries: Delivery[] = []
  /** Vaults that are down: messages to them are lost. */
  readonly down = new Set<string>()
  /** What a faulty link or sender does to a message on its way: replace it, or drop it (undefined). */
  tamper: ((from: string, to: string, message: SectionMessage) => SectionMessage | undefined) | undefined
  readonly #queue: Array<{ from: string, to: string, bytes: Uint8Array }> = []
  readonly #init: SectionNodeInit
  readonly #clockedRewards: boolean

  /** `clockedRewards`: reward epochs follow this net's clock (they follow the wall clock otherwise, so never end in a test). */
  constructor (init: SectionNodeInit = {}, harness: { clockedRewards?: boolean } = {}) {
    this.#clockedRewards = harness.clockedRewards ?? false
    // A low difficulty: joiners still answer every elder's challenge, in a fraction of a millisecond.
    this.#init = { formingSettleMs: 1000, dkgRoundTimeoutMs: 5000, proposalTimeoutMs: 2000, joinRetryMs: 4000, resourceDifficulty: 2, ...init }
  }

  /** A vault's section node; `supportedEras` are its release's (this engine's by default), `rejoin` the proof it joins with. */
  add (identity: VaultIdentity, options: { supportedEras?: readonly number[], rejoin?: Pick<SectionNodeComponents, 'relocation' | 'demotion'> } = {}): SectionNode {
    const self = nameToHex(identity.name)
    const node = new SectionNode({
      identity,
      ...(options.supportedEras === undefined ? {} : { supportedEras: options.supportedEras }),
      ...options.rejoin,
      send: (to, message) => {
        const sent = this.tamper === undefined ? message : this.tamper(self, to, message)
        if (sent !== undefined) this.#queue.push({ from: self, to, bytes: encodeSectionMessage(sent) })
      },
      schedule: this.clock.schedule,
      ...(this.#clockedRewards ? { now: () => this.clock.now } : {}),
      random: seededRandom(`node/${self}`)
    }, this.#init)
    this.nodes.set(self, node)
    return node
  }

  node (name: string): SectionNode {
    const node = this.nodes.get(name)
    if (node === undefined) throw new Error(`no node ${name}`)
    return node
  }

  /** Every pair of vaults connects, as identify would report it. */
  async connectAll (): Promise<void> {
    for (const [a, node] of this.nodes) for (const b of this.nodes.keys()) if (a !== b) await node.vaultSeen(b)
    await this.settle()
  }

  async connect (a: string, b: string): Promise<void> {
    await this.node(a).vaultSeen(b)
    await this.node(b).vaultSeen(a)
    await this.settle()
  }

  /** A vault sends an arbitrary message (a test playing a faulty peer). */
  inject (from: string, to: string, message: SectionMessage): void {
    this.#queue.push({ from, to, bytes: encodeSectionMessage(message) })
  }

  stop (name: string): void {
    this.down.add(name)
    this.node(name).stop()
  }

  /** Delivers messages until none are in flight and every node is idle. */
  async settle (): Promise<void> {
    for (let idle = 0; idle < 3;) {
      const next = this.#queue.shift()
      if (next === undefined) {
        await new Promise(resolve => setImmediate(resolve))
        idle++
        continue
      }
      idle = 0
      const node = this.nodes.get(next.to)
      if (node === undefined || this.down.has(next.to)) continue
      const message = decodeSectionMessage(next.bytes)
      const receipt = await node.receive(next.from, message)
      this.deliveries.push({ from: next.from, to: next.to, message, receipt })
    }
  }

  /** Moves the clock on by `ms`, firing each timer due and delivering what it sends. */
  async advance (ms: number): Promise<void> {
    await this.clock.advance(ms, async () => { await this.settle() })
  }
}
