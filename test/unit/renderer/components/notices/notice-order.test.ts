import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Notice } from '../../../../../contract/host-api.ts'
import { noticeTally, severityLabel, sortNotices } from '../../../../../renderer/src/components/notices/notice-order.ts'

const notice = (id: string, severity: Notice['severity'], since: number): Notice => ({ id, severity, title: id, detail: '', since })

test('sortNotices puts critical first, then warnings, then info; oldest first within each', () => {
  const sorted = sortNotices([notice('i', 'info', 1), notice('w2', 'warning', 9), notice('c', 'critical', 5), notice('w1', 'warning', 2)])
  assert.deepEqual(sorted.map((n) => n.id), ['c', 'w1', 'w2', 'i'])
})

test('sortNotices does not reorder its input', () => {
  const input = [notice('i', 'info', 1), notice('c', 'critical', 1)]
  sortNotices(input)
  assert.deepEqual(input.map((n) => n.id), ['i', 'c'])
})

test('noticeTally counts what needs attention and ignores info', () => {
  assert.equal(noticeTally([]), null)
  assert.equal(noticeTally([notice('i', 'info', 1)]), null)
  assert.equal(noticeTally([notice('w', 'warning', 1)]), '1 warning')
  assert.equal(noticeTally([notice('c', 'critical', 1), notice('w', 'warning', 1), notice('v', 'warning', 2)]), '1 critical, 2 warnings')
})

test('severityLabel names each severity', () => {
  assert.deepEqual((['critical', 'warning', 'info'] as const).map(severityLabel), ['Critical', 'Warning', 'Info'])
})
