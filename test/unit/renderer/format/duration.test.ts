import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatDuration, formatEventTime, formatTimeAgo, formatTimestamp } from '../../../../renderer/src/format/duration.ts'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

test('formatDuration shows the two largest non-zero units', () => {
  assert.equal(formatDuration(0), '0 s')
  assert.equal(formatDuration(45 * SECOND), '45 s')
  assert.equal(formatDuration(4 * MINUTE + 10 * SECOND), '4 min 10 s')
  assert.equal(formatDuration(2 * HOUR + 5 * MINUTE + 59 * SECOND), '2 h 5 min')
  assert.equal(formatDuration(3 * DAY + 4 * HOUR + 30 * MINUTE), '3 d 4 h')
})

test('formatDuration skips a zero second unit and rounds down', () => {
  assert.equal(formatDuration(2 * HOUR), '2 h')
  assert.equal(formatDuration(DAY + 5 * MINUTE), '1 d')
  assert.equal(formatDuration(59_999), '59 s')
  assert.equal(formatDuration(-5 * SECOND), '0 s')
  assert.throws(() => formatDuration(Number.NaN), RangeError)
})

test('formatTimeAgo picks a coarse unit', () => {
  const now = 10 * DAY
  assert.equal(formatTimeAgo(now - 3 * SECOND, now), 'just now')
  assert.equal(formatTimeAgo(now + 30 * SECOND, now), 'just now')
  assert.equal(formatTimeAgo(now - 42 * SECOND, now), '42 s ago')
  assert.equal(formatTimeAgo(now - 5 * MINUTE, now), '5 min ago')
  assert.equal(formatTimeAgo(now - 3 * HOUR - 59 * MINUTE, now), '3 h ago')
  assert.equal(formatTimeAgo(now - 2 * DAY, now), '2 d ago')
})

test('formatEventTime shows the time alone on the same day, with the date otherwise', () => {
  const at = Date.UTC(2025, 2, 12, 14, 3, 27)
  assert.equal(formatEventTime(at, Date.UTC(2025, 2, 12, 23, 0, 0), 'UTC'), '14:03:27')
  assert.equal(formatEventTime(at, Date.UTC(2025, 2, 13, 0, 30, 0), 'UTC'), '12 Mar, 14:03')
})

test('formatTimestamp writes a sortable local timestamp', () => {
  assert.equal(formatTimestamp(Date.UTC(2025, 0, 2, 3, 4, 5), 'UTC'), '2025-01-02 03:04:05')
})
