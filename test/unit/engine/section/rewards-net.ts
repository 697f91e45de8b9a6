// Seven elders and four adults running SectionRewards in memory (issue 3 deliver 5): a manual clock,
// every message through the wire codec, in order or in a seeded random order. Keys are dealt by a
// trusted dealer here: the DKG is tested on its own, and the live section uses it. Elders this
// net leaves out (`faulty`) are played by the test, which hears what is sent to them.
import { createHash } from 'node:crypto'
import assert from 'node:assert/strict'
import { releaseKeyFromSeed, type ReleaseKey } from '../../../../node-core/release/keys.ts'
import { SectionChain } from '../../../../node-core/section/crypto/section-chain.ts'
import { dealSharesAsTrustedDealer, groupPublicKey, type SecretKeyShare } from '../../../../node-core/section/crypto/threshold-bls.ts'
import type { PauseNotice } from '../../../../node-core/section/economy/pause-and-fix.ts'
import type { RewardRecord } from '../../../../node-core/section/economy/reward-record.ts'
import type { RewardSignerState } from '../../../../node-core/section/economy/reward-signer.ts'
import { decodeSectionMessage, encodeSectionMessage, type SectionMessage, type SectionReceipt } from '../../../../node-core/engine/section/section-messages.ts'
import type { RewardsMembership } from '../../../../node-core/engine/section/reward-agreement.ts'
import { SectionRewards } from '../../../../node-core/engine/section/section-rewards.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'
import { ManualClock } from './memory-section.ts'

export const EPOCH_MS = 10_000
export const TIMEOUT_MS = 2000
export const COST = 100

export function vaultName (label: string, age: number): string {
  return createHash('sha256').update(`rewards/${label}`).digest('hex').slice(0, 62) + age.toString(16).padStart(2, '0')
}

export interface RewardsNetOptions {
  /** Elder indexes (from 1) the test plays: they run no SectionRewards. */
  faulty?: readonly number[]
  /** Delivers messages in an order drawn from this seed instead of the order sent. */
  seed?: string
  /** What a faulty elder does on hearing a message. */
  faultyHears?: (index: number, from: string, message: SectionMessage) => void
}

