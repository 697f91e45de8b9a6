// Era activation in a live section, in memory (issue 4 deliver 5, DESIGN §2 versions and eras):
// members tell the elders which eras their release supports, and the elders decide the next era
// only once at least 80% of the members and 5 of the 7 elders support it, effective from a later
// generation. Every member learns the era from the decision, or from a statement if it missed it.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { byRank, nameToHex } from '../../../../node-core/engine/section/known-vaults.ts'
import { ELDER_COUNT } from '../../../../node-core/section/rules/elders.ts'
import { ActiveEraGuard } from '../../../../node-core/engine/versions/eras.ts'
import { MemorySection, newVaultIdentity, testIdentity } from './memory-section.ts'

const FOUNDERS = 10
const NEXT_ERA = [1, 2] as const
const FIRST_ONLY = [1] as const

describe('era activation in a section of ten vaults in memory', { timeout: 240_000 }, () => {
  const net = new MemorySection()
  const labels = Array.from({ length: FOUNDERS }, (_, i) => `era-founder-${i}`)
  const names = labels.map(label => nameToHex(testIdentity(label).name))
  const elders = byRank(names).slice(0, ELDER_COUNT)
  const adults = names.filter(name => !elders.includes(name))
  const eraEvents = new Map<string, Array<{ era: number, effectiveFromEpoch: number, generation: number }>>()

  const add = (label: string, eras: readonly number[], identity = testIdentity(label)): void => {
    const name = nameToHex(identity.name)
    const events = eraEvents.get(name) ?? []
    eraEvents.set(name, events)
    net.add(identity, { supportedEras: eras }).addEventListener('section:era', event => {
      events.push({ ...event.detail.active, generation: event.detail.generation })
    })
  }

  before(async () => {
    // Every elder's release supports era 2, the adults' do not: 7 of 10 members, 70%.
    for (const [i, label] of labels.entries()) add(label, elders.includes(names[i] ?? '') ? NEXT_ERA : FIRST_ONLY)
    await net.connectAll()
    await net.advance(1000)
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('does not activate the next era while only 70% of the members support it, though all 7 elders do', async () => {
    await net.advance(30_000)
    for (const name of names) {
      const node = net.node(name)
      assert.equal(node.status().phase, 'active')
      assert.deepEqual(node.activeEra, { era: 1, effectiveFromEpoch: 0 })
      assert.equal(node.generation, 0)
    }
    const votes = net.deliveries.filter(delivery => delivery.message.type === 'vote')
    assert.equal(votes.length, 0, 'no elder proposed or signed an activation')
    const supportTold = net.deliveries.filter(delivery => delivery.message.type === 'era-support' && delivery.receipt.accepted)
    assert.ok(supportTold.length >= (FOUNDERS - 1) * (ELDER_COUNT - 1) - ELDER_COUNT, `${supportTold.length} era-support messages accepted`)
  })

  it('activates era 2, effective from the next generation, once an adult upgrades and 80% support it', async () => {
    const upgraded = adults[0] ?? ''
    net.node(upgraded).stop()
    add(labels[names.indexOf(upgraded)] ?? '', NEXT_ERA)
    await net.connect(upgraded, elders[0] ?? '')
    await net.advance(10_000)
    for (const name of names) {
      const node = net.node(name)
      assert.deepEqual(node.activeEra, { era: 2, effectiveFromEpoch: 1 }, `${name.slice(0, 8)} knows the era`)
      assert.equal(node.generation, 1)
    }
    const decided = net.deliveries.find(delivery => delivery.message.type === 'decision')
    assert.ok(decided?.message.type === 'decision')
    assert.equal(decided.message.decision.proposal.kind, 'era-activation')
    assert.equal(decided.message.decision.proposal.subject, 'era-2')
    // The adults whose release stops at era 1 are told to stop, with a reason, once it is in effect.
    for (const name of adults.slice(1)) {
      assert.deepEqual(eraEvents.get(name), [{ era: 2, effectiveFromEpoch: 1, generation: 1 }])
      const guard = new ActiveEraGuard(net.node(name).activeEra, FIRST_ONLY)
      assert.throws(() => { guard.check(net.node(name).generation) }, { name: 'UnsupportedEraError', message: /upgrade required: this vault supports eras \[1\] but era 2 is active since epoch 1/ })
    }
  })

  it('tells a vault that missed the decision the active era through the elders\' signed statement', async () => {
    const late = newVaultIdentity('era-late-joiner')
    add('era-late-joiner', NEXT_ERA, late)
    const name = nameToHex(late.name)
    await net.connect(name, elders[0] ?? '')
    await net.advance(10_000)
    const node = net.node(name)
    assert.equal(node.status().isMember, true)
    assert.deepEqual(node.activeEra, { era: 2, effectiveFromEpoch: 1 })
    assert.deepEqual(eraEvents.get(name)?.map(event => event.era), [2])
  })
})

describe('era support lost on its way to an elder, in memory', { timeout: 240_000 }, () => {
  const RETELL_MS = 20_000
  const net = new MemorySection({ eraSupportRetellMs: RETELL_MS })
  const labels = Array.from({ length: FOUNDERS }, (_, i) => `era-lost-founder-${i}`)
  const names = labels.map(label => nameToHex(testIdentity(label).name))
  const elders = byRank(names).slice(0, ELDER_COUNT)
  const adults = names.filter(name => !elders.includes(name))

  before(async () => {
    for (const [i, label] of labels.entries()) net.add(testIdentity(label), { supportedEras: elders.includes(names[i] ?? '') ? NEXT_ERA : FIRST_ONLY })
    await net.connectAll()
    await net.advance(1000)
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('tells it again until the era is decided, so with 2 elders down the other 5 still activate it', async () => {
    const [upgraded = '', ...stayingBehind] = adults
    // Two elders down: the activation needs every one of the other five.
    for (const elder of elders.slice(5)) net.stop(elder)
    const lostTo = elders[0] ?? ''
    let lost = 0
    net.tamper = (from, to, message) => {
      if (from !== upgraded || to !== lostTo || message.type !== 'era-support' || lost > 0) return message
      lost++
      return undefined
    }
    net.node(upgraded).stop()
    net.add(testIdentity(labels[names.indexOf(upgraded)] ?? ''), { supportedEras: NEXT_ERA })
    await net.connect(upgraded, elders[1] ?? '')
    await net.advance(RETELL_MS / 2)
    assert.equal(lost, 1)
    assert.deepEqual(net.node(lostTo).activeEra, { era: 1, effectiveFromEpoch: 0 }, 'the elder that lost the support objects: 75% of the members support era 2 in its view')

    await net.advance(RETELL_MS)
    for (const name of [...elders.slice(0, 5), upgraded, ...stayingBehind]) {
      assert.deepEqual(net.node(name).activeEra, { era: 2, effectiveFromEpoch: 1 }, `${name.slice(0, 8)} knows the era`)
    }
    const upgradeTold = net.deliveries.filter(delivery => delivery.from === upgraded && delivery.to === lostTo && delivery.message.type === 'era-support' && delivery.message.eras.includes(2))
    assert.equal(upgradeTold.length, 1, 'told again once, after the period: the first was lost')
  })
})
