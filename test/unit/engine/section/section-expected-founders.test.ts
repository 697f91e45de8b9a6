// A section waits for the vaults it expects as founders (section-forming.ts): the host's own vault
// on an embedded network, which, once aged, could not join a section formed without it (a join
// without a proof is at age 5). It founds the section at its age; a founder that never comes is
// waited for only so long, and when it comes later it still joins at its age.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { identityOfAge, MemorySection, testIdentity } from './memory-section.ts'
import { nameToHex } from '../../../../node-core/engine/section/known-vaults.ts'

const WAIT_MS = 30_000
/** Older than a new vault: it could join only as a founder, or as one the section vouches for. */
const EXPECTED_AGE = 9

const expectedIdentity = (label: string) => identityOfAge(`${label}-expected`, EXPECTED_AGE)

function sectionExpecting (label: string): { net: MemorySection, vaults: string[], expected: string } {
  const expected = nameToHex(expectedIdentity(label).name)
  const net = new MemorySection({ expectedFounders: { names: [expected], waitMs: WAIT_MS } })
  const vaults = Array.from({ length: 7 }, (_, i) => net.add(testIdentity(`${label}-${i}`)).self)
  return { net, vaults, expected }
}

describe('a section that expects a founder', () => {
  it('does not key until the expected vault is known, then founds the section with it at its age', async () => {
    const { net, vaults, expected } = sectionExpecting('awaited')
    await net.connectAll()
    await net.advance(10_000)
    for (const name of vaults) assert.equal(net.node(name).phase, 'forming', 'the elders have settled and wait')
    net.add(expectedIdentity('awaited'))
    for (const name of vaults) await net.connect(expected, name)
    await net.advance(10_000)
    for (const name of [...vaults, expected]) {
      const status = net.node(name).status()
      assert.equal(status.phase, 'active')
      assert.equal(status.generation, 0, 'a founder: no Join decision')
      assert.equal(net.node(name).membership?.isMember(expected), true)
    }
    for (const node of net.nodes.values()) node.stop()
  })

  it('forms without it once the wait ends', async () => {
    const { net, vaults, expected } = sectionExpecting('absent')
    await net.connectAll()
    await net.advance(WAIT_MS - 1)
    assert.equal(net.node(vaults[0] ?? '').phase, 'forming')
    await net.advance(10_000)
    for (const name of vaults) {
      assert.equal(net.node(name).phase, 'active')
      assert.equal(net.node(name).membership?.isMember(expected), false)
    }
    for (const node of net.nodes.values()) node.stop()
  })
  it('admits it later at its age by a Join decision, and still refuses any other vault of that age without a proof', async () => {
    const { net, vaults, expected } = sectionExpecting('late')
    await net.connectAll()
    await net.advance(WAIT_MS + 10_000)
    assert.equal(net.node(vaults[0] ?? '').phase, 'active')
    net.add(expectedIdentity('late'))
    const stranger = net.add(identityOfAge('late-stranger', EXPECTED_AGE)).self
    for (const name of vaults) {
      await net.connect(expected, name)
      await net.connect(stranger, name)
    }
    await net.advance(20_000)
    for (const name of [...vaults, expected]) {
      const membership = net.node(name).membership
      assert.equal(membership?.isMember(expected), true, `${name.slice(0, 8)} has the expected founder as a member`)
      assert.equal(membership?.isMember(stranger), false)
      assert.equal(membership?.generation, 1, 'one Join decision, for the expected founder')
      assert.equal(membership?.joinsOn, true, 'a late founder completes the genesis: the joins switch stays on')
    }
    const decision = net.deliveries.find(d => d.message.type === 'decision')
    assert.ok(decision?.message.type === 'decision')
    assert.deepEqual(decision.message.decision.proposal.payload, { age: EXPECTED_AGE, expectedFounder: true })
    const refusals = new Set(net.deliveries.filter(d => d.from === stranger && d.message.type === 'join-request').map(d => d.receipt.accepted ? 'accepted' : d.receipt.reason))
    assert.deepEqual([...refusals], [`a join at age ${EXPECTED_AGE} without a relocation or demotion proof: a new vault joins at age 5`])
    for (const node of net.nodes.values()) node.stop()
  })

  it('keys with the elders it has when the wait ends, though an older vault came meanwhile and an elder that had settled is no longer one', async () => {
    const net = new MemorySection({ expectedFounders: { names: [nameToHex(expectedIdentity('older').name)], waitMs: WAIT_MS } })
    const failures: string[] = []
    const settled = Array.from({ length: 7 }, (_, i) => net.add(identityOfAge(`older-${i}`, 10 + i)).self)
    for (const name of settled) net.node(name).addEventListener('section:failure', event => { failures.push(event.detail.reason) })
    await net.connectAll()
    await net.advance(10_000)
    const older = net.add(identityOfAge('older-newcomer', 20)).self
    for (const name of settled) await net.connect(older, name)
    await net.advance(WAIT_MS)
    const vaults = [...settled, older]
    for (const name of vaults) assert.equal(net.node(name).phase, 'active', `${name.slice(0, 8)} is in the section`)
    const elders = net.node(older).membership?.elders ?? []
    assert.deepEqual([...elders].sort(), [older, ...settled.slice(1)].sort(), 'the 7 oldest: the newcomer in, the youngest out')
    assert.deepEqual(failures, [])
    for (const node of net.nodes.values()) node.stop()
  })
})
