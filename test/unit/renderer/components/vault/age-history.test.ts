// The age card's history (issue 3 deliver 7): newest first, each reason in the owner's words.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ageReasonText, describeAgeHistory } from '../../../../../renderer/src/components/vault/age-history.ts'
import type { AgeHistoryEntry } from '../../../../../contract/host-api.ts'

const NOV_21 = Date.UTC(2026, 10, 21, 14, 3)
const NOV_22 = Date.UTC(2026, 10, 22, 9, 10)
const entry = (tag: string, age: number, reason: AgeHistoryEntry['reason'], at: number | null): AgeHistoryEntry =>
  ({ at, name: tag.repeat(32), age, reason })

test('lists the names newest first, the current one marked, with their reasons and times', () => {
  const rows = describeAgeHistory([
    entry('aa', 5, 'new', NOV_21),
    entry('bb', 6, 'relocated', NOV_22),
    entry('cc', 3, 'demoted', NOV_22 + 60_000)
  ], NOV_22 + 3_600_000, 'UTC')
  assert.deepEqual(rows.map(row => [row.age, row.reasonText, row.when, row.current]), [
    [3, 'demoted: rejoined at half its age', '09:11:00', true],
    [6, 'relocated by the section', '09:10:00', false],
    [5, 'new vault', '21 Nov, 14:03', false]
  ])
  assert.equal(rows[2]?.whenFull, '2026-11-21 14:03:00')
  assert.deepEqual(rows.map(row => row.key), ['cc'.repeat(32), 'bb'.repeat(32), 'aa'.repeat(32)])
})

test('a name from before the history has no time', () => {
  const [row] = describeAgeHistory([entry('dd', 9, 'earlier', null)], NOV_21, 'UTC')
  assert.deepEqual(row, { key: 'dd'.repeat(32), age: 9, reason: 'earlier', reasonText: 'before the history was kept', when: null, whenFull: null, current: true })
})

test('an engine without the history shows none', () => {
  assert.deepEqual(describeAgeHistory([], NOV_21), [])
})

test('every reason has its own words', () => {
  const texts = (['new', 'relocated', 'demoted', 'earlier'] as const).map(ageReasonText)
  assert.equal(new Set(texts).size, 4)
  assert.throws(() => ageReasonText('moved' as never), TypeError)
})
