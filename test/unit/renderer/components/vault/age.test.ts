import { test } from 'node:test'
import assert from 'node:assert/strict'
import { summarizeAge } from '../../../../../renderer/src/components/vault/age.ts'

test('a vault below age 6 is a newcomer that does not earn yet (RFC 0045 via DESIGN §2)', () => {
  assert.equal(summarizeAge(5).stage, 'newcomer')
  assert.equal(summarizeAge(0).stage, 'newcomer')
  assert.match(summarizeAge(5).detail, /age 6/)
})

test('from age 6 the reward weight doubles with each year of age', () => {
  const weights = [6, 7, 12, 20].map((age) => {
    const summary = summarizeAge(age)
    assert.equal(summary.stage, 'earning')
    return summary.stage === 'earning' ? summary.relativeWeight : null
  })
  assert.deepEqual(weights, [1, 2, 64, 16_384])
})

test('summarizeAge rejects ages outside one byte', () => {
  assert.throws(() => summarizeAge(256), RangeError)
  assert.throws(() => summarizeAge(-1), RangeError)
  assert.throws(() => summarizeAge(6.5), RangeError)
})
