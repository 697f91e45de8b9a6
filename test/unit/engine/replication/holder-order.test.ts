import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { holderOrder, placementKey, replicationPlan, sectionViewOf, storageOrder } from '../../../../node-core/engine/replication/holder-order.ts'
import { addressToBytes } from '../../../../node-core/engine/store/chunk-address.ts'
import { addressOf, nameOf, nearest, view } from './fixtures.ts'

const members = Array.from({ length: 12 }, (_, i) => nameOf(`m${i}`))
const elders = members.slice(0, 7)
const adults = members.slice(7)
const chunks = Array.from({ length: 20 }, (_, i) => addressOf(`c${i}`))

describe('holderOrder', () => {
  it('puts the active adults first, nearest first, then the active elders, then the paused members', () => {
    const paused = [adults[0] ?? '', elders[0] ?? '']
    for (const address of chunks) {
      const order = holderOrder(addressToBytes(address), view(members, elders, paused))
      const activeAdults = adults.filter(name => !paused.includes(name))
      const activeElders = elders.filter(name => !paused.includes(name))
      assert.deepEqual(order, [...nearest(address, activeAdults), ...nearest(address, activeElders), ...nearest(address, paused)])
    }
  })

  it('places every chunk on 4 adults alone once the section has 4 active adults', () => {
    const withFourAdults = view(members, elders.slice(0, 7), [adults[4] ?? ''])
    for (const address of chunks) {
      const first = storageOrder(addressToBytes(address), withFourAdults).slice(0, 4)
      assert.deepEqual(first, nearest(address, adults.slice(0, 4)))
    }
  })

  it('fills in with the nearest elder while the section has only 3 active adults (the local network: 10 vaults, 7 elders)', () => {
    const ten = members.slice(0, 10)
    for (const address of chunks) {
      const first = storageOrder(addressToBytes(address), view(ten, elders)).slice(0, 4)
      assert.deepEqual(first.slice(0, 3), nearest(address, ten.slice(7)))
      assert.equal(first[3], nearest(address, elders)[0])
    }
  })

  it('never gives data to a paused member', () => {
    const paused = adults.slice(0, 3)
    for (const address of chunks) {
      const order = storageOrder(addressToBytes(address), view(members, elders, paused))
      assert.equal(order.length, members.length - paused.length)
      assert.ok(order.every(name => !paused.includes(name)))
    }
  })
})

describe('replicationPlan (who pushes what)', () => {
  it('asks every member before this vault in holder order, and walks the storage order', () => {
    const section = view(members, elders, [adults[1] ?? ''])
    for (const address of chunks) {
      const order = holderOrder(addressToBytes(address), section)
      for (const [position, self] of order.entries()) {
        const plan = replicationPlan(addressToBytes(address), section, self)
        assert.equal(plan.kind, 'check')
        if (plan.kind !== 'check') continue
        assert.deepEqual(plan.ask, order.slice(0, position))
        assert.deepEqual(plan.storage, storageOrder(addressToBytes(address), section))
      }
    }
  })

  it('makes exactly one holder the pusher for any set of holders: the first in order', () => {
    const section = view(members, elders)
    for (const address of chunks) {
      const holders = members.filter((_, i) => (i * 7 + address.charCodeAt(0)) % 3 === 0)
      const pushers = holders.filter(self => {
        const plan = replicationPlan(addressToBytes(address), section, self)
        return plan.kind === 'check' && !plan.ask.some(name => holders.includes(name))
      })
      assert.equal(pushers.length, 1, `chunk ${address.slice(0, 8)} held by ${holders.length}`)
      assert.equal(pushers[0], holderOrder(addressToBytes(address), section).find(name => holders.includes(name)))
    }
  })

  it('lets a vault that is not a member push nothing', () => {
    assert.deepEqual(replicationPlan(addressToBytes(chunks[0] ?? ''), view(members, elders), nameOf('outsider')), { kind: 'not-a-member' })
  })
})

describe('sectionViewOf and placementKey', () => {
  it('snapshots the members, elders and pauses of a membership', () => {
    const live = new Set(members)
    const snapshot = sectionViewOf({ members: live, elders, generation: 3, pauseOf: name => name === adults[0] ? {} : undefined })
    live.add(nameOf('late'))
    assert.deepEqual(snapshot.members, members)
    assert.deepEqual([...snapshot.paused], [adults[0]])
    assert.equal(snapshot.generation, 3)
  })

  it('is the same for the same section in any order and generation, and differs on a join or a pause', () => {
    const key = placementKey(view(members, elders, [], 1))
    assert.equal(placementKey(view([...members].reverse(), [...elders].reverse(), [], 9)), key)
    assert.notEqual(placementKey(view([...members, nameOf('joiner')], elders)), key)
    assert.notEqual(placementKey(view(members, elders, [adults[0] ?? ''])), key)
  })
})
