// One elder's round agreement, fed signed proposals and ballots by this test in the other elders'
// names: the Tendermint rules it follows, and what it refuses.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { releaseKeyFromSeed, type ReleaseKey } from '../../../../node-core/release/keys.ts'
import { proposalId, type Proposal } from '../../../../node-core/section/crypto/decisions.ts'
import { signBallot, signProposal, type ConsensusItem, type SignedBallot } from '../../../../node-core/engine/section/ballots.ts'
import { MAX_ROUNDS_AHEAD, RoundAgreement } from '../../../../node-core/engine/section/round-agreement.ts'
import { ManualClock } from './memory-section.ts'

const GENERATION = 5
const SELF = 3
const keys = Array.from({ length: 7 }, (_, i) => releaseKeyFromSeed(Uint8Array.from(createHash('sha256').update(`round-agreement/${i + 1}`).digest()), `elder-${i + 1}`))
const elders = keys.map(key => key.public)

function keyOf (index: number): ReleaseKey {
  return keys[index - 1] ?? assert.fail(`no elder ${index}`)
}

function join (byte: string): Proposal {
  return { kind: 'join', subject: byte.repeat(64), generation: GENERATION, sectionPrefix: '', payload: { age: 5 } }
}

const A = join('a')
const B = join('b')

/** Elder ((generation + round) mod 7) + 1 proposes, as SectionConsensus rotates it. */
function proposer (round: number): number {
  return ((GENERATION + round) % 7) + 1
}

function proposal (round: number, value: Proposal, validRound = -1, signer = proposer(round)): ConsensusItem {
  return signProposal(keyOf(signer), { type: 'proposal', prefix: '', generation: GENERATION, round, signer, validRound, proposal: value })
}

function ballot (signer: number, step: SignedBallot['step'], round: number, value: Proposal | null): SignedBallot {
  return signBallot(keyOf(signer), { type: 'ballot', prefix: '', generation: GENERATION, round, signer, step, value: value === null ? null : proposalId(value) })
}

function elder (options: { next?: Proposal, objects?: (proposal: Proposal) => boolean } = {}): { agreement: RoundAgreement, sent: ConsensusItem[], clock: ManualClock, committed: Proposal[] } {
  const clock = new ManualClock()
  const sent: ConsensusItem[] = []
  const committed: Proposal[] = []
  const agreement = new RoundAgreement({
    prefix: '',
    generation: GENERATION,
    elders,
    self: SELF,
    key: keyOf(SELF),
    proposer,
    objection: value => options.objects?.(value) === true ? 'not on this elder\'s agenda' : undefined,
    next: () => options.next,
    broadcast: items => { sent.push(...items) },
    schedule: clock.schedule,
    timeoutMs: step => step === 'propose' ? 2000 : 1000,
    committed: async value => { committed.push(value) }
  })
  return { agreement, sent, clock, committed }
}

function ownBallots (sent: readonly ConsensusItem[], step: SignedBallot['step']): Array<{ round: number, value: string | null }> {
  return sent.flatMap(item => item.type === 'ballot' && item.signer === SELF && item.step === step ? [{ round: item.round, value: item.value }] : [])
}

