// A member leaving for good, in a section of ten vaults in memory (issue 3 deliver 2, DESIGN §2):
// it asks the elders, they decide Leave by a signed decision and remove it, and it may rejoin
// later only under a new name at half its age, with the proof its old key signed, as a demoted
// vault does. One that missed its own Leave (down when it was decided) learns it from the elders
// when it asks to join under that name again: their removal notice carries the signed decision.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ageOfHexName, byRank } from '../../../../node-core/engine/section/known-vaults.ts'
import { ELDER_COUNT } from '../../../../node-core/section/rules/elders.ts'
import { rejoinAge } from '../../../../node-core/section/economy/pause-and-fix.ts'
import { createDemotionProof, encodeDemotionProof } from '../../../../node-core/section/rules/demotion-proof.ts'
import { DemotionProofWireSchema, type SectionReceipt } from '../../../../node-core/engine/section/section-messages.ts'
import { identityOfAge, MemorySection, newVaultIdentity, testIdentity } from './memory-section.ts'
import { forgedJoinDecision } from './section-fakes.ts'
import type { Decision } from '../../../../node-core/section/crypto/decisions.ts'

describe('a member leaving a section of ten vaults in memory', { timeout: 120_000 }, () => {
  const net = new MemorySection()
  const names = Array.from({ length: 10 }, (_, i) => net.add(testIdentity(`leave-${i}`)).self)
  const elders = byRank(names).slice(0, ELDER_COUNT)
  const leaver = byRank(names)[9] ?? ''
  const left: Array<{ name: string, rejoinAge: number, self: boolean }> = []

  before(async () => {
    net.node(leaver).addEventListener('section:left', event => { left.push(event.detail) })
    await net.connectAll()
    await net.advance(1000)
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('refuses a leave request from a vault that is not a member, and requestLeave on one', async () => {
    const stranger = net.add(newVaultIdentity('leave-stranger')).self
    net.inject(stranger, elders[0] ?? '', { type: 'leave-request', prefix: '' })
    await net.settle()
    assert.deepEqual(net.deliveries.at(-1)?.receipt, { accepted: false, reason: 'a leave request from a vault that is not a member', misbehaviour: false })
    await assert.rejects(net.node(stranger).requestLeave(), { name: 'NotAMemberError' })
    net.stop(stranger)
  })

  it('removes it by a signed Leave decision once it asks, and tells it the age it may rejoin at', async () => {
    const generation = net.node(leaver).generation
    await net.node(leaver).requestLeave()
    await net.advance(10)
    const expected = rejoinAge(ageOfHexName(leaver))
    assert.deepEqual(left, [{ name: leaver, generation: generation + 1, rejoinAge: expected, self: true }])
    const decision = net.deliveries.find(d => d.message.type === 'decision' && d.message.decision.proposal.kind === 'leave')
    assert.ok(decision?.message.type === 'decision')
    assert.deepEqual(decision.message.decision.proposal.payload, { rejoinAge: expected })
    assert.equal(net.node(leaver).status().isMember, false)
    for (const name of names) {
      if (name === leaver) continue
      assert.equal(net.node(name).membership?.isMember(leaver), false, `${name.slice(0, 8)} removed it`)
      assert.equal(net.node(name).generation, generation + 1)
    }
    // It asks no more once the decision is in: no leave request after it.
    const lastDecision = net.deliveries.indexOf(decision)
    await net.advance(10_000)
    assert.equal(net.deliveries.slice(lastDecision).some(d => d.from === leaver && d.message.type === 'leave-request'), false)
  })

  it('refuses its old name, and admits it under a new name of half its age with the proof its old key signed', async () => {
    net.inject(leaver, elders[0] ?? '', { type: 'join-request', prefix: '' })
    await net.settle()
    const refusal = net.deliveries.findLast(d => d.from === leaver && d.message.type === 'join-request')
    assert.deepEqual(refusal?.receipt, { accepted: false, reason: 'a name demoted from this section, or that left it: it rejoins under a new one', misbehaviour: false })
    net.stop(leaver)
    const age = rejoinAge(ageOfHexName(leaver))
    const identity = identityOfAge('leave-rejoined', age)
    const proof = DemotionProofWireSchema.parse(encodeDemotionProof(createDemotionProof({ oldSeed: testIdentity(`leave-${names.indexOf(leaver)}`).seed, newName: identity.name })))
    const rejoined = net.add(identity, { rejoin: { demotion: proof } }).self
    await net.connect(rejoined, elders[0] ?? '')
    await net.advance(10)
    assert.equal(net.node(rejoined).status().isMember, true)
    for (const elder of elders) assert.equal(net.node(elder).membership?.isMember(rejoined), true)
    const admitted = net.deliveries.find(d => d.message.type === 'decision' && d.message.decision.proposal.subject === rejoined)
    assert.ok(admitted?.message.type === 'decision')
    assert.deepEqual(admitted.message.decision.proposal.payload, { age, demotedFrom: leaver })
  })
})

describe('a vault that missed its own Leave, in memory', { timeout: 120_000 }, () => {
  const net = new MemorySection()
  const names = Array.from({ length: 10 }, (_, i) => net.add(testIdentity(`missed-leave-${i}`)).self)
  const elders = byRank(names).slice(0, ELDER_COUNT)
  const leaver = byRank(names)[9] ?? ''
  const elder = elders[0] ?? ''

  before(async () => {
    await net.connectAll()
    await net.advance(1000)
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('learns it from the removal notice an elder answers its join request with, and asks to join under that name no more', async () => {
    // Nothing reaches it once it has asked: it goes down before it hears the decision.
    net.tamper = (_from, to, message) => to === leaver ? undefined : message
    await net.node(leaver).requestLeave()
    await net.advance(10)
    for (const name of names) if (name !== leaver) assert.equal(net.node(name).membership?.isMember(leaver), false)
    net.stop(leaver)
    net.tamper = undefined
    // It starts again under the same name, knowing nothing of the section.
    const restarted = net.add(testIdentity(`missed-leave-${names.indexOf(leaver)}`))
    net.down.delete(leaver)
    const left: Array<{ rejoinAge: number, self: boolean }> = []
    restarted.addEventListener('section:left', event => { left.push(event.detail) })
    await net.connect(leaver, elder)
    await net.advance(10)
    const notice = net.deliveries.find(d => d.to === leaver && d.message.type === 'removal-notice')
    assert.deepEqual(notice?.receipt, { accepted: true })
    assert.deepEqual(left.map(({ rejoinAge: age, self }) => ({ age, self })), [{ age: rejoinAge(ageOfHexName(leaver)), self: true }])
    assert.equal(restarted.status().isMember, false)
    const asked = net.deliveries.filter(d => d.from === leaver && d.message.type === 'join-request').length
    await net.advance(30_000)
    assert.equal(net.deliveries.filter(d => d.from === leaver && d.message.type === 'join-request').length, asked, 'no join request under the old name after the notice')
  })

  it('refuses a forged removal notice, and one whose decision names another vault, as misbehaviour', async () => {
    const noticeReceipt = async (decision: Decision): Promise<SectionReceipt | undefined> => {
      net.inject(elder, leaver, { type: 'removal-notice', decision })
      await net.settle()
      return net.deliveries.at(-1)?.receipt
    }
    const forged = await noticeReceipt(forgedJoinDecision(leaver, net.node(leaver).generation))
    assert.ok(forged !== undefined && !forged.accepted)
    assert.match(forged.reason, /^a removal notice: decision signed by section key [0-9a-f]{16}\.\.\., which is not a known key of this section$/)
    assert.equal(forged.misbehaviour, true)
    const joiner = net.add(newVaultIdentity('missed-leave-joiner')).self
    await net.connect(joiner, elder)
    await net.advance(10)
    const join = net.deliveries.find(d => d.message.type === 'decision' && d.message.decision.proposal.subject === joiner)
    assert.ok(join?.message.type === 'decision')
    assert.deepEqual(await noticeReceipt(join.message.decision), { accepted: false, reason: 'a removal notice whose decision names another vault', misbehaviour: true })
  })
})
