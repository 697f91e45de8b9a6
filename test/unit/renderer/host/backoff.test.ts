import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_BACKOFF, nextRetryDelay } from '../../../../renderer/src/host/backoff.ts'

const noJitter = { initialMs: 500, maxMs: 15_000, jitter: 0 }

test('nextRetryDelay doubles from the initial delay and stops at the cap', () => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 100, 10_000].map((attempt) => nextRetryDelay(attempt, noJitter, () => 0))
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 15_000])
})

test('nextRetryDelay applies jitter across [1 - jitter, 1 + jitter]', () => {
  const options = { initialMs: 1000, maxMs: 60_000, jitter: 0.2 }
  assert.equal(nextRetryDelay(1, options, () => 0), 800)
  assert.equal(nextRetryDelay(1, options, () => 0.5), 1000)
  assert.equal(nextRetryDelay(1, options, () => 0.999_999), 1200)
})

test('nextRetryDelay needs a positive whole attempt number', () => {
  assert.throws(() => nextRetryDelay(0, DEFAULT_BACKOFF, Math.random), RangeError)
  assert.throws(() => nextRetryDelay(1.5, DEFAULT_BACKOFF, Math.random), RangeError)
})
