import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { phaseProgress } from '../../../../../renderer/src/components/upgrades/switch-phases.ts'

describe('phaseProgress', () => {
  it('numbers the steps of a switch', () => {
    assert.deepEqual(phaseProgress('draining'), { step: 1, of: 5, text: 'Step 1 of 5: Finishing requests in flight' })
    assert.equal(phaseProgress('health-window').step, 5)
  })

  it('shows a rollback on its own, outside the steps', () => {
    assert.deepEqual(phaseProgress('rolling-back'), { step: null, of: 5, text: 'Rolling back to the previous version' })
  })
})
