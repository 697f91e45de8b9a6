import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatRelative, scheduleEntries } from '../../../../../renderer/src/components/upgrades/schedule.ts'

const NOW = 1_800_000_000_000
const MINUTE = 60_000
const HOUR = 60 * MINUTE

describe('formatRelative', () => {
  it('says how far ahead or behind a time is', () => {
    assert.equal(formatRelative(NOW + 3 * HOUR, NOW), 'in 3 h')
    assert.equal(formatRelative(NOW + 2 * 24 * HOUR + 4 * HOUR + 5 * MINUTE, NOW), 'in 2 d 4 h')
    assert.equal(formatRelative(NOW - 5 * MINUTE, NOW), '5 min ago')
    assert.equal(formatRelative(NOW + 5_000, NOW), 'now')
    assert.equal(formatRelative(NOW - 5_000, NOW), 'now')
  })
})

describe('scheduleEntries', () => {
  it('lists only the times that are set, scheduled time first', () => {
    assert.deepEqual(scheduleEntries({ eligibleAt: 1, deferredUntil: null, deadline: 3 }, 'ask').map((entry) => [entry.id, entry.at]), [['eligible', 1], ['deadline', 3]])
    assert.deepEqual(scheduleEntries({ eligibleAt: null, deferredUntil: null, deadline: null }, 'ask'), [])
    assert.equal(scheduleEntries({ eligibleAt: null, deferredUntil: 2, deadline: null }, 'ask')[0]?.label, 'Deferred until')
  })

  it('calls the eligible time a switch only under the automatic policy', () => {
    const candidate = { eligibleAt: 1, deferredUntil: null, deadline: null }
    assert.equal(scheduleEntries(candidate, 'automatic')[0]?.label, 'Switches automatically at')
    assert.equal(scheduleEntries(candidate, 'ask')[0]?.label, 'Eligible for this vault from')
  })
})
