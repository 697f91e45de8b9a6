// Reward epochs signed by 7 elders in memory (issue 3 deliver 5, DESIGN §2 "Earnings"): the
// epoch's proposer builds the record from the payments it saw, the others sign only what they
// agree with, 5 shares make the record, and a silent proposer costs one timeout. Keys are dealt by
// a trusted dealer here: the DKG is tested on its own, and the live section uses it.
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SectionChain } from '../../../../node-core/section/crypto/section-chain.ts'
import { dealSharesAsTrustedDealer, groupPublicKey, publicKeyToHex, signatureToHex } from '../../../../node-core/section/crypto/threshold-bls.ts'
import type { PauseNotice } from '../../../../node-core/section/economy/pause-and-fix.ts'
import { signRewardRecord, signRewardShare, verifyRewardRecord, type RewardRecord, type UnsignedRewardRecord } from '../../../../node-core/section/economy/reward-record.ts'
import type { RewardSignerState } from '../../../../node-core/section/economy/reward-signer.ts'
import { decodeSectionMessage, encodeSectionMessage, type SectionMessage, type SectionReceipt } from '../../../../node-core/engine/section/section-messages.ts'
import type { RewardsMembership } from '../../../../node-core/engine/section/reward-agreement.ts'
import { SectionRewards } from '../../../../node-core/engine/section/section-rewards.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'
import { ManualClock } from './memory-section.ts'

const EPOCH_MS = 10_000
const TIMEOUT_MS = 2000
const COST = 100

function vaultName (label: string, age: number): string {
  return createHash('sha256').update(`rewards/${label}`).digest('hex').slice(0, 62) + age.toString(16).padStart(2, '0')
}

class RewardsNet {
  readonly clock = new ManualClock()
  readonly dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom('section-rewards') })
  readonly elders = [20, 19, 18, 17, 16, 15, 14].map((age, i) => vaultName(`elder-${i}`, age))
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

  constructor () {
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
      const node = new SectionRewards({
        self: name,
        send: (to, message) => {
          const sent = this.tamper === undefined ? message : this.tamper(name, message)
          if (sent !== undefined) this.#queue.push({ from: name, to, bytes: encodeSectionMessage(sent) })
        },
        schedule: this.clock.schedule,
        now: () => this.clock.now,
        membership: () => this.membership,
        persistSigner: async state => { this.persisted.set(name, [...(this.persisted.get(name) ?? []), state]) },
        recorded: record => { this.recorded.set(name, [...(this.recorded.get(name) ?? []), record]) },
        declined: (epoch, reason) => { this.declined.push({ elder: name, epoch, reason }) }
      }, { epochMs: EPOCH_MS, proposalTimeoutMs: TIMEOUT_MS })
      this.nodes.set(name, node)
    }
    this.elders.forEach((elder, i) => {
      const secretKeyShare = this.dealt.secretKeyShares[i]
      assert.ok(secretKeyShare !== undefined)
      this.node(elder).start({ index: i + 1, qualified: [], disqualified: [], publicKeySet: this.dealt.publicKeySet, secretKeyShare }, this.elders)
    })
  }

  node (name: string): SectionRewards {
    const node = this.nodes.get(name)
    assert.ok(node !== undefined, `no node ${name}`)
    return node
  }

  /** A client pays for `count` chunks, to every elder. */
  pay (count: number, label = 'chunk'): void {
    for (let i = 0; i < count; i++) {
      const address = createHash('sha256').update(`${label}-${i}`).digest('hex')
      for (const elder of this.elders) this.#queue.push({ from: vaultName('client', 1), to: elder, bytes: encodeSectionMessage({ type: 'store-payment', prefix: '', address, amount: COST }) })
    }
  }

  /** Every elder's latest audit of `member`. */
  audited (member: string, passed: boolean): void {
    for (const elder of this.elders) this.node(elder).noteAudit(member, passed)
  }

  async settle (): Promise<void> {
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      const node = this.nodes.get(next.to)
      if (node === undefined || this.down.has(next.to)) continue
      const message = decodeSectionMessage(next.bytes)
      let receipt: SectionReceipt
      switch (message.type) {
        case 'store-payment': receipt = node.receivePayment(message); break
        case 'reward-share': receipt = await node.receiveShare(next.from, message); break
        case 'reward-record': receipt = node.receiveRecord(message.record); break
        default: throw new Error(`unexpected ${message.type}`)
      }
      this.receipts.push({ from: next.from, to: next.to, type: message.type, receipt })
    }
  }

  async advance (ms: number): Promise<void> {
    await this.clock.advance(ms, async () => { await this.settle() })
  }

  /** The one record every member holds for `epoch`. */
  recordOf (epoch: number): RewardRecord {
    const records = [...this.members].filter(name => !this.down.has(name)).map(name => (this.recorded.get(name) ?? []).filter(record => record.epoch === epoch))
    for (const held of records) assert.equal(held.length, 1, `every member holds epoch ${epoch}'s record once`)
    const [first] = records[0] ?? []
    assert.ok(first !== undefined)
    for (const held of records) assert.deepEqual(held[0], first)
    return first
  }

  stop (): void { for (const node of this.nodes.values()) node.stop() }
}

