import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  compareVersionsDescending, describeCompatibility, peerVersionRows, totalPeers
} from '../../../../../renderer/src/components/releases/peer-versions.ts'

describe('peerVersionRows', () => {
  it('orders rows newest version first, with unparsed versions last, and marks this vault\'s own version', () => {
    const rows = peerVersionRows([
      { engineVersion: 'unknown', compatibility: 'unrelated', count: 1 },
      { engineVersion: '0.9.0', compatibility: 'too-old', count: 2 },
      { engineVersion: '0.10.0', compatibility: 'current', count: 5 },
      { engineVersion: '1.0.0', compatibility: 'newer', count: 1 }
    ], '0.10.0')
    assert.deepEqual(rows.map(row => row.engineVersion), ['1.0.0', '0.10.0', '0.9.0', 'unknown'])
    assert.deepEqual(rows.map(row => row.own), [false, true, false, false])
    assert.deepEqual(rows.map(row => row.tone), ['warn', 'good', 'bad', 'muted'])
    assert.equal(totalPeers(rows), 9)
  })

  it('merges duplicate (version, compatibility) groups and keeps different verdicts apart', () => {
    const rows = peerVersionRows([
      { engineVersion: '0.1.0', compatibility: 'current', count: 3 },
      { engineVersion: '0.1.0', compatibility: 'current', count: 2 },
      { engineVersion: '0.1.0', compatibility: 'previous', count: 1 }
    ], '0.1.0')
    assert.deepEqual(rows.map(row => [row.compatibility, row.count]), [['current', 5], ['previous', 1]])
  })

  it('is empty when no peer has been identified', () => {
    assert.deepEqual(peerVersionRows([], '0.1.0'), [])
    assert.equal(totalPeers([]), 0)
  })
})

describe('compareVersionsDescending', () => {
  it('compares numerically, not as text', () => {
    assert.ok(compareVersionsDescending('0.10.0', '0.9.9') < 0)
    assert.ok(compareVersionsDescending('0.9.9', '0.10.0') > 0)
    assert.equal(compareVersionsDescending('1.2.3', '1.2.3'), 0)
  })
})

describe('describeCompatibility', () => {
  it('says a too-old peer is refused and a newer one is flagged', () => {
    assert.deepEqual(describeCompatibility('too-old'), { label: 'Too old: refused', tone: 'bad' })
    assert.equal(describeCompatibility('newer').tone, 'warn')
    assert.equal(describeCompatibility('current').tone, 'good')
  })
})