export class RewardsNet {
  readonly clock = new ManualClock()
  readonly dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom('section-rewards') })
  readonly keys: ReleaseKey[] = Array.from({ length: 7 }, (_, i) => releaseKeyFromSeed(Uint8Array.from(createHash('sha256').update(`rewards/elder-${i}`).digest()), `elder-${i}`))
  readonly elders = this.keys.map(key => key.public)
  readonly adults = { old: vaultName('adult-8', 8), six: vaultName('adult-6', 6), newcomer: vaultName('adult-5', 5), other: vaultName('adult-7', 7) }
  readonly members = new Set([...this.elders, ...Object.values(this.adults)])
  readonly paused = new Map<string, PauseNotice>()
  readonly membership: RewardsMembership
  readonly nodes = new Map<string, SectionRewards>()
  readonly recorded = new Map<string, RewardRecord[]>()
  readonly declined: Array<{ elder: string, epoch: number, reason: string }> = []
  readonly receipts: Array<{ from: string, to: string, type: string, receipt: SectionReceipt }> = []
  readonly persisted = new Map<string, RewardSignerState[]>()
  readonly down = new Set<string>()
  tamper: ((from: string, message: SectionMessage) => SectionMessage | undefined) | undefined
  readonly #queue: Array<{ from: string, to: string, bytes: Uint8Array }> = []
  readonly #options: RewardsNetOptions
  readonly #pick: (count: number) => number

  constructor (options: RewardsNetOptions = {}) {
    this.#options = options
    const random = options.seed === undefined ? undefined : seededRandom(options.seed)
    this.#pick = random === undefined ? () => 0 : count => random(4).reduce((n, byte) => n * 256 + byte, 0) % count
    const members = this.members
    const paused = this.paused
    this.membership = {
      prefix: '',
      chain: SectionChain.fromGenesis(groupPublicKey(this.dealt.publicKeySet)),
      elders: this.elders,
      members: this.members,
      isMember: name => members.has(name),
      pauseOf: name => paused.get(name)
    }
    for (const name of this.members) {
      const index = this.elders.indexOf(name) + 1
      if (options.faulty?.includes(index) === true) continue
      const node = new SectionRewards({
        self: name,
        key: this.keys[index - 1] ?? releaseKeyFromSeed(Uint8Array.from(createHash('sha256').update(name).digest()), 'adult'),
        send: (to, message) => {
          const sent = this.tamper === undefined ? message : this.tamper(name, message)
          if (sent !== undefined) this.send(name, to, sent)
        },
        schedule: this.clock.schedule,
        now: () => this.clock.now,
        membership: () => this.membership,
        persistSigner: async state => { this.persisted.set(name, [...(this.persisted.get(name) ?? []), state]) },
        recorded: record => { this.recorded.set(name, [...(this.recorded.get(name) ?? []), record]) },
        declined: (epoch, reason) => { this.declined.push({ elder: name, epoch, reason }) }
      }, { epochMs: EPOCH_MS, proposalTimeoutMs: TIMEOUT_MS })
      this.nodes.set(name, node)
      node.follow()
      if (index > 0) node.start({ index, qualified: [], disqualified: [], publicKeySet: this.dealt.publicKeySet, secretKeyShare: this.share(index) }, this.elders)
    }
  }

  share (index: number): SecretKeyShare {
    return this.dealt.secretKeyShares[index - 1] ?? assert.fail(`no key share ${index}`)
  }

  node (name: string): SectionRewards {
    const node = this.nodes.get(name)
    assert.ok(node !== undefined, `no node ${name}`)
    return node
  }

  send (from: string, to: string, message: SectionMessage): void {
    this.#queue.push({ from, to, bytes: encodeSectionMessage(message) })
  }

  /** A client pays for `count` chunks, to every elder. */
  pay (count: number, label = 'chunk'): void {
    for (let i = 0; i < count; i++) {
      const address = createHash('sha256').update(`${label}-${i}`).digest('hex')
      for (const elder of this.elders) this.send(vaultName('client', 1), elder, { type: 'store-payment', prefix: '', address, amount: COST })
    }
  }

  /** Every elder's latest audit of `member`. */
  audited (member: string, passed: boolean): void {
    for (const node of this.nodes.values()) node.noteAudit(member, passed)
  }

  async settle (): Promise<void> {
    while (this.#queue.length > 0) {
      const [next] = this.#queue.splice(this.#pick(this.#queue.length), 1)
      if (next === undefined || this.down.has(next.to)) continue
      const message = decodeSectionMessage(next.bytes)
      const node = this.nodes.get(next.to)
      if (node === undefined) {
        const index = this.elders.indexOf(next.to) + 1
        if (index > 0) this.#options.faultyHears?.(index, next.from, message)
        continue
      }
      let receipt: SectionReceipt
      switch (message.type) {
        case 'store-payment': receipt = node.receivePayment(message); break
        case 'reward-consensus': receipt = await node.receiveConsensus(next.from, message.items); break
        case 'reward-share': receipt = await node.receiveShare(next.from, message); break
        case 'reward-record': receipt = node.receiveRecord(message.record); break
        case 'reward-records-request': receipt = node.receiveRecordsRequest(next.from, message); break
        default: throw new Error(`unexpected ${message.type}`)
      }
      this.receipts.push({ from: next.from, to: next.to, type: message.type, receipt })
    }
  }

  async advance (ms: number): Promise<void> {
    await this.clock.advance(ms, async () => { await this.settle() })
  }

  /** The one record every member this net runs holds for `epoch`. */
  recordOf (epoch: number): RewardRecord {
    const records = [...this.nodes.keys()].filter(name => !this.down.has(name)).map(name => (this.recorded.get(name) ?? []).filter(record => record.epoch === epoch))
    for (const held of records) assert.equal(held.length, 1, `every member holds epoch ${epoch}'s record once`)
    const [first] = records[0] ?? []
    assert.ok(first !== undefined)
    for (const held of records) assert.deepEqual(held[0], first)
    return first
  }

  stop (): void { for (const node of this.nodes.values()) node.stop() }
}
