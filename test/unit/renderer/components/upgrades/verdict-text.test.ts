import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeSeverity, describeVerdict, sortReasons } from '../../../../../renderer/src/components/upgrades/verdict-text.ts'

describe('verdict text', () => {
  it('labels each result in words with a tone', () => {
    assert.deepEqual(['pass', 'marginal', 'fail'].map((result) => { const v = describeVerdict(result as 'pass'); return [v.label, v.tone] }), [['Pass', 'good'], ['Marginal', 'warn'], ['Fail', 'bad']])
    assert.equal(describeSeverity('critical').label, 'Critical')
  })

  it('puts critical reasons first and keeps the host\'s order within a severity', () => {
    const sorted = sortReasons([
      { code: 'as-good', severity: 'info', message: 'a' },
      { code: 'slower', severity: 'warning', message: 'b' },
      { code: 'egress', severity: 'critical', message: 'c' },
      { code: 'crash', severity: 'critical', message: 'd' }
    ])
    assert.deepEqual(sorted.map((reason) => reason.message), ['c', 'd', 'b', 'a'])
  })
})
