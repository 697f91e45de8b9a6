// Data on the section's closest members, re-replicated after churn, live over libp2p on loopback
// (issue 3 deliver 4): ten vaults of the local network's founding ages form a section (7 elders, 3
// adults). Chunks stored by a vault and by the local network's client land on the 4 first of the
// storage order: the 3 adults and the nearest elder. A young vault joins: with 4 adults now, every
// chunk belongs on the 4 adults, and the holders push each one to it. A second joins: each chunk
// ends on its 4 closest adults, and no vault dropped a chunk it held.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { VaultIdentity } from '../../../node-core/engine/identity/identity-file.ts'
import { createVaultLibp2p, type VaultLibp2p } from '../../../node-core/engine/network/libp2p-node.ts'
import { storageOrder } from '../../../node-core/engine/replication/holder-order.ts'
import { addressToBytes, chunkAddress } from '../../../node-core/engine/store/chunk-address.ts'
import { createVault, DEFAULT_COPIES, type Vault } from '../../../node-core/engine/vault.ts'
import { ClientSimulator } from '../../../node-core/localnet/client-simulator.ts'
import { foundingAge } from '../../../node-core/localnet/local-network.ts'
import { identitiesOfAges } from '../../helpers/names.ts'
import { adultReportsFull } from '../../helpers/storage-need.ts'

const FOUNDERS = 10
const SECTION = { formingSettleMs: 1500, proposalTimeoutMs: 2000, dkgRoundTimeoutMs: 10_000, joinRetryMs: 1000 }
const CHUNK_BYTES = 2048

function chunkBytes (label: string): Uint8Array {
  const bytes = new Uint8Array(CHUNK_BYTES)
  const seed = createHash('sha256').update(label).digest()
  for (let i = 0; i < bytes.length; i++) bytes[i] = seed[i % seed.length] ?? 0
  bytes.set(seed)
  return bytes
}

/** Where each chunk is missing: the names among its first 4 storage-order members that lack it. */
function misplaced (vaults: Vault[], chunks: readonly string[], viewer: Vault): string[] {
  const view = viewer.sectionView()
  if (view === undefined) return ['the viewer knows no section']
  const byName = new Map(vaults.map(vault => [vault.section?.node.self ?? '', vault]))
  return chunks.flatMap(address => storageOrder(addressToBytes(address), view).slice(0, DEFAULT_COPIES)
    .filter(name => byName.get(name)?.store.has(address) !== true)
    .map(name => `${address.slice(0, 8)} missing on ${name.slice(0, 8)}`))
}

/** Resolves once `check` holds, re-checked whenever any vault stores a chunk, ends a replication run or moves a generation. */
async function until (vaults: Vault[], check: () => boolean): Promise<void> {
  await new Promise<void>(resolve => {
    const listeners: Array<() => void> = []
    const test = (): void => {
      if (!check()) return
      for (const remove of listeners) remove()
      resolve()
    }
    for (const vault of vaults) {
      vault.store.addEventListener('chunk:stored', test)
      vault.replication?.addEventListener('replication:finished', test)
      vault.section?.addEventListener('section:generation', test)
      listeners.push(() => {
        vault.store.removeEventListener('chunk:stored', test)
        vault.replication?.removeEventListener('replication:finished', test)
        vault.section?.removeEventListener('section:generation', test)
      })
    }
    test()
  })
}

