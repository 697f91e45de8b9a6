// Issue 3, done means, for reward records: "2 elders equivocating or silent cause no conflicting
// decisions and do not stop progress". Seven elders in memory, five running SectionRewards; the
// other two are played by this test with their real keys. As each epoch's first proposers they
// send one acceptable record to some honest elders and a different acceptable one to the others;
// in every round they prevote and precommit both ways, and sign key shares over the record fewer
// honest elders were shown.
// Messages arrive in a seeded random order. Every member must end with the same one record per
// epoch, signed by the section, and no epoch with a pool may be skipped.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { signatureToHex } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { signRewardShare, splitRewardPool, verifyRewardRecord, type UnsignedRewardRecord } from '../../../../node-core/section/economy/reward-record.ts'
import { rewardRecordDigest } from '../../../../node-core/section/economy/reward-signer.ts'
import { signRewardBallot, signRewardProposal, type RewardConsensusItem } from '../../../../node-core/engine/section/ballots.ts'
import type { SectionMessage } from '../../../../node-core/engine/section/section-messages.ts'
import { EPOCH_MS, RewardsNet } from './rewards-net.ts'

const FAULTY = [1, 2] as const
const EPOCHS = 2

/** Two records every honest elder would accept for `epoch`: the pool split between both earners, or all of it to one. */
function choices (net: RewardsNet, epoch: number): [UnsignedRewardRecord, UnsignedRewardRecord] {
  const judge = net.node(net.elders[2] ?? '')
  const pool = judge.ledger.available({ paidUpTo: epoch, except: epoch })
  const record = (names: string[]): UnsignedRewardRecord => ({
    sectionPrefix: '', epoch, pool, shares: splitRewardPool({ pool, adults: names.map(name => ({ name, age: parseInt(name.slice(62), 16), held: true, served: true })) })
  })
  const both = record([net.adults.old, net.adults.six])
  const one = record([net.adults.old])
  for (const chosen of [both, one]) assert.equal(judge.objection(chosen), undefined, 'the faulty elders offer real choices')
  return [both, one]
}

class FaultyElders {
  readonly #acted = new Set<string>()
  readonly #honest: number[]
  net: RewardsNet | undefined

  constructor () {
    this.#honest = [3, 4, 5, 6, 7]
  }

  /** Whatever an honest elder sends in a round of an epoch, the faulty elders act in that round, once. */
  hears (message: SectionMessage): void {
    if (message.type !== 'reward-consensus') return
    for (const item of message.items) this.act(item.epoch, item.round)
  }

  /** The worst they can do in one round: propose (when it is their turn), prevote and precommit both ways, and sign the minority's record. */
  act (epoch: number, round: number): void {
    const net = this.net ?? assert.fail('no net')
    if (this.#acted.has(`${epoch}/${round}`) || epoch >= EPOCHS) return
    this.#acted.add(`${epoch}/${round}`)
    const records = choices(net, epoch)
    // A different cut of the honest elders in each round, drawn from the epoch and round.
    const cut = 1 + ((epoch * 7 + round * 3) % (this.#honest.length - 1))
    const halves = [this.#honest.slice(0, cut), this.#honest.slice(cut)]
    for (const index of FAULTY) {
      const key = net.keys[index - 1] ?? assert.fail()
      const from = net.elders[index - 1] ?? assert.fail()
      const common = { prefix: '', epoch, round, signer: index }
      records.forEach((record, side) => {
        const value = rewardRecordDigest(record)
        const items: RewardConsensusItem[] = [
          signRewardBallot(key, { type: 'ballot', ...common, step: 'prevote', value }),
          signRewardBallot(key, { type: 'ballot', ...common, step: 'precommit', value })
        ]
        if ((epoch + round) % 7 + 1 === index) items.unshift(signRewardProposal(key, { type: 'proposal', ...common, validRound: -1, record }))
        for (const to of halves[side] ?? []) net.send(from, net.elders[to - 1] ?? assert.fail(), { type: 'reward-consensus', items })
      })
      // Key shares over the record fewer honest elders were shown, to everyone: they complete nothing.
      const minority = (halves[0]?.length ?? 0) < (halves[1]?.length ?? 0) ? records[0] : records[1]
      const signature = signatureToHex(signRewardShare(minority, net.share(index)).signature)
      for (const to of this.#honest) net.send(from, net.elders[to - 1] ?? assert.fail(), { type: 'reward-share', record: minority, index, signature })
    }
  }
}

describe('reward records with two faulty elders', { timeout: 120_000 }, () => {
  it('a proposer sending different records, and 2 elders voting both ways: one record per epoch, none skipped, no honest elder blamed', async () => {
    const faulty = new FaultyElders()
    const net = new RewardsNet({ faulty: FAULTY, seed: 'byzantine-rewards', faultyHears: (_index, _from, message) => { faulty.hears(message) } })
    faulty.net = net
    net.audited(net.adults.old, true)
    net.audited(net.adults.six, true)
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      net.pay(2 + epoch, `epoch-${epoch}`)
      // The faulty elders open each epoch: elder 1 proposes first in epoch 0, elder 2 in epoch 1.
      net.clock.schedule((epoch + 1) * EPOCH_MS + 1000 - net.clock.now, () => { faulty.act(epoch, 0) })
      await net.advance(EPOCH_MS)
    }
    await net.advance(EPOCH_MS)

    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      const record = net.recordOf(epoch)
      assert.ok(verifyRewardRecord(record, net.membership.chain).ok, `epoch ${epoch}'s record verifies under the section key`)
      assert.ok(record.pool > 0, `epoch ${epoch} paid out`)
    }
    const blamed = net.receipts.filter(({ receipt }) => !receipt.accepted && receipt.misbehaviour)
    assert.ok(blamed.length > 0, 'the equivocations were seen')
    for (const { from, receipt } of blamed) {
      assert.ok(from === net.elders[0] || from === net.elders[1] || (!receipt.accepted && /elder [12] /.test(receipt.reason)), `an honest elder was blamed: ${JSON.stringify(receipt)}`)
    }
  })
})
