// DESIGN §3.3, issue 4 "done": in a local network a release published by one maintainer machine
// reaches every vault by gossip and verifies with tuf-js over chunks fetched from peers. No HTTP
// server exists anywhere: the only listening sockets are the vaults' libp2p TCP listeners.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import type { Root } from '@tufjs/models'
import { connected, nextPointer } from '../helpers/release-network.ts'
import { createVaultLibp2p, type VaultLibp2p } from '../../node-core/engine/network/libp2p-node.ts'
import { LocalTrust } from '../../node-core/engine/network/local-trust.ts'
import { MAX_CHUNK_BYTES } from '../../node-core/engine/store/chunk-address.ts'
import { createVault, type Vault } from '../../node-core/engine/vault.ts'
import { parseRoot } from '../../node-core/release/metadata.ts'
import { NetworkReleaseSource } from '../../node-core/release/network/network-source.ts'
import { publishReleaseToNetwork } from '../../node-core/release/network/publish-to-network.ts'
import { ReleaseGossip, type ReleasePointerEvent } from '../../node-core/release/network/release-gossip.ts'
import { verifyRelease } from '../../node-core/release/verify-release.ts'
import { bundleBytes, createFixture, publish, stageRelease, type Fixture } from '../unit/release/release-fixtures.ts'

const VAULTS = 6
const BUNDLE_BYTES = Math.floor(1.5 * MAX_CHUNK_BYTES)
/** DESIGN: every vault learns of a new release within a minute; on loopback it takes well under this. */
const LEARN_TIMEOUT_MS = 20_000

interface Member { vault: Vault, gossip: ReleaseGossip, trustedDir: string, pointer: Promise<ReleasePointerEvent> }