describe('replication live on loopback', { timeout: 120_000 }, () => {
  let root = ''
  const vaults: Vault[] = []
  const chunks: string[] = []
  let clientNode: VaultLibp2p | undefined
  let first: Vault

  const start = async (identity: VaultIdentity, label: string, bootstrap: string[]): Promise<Vault> => {
    const vault = await createVault({ dataDir: join(root, label), identity, localNetwork: true, bootstrap, section: SECTION })
    await vault.start()
    vaults.push(vault)
    return vault
  }
  const isMember = (vault: Vault): boolean => vault.section?.node.membership?.isMember(vault.section.node.self) === true
  const heldBy = (address: string): Set<string> => new Set(vaults.filter(vault => vault.store.has(address)).map(vault => vault.section?.node.self ?? ''))

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'replication-live-'))
    const [firstIdentity, ...rest] = await identitiesOfAges(Array.from({ length: FOUNDERS }, (_, i) => foundingAge(i)))
    assert.ok(firstIdentity !== undefined)
    first = await start(firstIdentity, 'founder-0', [])
    await Promise.all(rest.map(async (identity, i) => await start(identity, `founder-${i + 1}`, first.multiaddrs())))
    await until(vaults, () => vaults.every(vault => isMember(vault) && vault.section?.node.membership?.members.size === FOUNDERS))
  })

  after(async () => {
    await clientNode?.stop()
    await Promise.allSettled(vaults.map(async vault => { await vault.stop() }))
    await rm(root, { recursive: true, force: true })
  })

  it('stores chunks from a vault and from the local network\'s client on the 3 adults and the nearest elder', async () => {
    const view = first.sectionView()
    assert.ok(view !== undefined)
    assert.equal(view.members.length - view.elders.length, 3)
    for (let i = 0; i < 6; i++) chunks.push((await first.storeChunk(chunkBytes(`vault-${i}`))).address)

    const node = await createVaultLibp2p({ privateKey: await generateKeyPair('Ed25519'), listen: [], localNetwork: true })
    clientNode = node
    await node.start()
    for (const vault of vaults) await node.peerStore.merge(vault.peerId, { multiaddrs: vault.libp2p.getMultiaddrs() })
    let next = 0
    const client = new ClientSimulator(node, {
      rate: 0,
      chunkBytes: CHUNK_BYTES,
      copies: DEFAULT_COPIES,
      section: () => first.sectionView(),
      random: () => chunkBytes(`client-${next++}`),
      pick: () => 0
    })
    for (let i = 0; i < 6; i++) await client.tick()
    assert.equal(client.stats.stored, 6)
    assert.equal(client.stats.failedStores, 0)
    assert.equal(client.stats.fetched, 6, 'the client reads back from the same holders it placed on')
    for (let i = 0; i < 6; i++) chunks.push(chunkAddress(chunkBytes(`client-${i}`)))

    const elders = new Set(view.elders)
    for (const address of chunks) {
      const holders = heldBy(address)
      assert.equal(holders.size, DEFAULT_COPIES, `chunk ${address.slice(0, 8)} is on ${holders.size} vaults`)
      assert.equal([...holders].filter(name => !elders.has(name)).length, 3, 'every adult holds every chunk')
      assert.equal([...holders].find(name => elders.has(name)), storageOrder(addressToBytes(address), view)[3])
    }
    assert.deepEqual(misplaced(vaults, chunks, first), [])
  })

  it('pushes every chunk to a young vault that joins, the section then having 4 adults', async () => {
    const [identity] = await identitiesOfAges([5])
    assert.ok(identity !== undefined)
    const joiner = await start(identity, 'joiner-0', first.multiaddrs())
    await until(vaults, () => isMember(joiner) && misplaced(vaults, chunks, first).length === 0 && (first.sectionView()?.members.length ?? 0) === FOUNDERS + 1)
    for (const address of chunks) assert.ok(joiner.store.has(address))
    // A push lands before its pusher hears the answer and counts it.
    await Promise.all(vaults.map(async vault => { await vault.replication?.idle() }))
    const pushed = vaults.reduce((sum, vault) => sum + (vault.replication?.status().pushed ?? 0), 0)
    assert.ok(pushed >= chunks.length, `${pushed} pushes for ${chunks.length} chunks`)
  })

  it('after a second join, every chunk is on its 4 closest adults and no holder dropped one', async () => {
    const before = new Map(chunks.map(address => [address, heldBy(address)]))
    // With 11 members the section admits a new vault only while it needs storage (DESIGN §2
    // "Joins"): one adult says its store is 90 % full.
    await adultReportsFull(vaults)
    const [identity] = await identitiesOfAges([5])
    assert.ok(identity !== undefined)
    const joiner = await start(identity, 'joiner-1', first.multiaddrs())
    await until(vaults, () => isMember(joiner) && (first.sectionView()?.members.length ?? 0) === FOUNDERS + 2 && misplaced(vaults, chunks, first).length === 0)
    const view = first.sectionView()
    assert.ok(view !== undefined)
    const elders = new Set(view.elders)
    for (const address of chunks) {
      const closestAdults = storageOrder(addressToBytes(address), view).slice(0, DEFAULT_COPIES)
      assert.ok(closestAdults.every(name => !elders.has(name)), 'with 5 adults no elder is among the 4 closest')
      for (const holder of before.get(address) ?? []) assert.ok(heldBy(address).has(holder), 'a holder dropped a chunk on churn')
    }
    await Promise.all(vaults.map(async vault => { await vault.replication?.idle() }))
    const all = vaults.map(vault => vault.replication?.status())
    assert.ok(all.every(status => status !== undefined && status.failed === 0), JSON.stringify(all))
  })
})
