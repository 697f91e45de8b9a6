// Elder handover in a live section, in memory (issue 3 deliver 1 and 3; DESIGN §2: the elders are
// the 7 oldest members, the DKG re-runs whenever the elder set changes, and the old section key
// signs the new one). Pausing an elder takes it out of the elected set: the 7 now elected run a
// new DKG, the old elders decide the handover and sign the chain link, and from then on the new
// elders decide under the new key, which every member's chain holds. Resuming it hands back.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { byRank } from '../../../../node-core/engine/section/known-vaults.ts'
import type { AuditOutcome } from '../../../../node-core/engine/section/member-health.ts'
import type { SectionNodeEvents } from '../../../../node-core/engine/section/section-node.ts'
import { verifyDecision } from '../../../../node-core/section/crypto/decisions.ts'
import { verifyChain } from '../../../../node-core/section/crypto/section-chain.ts'
import { publicKeyFromHex } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { ELDER_COUNT } from '../../../../node-core/section/rules/elders.ts'
import { MemorySection, newVaultIdentity, testIdentity } from './memory-section.ts'

const MISSED: AuditOutcome = { passed: false, kind: 'missed-audit', reason: 'chunk 3f2a… missing' }
const PASSED: AuditOutcome = { passed: true, reason: 'proof verified' }

type Handover = SectionNodeEvents['section:handover']['detail']

describe('elder handover in a section of eight vaults in memory', { timeout: 240_000 }, () => {
  const net = new MemorySection()
  const names = Array.from({ length: ELDER_COUNT + 1 }, (_, i) => net.add(testIdentity(`handover-${i}`)).self)
  const ranked = byRank(names)
  const founding = ranked.slice(0, ELDER_COUNT)
  const adult = ranked[ELDER_COUNT] ?? ''
  const victim = founding[2] ?? ''
  const handovers = new Map<string, Handover[]>()

  /** The elders holding the key report the same audit outcome of `member`, `times` times. */
  const audited = async (member: string, outcome: AuditOutcome, times = 1): Promise<void> => {
    const voting = names.filter(name => net.node(name).isVotingElder)
    for (let i = 0; i < times; i++) for (const elder of voting) await net.node(elder).noteAudit(member, outcome)
    await net.settle()
  }

  /** Every vault holds the same chain of `length` keys, verified from the genesis, with `elders` as its elders. */
  const assertSection = (length: number, elders: readonly string[]): string => {
    const keys = new Set(names.map(name => net.node(name).membership?.sectionKey))
    assert.equal(keys.size, 1, 'every vault follows the same section key')
    for (const name of names) {
      const membership = net.node(name).membership
      assert.ok(membership !== undefined)
      assert.equal(membership.chain.keys.length, length, `${name.slice(0, 8)} holds ${length} keys`)
      assert.ok(verifyChain(membership.chain.genesisKey, membership.chain.toData()).ok)
      assert.deepEqual([...membership.elders].sort(), [...elders].sort(), `${name.slice(0, 8)} knows the elders`)
      assert.equal(membership.pendingHandover, undefined)
      assert.equal(net.node(name).isVotingElder, elders.includes(name), `${name.slice(0, 8)} votes only as an elder of the key`)
    }
    return [...keys][0] ?? ''
  }

  before(async () => {
    for (const name of names) {
      handovers.set(name, [])
      net.node(name).addEventListener('section:handover', event => { handovers.get(name)?.push(event.detail) })
    }
    await net.connectAll()
    await net.advance(1000)
    assertSection(1, founding)
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('hands over to the 7 oldest active members once an elder is paused: a new DKG, a link signed by the old key', async () => {
    const genesisKey = net.node(adult).membership?.sectionKey ?? ''
    await audited(victim, MISSED, 6)
    await net.advance(20_000)
    const incoming = [...founding.filter(name => name !== victim), adult]
    const key = assertSection(2, incoming)
    assert.notEqual(key, genesisKey)
    const chain = net.node(adult).membership?.chain
    assert.equal(chain?.toData().genesisKey, genesisKey, 'the chain starts at the genesis key')
    assert.equal(chain?.toData().links[0]?.key, key, 'and links the new key, signed by the old one')
    for (const name of names) {
      const seen = handovers.get(name) ?? []
      assert.equal(seen.length, 1, `${name.slice(0, 8)} saw one handover`)
      assert.deepEqual({ sectionKey: seen[0]?.sectionKey, isElder: seen[0]?.isElder, hasKeyShare: seen[0]?.hasKeyShare },
        { sectionKey: key, isElder: incoming.includes(name), hasKeyShare: incoming.includes(name) })
    }
    assert.equal(net.node(victim).status().standing.state, 'paused', 'the paused elder is a paused member now')
    assert.equal(net.node(adult).status().isElder, true)
  })

  it('decides under the new key from then on, and every member verifies it against its chain', async () => {
    const joiner = net.add(newVaultIdentity('handover-joiner')).self
    const generation = net.node(adult).generation
    for (const name of names) await net.connect(joiner, name)
    await net.advance(10_000)
    const joined = names.map(name => net.node(name).membership)
    for (const membership of joined) assert.equal(membership?.isMember(joiner), true)
    const decision = net.deliveries.find(d => d.message.type === 'decision' && d.message.decision.proposal.kind === 'join' && d.message.decision.proposal.subject === joiner)
    assert.ok(decision?.message.type === 'decision')
    const membership = net.node(adult).membership
    assert.ok(membership !== undefined)
    assert.equal(decision.message.decision.sectionKey, membership.sectionKey, 'signed by the new key')
    assert.ok(verifyDecision(decision.message.decision, membership.chain, { generation, sectionPrefix: '' }).ok)
    assert.ok(!publicKeyFromHex(decision.message.decision.sectionKey).equals(membership.chain.genesisKey))
    names.push(joiner)
    handovers.set(joiner, [])
  })

  it('hands back once the paused elder is resumed: it is among the 7 oldest again', async () => {
    await net.node(victim).requestResume()
    await net.settle()
    await audited(victim, PASSED)
    await net.advance(20_000)
    assertSection(3, founding)
    assert.equal(net.node(adult).status().isElder, false)
    assert.equal(net.node(victim).status().standing.state, 'active')
  })

  it('blames no vault on the way: every refusal was a late or repeated copy', () => {
    const blamed = net.deliveries.filter(delivery => !delivery.receipt.accepted && delivery.receipt.misbehaviour)
    assert.deepEqual(blamed.map(({ from, message, receipt }) => ({ from: from.slice(0, 8), type: message.type, receipt })), [])
  })
})
