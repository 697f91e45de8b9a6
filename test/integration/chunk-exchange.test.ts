// Five vaults on real libp2p over loopback store chunks on each other and read them back.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { xorDistance } from '../../node-core/engine/identity/name.ts'
import { nameOfPeer } from '../../node-core/engine/network/placement.ts'
import { addressToBytes, chunkAddress, MAX_CHUNK_BYTES } from '../../node-core/engine/store/chunk-address.ts'
import { createVault, DEFAULT_COPIES, type Vault } from '../../node-core/engine/vault.ts'

const VAULTS = 5
const P2P_CODE = 421

/** Resolves once the vault has at least `count` connected peers. */
async function connectedToAtLeast (vault: Vault, count: number): Promise<void> {
  if (vault.libp2p.getPeers().length >= count) return
  await new Promise<void>(resolve => {
    const onPeers = (event: CustomEvent<number>): void => {
      if (event.detail < count) return
      vault.removeEventListener('vault:peers', onPeers)
      resolve()
    }
    vault.addEventListener('vault:peers', onPeers)
  })
}

function dialableAddress (vault: Vault): Multiaddr {
  const address = vault.multiaddrs()[0]
  assert.ok(address !== undefined, `vault ${vault.peerId.toString()} listens nowhere`)
  return multiaddr(address)
}

function assertSameBytes (actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  assert.ok(actual !== undefined, `${what}: not found`)
  assert.equal(actual.length, expected.length, `${what}: length`)
  assert.equal(Buffer.compare(actual, expected), 0, `${what}: bytes differ`)
}

function vaultByPeer (vaults: Vault[], peer: string): Vault {
  const vault = vaults.find(candidate => candidate.peerId.toString() === peer)
  assert.ok(vault !== undefined, `${peer} is not one of the test vaults`)
  return vault
}

describe('chunk exchange between five vaults on loopback', { timeout: 120_000 }, () => {
  let root = ''
  const vaults: Vault[] = []

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'chunk-exchange-test-'))
    const first = await createVault({ dataDir: join(root, 'vault-0'), localNetwork: true })
    vaults.push(first)
    await first.start()
    for (let i = 1; i < VAULTS; i++) {
      const vault = await createVault({ dataDir: join(root, `vault-${i}`), localNetwork: true, bootstrap: first.multiaddrs() })
      vaults.push(vault)
      await vault.start()
    }
    await Promise.all([
      ...vaults.map(async vault => { await connectedToAtLeast(vault, 1) }),
      connectedToAtLeast(first, VAULTS - 1)
    ])
  })

  after(async () => {
    await Promise.allSettled(vaults.map(async vault => { await vault.stop() }))
    await rm(root, { recursive: true, force: true })
  })

  it('starts every vault on 127.0.0.1 with a distinct age-5 name, all joined through the first', () => {
    assert.equal(new Set(vaults.map(vault => vault.peerId.toString())).size, VAULTS)
    for (const vault of vaults) {
      assert.equal(vault.age, 5)
      assert.ok(vault.multiaddrs().length > 0)
      for (const address of vault.multiaddrs()) assert.match(address, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
      assert.ok(vault.status().peers >= 1)
    }
    const bootstrapPeers = new Set(vaults[0]?.libp2p.getPeers().map(peer => peer.toString()))
    for (const vault of vaults.slice(1)) assert.ok(bootstrapPeers.has(vault.peerId.toString()))
  })

  it('stores a distinct chunk from each vault and every other vault reads each back intact from its holders', async () => {
    // One chunk is exactly the largest size, so the frame limits are exercised at the boundary.
    const chunks = vaults.map((_, i) => randomBytes(i === 0 ? MAX_CHUNK_BYTES : 1000 + i * 7919))
    const stored = await Promise.all(vaults.map(async (vault, i) => await vault.storeChunk(chunks[i] ?? new Uint8Array())))

    for (const [i, { address, holders }] of stored.entries()) {
      const bytes = chunks[i] ?? new Uint8Array()
      assert.equal(address, chunkAddress(bytes))
      assert.ok(holders.length > 1, `chunk ${i} has only ${holders.length} holder(s)`)
      assert.ok(holders.length <= DEFAULT_COPIES)
      assert.equal(new Set(holders).size, holders.length)
      for (const holder of holders) {
        const holderVault = vaultByPeer(vaults, holder)
        assert.equal(holderVault.store.has(address), true, `holder ${holder} does not hold chunk ${i}`)
        assertSameBytes(await holderVault.store.get(address), bytes, `chunk ${i} in the store of ${holder}`)
      }
      for (const reader of vaults) {
        for (const holder of holders) {
          if (holder === reader.peerId.toString()) continue
          const fetched = await reader.chunks.get(dialableAddress(vaultByPeer(vaults, holder)), address)
          assertSameBytes(fetched, bytes, `chunk ${i} read by ${reader.peerId.toString()} from ${holder}`)
        }
      }
    }
    // Honest exchanges never cost anyone trust.
    for (const vault of vaults) {
      for (const other of vaults) assert.equal(vault.trust.score(other.peerId.toString()), 0)
    }
  })

  it('answers has and a get of a chunk nobody stored', async () => {
    const [first, second] = vaults
    assert.ok(first !== undefined && second !== undefined)
    const { address } = await first.storeChunk(randomBytes(2000))
    const missing = chunkAddress(randomBytes(10))
    const holder = vaults.find(vault => vault !== second && vault.store.has(address))
    assert.ok(holder !== undefined)
    assert.equal(await second.chunks.has(dialableAddress(holder), address), true)
    assert.equal(await second.chunks.has(dialableAddress(holder), missing), false)
    assert.equal(await second.chunks.get(dialableAddress(holder), missing), undefined)
    assert.equal(await second.fetchChunk(missing), undefined)
  })

  it('with every vault known to every other, places each chunk on the vaults closest to its address and fetches it from anywhere', async () => {
    for (const vault of vaults) {
      for (const other of vaults) {
        if (other === vault) continue
        await vault.libp2p.peerStore.merge(other.peerId, {
          multiaddrs: other.libp2p.getMultiaddrs().map(address => address.decapsulateCode(P2P_CODE))
        })
      }
    }
    for (const [i, vault] of vaults.entries()) {
      const bytes = randomBytes(3000 + i)
      const { address, holders } = await vault.storeChunk(bytes)
      const target = addressToBytes(address)
      const expected = vaults
        .map(candidate => {
          const name = nameOfPeer(candidate.peerId)
          assert.ok(name !== undefined)
          return { id: candidate.peerId.toString(), distance: xorDistance(target, name) }
        })
        .sort((a, b) => (a.distance < b.distance ? -1 : 1))
        .slice(0, DEFAULT_COPIES)
        .map(entry => entry.id)
      assert.deepEqual([...holders].sort(), [...expected].sort(), `holders of chunk ${i}`)
      for (const reader of vaults) {
        assertSameBytes(await reader.fetchChunk(address), bytes, `chunk ${i} fetched by ${reader.peerId.toString()}`)
      }
      const farthest = vaults.find(candidate => !expected.includes(candidate.peerId.toString()))
      assert.ok(farthest !== undefined)
      assert.equal(farthest.store.has(address), false, 'a vault outside the closest set stored the chunk')
    }
  })
})
