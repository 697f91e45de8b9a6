// The local network's churn scheduler on a manual clock and a seeded PRNG, over a fake network:
// one event per interval, the same seed replays the same events, and the bounds hold (at most
// twice the founders in all, never fewer running than the section's elders, no elder stopped).
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { describe, it } from 'node:test'
import { identityFromSeed } from '../../../node-core/engine/identity/identity-file.ts'
import { LocalChurn, type ChurnEvent, type ChurnVaults } from '../../../node-core/localnet/local-churn.ts'
import { ELDER_COUNT } from '../../../node-core/section/rules/elders.ts'
import { ManualClock } from '../engine/section/memory-section.ts'

const INTERVAL_MS = 30_000

interface FakeVault {
  readonly peerId: PeerId
  readonly label: string
}

function fakeVault (label: string): FakeVault {
  const identity = identityFromSeed(Uint8Array.from(createHash('sha256').update(`local-churn-test/${label}`).digest()))
  return { peerId: peerIdFromPublicKey(publicKeyFromRaw(identity.name)), label }
}

/** A network of fake vaults that checks every call the churn makes against the rules. */
class FakeNetwork implements ChurnVaults<FakeVault> {
  readonly vaults: FakeVault[]
  readonly stopped = new Set<FakeVault>()
  /** The first ELDER_COUNT founders, as a formed section's elders; empty while it forms. */
  elders: Set<FakeVault>
  startCount = 0
  failNextStart = false

  constructor (founders: number) {
    this.vaults = Array.from({ length: founders }, (_, i) => fakeVault(`founder-${i}`))
    this.elders = new Set(this.vaults.slice(0, ELDER_COUNT))
  }

  running (): readonly FakeVault[] { return this.vaults }

  async startNew (): Promise<FakeVault> {
    if (this.failNextStart) {
      this.failNextStart = false
      throw new Error('no room for a new vault dir')
    }
    const vault = fakeVault(`joiner-${this.startCount++}`)
    this.vaults.push(vault)
    return vault
  }

  async leave (vault: FakeVault): Promise<void> {
    assert.ok(!this.elders.has(vault), `elder ${vault.label} left`)
    assert.ok(this.vaults.includes(vault), `${vault.label} left while not running`)
    this.vaults.splice(this.vaults.indexOf(vault), 1)
    this.stopped.add(vault)
  }

  async restart (vault: FakeVault): Promise<FakeVault> {
    assert.ok(this.stopped.delete(vault), `${vault.label} restarted without having left`)
    this.vaults.push(vault)
    return vault
  }

  mustKeep (vault: FakeVault): boolean {
    return this.elders.size === 0 || this.elders.has(vault)
  }
}

function churnOver (network: FakeNetwork, seed: number, founders: number): { churn: LocalChurn<FakeVault>, clock: ManualClock, events: ChurnEvent[] } {
  const clock = new ManualClock()
  const churn = new LocalChurn({ vaults: network, schedule: clock.schedule }, { intervalMs: INTERVAL_MS, seed, founders })
  const events: ChurnEvent[] = []
  churn.addEventListener('network:churn', event => { events.push(event.detail) })
  return { churn, clock, events }
}

/** Runs the next interval's event; fails if none is due by then. */
async function nextInterval (clock: ManualClock): Promise<void> {
  const due = clock.takeDue(clock.now + INTERVAL_MS)
  assert.ok(due !== undefined, 'no churn event scheduled within the interval')
  await due()
}

function describeEvents (events: readonly ChurnEvent[]): string[] {
  return events.map(event => `${event.kind} ${event.vault.toString()} ${event.running}`)
}

