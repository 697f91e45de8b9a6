// What starts a re-replication run: the section node's `section:generation`, after each decision
// that moved the generation, with the membership already updated, on every member and the joiner.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { placementKey, sectionViewOf } from '../../../../node-core/engine/replication/holder-order.ts'
import { nameToHex } from '../../../../node-core/engine/section/known-vaults.ts'
import { MemorySection, newVaultIdentity, testIdentity } from '../section/memory-section.ts'

describe('section:generation, the churn that starts re-replication', { timeout: 120_000 }, () => {
  const net = new MemorySection()
  const founders = Array.from({ length: 10 }, (_, i) => {
    const identity = testIdentity(`replication-founder-${i}`)
    net.add(identity)
    return nameToHex(identity.name)
  })

  before(async () => {
    await net.connectAll()
    await net.advance(1000)
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('fires on every founder and on the joiner once a join is decided, the view then naming the joiner', async () => {
    const seen = new Map<string, Array<{ generation: number, key: string }>>()
    const watch = (name: string): void => {
      const events: Array<{ generation: number, key: string }> = []
      seen.set(name, events)
      const node = net.node(name)
      node.addEventListener('section:generation', event => {
        const membership = node.membership
        assert.ok(membership !== undefined)
        events.push({ generation: event.detail.generation, key: placementKey(sectionViewOf(membership)) })
      })
    }
    for (const name of founders) watch(name)
    const founder = founders[0] ?? ''
    const membership = net.node(founder).membership
    assert.ok(membership !== undefined)
    const before = placementKey(sectionViewOf(membership))
    const identity = newVaultIdentity('replication-joiner')
    const joiner = nameToHex(identity.name)
    net.add(identity)
    watch(joiner)
    await net.connect(joiner, founder)
    await net.advance(10)
    for (const name of [...founders, joiner]) {
      const events = seen.get(name) ?? []
      assert.equal(events.length, 1, `${name.slice(0, 8)} saw ${events.length} generation events`)
      assert.equal(events[0]?.generation, 1)
      assert.notEqual(events[0]?.key, before)
      assert.ok(events[0]?.key.includes(joiner))
    }
  })
})
