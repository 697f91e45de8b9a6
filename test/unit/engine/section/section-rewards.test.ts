// Reward epochs signed by 7 elders in memory (issue 3 deliver 5, DESIGN §2 "Earnings"): the
// epoch's proposer builds the record from the payments it saw, the others agree in rounds only to
// what they accept, 5 shares over the committed record make it, and a silent proposer costs one
// timeout.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dealSharesAsTrustedDealer, groupPublicKey, publicKeyToHex, signatureToHex } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { signRewardRecord, signRewardShare, verifyRewardRecord, type RewardRecord, type UnsignedRewardRecord } from '../../../../node-core/section/economy/reward-record.ts'
import { signRewardProposal } from '../../../../node-core/engine/section/ballots.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'
import { COST, EPOCH_MS, RewardsNet, TIMEOUT_MS, vaultName } from './rewards-net.ts'

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

  it('sends a member that was down when its record went out the records naming it once it asks, and only those it lacks, once per epoch', async () => {
    const net = new RewardsNet()
    const { old, six } = net.adults
    net.audited(old, true)
    net.audited(six, true)
    net.down.add(six)
    net.pay(2)
    await net.advance(EPOCH_MS + 1000)
    const record = net.recordOf(0)
    assert.equal(amountOf(record, six), 40)
    assert.equal(net.recorded.get(six), undefined, 'every copy sent to it was lost')
    net.down.delete(six)
    const upAgain = net.receipts.length
    // Halfway through epoch 1 it asks elder 2 (epoch 1 mod 7 = 1), which sends the record naming it.
    await net.advance(EPOCH_MS / 2)
    const asked = net.receipts.slice(upAgain).filter(r => r.type === 'reward-records-request' && r.from === six)
    assert.deepEqual(asked.map(r => [r.to, r.receipt]), [[net.elders[1], { accepted: true }]])
    assert.deepEqual(net.recorded.get(six), [record])
    // A vault that holds its records is sent nothing: the old adult, which got epoch 0's record, asked too.
    const resent = net.receipts.filter(r => r.type === 'reward-record' && r.to === old && r.from === net.elders[1])
    assert.equal(resent.length, 1, 'only the copy elder 2 sent when it combined the shares')
    // An elder answers a member once per epoch, and never a stranger or another section.
    const refusal = (to: string, from: string, prefix = ''): string => JSON.stringify(net.node(to).receiveRecordsRequest(from, { type: 'reward-records-request', prefix, have: [] }))
    const elder = net.elders[1] ?? ''
    assert.match(refusal(elder, six), /a second reward records request from this member in one epoch/)
    assert.match(refusal(elder, vaultName('stranger', 9)), /not a member/)
    assert.match(refusal(elder, old, '1'), /for section \\"1\\"/)
    assert.match(refusal(old, six), /not an elder/)
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
    // Elder 1, epoch 0's first proposer, is faulty: it proposes paying everything to an adult that fails its audits.
    const net = new RewardsNet({ faulty: [1] })
    net.audited(net.adults.old, true)
    net.audited(net.adults.six, true)
    net.audited(net.adults.other, false)
    net.pay(2)
    const faulty = net.elders[0] ?? ''
    await net.advance(EPOCH_MS + 1)
    const greedy: UnsignedRewardRecord = { sectionPrefix: '', epoch: 0, pool: 200, shares: [{ name: net.adults.other, age: 7, weight: '128', amount: 200 }] }
    const signature = signatureToHex(signRewardShare(greedy, net.share(1)).signature)
    const proposal = signRewardProposal(net.keys[0] ?? assert.fail(), { type: 'proposal', prefix: '', epoch: 0, round: 0, signer: 1, validRound: -1, record: greedy })
    for (const elder of net.elders.slice(1)) {
      // A share alone is no proposal: it is kept, and nobody follows it.
      assert.deepEqual(await net.node(elder).receiveShare(faulty, { type: 'reward-share', record: greedy, index: 1, signature }), { accepted: true })
      assert.deepEqual(await net.node(elder).receiveConsensus(faulty, [proposal]), { accepted: true })
    }
    // The same share again is counted already: no second pairing.
    assert.deepEqual(
      await net.node(net.elders[1] ?? '').receiveShare(faulty, { type: 'reward-share', record: greedy, index: 1, signature }),
      { accepted: false, misbehaviour: false, reason: 'elder 1\'s reward share for epoch 0 is already counted' }
    )
    await net.settle()
    assert.equal(net.declined.filter(d => d.epoch === 0).length, 6, 'every honest elder declined the greedy record, once')
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
