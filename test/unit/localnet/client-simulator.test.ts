// The local network's client runs on a timer in the local network's process: a store whose lookup
// throws is counted as failed, and the client goes on, rather than ending that process.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { VaultLibp2p } from '../../../node-core/engine/network/libp2p-node.ts'
import { ClientSimulator } from '../../../node-core/localnet/client-simulator.ts'

describe('the local network\'s client', () => {
  it('counts a store whose peer lookup threw as failed, and ticks again', async () => {
    const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    let lookups = 0
    const libp2p = { peerId, peerStore: { all: async () => { lookups++; throw new Error('the peer store is closed') } } } as unknown as VaultLibp2p
    const client = new ClientSimulator(libp2p, { rate: 1, chunkBytes: 16, copies: 4, storeCost: 0 })
    await client.tick()
    await client.tick()
    assert.equal(lookups, 2, 'the second tick ran: the first did not leave the client busy')
    assert.deepEqual({ stored: client.stats.stored, failedStores: client.stats.failedStores }, { stored: 0, failedStores: 2 })
  })
})