describe('LocalChurn', () => {
  it('runs one event per interval, none before the interval has passed, and none after stop', async () => {
    const network = new FakeNetwork(20)
    const { churn, clock, events } = churnOver(network, 1, 20)
    churn.start()
    assert.equal(clock.takeDue(INTERVAL_MS - 1), undefined)
    await nextInterval(clock)
    assert.equal(events.length, 1)
    assert.equal(clock.now, INTERVAL_MS)
    await nextInterval(clock)
    assert.equal(events.length, 2)
    await churn.stop()
    assert.equal(clock.takeDue(Number.MAX_SAFE_INTEGER), undefined, 'a stopped churn leaves no timer')
  })

  it('replays the same events from the same seed, and others from another seed', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const network = new FakeNetwork(20)
      const { churn, clock, events } = churnOver(network, seed, 20)
      churn.start()
      for (let i = 0; i < 40; i++) await nextInterval(clock)
      await churn.stop()
      return describeEvents(events)
    }
    const first = await run(42)
    assert.equal(first.length, 40)
    assert.deepEqual(await run(42), first)
    assert.notDeepEqual(await run(43), first)
  })

  it('joins, leaves and rejoins within the bounds: at most twice the founders in all, never an elder stopped', async () => {
    const founders = 12
    const network = new FakeNetwork(founders)
    const { churn, clock, events } = churnOver(network, 7, founders)
    churn.start()
    for (let i = 0; i < 300; i++) {
      await nextInterval(clock)
      assert.ok(churn.total <= 2 * founders, `${churn.total} vaults started`)
      assert.ok(network.vaults.length >= ELDER_COUNT)
      for (const elder of network.elders) assert.ok(network.vaults.includes(elder), `elder ${elder.label} not running`)
      assert.equal(events.at(-1)?.running, network.vaults.length)
      assert.equal(churn.left.length + network.vaults.length, churn.total)
    }
    await churn.stop()
    const kinds = new Set(events.map(event => event.kind))
    assert.deepEqual([...kinds].sort(), ['join', 'leave', 'rejoin'])
    assert.equal(churn.total, 2 * founders, 'joins go on until the bound')
    assert.equal(network.startCount, founders)
    const joined = events.filter(event => event.kind === 'join').map(event => event.vault.toString())
    assert.equal(new Set(joined).size, joined.length, 'each join is a new vault')
    const rejoined = events.filter(event => event.kind === 'rejoin')
    for (const event of rejoined) {
      const leftBefore = events.slice(0, events.indexOf(event)).some(e => e.kind === 'leave' && e.vault.equals(event.vault))
      assert.ok(leftBefore, 'only a vault that left rejoins')
    }
  })

  it('stops nobody while the section has no elders yet: it only joins, up to the bound', async () => {
    const network = new FakeNetwork(10)
    network.elders = new Set()
    const { churn, clock, events } = churnOver(network, 3, 10)
    churn.start()
    for (let i = 0; i < 15; i++) await nextInterval(clock)
    assert.deepEqual(events.map(event => event.kind), Array(10).fill('join'))
    assert.deepEqual(churn.possibleKinds(), [])
    await churn.stop()
  })

  it('counts the vaults an earlier run\'s churn added, started again before it, towards the bound', async () => {
    const network = new FakeNetwork(13)
    network.elders = new Set()
    const clock = new ManualClock()
    const churn = new LocalChurn({ vaults: network, schedule: clock.schedule }, { intervalMs: INTERVAL_MS, seed: 3, founders: 10, started: 13 })
    assert.equal(churn.total, 13)
    churn.start()
    for (let i = 0; i < 10; i++) await nextInterval(clock)
    assert.equal(churn.total, 20, 'only 7 more join')
    assert.deepEqual(churn.possibleKinds(), [])
    await churn.stop()
  })

  it('keeps at least as many vaults running as a small network founded', async () => {
    const network = new FakeNetwork(3)
    network.elders = new Set([network.vaults[0] ?? fakeVault('none')])
    const { churn, clock, events } = churnOver(network, 5, 3)
    churn.start()
    for (let i = 0; i < 50; i++) {
      await nextInterval(clock)
      assert.ok(network.vaults.length >= 3, `${network.vaults.length} running`)
    }
    await churn.stop()
    assert.ok(events.some(event => event.kind === 'leave'), 'vaults that joined later did leave')
    assert.ok(events.filter(event => event.kind === 'leave').every(event => event.running >= 3))
  })

  it('reports a failed event and goes on at the next interval', async () => {
    const network = new FakeNetwork(7)
    const { churn, clock, events } = churnOver(network, 9, 7)
    const failures: string[] = []
    churn.addEventListener('network:churn-failed', event => { failures.push(`${event.detail.kind}: ${event.detail.error.message}`) })
    network.failNextStart = true
    churn.start()
    // Every founder of a 7-vault network is an elder: only joins are possible.
    await nextInterval(clock)
    assert.deepEqual(failures, ['join: no room for a new vault dir'])
    assert.equal(events.length, 0)
    assert.equal(churn.total, 7)
    await nextInterval(clock)
    assert.deepEqual(events.map(event => [event.kind, event.running]), [['join', 8]])
    assert.equal(churn.total, 8)
    await churn.stop()
  })

  it('refuses a nonsensical interval or founder count', () => {
    const network = new FakeNetwork(1)
    assert.throws(() => new LocalChurn({ vaults: network }, { intervalMs: 0, seed: 1, founders: 1 }), RangeError)
    assert.throws(() => new LocalChurn({ vaults: network }, { intervalMs: 1000, seed: 1, founders: 0 }), RangeError)
  })
})
