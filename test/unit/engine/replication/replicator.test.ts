// Re-replication over an in-memory section: every member runs a Replicator whose has/put reach the
// other members' in-memory stores, so who pushes what, to whom, can be counted exactly.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { storageOrder, type SectionView } from '../../../../node-core/engine/replication/holder-order.ts'
import { Replicator, type ReplicationRun } from '../../../../node-core/engine/replication/replicator.ts'
import { FullHolders } from '../../../../node-core/engine/replication/section-placement.ts'
import { addressToBytes, chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { StoreFullError } from '../../../../node-core/engine/store/chunk-store.ts'
import { nameOf, view } from './fixtures.ts'

const COPIES = 4

class MemorySection {
  section: SectionView
  readonly holdings = new Map<string, Map<string, Uint8Array>>()
  readonly replicators = new Map<string, Replicator>()
  readonly pushes: string[] = []
  readonly full = new Set<string>()
  readonly down = new Set<string>()
  readonly runs: ReplicationRun[] = []
  /** While set, every put waits for it; `gated` is called as the first put reaches it. */
  gate: Promise<void> | undefined
  gated: () => void = () => {}

  constructor (section: SectionView) {
    this.section = section
    for (const name of section.members) this.add(name)
  }

  add (name: string): void {
    const store = new Map<string, Uint8Array>()
    this.holdings.set(name, store)
    const fullHolders = new FullHolders()
    const replicator = new Replicator({
      self: name,
      store: { addresses: () => store.keys(), get: async address => store.get(address) },
      view: () => this.section,
      has: async (member, address) => {
        if (this.down.has(member)) throw new Error(`${member.slice(0, 8)} is down`)
        return this.holdings.get(member)?.has(address) === true
      },
      put: async (member, bytes) => {
        if (this.gate !== undefined) {
          this.gated()
          await this.gate
        }
        if (this.down.has(member)) throw new Error(`${member.slice(0, 8)} is down`)
        if (this.full.has(member)) throw new StoreFullError('store is full')
        const address = chunkAddress(bytes)
        this.pushes.push(`${name}>${member}:${address}`)
        this.holdings.get(member)?.set(address, bytes)
        this.replicators.get(member)?.noteStored(address)
      },
      mayReceive: (member, generation) => !fullHolders.isFull(member, generation),
      full: (member, generation) => { fullHolders.mark(member, generation) }
    }, { copies: COPIES })
    replicator.addEventListener('replication:finished', event => { this.runs.push(event.detail) })
    replicator.start()
    this.replicators.set(name, replicator)
  }

  /** Stores a chunk as a client would: on the first COPIES of the storage order. */
  store (label: string): string {
    const bytes = createHash('sha256').update(label).digest()
    const address = chunkAddress(bytes)
    for (const name of storageOrder(addressToBytes(address), this.section).slice(0, COPIES)) this.holdings.get(name)?.set(address, bytes)
    return address
  }

  holdersOf (address: string): string[] {
    return [...this.holdings].flatMap(([name, store]) => store.has(address) ? [name] : [])
  }

  async churn (next: SectionView): Promise<void> {
    this.section = next
    for (const name of next.members) if (!this.holdings.has(name)) this.add(name)
    // A vault that is down runs nothing.
    for (const [name, replicator] of this.replicators) if (!this.down.has(name)) replicator.churned()
    await Promise.all([...this.replicators.values()].map(async replicator => { await replicator.idle() }))
  }
}

const founders = Array.from({ length: 10 }, (_, i) => nameOf(`founder-${i}`))
const elders = founders.slice(0, 7)

function fixture (): { net: MemorySection, chunks: string[] } {
  const net = new MemorySection(view(founders, elders))
  const chunks = Array.from({ length: 40 }, (_, i) => net.store(`chunk-${i}`))
  return { net, chunks }
}

function assertOnTheirHolders (net: MemorySection, chunks: string[], except: ReadonlySet<string> = new Set()): void {
  for (const address of chunks) {
    const wanted = storageOrder(addressToBytes(address), net.section).filter(name => !except.has(name)).slice(0, COPIES)
    const holders = net.holdersOf(address)
    for (const name of wanted) assert.ok(holders.includes(name), `chunk ${address.slice(0, 8)} missing on ${name.slice(0, 8)}; order ${storageOrder(addressToBytes(address), net.section).map(n => n.slice(0, 8)).join(' ')}; holders ${holders.map(n => n.slice(0, 8)).join(' ')}; pushes ${net.pushes.filter(p => p.endsWith(address)).map(p => p.slice(0, 8) + '>' + p.split('>')[1]?.slice(0, 8)).join(' ')}`)
  }
}

describe('Replicator', () => {
  it('after joins that leave the section with enough adults, moves every chunk onto its 4 closest adults, each copy pushed once, nothing deleted', async () => {
    const { net, chunks } = fixture()
    const before = new Map(chunks.map(address => [address, net.holdersOf(address)]))
    const joiners = Array.from({ length: 4 }, (_, i) => nameOf(`joiner-${i}`))
    await net.churn(view([...founders, ...joiners], elders, [], 1))
    assertOnTheirHolders(net, chunks)
    assert.equal(new Set(net.pushes).size, net.pushes.length, 'a copy was pushed twice')
    assert.ok(net.pushes.length > 0)
    for (const address of chunks) {
      for (const holder of before.get(address) ?? []) assert.ok(net.holdersOf(address).includes(holder), 'a holder dropped a chunk on churn')
    }
    const pushers = new Set(net.pushes.map(push => push.split('>')[0]))
    assert.ok([...pushers].every(name => founders.includes(name ?? '')), 'only vaults that held chunks push')
  })

  it('when a holder is paused, gives its chunks to the next member in order; the paused one keeps them', async () => {
    const { net, chunks } = fixture()
    const adult = founders[9] ?? ''
    const held = chunks.filter(address => net.holdersOf(address).includes(adult))
    assert.ok(held.length > 0)
    await net.churn(view(founders, elders, [adult], 1))
    assertOnTheirHolders(net, chunks)
    for (const address of held) {
      assert.ok(net.holdersOf(address).includes(adult))
      assert.equal(net.holdersOf(address).length, COPIES + 1)
    }
    assert.equal(new Set(net.pushes).size, net.pushes.length)
    assert.equal(net.pushes.length, held.length, 'one push per chunk the paused vault held')
  })

  it('skips a member that answers full and uses the next in order', async () => {
    const { net, chunks } = fixture()
    const joiner = nameOf('full-joiner')
    net.add(joiner)
    net.full.add(joiner)
    await net.churn(view([...founders, joiner], elders, [], 1))
    assertOnTheirHolders(net, chunks, new Set([joiner]))
    assert.ok(chunks.every(address => !net.holdersOf(address).includes(joiner)))
    assert.ok(net.runs.some(run => run.failed > 0), 'the full answers were counted as failed pushes')
  })

  it('does not run again for a generation that changed no member, elder or pause (an era activation)', async () => {
    const { net } = fixture()
    await net.churn(view(founders, elders, [], 1))
    const runs = net.runs.length
    assert.equal(runs, founders.length)
    await net.churn(view(founders, elders, [], 2))
    assert.equal(net.runs.length, runs)
  })

  it('cancels a run when the next churn arrives; the next run places by the newest section', async () => {
    const { net, chunks } = fixture()
    let open = (): void => {}
    net.gate = new Promise(resolve => { open = resolve })
    const pushing = new Promise<void>(resolve => { net.gated = resolve })
    const first = nameOf('first-joiner')
    net.section = view([...founders, first], elders, [], 1)
    net.add(first)
    for (const replicator of net.replicators.values()) replicator.churned()
    await pushing
    const second = nameOf('second-joiner')
    const pausedAdult = founders[8] ?? ''
    const settled = net.churn(view([...founders, first, second], elders, [pausedAdult], 2))
    open()
    await settled
    net.gate = undefined
    assert.ok(net.runs.some(run => run.generation === 1 && run.cancelled), 'the first run was not cancelled')
    assert.ok(net.runs.filter(run => run.generation === 2).every(run => !run.cancelled))
    assertOnTheirHolders(net, chunks)
  })

  it('passes a chunk on when the closer holder it would ask cannot be reached', async () => {
    const { net, chunks } = fixture()
    const joiners = Array.from({ length: 4 }, (_, i) => nameOf(`late-${i}`))
    // The first holder in order of many chunks is down: the next holder cannot tell it holds them.
    const down = founders[7] ?? ''
    net.down.add(down)
    await net.churn(view([...founders, ...joiners], elders, [], 1))
    assertOnTheirHolders(net, chunks, new Set([down]))
  })
})
