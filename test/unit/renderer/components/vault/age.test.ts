import { test } from 'node:test'
import assert from 'node:assert/strict'
import { approximateCount, CHURN_EXPLAINED, describeRelocationOutlook, summarizeAge } from '../../../../../renderer/src/components/vault/age.ts'
import type { OutlookGap } from '../../../../../renderer/src/components/vault/relocation-outlook.ts'

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

test('approximateCount keeps two significant digits and words for the large counts', () => {
  assert.deepEqual([1, 1.4, 42.6, 256, 4096, 999_999, 1_048_576, 1.1e7, 3.3e10, 2e13, 5.8e76].map(approximateCount), [
    '1', '1', '43', '260', '4,100', '1 million', '1 million', '11 million', '33 billion', '20 trillion', 'more than a thousand trillion'
  ])
  assert.throws(() => approximateCount(0.5), RangeError)
  assert.throws(() => approximateCount(Infinity), RangeError)
  assert.throws(() => approximateCount(Number.NaN), RangeError)
})

test('the relocation outlook reads as "about N churns" and says what a churn is', () => {
  const text = describeRelocationOutlook({ kind: 'estimate', perChurn: 1 / 256, expectedChurns: 256, atLeast: false })
  assert.equal(text.headline, 'Next relocation in about 260 churns')
  assert.equal(text.detail, CHURN_EXPLAINED)
  assert.match(text.note ?? '', /average/)
  assert.equal(describeRelocationOutlook({ kind: 'estimate', perChurn: 1, expectedChurns: 1, atLeast: false }).headline, 'Next relocation in about 1 churn')
  assert.equal(describeRelocationOutlook({ kind: 'estimate', perChurn: 1 / 64, expectedChurns: 64, atLeast: true }).headline, 'Next relocation in about 64 churns or more')
})

test('without an estimate the outlook says why', () => {
  const why = (gap: OutlookGap): string => {
    const text = describeRelocationOutlook({ kind: 'unavailable', gap })
    assert.equal(text.headline, 'No relocation estimate yet')
    assert.equal(text.note, null)
    return text.detail
  }
  assert.match(why({ reason: 'no-section' }), /runs no section/)
  assert.match(why({ reason: 'not-running' }), /engine is not running/)
  assert.match(why({ reason: 'not-active', phase: 'forming' }), /still forming/)
  assert.match(why({ reason: 'not-active', phase: 'keying' }), /creating the section key/)
  assert.match(why({ reason: 'not-member' }), /waiting for the section to admit it/)
  assert.match(why({ reason: 'too-few-members', memberCount: 10, needed: 15 }), /has 10 members.*until it has 15 members/)
})
