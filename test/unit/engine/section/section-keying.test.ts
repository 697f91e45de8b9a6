// The elders' DKG run over section messages (issue 3): a silent elder costs the round timeouts
// and its dealing, a share spoiled on its way draws a complaint that the dealer answers publicly,
// and a change of the 7 oldest before keying starts it over with the new set.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { byRank, nameToHex } from '../../../../node-core/engine/section/known-vaults.ts'
import { scalarToHex } from '../../../../node-core/section/crypto/scalar.ts'
import { MemorySection, testIdentity } from './memory-section.ts'

function addVaults (net: MemorySection, prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const identity = testIdentity(`${prefix}-${i}`)
    net.add(identity)
    return nameToHex(identity.name)
  })
}

describe('the elders\' key generation', { timeout: 120_000 }, () => {
  it('completes without a silent elder after the round timeouts; that elder stays an elder, without a key share', async () => {
    const net = new MemorySection({ dkgRoundTimeoutMs: 5000 })
    const names = addVaults(net, 'silent', 8)
    const silent = byRank(names)[3] ?? ''
    await net.connectAll()
    net.stop(silent)
    const keyed: boolean[] = []
    for (const name of names) net.node(name).addEventListener('section:established', event => { keyed.push(event.detail.hasKeyShare) })
    await net.advance(1000)
    assert.equal(net.node(names.find(n => n !== silent) ?? '').phase, 'keying', 'the others wait for the silent elder')
    await net.advance(3 * 5000)
    for (const name of names) {
      if (name === silent) continue
      const status = net.node(name).status()
      assert.equal(status.phase, 'active')
      assert.equal(status.elders.length, 7)
      assert.equal(status.memberCount, 8)
    }
    assert.deepEqual(keyed.filter(Boolean).length, 6, 'the six elders that dealt hold key shares')
    const keyingFailures = net.deliveries.filter(d => d.message.type === 'dkg-round' && d.message.keying.attempt > 0)
    assert.equal(keyingFailures.length, 0, 'one run was enough')
    for (const node of net.nodes.values()) node.stop()
  })

  it('waits for the other elders when one settled long before them, and every elder holds a share of the one key', async () => {
    const net = new MemorySection({ dkgRoundTimeoutMs: 5000 })
    const names = addVaults(net, 'early', 7)
    const [early, ...late] = byRank(names)
    assert.ok(early !== undefined)
    // Only the oldest sees everyone at first: it settles and deals while the others know only it
    // (their hellos to each other are lost).
    net.tamper = (from, _to, message) => message.type === 'hello' && from !== early ? undefined : message
    for (const name of late) await net.node(early).vaultSeen(name)
    await net.settle()
    await net.advance(1000)
    assert.equal(net.node(early).phase, 'keying')
    await net.advance(4 * 5000)
    assert.equal(net.node(early).phase, 'keying', 'it has not dealt alone and failed')
    net.tamper = undefined
    await net.connectAll()
    await net.advance(1000)
    const keys = new Set(names.map(name => net.node(name).status().sectionKey))
    assert.equal(keys.size, 1)
    assert.ok(names.every(name => net.node(name).isVotingElder))
    assert.equal(net.deliveries.filter(d => d.message.type === 'dkg-round' && d.message.keying.attempt > 0).length, 0)
    for (const node of net.nodes.values()) node.stop()
  })

  it('answers a complaint about a share spoiled on its way: the dealer reveals it publicly and stays qualified', async () => {
    const net = new MemorySection()
    const names = addVaults(net, 'complaint', 7)
    const [dealer, victim] = byRank(names)
    let spoiled = 0
    net.tamper = (from, to, message) => {
      if (message.type !== 'dkg-share' || from !== dealer || to !== victim) return message
      spoiled++
      return { ...message, message: { ...message.message, share: scalarToHex(12345n) } }
    }
    await net.connectAll()
    await net.advance(1000)
    assert.equal(spoiled, 1)
    const complaints = net.deliveries.filter(d => d.message.type === 'dkg-round' && d.message.round === 'complaining' && d.message.messages.length > 0)
    assert.ok(complaints.length > 0 && complaints.every(d => d.from === victim))
    const answers = net.deliveries.filter(d => d.message.type === 'dkg-round' && d.message.round === 'justifying' && d.message.messages.length > 0)
    assert.ok(answers.length > 0 && answers.every(d => d.from === dealer))
    const keys = new Set(names.map(name => net.node(name).status().sectionKey))
    assert.equal(keys.size, 1)
    assert.ok(names.every(name => net.node(name).isVotingElder), 'every elder, the victim too, holds a share of the one key')
    for (const node of net.nodes.values()) node.stop()
  })

  it('starts over when an older vault appears while the oldest settle, and keys with the new set', async () => {
    const net = new MemorySection()
    const names = addVaults(net, 'settle', 8)
    const [latecomer, ...early] = byRank(names)
    assert.ok(latecomer !== undefined)
    for (const a of early) for (const b of early) if (a !== b) await net.node(a).vaultSeen(b)
    await net.settle()
    await net.advance(500)
    await net.connect(latecomer, early[0] ?? '')
    await net.advance(1000)
    const status = net.node(early[0] ?? '').status()
    assert.equal(status.phase, 'active')
    assert.equal(status.elders.length, 7)
    assert.ok(net.node(latecomer).status().isElder, 'the oldest vault, seen before keying, is an elder')
    assert.equal(net.deliveries.filter(d => d.message.type === 'dkg-round' && !d.message.keying.elders.includes(latecomer)).length, 0, 'no run started without it')
    for (const node of net.nodes.values()) node.stop()
  })
})

