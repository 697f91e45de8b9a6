// A vault in shadow mode takes part in no network: it dials nobody, refuses inbound connections,
// runs on the live vault's identity and never grinds one (issue 5, deliver 1).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Root } from '@tufjs/models'
import { multiaddr } from '@multiformats/multiaddr'
import { identityFromSeed, writeIdentity } from '../../../../node-core/engine/identity/identity-file.ts'
import { createVault, type Vault } from '../../../../node-core/engine/vault.ts'

/** Counts the TCP connects this process makes while `during` runs. */
async function connectsDuring (during: () => Promise<void>): Promise<string[]> {
  const seen: string[] = []
  const original = net.Socket.prototype.connect
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const [first] = args
    seen.push(typeof first === 'object' && first !== null && 'port' in first ? String(first.port) : String(first))
    return Reflect.apply(original, this, args) as net.Socket
  } as typeof original
  try {
    await during()
  } finally {
    net.Socket.prototype.connect = original
  }
  return seen
}

describe('a vault in shadow mode', () => {
  let root = ''
  let live: Vault
  let shadow: Vault
  const identity = identityFromSeed(Uint8Array.from(randomBytes(32)))

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'shadow-vault-test-'))
    live = await createVault({ dataDir: join(root, 'live'), identity: identityFromSeed(Uint8Array.from(randomBytes(32))), localNetwork: true })
    await live.start()
    await mkdir(join(root, 'snapshot', 'chunks'), { recursive: true })
    await writeIdentity(join(root, 'shadow'), identity)
    shadow = await createVault({ dataDir: join(root, 'shadow'), localNetwork: true, shadow: { snapshotDir: join(root, 'snapshot') } })
    await shadow.start()
  })

  after(async () => {
    await shadow.stop()
    await live.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('runs on the identity copied into its data dir: the same name and age', () => {
    assert.equal(shadow.shadow, true)
    assert.deepEqual(shadow.identity.name, identity.name)
    assert.equal(shadow.status().age, identity.age)
    assert.equal(live.shadow, false)
  })

  it('listens on loopback only', () => {
    assert.ok(shadow.multiaddrs().length > 0)
    for (const address of shadow.multiaddrs()) assert.match(address, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\//)
  })

  it('refuses to dial, by address or by peer, before any socket opens', async () => {
    const liveAddress = live.multiaddrs()[0]
    assert.ok(liveAddress !== undefined)
    await shadow.libp2p.peerStore.merge(live.peerId, { multiaddrs: [multiaddr(liveAddress)] })
    const connects = await connectsDuring(async () => {
      await assert.rejects(shadow.libp2p.dial(multiaddr(liveAddress)), (err: Error) => /gater|denied|no valid addresses/i.test(`${err.name} ${err.message}`), 'dial by address')
      await assert.rejects(shadow.libp2p.dial(live.peerId), (err: Error) => /gater|denied/i.test(`${err.name} ${err.message}`), 'dial by peer')
      await assert.rejects(shadow.chunks.get(live.peerId, 'ab'.repeat(32)), 'a chunk request to a peer')
    })
    assert.deepEqual(connects, [])
    assert.equal(shadow.libp2p.getConnections().length, 0)
  })

  it('refuses a peer that dials it', async () => {
    const shadowAddress = shadow.multiaddrs()[0]
    assert.ok(shadowAddress !== undefined)
    await assert.rejects(live.libp2p.dial(multiaddr(shadowAddress)))
    assert.equal(shadow.libp2p.getPeers().length, 0)
    assert.equal(shadow.status().peers, 0)
  })

  it('never grinds an identity: without the live vault\'s it fails at once, naming the file', async () => {
    const dataDir = join(root, 'no-identity')
    await assert.rejects(
      createVault({ dataDir, shadow: { snapshotDir: join(root, 'snapshot') } }),
      (err: Error) => err.name === 'ShadowIdentityMissingError' && err.message.includes(join(dataDir, 'identity.json'))
    )
  })

  it('refuses a configuration that would reach outside: bootstrap peers, release gossip, a public listener', async () => {
    const base = { dataDir: join(root, 'shadow'), shadow: { snapshotDir: join(root, 'snapshot') } }
    await assert.rejects(createVault({ ...base, bootstrap: live.multiaddrs() }), { name: 'ShadowConfigError' })
    await assert.rejects(createVault({ ...base, trustedReleaseRoot: (): Root => { throw new Error('never read') } }), { name: 'ShadowConfigError' })
    await assert.rejects(createVault({ ...base, listen: ['/ip4/0.0.0.0/tcp/0'] }), (err: Error) => err.name === 'ShadowConfigError' && /loopback only/.test(err.message))
  })
})