describe('release distribution through the network, no server', { timeout: 60_000 }, () => {
  let fixture: Fixture
  let root: Root
  const members: Member[] = []
  /** A listen-less node connected to one vault only: it can hear of a release only if that vault relays it. */
  let observer: { node: VaultLibp2p, gossip: ReleaseGossip, pointer: Promise<ReleasePointerEvent> } | undefined

  async function addVault (index: number, bootstrap: string[]): Promise<Member> {
    const vault = await createVault({ dataDir: join(fixture.dir, `vault-${index}`), localNetwork: true, bootstrap })
    const gossip = new ReleaseGossip({ libp2p: vault.libp2p, trust: vault.trust, trustedRoot: () => root, now: () => new Date() })
    // Before the vault starts, so identify tells every peer it speaks the release protocol.
    await gossip.start()
    const pointer = nextPointer(gossip, LEARN_TIMEOUT_MS)
    await vault.start()
    const trustedDir = join(fixture.dir, `client-${index}`)
    await mkdir(trustedDir, { recursive: true })
    await copyFile(join(fixture.clientDir, 'root.json'), join(trustedDir, 'root.json'))
    const member = { vault, gossip, trustedDir, pointer }
    members.push(member)
    return member
  }

  async function verifyFrom (member: Member, indexAddress: string): Promise<void> {
    const source = new NetworkReleaseSource({ indexAddress, fetchChunk: async (address, options) => await member.vault.fetchChunk(address, options) })
    const verdict = await verifyRelease({ trustedDir: member.trustedDir, source, pinnedBuilders: fixture.pinned, now: () => fixture.now })
    assert.equal(verdict.verdict, 'verified', `vault ${member.vault.peerId.toString().slice(-8)}: ${JSON.stringify(verdict)}`)
    assert.equal(verdict.release.engineVersion, '2.0.0')
    assert.equal(verdict.release.length, BUNDLE_BYTES)
  }

  before(async () => {
    fixture = await createFixture()
    await stageRelease(fixture, '2.0.0', { bytes: bundleBytes('distributed engine 2.0.0', BUNDLE_BYTES) })
    await publish(fixture)
    root = parseRoot(JSON.parse(await readFile(join(fixture.clientDir, 'root.json'), 'utf8'))).signed
    const first = await addVault(0, [])
    for (let i = 1; i < VAULTS; i++) await addVault(i, first.vault.multiaddrs())
    await connected(first.vault, VAULTS - 1)
    // A full mesh, so every vault knows the 4 closest holders of each chunk.
    for (const { vault } of members) {
      for (const other of members) {
        if (other.vault !== vault) await vault.libp2p.dial(multiaddr(other.vault.multiaddrs()[0] ?? ''))
      }
    }
    // It may learn of other vaults (identify, DHT) but dials only the one it was given.
    const only = members[VAULTS - 1]?.vault.peerId
    const node = await createVaultLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      listen: [],
      localNetwork: true,
      connectionGater: { denyDialPeer: peer => only === undefined || !peer.equals(only) }
    })
    const gossip = new ReleaseGossip({ libp2p: node, trust: new LocalTrust(), trustedRoot: () => root, now: () => new Date() })
    await gossip.start()
    observer = { node, gossip, pointer: nextPointer(gossip, LEARN_TIMEOUT_MS) }
    await node.start()
    await node.dial(multiaddr(members[VAULTS - 1]?.vault.multiaddrs()[0] ?? ''))
  })

  after(async () => {
    await observer?.gossip.stop()
    await observer?.node.stop()
    await Promise.allSettled(members.map(async ({ vault, gossip }) => { await gossip.stop(); await vault.stop() }))
    await rm(fixture.dir, { recursive: true, force: true })
  })

  it('reaches every vault, which fetches the 1.5 MiB release from peers and verifies it', async () => {
    const [publisher] = members
    assert.ok(publisher !== undefined)
    const published = await publishReleaseToNetwork({
      releaseDir: fixture.outDir,
      storeChunk: async (bytes, options) => await publisher.vault.storeChunk(bytes, options),
      timestampKeys: fixture.keys.timestamp,
      announce: async pointer => { await publisher.gossip.announce(pointer) }
    })
    assert.ok(published.chunks > published.files, 'the bundle spans more than one chunk')
    const heard = await Promise.all(members.map(async member => await member.pointer))
    for (const [i, event] of heard.entries()) {
      assert.equal(event.pointer.pointer.indexAddress, published.indexAddress)
      // Everyone but the publisher heard it from a peer.
      assert.equal(event.from === undefined, i === 0)
    }
    await Promise.all(members.map(async member => { await verifyFrom(member, published.indexAddress) }))
    // The observer never spoke to the publisher: a vault passed the pointer on.
    const relayed = await observer?.pointer
    assert.equal(relayed?.pointer.pointer.indexAddress, published.indexAddress)
    assert.ok(relayed?.from !== undefined && relayed.from !== publisher.vault.peerId.toString(), `relayed by ${relayed?.from ?? 'nobody'}`)
    // Every chunk the vaults read came from vaults: the publisher did not keep them all itself.
    assert.ok(members.slice(1).some(member => member.vault.store.stats().chunks > 0))
  })

  it('offers the latest pointer to a vault that joins later', async () => {
    const [publisher] = members
    const latest = publisher?.gossip.latest
    assert.ok(publisher !== undefined && latest !== undefined)
    const late = await addVault(VAULTS, publisher.vault.multiaddrs())
    const event = await late.pointer
    assert.deepEqual(event.pointer, latest)
    // Nothing new was announced: a peer offered it when the two identified each other.
    assert.ok(event.from !== undefined)
    // Fetching needs the holders in its peer store, which the engine's neighbour lookup fills in
    // time; dialing them here keeps the test from waiting on that.
    for (const other of members) {
      if (other !== late) await late.vault.libp2p.dial(multiaddr(other.vault.multiaddrs()[0] ?? ''))
    }
    await verifyFrom(late, latest.pointer.indexAddress)
  })

  it('listens on nothing but the vaults\' libp2p TCP ports on 127.0.0.1', () => {
    const listeners = members.flatMap(({ vault }) => vault.multiaddrs())
    for (const address of listeners) assert.match(address, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    const servers = process.getActiveResourcesInfo().filter(kind => kind === 'TCPServerWrap').length
    assert.equal(servers, members.length)
  })
})
