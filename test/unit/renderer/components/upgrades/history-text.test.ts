import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeHistoryKind, describeVersions, historyNewestFirst } from '../../../../../renderer/src/components/upgrades/history-text.ts'

describe('history text', () => {
  it('tells a manual rollback from an automatic one', () => {
    assert.equal(describeHistoryKind('manual-rollback').label, 'Rolled back by you')
    assert.equal(describeHistoryKind('rolled-back').label, 'Rolled back automatically')
  })

  it('names the versions an entry moved between', () => {
    assert.equal(describeVersions({ fromVersion: '0.1.0', toVersion: '0.2.0' }), '0.1.0 → 0.2.0')
    assert.equal(describeVersions({ fromVersion: null, toVersion: '0.2.0' }), 'to 0.2.0')
    assert.equal(describeVersions({ fromVersion: '0.1.0', toVersion: null }), 'from 0.1.0')
    assert.equal(describeVersions({ fromVersion: null, toVersion: null }), '')
  })

  it('orders newest first, keeping the host\'s order for entries of the same time', () => {
    const entry = (at: number, detail: string) => ({ at, kind: 'deferred' as const, fromVersion: null, toVersion: null, detail })
    assert.deepEqual(historyNewestFirst([entry(1, 'a'), entry(3, 'b'), entry(3, 'c'), entry(2, 'd')]).map((e) => e.detail), ['b', 'c', 'd', 'a'])
  })
})