describe('a round agreement', () => {
  it('prevotes the proposer\'s proposal, locks and precommits on 5 prevotes, passes them on, and commits on 5 precommits', async () => {
    const { agreement, sent, committed } = elder()
    assert.deepEqual(await agreement.receive(proposal(0, A)), { accepted: true })
    assert.deepEqual(ownBallots(sent, 'prevote'), [{ round: 0, value: proposalId(A) }])
    for (const signer of [1, 2, 4, 5]) await agreement.receive(ballot(signer, 'prevote', 0, A))
    assert.deepEqual(ownBallots(sent, 'precommit'), [{ round: 0, value: proposalId(A) }])
    const passedOn = sent.filter(item => item.type === 'ballot' && item.step === 'prevote' && item.signer !== SELF)
    assert.equal(passedOn.length, 4, 'the quorum of prevotes is passed on to the other elders')
    for (const signer of [1, 2, 4]) await agreement.receive(ballot(signer, 'precommit', 0, A))
    assert.deepEqual(committed, [])
    await agreement.receive(ballot(5, 'precommit', 0, A))
    assert.deepEqual(committed, [A])
  })

  it('waits for its propose timeout before prevoting none on a proposal it objects to, and prevotes it once its agenda catches up', async () => {
    let objects = true
    const { agreement, sent } = elder({ objects: () => objects })
    await agreement.receive(proposal(0, A))
    assert.deepEqual(ownBallots(sent, 'prevote'), [])
    objects = false
    await agreement.reconsider()
    assert.deepEqual(ownBallots(sent, 'prevote'), [{ round: 0, value: proposalId(A) }])

    const late = elder({ objects: () => true })
    await late.agreement.receive(proposal(0, A))
    await late.clock.advance(2000)
    assert.deepEqual(ownBallots(late.sent, 'prevote'), [{ round: 0, value: null }])
  })

  it('stays locked: a new proposal in a later round gets a prevote for none, one proven by 5 prevotes at or after the lock gets its prevote', async () => {
    const { agreement, sent } = elder()
    await agreement.receive(proposal(0, A))
    for (const signer of [1, 2, 4, 5]) await agreement.receive(ballot(signer, 'prevote', 0, A))
    // Nobody else precommits: round 0 ends with precommits for none, and round 1 begins at once.
    for (const signer of [1, 2, 4, 5, 6]) await agreement.receive(ballot(signer, 'precommit', 0, null))
    assert.equal(agreement.round, 1)
    await agreement.receive(proposal(1, B))
    assert.deepEqual(ownBallots(sent, 'prevote').at(-1), { round: 1, value: null })
    for (const signer of [1, 2, 4, 5, 6]) await agreement.receive(ballot(signer, 'precommit', 1, null))
    assert.equal(agreement.round, 2)
    for (const signer of [1, 2, 4, 6, 7]) await agreement.receive(ballot(signer, 'prevote', 1, B))
    await agreement.receive(proposal(2, B, 1))
    assert.deepEqual(ownBallots(sent, 'prevote').at(-1), { round: 2, value: proposalId(B) })
  })

  it('as proposer after a failed round, re-proposes the proposal it saw 5 prevotes for, with them as proof', async () => {
    // Round 4 of generation 5 is elder 3's.
    const { agreement, sent } = elder({ next: B })
    for (let round = 0; round < 4; round++) {
      if (round === 0) {
        await agreement.receive(proposal(0, A))
        for (const signer of [1, 2, 4, 5]) await agreement.receive(ballot(signer, 'prevote', 0, A))
      }
      for (const signer of [1, 2, 4, 5, 6]) await agreement.receive(ballot(signer, 'precommit', round, null))
    }
    assert.equal(agreement.round, 4)
    const reproposal = sent.find(item => item.type === 'proposal' && item.round === 4)
    assert.ok(reproposal?.type === 'proposal')
    assert.deepEqual([reproposal.proposal, reproposal.validRound], [A, 0])
    const proof = sent.slice(sent.indexOf(reproposal) + 1, sent.indexOf(reproposal) + 6)
    assert.ok(proof.every(item => item.type === 'ballot' && item.step === 'prevote' && item.round === 0 && item.value === proposalId(A)))
  })

  it('counts an equivocating elder\'s ballots on both sides, keeps the proof, and refuses a third', async () => {
    const { agreement } = elder()
    assert.deepEqual(await agreement.receive(ballot(6, 'prevote', 0, A)), { accepted: true })
    const second = await agreement.receive(ballot(6, 'prevote', 0, B))
    assert.ok(!second.accepted && second.misbehaviour)
    assert.match(second.reason, /equivocation: elder 6 signed two different prevotes in round 0 of generation 5/)
    assert.deepEqual(agreement.evidence, ['elder 6 signed two different prevotes in round 0 of generation 5'])
    const third = await agreement.receive(ballot(6, 'prevote', 0, null))
    assert.ok(!third.accepted && !third.misbehaviour)
    const again = await agreement.receive(proposal(0, A))
    assert.ok(again.accepted)
    const twice = await agreement.receive(proposal(0, B))
    assert.ok(!twice.accepted && twice.misbehaviour)
    assert.match(twice.reason, /elder 6 proposed two different proposals in round 0/)
  })

  it('refuses a proposal from an elder that is not the round\'s proposer, a bad signature, another generation, and a round too far ahead', async () => {
    const { agreement } = elder()
    const notProposer = await agreement.receive(proposal(0, A, -1, 2))
    assert.ok(!notProposer.accepted && notProposer.misbehaviour && /not its proposer/.test(notProposer.reason))
    const forged = { ...ballot(4, 'prevote', 0, A), value: proposalId(B) }
    const bad = await agreement.receive(forged)
    assert.ok(!bad.accepted && bad.misbehaviour && /signature of elder 4 on a prevote does not verify/.test(bad.reason))
    const other = await agreement.receive(signBallot(keyOf(4), { type: 'ballot', prefix: '', generation: GENERATION + 1, round: 0, signer: 4, step: 'prevote', value: null }))
    assert.ok(!other.accepted && !other.misbehaviour)
    const ahead = await agreement.receive(ballot(4, 'prevote', MAX_ROUNDS_AHEAD + 1, null))
    assert.ok(!ahead.accepted && !ahead.misbehaviour && /too far ahead/.test(ahead.reason))
  })

  it('joins a later round once 3 elders are in it, at least one of them honest', async () => {
    const { agreement } = elder()
    await agreement.receive(ballot(1, 'prevote', 4, null))
    await agreement.receive(ballot(2, 'prevote', 4, null))
    assert.equal(agreement.round, 0)
    await agreement.receive(ballot(4, 'precommit', 4, null))
    assert.equal(agreement.round, 4)
  })
})