const amountOf = (record: RewardRecord, name: string): number | undefined => record.shares.find(share => share.name === name)?.amount

describe('reward epochs signed by the elders, in memory', () => {
  it('pays the epoch\'s store payments to the adults that passed their audits, by 2^age, and nothing to an age-5 vault', async () => {
    const net = new RewardsNet()
    const { old, six, newcomer, other } = net.adults
    net.audited(old, true)
    net.audited(six, true)
    net.audited(newcomer, true)
    net.audited(other, false)
    net.pay(3)
    net.pay(3) // the same chunks again: counted once
    await net.advance(EPOCH_MS + 1000)
    const record = net.recordOf(0)
    assert.equal(record.pool, 3 * COST)
    // 2^8 : 2^6 of 300 is 240 : 60; age 5 earns nothing; the adult that failed its audit is not named.
    assert.deepEqual(record.shares.map(share => [share.name, share.amount]).sort(), [[old, 240], [six, 60]].sort())
    assert.equal(amountOf(record, newcomer), undefined)
    assert.equal(amountOf(record, other), undefined)
    assert.equal(verifyRewardRecord(record, net.membership.chain).ok, true)
    assert.equal(record.sectionKey, publicKeyToHex(groupPublicKey(net.dealt.publicKeySet)))
    // Every elder persisted its one record of the epoch before its share left.
    for (const elder of net.elders) assert.deepEqual(net.persisted.get(elder)?.at(-1)?.signed.map(s => s.epoch), [0])
    net.stop()
  })

  it('carries an unpaid pool over: epochs with no earner sign nothing, and the next record pays what they did not', async () => {
    const net = new RewardsNet()
    net.pay(2, 'first')
    await net.advance(EPOCH_MS + 1000 + 7 * TIMEOUT_MS)
    assert.equal(net.recorded.size, 0, 'no adult has passed an audit: no record, and epoch 0 gave up after every elder proposed')
    net.audited(net.adults.old, true)
    net.pay(1, 'second')
    await net.advance(EPOCH_MS)
    // Epoch 1 saw no payment: its record pays epoch 0's; epoch 2's pays its own.
    assert.equal(net.node(net.elders[0] ?? '').ledger.paidIn(1), 0)
    assert.equal(net.recordOf(1).pool, 2 * COST)
    assert.equal(amountOf(net.recordOf(1), net.adults.old), 2 * COST)
    assert.equal(net.recordOf(2).pool, COST)
    net.stop()
  })

  it('moves to the next proposer when the epoch\'s proposer is silent', async () => {
    const net = new RewardsNet()
    net.audited(net.adults.old, true)
    // Epoch 0's first proposer is elder 1.
    const silent = net.elders[0] ?? ''
    net.down.add(silent)
    net.node(silent).stop()
    net.pay(2)
    await net.advance(EPOCH_MS + 1000)
    assert.equal(net.recorded.get(net.adults.old), undefined, 'not signed before the timeout')
    await net.advance(TIMEOUT_MS)
    const [record] = net.recorded.get(net.adults.old) ?? []
    assert.equal(record?.pool, 2 * COST)
    net.stop()
  })

  it('refuses a record that pays out more than came in, names a vault that failed its audit, is paused, or splits wrongly', async () => {
    const net = new RewardsNet()
    const { old, six, other } = net.adults
    net.audited(old, true)
    net.audited(six, true)
    net.audited(other, false)
    net.paused.set(six, { member: six, age: 6, reasons: [], costs: '', steps: [], pausedAt: 0, deadlineChurn: 3, rejoinAge: 5, decision: { proposal: { kind: 'pause', subject: six, generation: 0, sectionPrefix: '', payload: {} }, sectionKey: '', signature: '' } })
    net.pay(2)
    await net.advance(EPOCH_MS + 1)
    const judge = net.node(net.elders[2] ?? '')
    const share = (name: string, age: number, amount: number): UnsignedRewardRecord['shares'][number] => ({ name, age, weight: (1n << BigInt(age)).toString(), amount })
    const record = (pool: number, shares: UnsignedRewardRecord['shares']): UnsignedRewardRecord => ({ sectionPrefix: '', epoch: 0, pool, shares })
    assert.equal(judge.objection(record(200, [share(old, 8, 200)])), undefined)
    assert.match(judge.objection(record(300, [share(old, 8, 300)])) ?? '', /pays out 300, but this elder saw only 200 paid in/)
    assert.match(judge.objection(record(200, [share(other, 7, 200)])) ?? '', /failed this elder's latest audit/)
    assert.match(judge.objection(record(200, [share(six, 6, 200)])) ?? '', /is paused/)
    assert.match(judge.objection(record(200, [share(net.elders[6] ?? '', 14, 200)])) ?? '', /is an elder, not an adult/)
    assert.match(judge.objection(record(200, [share(vaultName('stranger', 9), 9, 200)])) ?? '', /is not a member/)
    assert.match(judge.objection(record(200, [share(old, 8, 150), share(other, 7, 50)])) ?? '', /failed/)
    net.audited(other, true)
    assert.match(judge.objection(record(200, [share(old, 8, 150), share(other, 7, 50)])) ?? '', /not the 2\^age split/)
    assert.match(judge.objection({ ...record(200, [share(old, 8, 200)]), epoch: 5 }) ?? '', /has not ended/)
    net.stop()
  })

  it('never signs two different records for one epoch, and a faulty proposer\'s bad record gets no shares', async () => {
    const net = new RewardsNet()
    net.audited(net.adults.old, true)
    net.audited(net.adults.six, true)
    net.audited(net.adults.other, false)
    net.pay(2)
    // Elder 1, epoch 0's proposer, is faulty: it proposes paying everything to an adult that fails its audits.
    const faulty = net.elders[0] ?? ''
    net.down.add(faulty)
    net.node(faulty).stop()
    await net.advance(EPOCH_MS + 1)
    const greedy: UnsignedRewardRecord = { sectionPrefix: '', epoch: 0, pool: 200, shares: [{ name: net.adults.other, age: 7, weight: '128', amount: 200 }] }
    const secretKeyShare = net.dealt.secretKeyShares[0]
    assert.ok(secretKeyShare !== undefined)
    const signature = signRewardShare(greedy, secretKeyShare)
    for (const elder of net.elders.slice(1)) {
      const receipt = await net.node(elder).receiveShare(faulty, { type: 'reward-share', record: greedy, index: 1, signature: signatureToHex(signature.signature) })
      assert.deepEqual(receipt, { accepted: true })
    }
    await net.settle()
    assert.ok(net.declined.filter(d => d.epoch === 0).length >= 6, 'every honest elder declined the greedy record')
    assert.match(net.declined[0]?.reason ?? '', /failed this elder's latest audit/)
    assert.equal(net.recorded.size, 0)
    await net.advance(TIMEOUT_MS + 1000)
    const record = net.recordOf(0)
    assert.equal(amountOf(record, net.adults.six), 40)
    // Once signed, no elder signs another record for epoch 0.
    net.audited(net.adults.other, true)
    for (const elder of net.elders.slice(1)) assert.match(net.node(elder).objection(greedy) ?? '', /already signed/)
    net.stop()
  })

  it('rejects a forged record and a foreign section\'s record with the reason, and a share sent under another elder\'s index', async () => {
    const net = new RewardsNet()
    await net.advance(EPOCH_MS + 1)
    const member = net.node(net.adults.old)
    const unsigned: UnsignedRewardRecord = { sectionPrefix: '', epoch: 0, pool: 100, shares: [{ name: net.adults.old, age: 8, weight: '256', amount: 100 }] }
    const other = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom('forger') })
    const forged = signRewardRecord(unsigned, other.publicKeySet, other.secretKeyShares.slice(0, 5).map(share => signRewardShare(unsigned, share)))
    assert.match(JSON.stringify(member.receiveRecord(forged)), /unknown-section-key.*forged: signed by key/)
    assert.match(JSON.stringify(member.receiveRecord({ ...forged, sectionPrefix: '1' })), /foreign, for section \\"1\\"/)
    const genuine = signRewardRecord(unsigned, net.dealt.publicKeySet, net.dealt.secretKeyShares.slice(2, 7).map(share => signRewardShare(unsigned, share)))
    assert.match(JSON.stringify(member.receiveRecord({ ...genuine, pool: 99, shares: [{ ...unsigned.shares[0], name: net.adults.old, age: 8, weight: '256', amount: 99 }] })), /bad-signature/)
    assert.deepEqual(member.receiveRecord(genuine), { accepted: true })
    assert.deepEqual(net.recorded.get(net.adults.old), [genuine])
    const share = signRewardShare(unsigned, net.dealt.secretKeyShares[1] ?? { index: 2, scalar: 1n })
    const receipt = await net.node(net.elders[3] ?? '').receiveShare(net.elders[0] ?? '', { type: 'reward-share', record: unsigned, index: 2, signature: signatureToHex(share.signature) })
    assert.deepEqual(receipt, { accepted: false, misbehaviour: true, reason: 'a reward share of elder 2 sent by elder 1' })
    net.stop()
  })
})