describe('an elder that missed the key generation', { timeout: 120_000 }, () => {
  it('asks the section to key again: a Rekey is decided, the same 7 elders key anew, the old key signs the new one and every elder holds a share', async () => {
    const net = new MemorySection({ dkgRoundTimeoutMs: 5000 })
    const names = addVaults(net, 'rekey', 8)
    const elders = byRank(names).slice(0, 7)
    const shareless = elders[3] ?? ''
    // Its genesis run hears nobody and nobody hears it: it ends without a share, as under a heavy load.
    net.tamper = (from, to, message) => (message.type === 'dkg-round' || message.type === 'dkg-share') && message.keying.from === undefined && (from === shareless || to === shareless) ? undefined : message
    const established: Array<{ sectionKey: string, isElder: boolean, hasKeyShare: boolean }> = []
    net.node(shareless).addEventListener('section:established', event => { established.push(event.detail) })
    const rekeyed = new Map<string, { name: string, generation: number, self: boolean }>()
    for (const name of names) net.node(name).addEventListener('section:rekey', event => { rekeyed.set(name, event.detail) })
    await net.connectAll()
    for (let waited = 0; established.length === 0 && waited < 60_000; waited += 1000) await net.advance(1000)
    net.tamper = undefined
    assert.deepEqual(established.map(({ isElder, hasKeyShare }) => ({ isElder, hasKeyShare })), [{ isElder: true, hasKeyShare: false }], 'an elder that knows the key from the others\' statement, and holds no share')
    const genesisKey = established[0]?.sectionKey
    await net.advance(4 * 5000)
    const rekeys = net.deliveries.filter(d => d.message.type === 'decision' && d.message.decision.proposal.kind === 'rekey')
    assert.ok(rekeys.length > 0, 'a Rekey was decided')
    assert.ok(rekeys.every(d => d.message.type === 'decision' && d.message.decision.proposal.subject === shareless && d.message.decision.sectionKey === genesisKey))
    assert.deepEqual([...rekeyed.keys()].sort(), [...names].sort(), 'every vault applied it')
    assert.deepEqual(rekeyed.get(shareless), { name: shareless, generation: rekeyed.get(shareless)?.generation, self: true })
    const keys = new Set(names.map(name => net.node(name).status().sectionKey))
    assert.equal(keys.size, 1, 'every vault follows one key')
    assert.notEqual([...keys][0], genesisKey, 'a new one')
    assert.equal(net.node(names[0] ?? '').membership?.chain.keys.length, 2, 'the section chain: the genesis key signed the new one')
    assert.ok(elders.every(name => net.node(name).isVotingElder), 'every elder holds a share of it')
    assert.equal(net.node(names[0] ?? '').status().elders.length, 7)
    assert.ok(elders.every(name => net.node(name).status().isElder), 'the same elders')
    const asked = net.deliveries.filter(d => d.message.type === 'rekey-request')
    assert.ok(asked.length > 0 && asked.every(d => d.from === shareless), 'only it asked')
    for (const node of net.nodes.values()) node.stop()
  })
})
