// Joins only while the section needs storage (issue 3 deliver 3; DESIGN §2 "Joins"), in a section
// of eleven vaults in memory: at genesis its joins switch is on, and the first join switches it
// off. A new vault then waits on the elders' agendas until the section needs storage: an adult
// reports it is 90 % full (signed, for the generation; the join carries the report), or a member
// leaves, which switches joins on again. A vault that left rejoins at half its age whatever the
// switch says, as a relocated one does. Every vault keeps the same switch, and a vault that learns
// the section from a statement learns it too.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ageOfHexName, byRank } from '../../../../node-core/engine/section/known-vaults.ts'
import { DemotionProofWireSchema } from '../../../../node-core/engine/section/section-messages.ts'
import { rejoinAge } from '../../../../node-core/section/economy/pause-and-fix.ts'
import { createDemotionProof, encodeDemotionProof } from '../../../../node-core/section/rules/demotion-proof.ts'
import { MIN_STORING_SECTION_SIZE } from '../../../../node-core/section/rules/split.ts'
import { releaseKeyFromSeed } from '../../../../node-core/release/keys.ts'
import { signStorageReport } from '../../../../node-core/engine/section/storage-reports.ts'
import type { Decision } from '../../../../node-core/section/crypto/decisions.ts'
import { identityOfAge, MemorySection, newVaultIdentity, testIdentity } from './memory-section.ts'

describe('joins while a section of eleven vaults in memory needs storage', { timeout: 120_000 }, () => {
  const net = new MemorySection()
  const names = Array.from({ length: MIN_STORING_SECTION_SIZE }, (_, i) => net.add(testIdentity(`joins-${i}`)).self)
  const adults = byRank(names).slice(7)
  const [reporter = '', leaver = ''] = adults

  /** Every member's joins switch, which must agree. */
  const switches = (): Array<boolean | undefined> => [...new Set([...net.nodes.values()].filter(node => node.membership?.isMember(node.self) === true).map(node => node.membership?.joinsOn))]

  const joinDecisions = (): Decision[] => net.deliveries.flatMap(d => d.message.type === 'decision' && d.message.decision.proposal.kind === 'join' ? [d.message.decision] : [])

  const join = async (label: string): Promise<string> => {
    const joiner = net.add(newVaultIdentity(label)).self
    await net.connect(joiner, names[0] ?? '')
    await net.advance(10)
    return joiner
  }

  before(async () => {
    await net.connectAll()
    await net.advance(1000)
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('admits the first joiner at genesis, which switches joins off for every vault', async () => {
    assert.deepEqual(switches(), [true])
    const first = await join('joins-first')
    assert.equal(net.node(first).status().isMember, true)
    assert.deepEqual(switches(), [false], 'the joiner learned the switch from the statement that admitted it')
  })

  it('keeps a new vault waiting while the section needs no storage, an adult at 80 % included', async () => {
    await net.node(reporter).reportStorageLevel(8)
    const waiting = await join('joins-waiting')
    await net.advance(20_000)
    assert.equal(net.node(waiting).status().isMember, false)
    assert.equal(net.deliveries.some(d => d.message.type === 'storage-report'), false, 'below 90 % an adult reports nothing')
    assert.equal(net.node(names[0] ?? '').generation, 1)
  })

  it('admits it once an adult reports it is 90 % full: the decision carries the signed report', async () => {
    const waiting = [...net.nodes.keys()].find(name => name !== reporter && net.node(name).status().isMember === false && !net.down.has(name)) ?? ''
    await net.node(reporter).reportStorageLevel(9)
    await net.advance(10)
    assert.equal(net.node(waiting).status().isMember, true)
    const decision = joinDecisions().find(d => d.proposal.subject === waiting)
    assert.equal(decision?.proposal.payload.storageReporter, reporter)
    assert.equal(decision?.proposal.payload.storageLevel, 9)
    assert.deepEqual(switches(), [false])
  })

  it('refuses a storage report another key signed, or one sent in another adult\'s name, as misbehaviour', async () => {
    const generation = net.node(names[0] ?? '').generation
    const stranger = releaseKeyFromSeed(new Uint8Array(32).fill(3), 'section')
    const forged = { ...signStorageReport(stranger, { prefix: '', generation, level: 10 }), reporter: reporter }
    const elder = byRank(names)[0] ?? ''
    net.inject(reporter, elder, { type: 'storage-report', report: forged })
    net.inject(leaver, elder, { type: 'storage-report', report: forged })
    await net.settle()
    const receipts = net.deliveries.filter(d => d.message.type === 'storage-report' && d.to === elder).slice(-2).map(d => d.receipt)
    assert.deepEqual(receipts, [
      { accepted: false, reason: `a storage report that ${reporter.slice(0, 16)}... did not sign itself`, misbehaviour: true },
      { accepted: false, reason: `a storage report that ${leaver.slice(0, 16)}... did not sign itself`, misbehaviour: true }
    ])
  })

  it('admits one more joiner for each generation the adult is still full, and none after the generation it was last', async () => {
    const next = await join('joins-while-full')
    assert.equal(net.node(next).status().isMember, true, 'the adult reported again at the new generation')
    await net.node(reporter).reportStorageLevel(5)
    const last = await join('joins-on-the-standing-report')
    assert.equal(net.node(last).status().isMember, true, 'the report it sent for this generation stands')
    const generation = net.node(names[0] ?? '').generation
    const held = await join('joins-held')
    await net.advance(20_000)
    assert.equal(net.node(held).status().isMember, false)
    assert.equal(net.node(names[0] ?? '').generation, generation)
  })

  it('admits the waiting vault once a member leaves, which switches joins on; the join switches them off', async () => {
    const held = [...net.nodes.keys()].find(name => net.node(name).status().isMember === false && !net.down.has(name)) ?? ''
    await net.node(leaver).requestLeave()
    await net.advance(10)
    assert.equal(net.node(leaver).status().isMember, false)
    assert.equal(net.node(held).status().isMember, true)
    assert.deepEqual(switches(), [false])
    const kinds = new Map(net.deliveries.flatMap(d => d.message.type === 'decision' ? [[d.message.decision.proposal.generation, d.message.decision.proposal.kind]] : []))
    const generation = net.node(names[0] ?? '').generation
    assert.deepEqual([kinds.get(generation - 2), kinds.get(generation - 1)], ['leave', 'join'])
    assert.equal(joinDecisions().find(d => d.proposal.subject === held)?.proposal.payload.storageReporter, undefined, 'the leave let it in, no report')
  })

  it('admits the vault that left under a new name at half its age while joins are off: a rejoin is a relocation (RFC 0045)', async () => {
    assert.deepEqual(switches(), [false])
    net.stop(leaver)
    const identity = identityOfAge('joins-rejoined', rejoinAge(ageOfHexName(leaver)))
    const proof = DemotionProofWireSchema.parse(encodeDemotionProof(createDemotionProof({ oldSeed: testIdentity(`joins-${names.indexOf(leaver)}`).seed, newName: identity.name })))
    const rejoined = net.add(identity, { rejoin: { demotion: proof } }).self
    await net.connect(rejoined, names[0] ?? '')
    await net.advance(10)
    assert.equal(net.node(rejoined).status().isMember, true)
    assert.deepEqual(switches(), [false])
  })
})
