import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createVaultLibp2p } from '../../../../node-core/engine/network/libp2p-node.ts'
import {
  LEARNED_PEER_ADDRESSES, LearnedAddresses, learnedPeerAddresses, multiaddrKey, peerAddressKey
} from '../../../../node-core/engine/network/learned-addresses.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

describe('learned peer addresses', () => {
  it('keys a TCP endpoint as the egress monitor does: host lower-cased, IPv6 bracketed, IPv4-mapped as IPv4', () => {
    assert.equal(peerAddressKey('127.0.0.1', 4001), '127.0.0.1:4001')
    assert.equal(peerAddressKey('::1', 4001), '[::1]:4001')
    assert.equal(peerAddressKey('[::1]', 4001), '[::1]:4001')
    assert.equal(peerAddressKey('FE80::1', 80), '[fe80::1]:80')
    assert.equal(peerAddressKey('::ffff:10.0.0.2', 9), '10.0.0.2:9')
    assert.equal(peerAddressKey('Vault.Example.', 443), 'vault.example:443')
  })

  it('keys the TCP endpoint of a multiaddr, and nothing for one without (UDP, dnsaddr, garbage)', () => {
    assert.equal(multiaddrKey(`/ip4/10.1.2.3/tcp/4001/p2p/${PEER}`), '10.1.2.3:4001')
    assert.equal(multiaddrKey(multiaddr('/ip6/::1/tcp/7')), '[::1]:7')
    assert.equal(multiaddrKey('/dns4/vault.example/tcp/80'), 'vault.example:80')
    assert.equal(multiaddrKey('/ip4/10.1.2.3/udp/4001/quic-v1'), undefined)
    assert.equal(multiaddrKey('/dnsaddr/bootstrap.example'), undefined)
    assert.equal(multiaddrKey('/ip4/10.1.2.3'), undefined)
    assert.equal(multiaddrKey('not a multiaddr'), undefined)
  })

  it('keeps one process-global Set under the shared symbol, created when absent', () => {
    const holder = globalThis as { [LEARNED_PEER_ADDRESSES]?: unknown }
    const previous = holder[LEARNED_PEER_ADDRESSES]
    try {
      delete holder[LEARNED_PEER_ADDRESSES]
      const registry = learnedPeerAddresses()
      assert.equal(Reflect.get(globalThis, Symbol.for('vault-manager.learned-peer-addresses')), registry)
      assert.equal(learnedPeerAddresses(), registry)
      const existing = new Set<string>(['1.2.3.4:5'])
      holder[LEARNED_PEER_ADDRESSES] = existing
      assert.equal(learnedPeerAddresses(), existing, 'a registry the monitor created first is used as it is')
    } finally {
      holder[LEARNED_PEER_ADDRESSES] = previous
    }
  })

  it('registers bootstrap addresses, the peer store\'s updates and its own listen addresses, and stops listening when stopped', async () => {
    const registry = new Set<string>()
    const libp2p = await createVaultLibp2p({ privateKey: await generateKeyPairFromSeed('Ed25519', randomBytes(32)), listen: ['/ip4/127.0.0.1/tcp/0'], localNetwork: true })
    const learned = new LearnedAddresses({ libp2p }, { registry })
    learned.learn([`/ip4/10.9.9.9/tcp/4001/p2p/${PEER}`])
    assert.deepEqual([...registry], ['10.9.9.9:4001'])
    learned.start()
    await libp2p.start()
    try {
      learned.afterStart()
      const own = libp2p.getMultiaddrs().map(address => multiaddrKey(address))
      assert.ok(own.length > 0 && own.every(key => key !== undefined && registry.has(key)), 'own listen addresses')

      const peer = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', randomBytes(32)))
      await libp2p.peerStore.merge(peer, { multiaddrs: [multiaddr('/ip4/10.0.0.7/tcp/4100'), multiaddr('/ip6/fd00::7/tcp/4100')] })
      assert.ok(registry.has('10.0.0.7:4100') && registry.has('[fd00::7]:4100'))
      assert.equal(learned.has('fd00::7', 4100), true)

      learned.stop()
      await libp2p.peerStore.merge(peer, { multiaddrs: [multiaddr('/ip4/10.0.0.8/tcp/4100')] })
      assert.equal(registry.has('10.0.0.8:4100'), false)
    } finally {
      await libp2p.stop()
    }
  })

  it('has an address registered before a concurrent reader of the peer store can see it (the dialer reads it so)', async () => {
    const registry = new Set<string>()
    const libp2p = await createVaultLibp2p({ privateKey: await generateKeyPairFromSeed('Ed25519', randomBytes(32)), listen: ['/ip4/127.0.0.1/tcp/0'], localNetwork: true })
    const learned = new LearnedAddresses({ libp2p }, { registry })
    learned.start()
    const peer = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', randomBytes(32)))
    const seenWhenRead: boolean[] = []
    const writes = Array.from({ length: 20 }, async (_, i) => { await libp2p.peerStore.merge(peer, { multiaddrs: [multiaddr(`/ip4/10.0.1.${i}/tcp/5000`)] }) })
    const reads = Array.from({ length: 20 }, async () => {
      const stored = await libp2p.peerStore.get(peer).catch(() => undefined)
      for (const address of stored?.addresses ?? []) seenWhenRead.push(registry.has(multiaddrKey(address.multiaddr) ?? ''))
    })
    await Promise.all([...writes, ...reads])
    learned.stop()
    assert.ok(seenWhenRead.length > 0, 'some reads saw addresses')
    assert.ok(seenWhenRead.every(Boolean), 'every address a reader saw was already registered')
  })
})
