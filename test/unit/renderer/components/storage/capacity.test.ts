import { test } from 'node:test'
import assert from 'node:assert/strict'
import { summarizeCapacity } from '../../../../../renderer/src/components/storage/capacity.ts'

const GiB = 1024 ** 3
const store = (bytes: number, capacityBytes: number, full = false) => ({ chunks: 1, bytes, capacityBytes, full, quarantined: 0 })

test('summarizeCapacity formats used, capacity, free and percent', () => {
  assert.deepEqual(summarizeCapacity(store(5 * GiB, 20 * GiB)), {
    fraction: 0.25, level: 'ok', used: '5 GiB', capacity: '20 GiB', free: '15 GiB', percent: '25%'
  })
})

test('from 90% the store is nearly full; at capacity it is full', () => {
  assert.equal(summarizeCapacity(store(8.9 * GiB, 10 * GiB)).level, 'ok')
  assert.equal(summarizeCapacity(store(9 * GiB, 10 * GiB)).level, 'nearly-full')
  assert.equal(summarizeCapacity(store(10 * GiB, 10 * GiB)).level, 'full')
})

test("the host's full flag wins over the byte count", () => {
  assert.equal(summarizeCapacity(store(1 * GiB, 10 * GiB, true)).level, 'full')
})

test('an over-full store clamps to 100% with nothing free', () => {
  const summary = summarizeCapacity(store(12 * GiB, 10 * GiB))
  assert.equal(summary.fraction, 1)
  assert.equal(summary.free, '0 B')
  assert.equal(summary.percent, '100%')
})
