import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_RESTART_POLICY, restartDelay } from '../../../node-core/host/engine-supervisor.ts'

describe('restartDelay', () => {
  it('doubles from the initial delay and is capped', () => {
    const policy = { ...DEFAULT_RESTART_POLICY, initialDelayMs: 500, maxDelayMs: 4000 }
    assert.deepEqual([1, 2, 3, 4, 5, 10].map(crashes => restartDelay(crashes, policy)), [500, 1000, 2000, 4000, 4000, 4000])
  })
})
