// Pause, fix, demote in a live section, in memory (issue 3 deliver 6, DESIGN §2): elders' audit
// failures pause a member by a signed decision with the reasons and a deadline in churns; its
// resume request is met by the elders' probation audits and a Resume keeps its name and age; when
// the deadline passes the elders demote it, to rejoin at half its age under a new name; started
// over under its old name, having missed that, it learns it from the elders' removal notice.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ageOfHexName, byRank } from '../../../../node-core/engine/section/known-vaults.ts'
import { ELDER_COUNT } from '../../../../node-core/section/rules/elders.ts'
import type { AuditOutcome } from '../../../../node-core/engine/section/member-health.ts'
import { createDemotionProof, encodeDemotionProof } from '../../../../node-core/section/rules/demotion-proof.ts'
import { DemotionProofWireSchema } from '../../../../node-core/engine/section/section-messages.ts'
import { identityOfAge, MemorySection, newVaultIdentity, testIdentity } from './memory-section.ts'

const GRACE_CHURNS = 3
const MISSED: AuditOutcome = { passed: false, kind: 'missed-audit', reason: 'chunk 3f2a… missing' }
const PASSED: AuditOutcome = { passed: true, reason: 'proof verified' }

describe('pause and fix in a section of ten vaults in memory', { timeout: 240_000 }, () => {
  const net = new MemorySection({ pauseAndFix: { graceChurns: GRACE_CHURNS } })
  const names = Array.from({ length: 10 }, (_, i) => net.add(testIdentity(`pause-${i}`)).self)
  const elders = byRank(names).slice(0, ELDER_COUNT)
  const victim = byRank(names)[9] ?? ''
  const probations: string[] = []

  /** Every elder reports the same audit outcome of `member`, `times` times. */
  const audited = async (member: string, outcome: AuditOutcome, times = 1): Promise<void> => {
    for (let i = 0; i < times; i++) for (const elder of elders) await net.node(elder).noteAudit(member, outcome)
    await net.settle()
  }

  before(async () => {
    for (const elder of elders) net.node(elder).addEventListener('section:probation', event => { probations.push(event.detail.name) })
    await net.connectAll()
    await net.advance(1000)
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('does not pause a member below the dysfunction threshold, and refuses a resume request from an active vault', async () => {
    await audited(victim, MISSED, 5)
    assert.equal(net.node(victim).status().standing.state, 'active')
    await assert.rejects(net.node(victim).requestResume(), { name: 'NotPausedError' })
  })

  it('pauses it by a signed decision once its audits fail past the threshold, with the reasons and a deadline in churns', async () => {
    await audited(victim, MISSED)
    const standing = net.node(victim).status().standing
    assert.equal(standing.state, 'paused')
    assert.deepEqual(standing.pause, { reasons: [standing.pause?.reasons[0] ?? ''], pausedAt: 0, deadline: GRACE_CHURNS })
    assert.match(standing.pause?.reasons[0] ?? '', /^missed-audit x6: chunk 3f2a… missing/)
    for (const name of names) {
      assert.equal(net.node(name).membership?.pauseOf(victim)?.deadlineChurn, GRACE_CHURNS, `${name.slice(0, 8)} knows the pause`)
      assert.equal(net.node(name).generation, 1)
    }
  })

  it('resumes it, same name and age, once it asks and the elders\' probation audits pass', async () => {
    await net.node(victim).requestResume()
    await net.settle()
    assert.equal(net.node(victim).status().standing.state, 'resume-requested')
    assert.deepEqual([...new Set(probations)], [victim])
    await audited(victim, PASSED)
    const status = net.node(victim).status()
    assert.equal(status.standing.state, 'active')
    assert.equal(status.isMember, true)
    assert.equal(status.generation, 2)
    for (const name of names) assert.equal(net.node(name).membership?.pauseOf(victim), undefined)
  })

  it('demotes it when its grace runs out: removed, told so, to rejoin at half its age under a new name', async () => {
    await audited(victim, MISSED, 6)
    assert.equal(net.node(victim).status().standing.state, 'paused')
    const deadline = net.node(victim).status().standing.pause?.deadline ?? 0
    assert.equal(deadline, 2 + GRACE_CHURNS, "paused again at generation 2")
    // Churn: vaults join until the deadline's generation is reached. Past 11 members a join needs
    // the section to need storage: an adult reports it is 90 % full, again each generation.
    await net.node(byRank(names)[8] ?? '').reportStorageLevel(9)
    for (let i = 0; net.node(elders[0] ?? '').generation < deadline; i++) {
      const joiner = net.add(newVaultIdentity(`pause-joiner-${i}`)).self
      await net.connect(joiner, elders[0] ?? '')
      await net.advance(10)
    }
    await net.advance(5000)
    const status = net.node(victim).status()
    assert.equal(status.standing.state, 'demoted')
    assert.equal(status.standing.rejoinAge, Math.max(5, Math.floor(ageOfHexName(victim) / 2)))
    assert.equal(status.isMember, false)
    for (const elder of elders) assert.equal(net.node(elder).membership?.isMember(victim), false)
    net.inject(victim, elders[0] ?? '', { type: 'join-request', prefix: '' })
    await net.settle()
    const refusal = net.deliveries.findLast(d => d.from === victim && d.message.type === 'join-request')
    assert.deepEqual(refusal?.receipt, { accepted: false, reason: 'a name demoted from this section, or that left it: it rejoins under a new one', misbehaviour: false })
  })

  it('tells it so again when it starts over under its old name, having missed the decision: the removal notice carries the signed Demote', async () => {
    net.stop(victim)
    const restarted = net.add(testIdentity(`pause-${names.indexOf(victim)}`))
    net.down.delete(victim)
    assert.equal(restarted.status().standing.state, 'active', 'a fresh start knows nothing of the demotion')
    await net.connect(victim, elders[0] ?? '')
    await net.advance(10)
    const standing = restarted.status().standing
    assert.equal(standing.state, 'demoted')
    assert.equal(standing.rejoinAge, Math.max(5, Math.floor(ageOfHexName(victim) / 2)))
    assert.equal(restarted.status().isMember, false)
  })

  it('admits it under a new name of its rejoin age, with the proof its old key signed', async () => {
    const rejoinAge = Math.max(5, Math.floor(ageOfHexName(victim) / 2))
    const oldIdentity = testIdentity(`pause-${names.indexOf(victim)}`)
    const identity = identityOfAge('pause-rejoined', rejoinAge)
    const demotion = DemotionProofWireSchema.parse(encodeDemotionProof(createDemotionProof({ oldSeed: oldIdentity.seed, newName: identity.name })))
    const generation = net.node(elders[0] ?? '').generation
    const rejoined = net.add(identity, { rejoin: { demotion } }).self
    await net.connect(rejoined, elders[0] ?? '')
    await net.advance(10)
    const status = net.node(rejoined).status()
    assert.equal(status.isMember, true)
    assert.equal(status.generation, generation + 1)
    assert.equal(ageOfHexName(rejoined), rejoinAge)
    for (const elder of elders) assert.equal(net.node(elder).membership?.isMember(rejoined), true)
    const admitted = net.deliveries.find(d => d.message.type === 'decision' && d.message.decision.proposal.subject === rejoined)
    assert.ok(admitted?.message.type === 'decision')
    assert.deepEqual(admitted.message.decision.proposal.payload, { age: rejoinAge, demotedFrom: victim })
  })
})
