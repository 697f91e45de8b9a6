// The live egress watch (DESIGN §3.8) may let a live vault connect only to peers it learned through
// the network. Here the network runs in a child process (so its vaults' own addresses never enter
// this process's registry) and one live vault runs in this process; every TCP connect this process
// makes is checked against the registry at the moment it is made.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { identityFromSeed } from '../../../node-core/engine/identity/identity-file.ts'
import { learnedPeerAddresses, multiaddrKey, peerAddressKey } from '../../../node-core/engine/network/learned-addresses.ts'
import { createVault, type Vault } from '../../../node-core/engine/vault.ts'
import { EmbeddedNetwork } from '../../../node-core/host/embedded-network.ts'
import { connected } from '../../helpers/release-network.ts'

const NETWORK_VAULTS = 6
const CHUNKS = 12

interface Connect {
  key: string
  learned: boolean
}

/** The host and port of a Socket.connect call, in any of its forms; undefined for a local pipe. */
function endpointOf (args: unknown[]): { host: string, port: number } | undefined {
  const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0]
  if (typeof first === 'object' && first !== null) {
    if ('path' in first && typeof first.path === 'string') return undefined
    const port = 'port' in first ? Number(first.port) : NaN
    const host = 'host' in first && typeof first.host === 'string' ? first.host : 'localhost'
    return { host, port }
  }
  if (typeof first === 'string' && Number.isNaN(Number(first))) return undefined
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: Number(first) }
}

/** Records every TCP connect of this process and whether its endpoint was learned at that moment. */
function watchConnects (): { connects: Connect[], restore: () => void } {
  const connects: Connect[] = []
  const original = net.Socket.prototype.connect
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const endpoint = endpointOf(args)
    if (endpoint !== undefined) {
      const key = peerAddressKey(endpoint.host, endpoint.port)
      connects.push({ key, learned: learnedPeerAddresses().has(key) })
    }
    return Reflect.apply(original, this, args) as net.Socket
  } as typeof original
  return { connects, restore: () => { net.Socket.prototype.connect = original } }
}

describe('a live vault connects only to addresses it learned through the network', { timeout: 180_000 }, () => {
  let root = ''
  let network: EmbeddedNetwork
  let vault: Vault
  let bootstrap: string[] = []
  const watch = watchConnects()

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'learned-addresses-test-'))
    network = new EmbeddedNetwork({ dataDir: join(root, 'network'), nodes: NETWORK_VAULTS, clientRate: 0 })
    bootstrap = (await network.start()).bootstrap
    vault = await createVault({ dataDir: join(root, 'live'), identity: identityFromSeed(Uint8Array.from(randomBytes(32))), localNetwork: true, bootstrap })
    await vault.start()
    // Beyond its bootstrap peer, the vault finds the others by DHT walks and dials them.
    await connected(vault, NETWORK_VAULTS - 1)
  })

  after(async () => {
    watch.restore()
    await vault.stop()
    await network.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('joins, stores and fetches chunks with every connect to a learned address', async () => {
    const chunks = Array.from({ length: CHUNKS }, (_, i) => randomBytes(2000 + i * 301))
    const stored = await Promise.all(chunks.map(async bytes => await vault.storeChunk(bytes)))
    for (const [i, { address, holders }] of stored.entries()) {
      assert.ok(holders.length > 0)
      const fetched = await vault.fetchChunk(address)
      assert.ok(fetched !== undefined && Buffer.compare(fetched, chunks[i] ?? new Uint8Array()) === 0, `chunk ${i}`)
    }

    // Peers may have dialed the vault rather than the other way round; so that the check below is
    // not vacuous, hang up on one it learned of beyond its bootstrap peer and dial it again by its id:
    // the addresses come from the peer store, as any dial after a DHT walk.
    const bootstrapKeys = new Set(bootstrap.map(address => multiaddrKey(address)))
    const learnedPeer = vault.libp2p.getConnections().find(connection => !bootstrapKeys.has(multiaddrKey(connection.remoteAddr.toString())))
    assert.ok(learnedPeer !== undefined, 'the vault is connected to peers beyond its bootstrap peer')
    await vault.libp2p.hangUp(learnedPeer.remotePeer)
    const connectsBefore = watch.connects.length
    await vault.libp2p.dial(learnedPeer.remotePeer)
    const redials = watch.connects.slice(connectsBefore).filter(connect => !bootstrapKeys.has(connect.key))
    assert.ok(redials.length > 0, `the vault dialed a peer it learned of (identify, DHT) by its id: ${JSON.stringify(watch.connects)}`)
    assert.deepEqual(watch.connects.filter(connect => !connect.learned), [], 'connects to addresses not in the registry at connect time')
  })

  it('would see a connect to an address nobody learned (the watch is not blind)', async () => {
    const server = net.createServer(socket => { socket.destroy() })
    await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
    try {
      const address = server.address()
      assert.ok(typeof address === 'object' && address !== null)
      const before = watch.connects.length
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(address.port, '127.0.0.1', () => { socket.destroy(); resolve() })
        socket.once('error', reject)
      })
      assert.deepEqual(watch.connects.slice(before), [{ key: `127.0.0.1:${address.port}`, learned: false }])
    } finally {
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  })
})
