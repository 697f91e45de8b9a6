// A reward epoch that ends after a handover, in memory (issue 3 deliver 5): clients paid the
// founding elders during the epoch; an elder is paused and the key passes to the 7 oldest active
// members, one of them new to the key, which saw none of the payments. The record for the epoch is
// still signed, under the new key, for the whole pool: the elders that stayed proposed and signed
// it, and the new one's objection (it saw nothing paid in) is outvoted.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { byRank } from '../../../../node-core/engine/section/known-vaults.ts'
import type { AuditOutcome } from '../../../../node-core/engine/section/member-health.ts'
import type { RewardRecord } from '../../../../node-core/section/economy/reward-record.ts'
import { ELDER_COUNT } from '../../../../node-core/section/rules/elders.ts'
import { identityOfAge, MemorySection } from './memory-section.ts'

const EPOCH_MS = 60_000
const MISSED: AuditOutcome = { passed: false, kind: 'missed-audit', reason: 'chunk 3f2a… missing' }
const PASSED: AuditOutcome = { passed: true, reason: 'proof verified' }
const PAYMENTS = 3
const COST = 100

describe('a reward epoch that ends after a handover, in memory', { timeout: 240_000 }, () => {
  const net = new MemorySection({ rewardEpochMs: EPOCH_MS }, { clockedRewards: true })
  // Elders of ages 20 to 14; adults of 12 (an elder once one is paused) and 10, which earns.
  const names = [20, 19, 18, 17, 16, 15, 14, 12, 10].map((age, i) => net.add(identityOfAge(`reward-handover-${i}`, age)).self)
  const ranked = byRank(names)
  const founding = ranked.slice(0, ELDER_COUNT)
  const [promoted, earner] = [ranked[ELDER_COUNT] ?? '', ranked[ELDER_COUNT + 1] ?? '']
  const victim = founding[3] ?? ''
  const records: RewardRecord[] = []

  const voting = (): string[] => names.filter(name => net.node(name).isVotingElder)
  const audited = async (member: string, outcome: AuditOutcome, times = 1): Promise<void> => {
    for (let i = 0; i < times; i++) for (const elder of voting()) await net.node(elder).noteAudit(member, outcome)
    await net.settle()
  }

  before(async () => {
    net.node(earner).addEventListener('section:reward-record', event => { records.push(event.detail.record) })
    await net.connectAll()
    await net.advance(1000)
    assert.deepEqual(voting().sort(), [...founding].sort())
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('signs the epoch\'s whole pool under the new key, though an elder new to the key saw none of it paid', async () => {
    await audited(earner, PASSED)
    for (let i = 0; i < PAYMENTS; i++) {
      const address = i.toString(16).padStart(64, '0')
      for (const elder of founding) net.inject(earner, elder, { type: 'store-payment', prefix: '', address, amount: COST })
    }
    await net.settle()
    const genesisKey = net.node(earner).membership?.sectionKey
    await audited(victim, MISSED, 6)
    await net.advance(20_000)
    assert.ok(net.clock.now < EPOCH_MS, 'the handover is done within the epoch')
    const key = net.node(earner).membership?.sectionKey
    assert.notEqual(key, genesisKey)
    assert.deepEqual(voting().sort(), [...founding.filter(name => name !== victim), promoted].sort())
    const declined: string[] = []
    net.node(promoted).addEventListener('section:reward-declined', event => { declined.push(event.detail.reason) })
    await net.advance(EPOCH_MS)
    assert.ok(declined.includes(`it pays out ${PAYMENTS * COST}, but this elder saw only 0 paid in and not yet paid out`), declined.join('; '))
    assert.equal(records.length, 1)
    const [record] = records
    assert.equal(record?.epoch, 0)
    assert.equal(record?.pool, PAYMENTS * COST)
    assert.equal(record?.sectionKey, key, 'signed by the elders holding the key when the epoch ended')
    assert.deepEqual(record?.shares.map(share => [share.name, share.amount]), [[earner, PAYMENTS * COST]])
  })
})
