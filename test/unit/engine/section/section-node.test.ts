// The section's state machine with ten vaults in memory (issue 3): forming, the elders' DKG, Join
// decisions, and what happens to forged decisions, bad votes and silent elders.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ELDER_COUNT } from '../../../../node-core/section/rules/elders.ts'
import { ageOfHexName, byRank, nameToHex } from '../../../../node-core/engine/section/known-vaults.ts'
import { peerIdOfName } from '../../../../node-core/engine/section/section-status.ts'
import type { SectionNode } from '../../../../node-core/engine/section/section-node.ts'
import { signShare } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { dealSharesAsTrustedDealer, signatureToHex } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { encodeProposal } from '../../../../node-core/section/crypto/decisions.ts'
import { MemorySection, newVaultIdentity, testIdentity } from './memory-section.ts'
import { forgedJoinDecision, joinProposal } from './section-fakes.ts'

function addVault (net: MemorySection, label: string): string {
  const identity = testIdentity(label)
  net.add(identity)
  return nameToHex(identity.name)
}

/** A vault that joins after the section formed: a new vault, of age 5. */
function addJoiner (net: MemorySection, label: string): string {
  return net.add(newVaultIdentity(label)).self
}

function rejections (node: SectionNode): Array<{ from: string, type: string, reason: string }> {
  const seen: Array<{ from: string, type: string, reason: string }> = []
  node.addEventListener('section:rejected', event => { seen.push(event.detail) })
  return seen
}

