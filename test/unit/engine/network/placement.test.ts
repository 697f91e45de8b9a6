import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { xorDistance } from '../../../../node-core/engine/identity/name.ts'
import { nameOfPeer, XorPlacement } from '../../../../node-core/engine/network/placement.ts'

async function newPeer (type: 'Ed25519' | 'secp256k1' = 'Ed25519'): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair(type))
}

function nameOf (peer: PeerId): Uint8Array {
  const name = nameOfPeer(peer)
  assert.ok(name !== undefined, `${peer.toString()} has no ed25519 name`)
  return name
}

/** The peers sorted by XOR distance to `address`, computed independently of XorPlacement. */
function byDistance (address: Uint8Array, peers: PeerId[]): string[] {
  return peers
    .map(peer => ({ id: peer.toString(), distance: xorDistance(address, nameOf(peer)) }))
    .sort((a, b) => (a.distance < b.distance ? -1 : a.distance > b.distance ? 1 : 0))
    .map(entry => entry.id)
}

function ids (peers: PeerId[]): string[] {
  return peers.map(peer => peer.toString())
}

describe('nameOfPeer', () => {
  it('is the raw 32-byte public key of an Ed25519 peer, and undefined for other key types', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const peer = peerIdFromPrivateKey(privateKey)
    assert.deepEqual(nameOfPeer(peer), privateKey.publicKey.raw)
    assert.equal(nameOfPeer(peer)?.length, 32)
    assert.equal(nameOfPeer(await newPeer('secp256k1')), undefined)
  })
})

describe('XorPlacement', () => {
  let self: PeerId
  let others: PeerId[]

  before(async () => {
    self = await newPeer()
    others = await Promise.all(Array.from({ length: 12 }, async () => await newPeer()))
  })

  function placement (known: () => PeerId[], ignored: Set<string> = new Set()): XorPlacement {
    return new XorPlacement({
      self,
      knownPeers: async () => known(),
      isIgnored: peer => ignored.has(peer.toString())
    })
  }

  it('orders the known peers and itself by XOR distance to the address, nearest first', async () => {
    const address = new Uint8Array(32).fill(0x5a)
    const all = [self, ...others]
    const closest = await placement(() => others).closest(address, all.length)
    assert.deepEqual(ids(closest), byDistance(address, all))
    const distances = closest.map(peer => xorDistance(address, nameOf(peer)))
    for (let i = 1; i < distances.length; i++) assert.ok((distances[i - 1] ?? 0n) < (distances[i] ?? 0n))
  })

  it('returns at most `count` peers: the nearest ones', async () => {
    for (const peer of others.slice(0, 4)) {
      const address = nameOf(peer)
      const closest = await placement(() => others).closest(address, 4)
      assert.equal(closest.length, 4)
      assert.deepEqual(ids(closest), byDistance(address, [self, ...others]).slice(0, 4))
      // A peer whose name is the address is at distance 0, so it comes first.
      assert.equal(closest[0]?.toString(), peer.toString())
    }
  })

  it('includes itself, first when the address is its own name, even knowing no one', async () => {
    assert.deepEqual(ids(await placement(() => []).closest(nameOf(self), 4)), [self.toString()])
    const closest = await placement(() => others).closest(nameOf(self), 3)
    assert.equal(closest[0]?.toString(), self.toString())
  })

  it('skips ignored peers but never itself', async () => {
    const address = new Uint8Array(32)
    const nearest = byDistance(address, others)
    const ignored = new Set(nearest.slice(0, 3))
    ignored.add(self.toString())
    const closest = await placement(() => others, ignored).closest(address, others.length + 1)
    for (const id of nearest.slice(0, 3)) assert.ok(!ids(closest).includes(id), `ignored ${id} was placed`)
    assert.ok(ids(closest).includes(self.toString()))
    assert.equal(closest.length, others.length + 1 - 3)
  })

  it('dedupes peers that are known twice, or that are itself, by id rather than by object', async () => {
    const first = others[0]
    assert.ok(first !== undefined)
    const known = [first, peerIdFromString(first.toString()), peerIdFromString(self.toString()), ...others.slice(1, 3), others[1] ?? first]
    const closest = await placement(() => known).closest(new Uint8Array(32).fill(0xff), 100)
    assert.equal(closest.length, 4)
    assert.deepEqual(new Set(ids(closest)), new Set(ids([self, first, ...others.slice(1, 3)])))
  })

  it('leaves out peers without an ed25519 name', async () => {
    const other = await newPeer('secp256k1')
    const closest = await placement(() => [other, ...others.slice(0, 2)]).closest(new Uint8Array(32), 10)
    assert.ok(!ids(closest).includes(other.toString()))
    assert.equal(closest.length, 3)
  })

  it('returns nothing for a count of 0', async () => {
    assert.deepEqual(await placement(() => others).closest(new Uint8Array(32), 0), [])
  })
})
