// An elder's guard over the reward records it signs (issue 3 deliver 5): one record per epoch,
// its record persisted before the share is returned, and no share at all when persisting fails.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dealSharesAsTrustedDealer, hashMessage, publicKeyShare, verifyShare } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { encodeRewardRecord, type UnsignedRewardRecord } from '../../../../node-core/section/economy/reward-record.ts'
import { loadRewardSignerState, RewardSigner, saveRewardSignerState, type RewardSignerState } from '../../../../node-core/section/economy/reward-signer.ts'
import { seededRandom } from '../crypto/seeded-random.ts'

const NAME = `${'a1'.repeat(31)}08`
const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom('reward-signer') })
const share = dealt.secretKeyShares[2] ?? { index: 3, scalar: 1n }
const record = (epoch: number, pool: number): UnsignedRewardRecord => ({ sectionPrefix: '', epoch, pool, shares: [{ name: NAME, age: 8, weight: '256', amount: pool }] })

describe('the reward signer', () => {
  it('signs one record per epoch, the same again, and refuses a different one, having persisted first', async () => {
    const persisted: RewardSignerState[] = []
    const signer = new RewardSigner({ secretKeyShare: share, persist: async state => { persisted.push(state) } })
    const first = await signer.sign(record(7, 100))
    assert.ok(verifyShare(publicKeyShare(dealt.publicKeySet, 3), hashMessage(encodeRewardRecord(record(7, 100))), first))
    assert.equal(persisted.length, 1)
    assert.deepEqual(persisted[0]?.signed.map(s => [s.epoch, s.pool]), [[7, 100]])
    assert.ok((await signer.sign(record(7, 100))).signature.equals(first.signature))
    assert.equal(persisted.length, 1, 'the same record again needs no new entry')
    assert.equal(signer.mayShare(record(7, 99)), false)
    await assert.rejects(signer.sign(record(7, 99)), { name: 'RewardEquivocationRefusedError', message: /already signed reward record .* for epoch 7/ })
    await signer.sign(record(8, 50))
    assert.deepEqual(signer.signedEpochs(), [{ epoch: 7, pool: 100 }, { epoch: 8, pool: 50 }])
  })

  it('keeps refusing after a restart from its persisted state, and gives no share when persisting fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reward-signer-'))
    try {
      const path = join(dir, 'reward-signer.json')
      const signer = new RewardSigner({ secretKeyShare: share, persist: async state => { await saveRewardSignerState(path, state) } })
      await signer.sign(record(3, 10))
      const state = await loadRewardSignerState(path)
      const restarted = new RewardSigner({ secretKeyShare: share, ...(state === undefined ? {} : { state }) })
      await assert.rejects(restarted.sign(record(3, 11)), { name: 'RewardEquivocationRefusedError' })
      await writeFile(path, '{"version":1}')
      await assert.rejects(loadRewardSignerState(path), { name: 'RewardSignerStateError', message: /must not sign reward records until it is restored/ })
      const failing = new RewardSigner({ secretKeyShare: share, persist: async () => { throw new Error('disk full') } })
      await assert.rejects(failing.sign(record(4, 10)), /disk full/)
      await assert.rejects(failing.sign(record(4, 12)), { name: 'RewardEquivocationRefusedError' }, 'the record stays: it refuses rather than risk signing twice')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
