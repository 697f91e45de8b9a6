import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeEgressKind, describeLayer, sortEgress } from '../../../../../renderer/src/components/upgrades/sandbox-text.ts'

describe('sandbox text', () => {
  it('names layers and egress kinds', () => {
    assert.equal(describeLayer('network-namespace').label, 'Private network namespace')
    assert.equal(describeEgressKind('dns'), 'DNS lookup')
  })

  it('lists attempts outside the policy first, each group oldest first', () => {
    const attempt = (at: number, allowed: boolean) => ({ kind: 'net' as const, target: `t${at}`, allowed, at })
    assert.deepEqual(sortEgress([attempt(1, true), attempt(4, false), attempt(2, false), attempt(3, true)]).map((a) => a.target), ['t2', 't4', 't1', 't3'])
  })
})
