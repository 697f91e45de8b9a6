// The one promise behind ElderVoter and RewardSigner: one value per slot, durable before a share leaves.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SlotGuard } from '../../../../node-core/section/crypto/slot-guard.ts'

const refusal = (previous: { digest: string }): Error => new Error(`already ${previous.digest}`)

describe('a slot guard', () => {
  it('claims a slot for one digest, and resolves only once its entry is persisted', async () => {
    let release: () => void = () => {}
    const written = new Promise<void>(resolve => { release = resolve })
    let writes = 0
    const guard = new SlotGuard<{ digest: string }>({ persist: async () => { writes++; await written } })
    let claimed = false
    const claim = guard.claim(3, { digest: 'a' }, refusal).then(() => { claimed = true })
    const again = guard.claim(3, { digest: 'a' }, refusal)
    await assert.rejects(guard.claim(3, { digest: 'b' }, refusal), /already a/, 'the entry is made before anything is awaited')
    assert.equal(guard.allows(3, 'b'), false)
    for (let i = 0; i < 5; i++) await Promise.resolve()
    assert.equal(claimed, false, 'no share before the entry is durable')
    release()
    await Promise.all([claim, again])
    assert.equal(writes, 1, 'the same digest again is one write')
    assert.deepEqual(guard.entries, [[3, { digest: 'a' }]])
  })

  it('keeps the slot it claims when full, forgetting the oldest others, and forgets settled slots on request', async () => {
    const guard = new SlotGuard<{ digest: string }>({ entries: [[5, { digest: 'e' }], [6, { digest: 'f' }]], capacity: 2 })
    await guard.claim(1, { digest: 'x' }, refusal)
    assert.deepEqual(guard.entries.map(([slot]) => slot), [1, 6])
    await assert.rejects(guard.claim(1, { digest: 'y' }, refusal), /already x/)
    guard.forgetBelow(6)
    assert.deepEqual(guard.entries.map(([slot]) => slot), [6])
    assert.equal(guard.allows(1, 'y'), true)
  })
})