describe('a section of ten vaults in memory', { timeout: 240_000 }, () => {
  const net = new MemorySection()
  const founders = Array.from({ length: 10 }, (_, i) => addVault(net, `founder-${i}`))
  const oldest = byRank(founders).slice(0, ELDER_COUNT)

  /** Per vault, the vaults it counted as joined, each on a decision it verified. */
  const joinedSeen = new Map<string, string[]>()

  before(async () => {
    for (const name of founders) {
      const seen: string[] = []
      joinedSeen.set(name, seen)
      net.node(name).addEventListener('section:member-joined', event => { seen.push(event.detail.name) })
    }
    await net.connectAll()
    // The settle time passes and the DKG runs.
    await net.advance(1000)
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('makes the 7 oldest the elders, in rank order, and every vault holds the same section key', () => {
    const keys = new Set<string | null>()
    for (const name of founders) {
      const status = net.node(name).status()
      assert.equal(status.phase, 'active', `${name.slice(0, 8)} is ${status.phase}`)
      assert.deepEqual(status.elders.map(elder => elder.name), oldest.map(peerIdOfName))
      assert.deepEqual(status.elders.map(elder => elder.age), oldest.map(ageOfHexName))
      assert.equal(status.isElder, oldest.includes(name))
      keys.add(status.sectionKey)
    }
    assert.equal(keys.size, 1)
    assert.match([...keys][0] ?? '', /^[0-9a-f]{96}$/)
  })

  it('makes every vault the elders knew when keying a founding member: generation 0, ten members, no Join needed', () => {
    for (const name of founders) {
      const status = net.node(name).status()
      assert.equal(status.generation, 0)
      assert.equal(status.memberCount, 10)
      assert.equal(status.isMember, true)
      assert.deepEqual(status.members.map(member => member.age), [...status.members.map(member => member.age)].sort((a, b) => b - a), 'members are listed oldest first')
      assert.deepEqual(joinedSeen.get(name), [])
    }
    assert.equal(net.deliveries.filter(d => d.message.type === 'join-request' || d.message.type === 'vote').length, 0)
  })

  it('admits a late joiner: it learns the section from the elders\' statements, asks to join, and a verified decision admits it', async () => {
    const joiner = addJoiner(net, 'late-joiner')
    const joined: string[] = []
    net.node(founders[0] ?? '').addEventListener('section:member-joined', event => { joined.push(event.detail.name) })
    await net.connect(joiner, founders[0] ?? '')
    await net.advance(10)
    const status = net.node(joiner).status()
    assert.equal(status.isMember, true)
    assert.equal(status.generation, 1)
    assert.equal(status.sectionKey, net.node(founders[0] ?? '').status().sectionKey)
    assert.deepEqual(joined, [joiner])
    for (const name of founders) {
      assert.equal(net.node(name).status().memberCount, 11)
      assert.deepEqual(joinedSeen.get(name), [joiner], 'every founder counted the joiner on its verified decision')
    }
  })

  it('rejects a forged decision, signed by a key outside the section chain, with its reason; the sender is at fault', async () => {
    const member = net.node(founders[9] ?? '')
    const seen = rejections(member)
    const before = member.status()
    const outsider = nameToHex(testIdentity('outsider').name)
    const receipt = await member.receive(founders[8] ?? '', { type: 'decision', decision: forgedJoinDecision(outsider, before.generation) })
    assert.equal(receipt.accepted, false)
    assert.ok(!receipt.accepted && receipt.misbehaviour)
    assert.match(receipt.accepted ? '' : receipt.reason, /^unknown-section-key: decision signed by section key [0-9a-f]{16}\.\.\., which is not a known key of this section$/)
    assert.deepEqual(seen.map(r => r.type), ['decision'])
    assert.deepEqual(member.status().memberCount, before.memberCount)
    assert.equal(member.membership?.isMember(outsider), false)
  })

  it('ignores a replayed decision as stale, without blaming the sender', async () => {
    const member = net.node(founders[9] ?? '')
    const old = net.deliveries.find(d => d.message.type === 'decision' && d.receipt.accepted)
    assert.ok(old !== undefined && old.message.type === 'decision')
    const receipt = await member.receive(founders[0] ?? '', old.message)
    assert.ok(!receipt.accepted && !receipt.misbehaviour)
    assert.match(receipt.accepted ? '' : receipt.reason, /a replay/)
  })

  it('refuses a vote whose share does not verify under the elder\'s key share, as misbehaviour', async () => {
    const elder = net.node(oldest[0] ?? '')
    const from = oldest[1] ?? ''
    const generation = elder.status().generation
    const proposal = joinProposal(nameToHex(testIdentity('someone').name), generation)
    const stranger = dealSharesAsTrustedDealer({ threshold: 4, count: 7 }).secretKeyShares[1]
    assert.ok(stranger !== undefined)
    const signature = signatureToHex(signShare(stranger, encodeProposal(proposal)).signature)
    const receipt = await elder.receive(from, { type: 'vote', vote: { proposal, index: 2, signature } })
    assert.ok(!receipt.accepted && receipt.misbehaviour)
    assert.match(receipt.accepted ? '' : receipt.reason, /does not verify/)
    // The same vote claimed by another elder than its sender is refused before any crypto.
    const relayed = await elder.receive(oldest[2] ?? '', { type: 'vote', vote: { proposal, index: 2, signature } })
    assert.ok(!relayed.accepted && relayed.misbehaviour)
    assert.match(relayed.accepted ? '' : relayed.reason, /a vote of elder 2 sent by elder 3/)
  })

  it('still decides a join with two elders stopped, the next proposer taking over after the timeout', async () => {
    // Stop the proposer of the next generation and one more, so the first attempt is lost.
    const generation = net.node(founders[0] ?? '').status().generation
    const stopped = [oldest[generation % ELDER_COUNT] ?? '', oldest[(generation + 3) % ELDER_COUNT] ?? '']
    for (const name of stopped) net.stop(name)
    // The late joiner switched joins off: an adult's report that it is 90 % full lets this one in.
    await net.node(founders.find(name => !oldest.includes(name)) ?? '').reportStorageLevel(9)
    const joiner = addJoiner(net, 'joiner-with-two-elders-down')
    const live = founders.find(name => !stopped.includes(name)) ?? ''
    await net.connect(joiner, live)
    assert.equal(net.node(joiner).status().isMember, false, 'the proposer is down: no decision before the timeout')
    await net.advance(2000)
    const status = net.node(joiner).status()
    assert.equal(status.isMember, true)
    assert.equal(status.generation, generation + 1)
    for (const name of founders) if (!stopped.includes(name)) assert.equal(net.node(name).status().generation, generation + 1)
  })
})

describe('a section still forming', () => {
  it('has no elders while fewer than 7 vaults are known, and lists the vaults known so far', async () => {
    const net = new MemorySection()
    const names = Array.from({ length: 6 }, (_, i) => addVault(net, `small-${i}`))
    await net.connectAll()
    await net.advance(60_000)
    for (const name of names) {
      const status = net.node(name).status()
      assert.equal(status.phase, 'forming')
      assert.deepEqual(status.elders, [])
      assert.equal(status.sectionKey, null)
      assert.equal(status.memberCount, 6)
      assert.equal(status.isElder, false)
    }
    assert.equal(net.deliveries.filter(d => d.message.type.startsWith('dkg')).length, 0)
    for (const node of net.nodes.values()) node.stop()
  })
})

describe('a vault that restarts', () => {
  it('learns its section again from the members it says hello to, and is a member still', async () => {
    const net = new MemorySection()
    const names = Array.from({ length: 8 }, (_, i) => addVault(net, `restart-${i}`))
    await net.connectAll()
    await net.advance(1000)
    const young = byRank(names)[7] ?? ''
    const key = net.node(young).status().sectionKey
    assert.ok(key !== null)
    // The same identity in a fresh node: it knows nothing of the section; its peers know it already.
    net.node(young).stop()
    net.add(testIdentity(`restart-${names.indexOf(young)}`))
    await net.connect(young, names.find(name => name !== young) ?? '')
    const status = net.node(young).status()
    assert.equal(status.phase, 'active')
    assert.equal(status.sectionKey, key)
    assert.equal(status.isMember, true)
    for (const node of net.nodes.values()) node.stop()
  })
})

describe('a joiner whose admission is lost on the way', () => {
  it('asks again, and the elders answer with the statement that names it', async () => {
    const net = new MemorySection()
    const founders = Array.from({ length: 7 }, (_, i) => addVault(net, `lost-${i}`))
    await net.connectAll()
    await net.advance(1000)
    const joiner = addJoiner(net, 'lost-joiner')
    let lost = 0
    net.tamper = (_from, to, message) => {
      if (to !== joiner || (message.type !== 'decision' && !(message.type === 'section-info' && message.statements[0]?.statement.generation === 1))) return message
      lost++
      return undefined
    }
    await net.connect(joiner, founders[0] ?? '')
    assert.ok(lost > 0)
    assert.equal(net.node(founders[0] ?? '').status().generation, 1, 'the elders admitted it')
    assert.equal(net.node(joiner).status().isMember, false, 'but it heard nothing of it')
    net.tamper = undefined
    await net.advance(4000)
    const status = net.node(joiner).status()
    assert.equal(status.isMember, true)
    assert.equal(status.generation, 1)
    for (const node of net.nodes.values()) node.stop()
  })
})
