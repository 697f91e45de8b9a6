// An elder's consensus keeps messages for generations it has not reached yet, before checking any
// signature (issue 3): bounded per sending elder, so a faulty elder flooding it with future
// messages cannot crowd out an honest elder's.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { releaseKeyFromSeed } from '../../../../node-core/release/keys.ts'
import { DecisionAccumulator, ElderVoter, proposalId, type Proposal } from '../../../../node-core/section/crypto/decisions.ts'
import { dealSharesAsTrustedDealer } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { signBallot, signProposal, type ConsensusItem } from '../../../../node-core/engine/section/ballots.ts'
import { MAX_FUTURE_MESSAGES, SectionConsensus } from '../../../../node-core/engine/section/section-consensus.ts'
import type { SectionMessage } from '../../../../node-core/engine/section/section-messages.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'
import { ManualClock } from './memory-section.ts'

const SELF = 3
const FAULTY = 7
const keys = Array.from({ length: 7 }, (_, i) => releaseKeyFromSeed(Uint8Array.from(createHash('sha256').update(`section-consensus/${i + 1}`).digest()), `elder-${i + 1}`))
const elders = keys.map(key => key.public)
const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom('section-consensus') })

function join (generation: number): Proposal {
  return { kind: 'join', subject: 'ab'.repeat(32), generation, sectionPrefix: '', payload: { age: 5 } }
}

describe('section consensus, messages for later generations', () => {
  it('keeps at most its share of them from each elder, so a faulty elder cannot crowd out an honest proposer', async () => {
    const membership = { generation: 0 }
    const sent: SectionMessage[] = []
    const consensus = new SectionConsensus({
      self: elders[SELF - 1] ?? '',
      elders,
      prefix: '',
      key: keys[SELF - 1] ?? assert.fail(),
      voter: new ElderVoter({ secretKeyShare: dealt.secretKeyShares[SELF - 1] ?? assert.fail(), publicKeySet: dealt.publicKeySet }),
      accumulator: new DecisionAccumulator({ publicKeySet: dealt.publicKeySet, elders: 7, sectionPrefix: '' }),
      membership,
      agenda: { next: () => undefined, objection: () => undefined, generationChanged: () => {} },
      // What it broadcasts, as elder 1 receives it.
      send: (to, message) => { if (to === elders[0]) sent.push(message) },
      schedule: new ManualClock().schedule,
      decided: async () => {},
      proposalTimeoutMs: 2000
    })
    const faultyKey = keys[FAULTY - 1] ?? assert.fail()
    // Generation 1's prevotes of the faulty elder, one per round: validly signed, and far more than its share.
    const flood: ConsensusItem[] = Array.from({ length: MAX_FUTURE_MESSAGES }, (_, round) =>
      signBallot(faultyKey, { type: 'ballot', prefix: '', generation: 1, round, signer: FAULTY, step: 'prevote', value: null }))
    const share = Math.floor(MAX_FUTURE_MESSAGES / elders.length)
    const receipts = await Promise.all(flood.map(async item => await consensus.receiveConsensus(elders[FAULTY - 1] ?? '', [item])))
    assert.equal(receipts.filter(receipt => !receipt.accepted && /kept until/.test(receipt.reason)).length, share)
    assert.equal(receipts.filter(receipt => !receipt.accepted && /dropped: this elder already keeps 9 from its sender/.test(receipt.reason)).length, MAX_FUTURE_MESSAGES - share)
    // The same message again takes no more room.
    assert.match(JSON.stringify(await consensus.receiveConsensus(elders[FAULTY - 1] ?? '', [flood[0] ?? assert.fail()])), /already kept/)

    // Generation 1's first proposer is elder 2: its proposal is kept, and prevoted once this elder gets there.
    const proposer = 2
    const proposal = signProposal(keys[proposer - 1] ?? assert.fail(), { type: 'proposal', prefix: '', generation: 1, round: 0, signer: proposer, validRound: -1, proposal: join(1) })
    assert.match(JSON.stringify(await consensus.receiveConsensus(elders[proposer - 1] ?? '', [proposal])), /kept until this elder reaches it/)
    membership.generation = 1
    await consensus.generationChanged()
    const prevotes = sent.flatMap(message => message.type === 'consensus' ? message.items : [])
      .filter(item => item.type === 'ballot' && item.signer === SELF && item.step === 'prevote' && item.generation === 1)
    assert.deepEqual(prevotes.map(item => item.type === 'ballot' ? item.value : undefined), [proposalId(join(1))])
    consensus.stop()
  })
})
