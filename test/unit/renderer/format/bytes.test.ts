import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatBytes, formatCount, formatPercent, usedFraction } from '../../../../renderer/src/format/bytes.ts'

test('formatBytes keeps small counts in bytes', () => {
  assert.equal(formatBytes(0), '0 B')
  assert.equal(formatBytes(1), '1 B')
  assert.equal(formatBytes(1023), '1023 B')
})

test('formatBytes uses binary units with about three significant digits', () => {
  assert.equal(formatBytes(1024), '1 KiB')
  assert.equal(formatBytes(1536), '1.5 KiB')
  assert.equal(formatBytes(1024 ** 2), '1 MiB')
  assert.equal(formatBytes(12.345 * 1024 ** 2), '12.3 MiB')
  assert.equal(formatBytes(123.4 * 1024 ** 3), '123 GiB')
  assert.equal(formatBytes(2.5 * 1024 ** 4), '2.5 TiB')
})

test('formatBytes promotes a value that rounds up to 1024 into the next unit', () => {
  assert.equal(formatBytes(1024 * 1024 - 1), '1 MiB')
})

test('formatBytes rejects values that are not byte counts', () => {
  assert.throws(() => formatBytes(-1), RangeError)
  assert.throws(() => formatBytes(Number.NaN), RangeError)
  assert.throws(() => formatBytes(Number.POSITIVE_INFINITY), RangeError)
})

test('usedFraction clamps to 0..1 and needs a positive capacity', () => {
  assert.equal(usedFraction(25, 100), 0.25)
  assert.equal(usedFraction(150, 100), 1)
  assert.throws(() => usedFraction(1, 0), RangeError)
})

test('formatPercent never shows 0% for a non-empty store, nor 100% for one that is not full', () => {
  assert.equal(formatPercent(0), '0%')
  assert.equal(formatPercent(0.001), '<1%')
  assert.equal(formatPercent(0.456), '46%')
  assert.equal(formatPercent(0.996), '99%')
  assert.equal(formatPercent(1), '100%')
})

test('formatCount groups thousands', () => {
  assert.equal(formatCount(1234567), '1,234,567')
})
