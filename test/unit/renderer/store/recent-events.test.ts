import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { VaultEvent } from '../../../../contract/host-api.ts'
import { mergeEvents } from '../../../../renderer/src/store/recent-events.ts'

const event = (at: number, kind = 'k', message = `m${at}`): VaultEvent => ({ at, kind, message })

test('mergeEvents returns newest first, whatever order the inputs came in', () => {
  assert.deepEqual(mergeEvents([event(1), event(3)], [event(2)]).map((e) => e.at), [3, 2, 1])
})

test('mergeEvents drops events already present (a snapshot repeats what was pushed)', () => {
  const merged = mergeEvents([event(5), event(4)], [event(4), event(5), event(6)])
  assert.deepEqual(merged.map((e) => e.at), [6, 5, 4])
})

test('mergeEvents keeps distinct events that share a time', () => {
  const merged = mergeEvents([], [event(7, 'a', 'first'), event(7, 'b', 'second')])
  assert.deepEqual(merged.map((e) => e.kind), ['a', 'b'])
})

test('mergeEvents keeps only the newest `limit` events', () => {
  const many = Array.from({ length: 10 }, (_, i) => event(i))
  assert.deepEqual(mergeEvents(many, [event(100)], 3).map((e) => e.at), [100, 9, 8])
  assert.throws(() => mergeEvents([], [], -1), RangeError)
})
