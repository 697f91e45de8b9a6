// What a vault does with one gossiped frame: a good, newer pointer is kept and announced; junk,
// oversize frames and bad signatures cost the sender local trust; a stale pointer costs nothing.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Root } from '@tufjs/models'
import { LocalTrust } from '../../../../node-core/engine/network/local-trust.ts'
import { releaseKeyFromSeed } from '../../../../node-core/release/keys.ts'
import { parseRoot } from '../../../../node-core/release/metadata.ts'
import {
  decodeReleaseFrame, encodeReleaseFrame, MAX_RELEASE_FRAME_BYTES, ReleaseGossip, type ReleaseGossipComponents, type ReleaseGossipInit, type ReleasePointerEvent
} from '../../../../node-core/release/network/release-gossip.ts'
import { signReleasePointer, type ReleasePointer } from '../../../../node-core/release/network/release-pointer.ts'
import { createFixture, seedFrom, type Fixture } from '../release-fixtures.ts'

const PEER = '12D3KooWPeer'
const pointerV = (version: number): ReleasePointer => ({ version, indexAddress: 'ab'.repeat(32), timestampVersion: version, publishedAt: '2026-11-21T10:00:00.000Z' })

/** No connections: these tests are about one frame, forwarding is the integration test's. */
const noNetwork: ReleaseGossipComponents['libp2p'] = {
  handle: async () => {},
  unhandle: async () => {},
  getConnections: () => [],
  addEventListener: () => {},
  removeEventListener: () => {},
  peerStore: {} as ReleaseGossipComponents['libp2p']['peerStore']
}

describe('release gossip frames', () => {
  let fixture: Fixture
  let root: Root

  before(async () => {
    fixture = await createFixture()
    root = parseRoot(JSON.parse(await readFile(join(fixture.clientDir, 'root.json'), 'utf8'))).signed
  })
  after(async () => { await fixture.cleanup() })

  function gossip (init: ReleaseGossipInit = {}): { service: ReleaseGossip, trust: LocalTrust, events: ReleasePointerEvent[] } {
    const trust = new LocalTrust()
    const service = new ReleaseGossip({ libp2p: noNetwork, trust, trustedRoot: () => root, now: () => new Date('2026-11-21T10:00:01Z') }, init)
    const events: ReleasePointerEvent[] = []
    service.addEventListener('release:pointer', event => { events.push(event.detail) })
    return { service, trust, events }
  }

  it('keeps and announces a newer signed pointer once, and never goes back', async () => {
    const { service, trust, events } = gossip()
    const v2 = signReleasePointer(pointerV(2), fixture.keys.timestamp)
    assert.equal(await service.receiveFrame(encodeReleaseFrame(v2), PEER), 'accepted')
    assert.equal(await service.receiveFrame(encodeReleaseFrame(v2), PEER), 'known')
    assert.equal(events.length, 1)
    assert.equal(events[0]?.from, PEER)
    assert.deepEqual(service.latest, v2)
    // An older pointer is refused, but a peer that has not heard of v2 yet is not misbehaving.
    assert.equal(await service.receiveFrame(encodeReleaseFrame(signReleasePointer(pointerV(1), fixture.keys.timestamp)), PEER), 'rejected')
    assert.equal(trust.score(PEER), 0)
    assert.equal(await service.receiveFrame(encodeReleaseFrame(signReleasePointer(pointerV(3), fixture.keys.timestamp)), PEER), 'accepted')
    assert.equal(service.latest?.pointer.version, 3)
    assert.equal(events.length, 2)
  })

  it('after a restart, keeps the floor it was given and offers the pointer it kept without announcing it again', async () => {
    const v5 = signReleasePointer(pointerV(5), fixture.keys.timestamp)
    const { service, events } = gossip({ lastVersion: 5, latest: v5 })
    assert.deepEqual(service.latest, v5)
    assert.equal(await service.receiveFrame(encodeReleaseFrame(v5), PEER), 'known')
    assert.equal(await service.receiveFrame(encodeReleaseFrame(signReleasePointer(pointerV(4), fixture.keys.timestamp)), PEER), 'rejected')
    assert.equal(events.length, 0)
    // The pointer itself may be lost (a root rotation changed the timestamp keys); the floor is not.
    const floorOnly = gossip({ lastVersion: 5 })
    assert.equal(await floorOnly.service.receiveFrame(encodeReleaseFrame(signReleasePointer(pointerV(3), fixture.keys.timestamp)), PEER), 'rejected')
    assert.equal(await floorOnly.service.receiveFrame(encodeReleaseFrame(signReleasePointer(pointerV(6), fixture.keys.timestamp)), PEER), 'accepted')
    assert.equal(floorOnly.events.length, 1)
  })

  it('lowers the sender\'s trust for junk, wrong shapes, stray fields and bad signatures', async () => {
    const stranger = releaseKeyFromSeed(seedFrom('gossip stranger'), 'stranger')
    const good = signReleasePointer(pointerV(2), fixture.keys.timestamp)
    const frames: Uint8Array[] = [
      new Uint8Array([0xff, 0xfe]),
      new TextEncoder().encode('{"pointer":'),
      new TextEncoder().encode(JSON.stringify({ ...good, extra: 'x' })),
      new TextEncoder().encode(JSON.stringify(signReleasePointer(pointerV(2), [stranger]))),
      new TextEncoder().encode(JSON.stringify({ ...good, pointer: { ...good.pointer, version: 99 } }))
    ]
    for (const frame of frames) {
      const { service, trust, events } = gossip()
      assert.equal(await service.receiveFrame(frame, PEER), 'rejected')
      assert.ok(trust.score(PEER) < 0, `no penalty for ${Buffer.from(frame).toString('utf8').slice(0, 60)}`)
      assert.equal(events.length, 0)
      assert.equal(service.latest, undefined)
    }
  })

  it('refuses frames over 16 KiB on both sides', () => {
    assert.throws(() => decodeReleaseFrame(new Uint8Array(MAX_RELEASE_FRAME_BYTES + 1)), { name: 'ReleaseFrameError' })
    const huge = { pointer: pointerV(1), signatures: Array.from({ length: 200 }, () => ({ keyid: 'a'.repeat(64), sig: 'b'.repeat(128) })) }
    assert.throws(() => encodeReleaseFrame(huge), { name: 'ReleaseFrameError' })
  })

  it('announces its own pointer only when it verifies', async () => {
    const { service, events } = gossip()
    await assert.rejects(service.announce(signReleasePointer(pointerV(1), [releaseKeyFromSeed(seedFrom('x'), 'x')])), { name: 'ReleasePointerThresholdError' })
    await service.announce(signReleasePointer(pointerV(1), fixture.keys.timestamp))
    assert.equal(events.length, 1)
    assert.equal(events[0]?.from, undefined)
  })
})
