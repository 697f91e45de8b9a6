// Versions between real vaults on loopback (DESIGN §2, versions and eras): a vault that speaks the
// current protocols keeps a peer one version behind, and refuses one two versions behind: the old
// peer is told "upgrade required" on /vault/version/1.0.0, loses local trust, is disconnected and
// is reported outdated (never elder).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { TrustOffence } from '../../node-core/engine/network/local-trust.ts'
import { createVault, type Vault } from '../../node-core/engine/vault.ts'
import { ENGINE_VERSION } from '../../node-core/engine/version.ts'
import { PeerVersionService, VERSION_PROTOCOL } from '../../node-core/engine/versions/peer-versions.ts'
import type { SupportedProtocols } from '../../node-core/engine/versions/protocol-versions.ts'

/** An older release's vault: its own agent version, and only the protocol ids that release spoke. */
async function olderVault (seed: number, engineVersion: string, supported: SupportedProtocols): Promise<{ libp2p: Libp2p, versions: PeerVersionService, penalties: string[] }> {
  const libp2p = await createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(seed)),
    nodeInfo: { name: 'vault', version: engineVersion, userAgent: `vault/${engineVersion}` },
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [tls(), noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  for (const protocol of Object.values(supported)) {
    await libp2p.handle(protocol.current, stream => { stream.abort(new Error('not served in this test')) })
  }
  const penalties: string[] = []
  const versions = new PeerVersionService({ libp2p, trust: { penalize: (peer: string, offence: TrustOffence) => { penalties.push(`${peer} ${offence}`) } } }, { supported })
  await versions.start()
  return { libp2p, versions, penalties }
}

/** Resolves with the first event `name` from `target` whose detail passes `accept`. */
async function nextEvent<T> (target: EventTarget, name: string, accept: (detail: T) => boolean): Promise<T> {
  return await new Promise(resolve => {
    const listener = (event: Event): void => {
      const detail = (event as CustomEvent<T>).detail
      if (!accept(detail)) return
      target.removeEventListener(name, listener)
      resolve(detail)
    }
    target.addEventListener(name, listener)
  })
}

describe('peer versions between three vaults on loopback', { timeout: 60_000 }, () => {
  let root = ''
  let current: Vault | undefined
  let versions: PeerVersionService | undefined
  const older: Array<Awaited<ReturnType<typeof olderVault>>> = []

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'peer-versions-test-'))
    current = await createVault({ dataDir: join(root, 'current'), localNetwork: true })
    // Every vault runs its own version service.
    versions = current.versions
    await current.start()
  })

  after(async () => {
    await current?.stop()
    for (const node of older) {
      await node.versions.stop()
      await node.libp2p.stop()
    }
    await rm(root, { recursive: true, force: true })
  })

  it('keeps a vault one protocol version behind and refuses, deranks and disconnects one two versions behind', async () => {
    assert.ok(current !== undefined && versions !== undefined)
    const address = multiaddr(current.multiaddrs()[0] ?? '')
    // One version behind: this release's declared previous line.
    const previous = await olderVault(2, '0.0.9', {
      chunk: { current: '/vault/chunk/0.9.0', previous: '/vault/chunk/0.8.0' },
      kad: { current: '/vault/kad/0.9.0', previous: '/vault/kad/0.8.0' }
    })
    older.push(previous)
    // Two versions behind.
    const old = await olderVault(3, '0.0.8', {
      chunk: { current: '/vault/chunk/0.8.0', previous: '/vault/chunk/0.7.0' },
      kad: { current: '/vault/kad/0.8.0', previous: '/vault/kad/0.7.0' }
    })
    older.push(old)
    const service = versions
    const currentId = current.peerId
    const isPeer = (peer: PeerId) => (detail: { peerId: PeerId }) => detail.peerId.equals(peer)

    const previousIdentified = nextEvent(current.libp2p, 'peer:identify', isPeer(previous.libp2p.peerId))
    await previous.libp2p.dial(address)
    await previousIdentified
    assert.equal(service.versionOf(previous.libp2p.peerId)?.compatibility, 'previous')

    const oldId = old.libp2p.peerId.toString()
    const outdated = nextEvent<{ peer: string }>(service, 'peer:outdated', detail => detail.peer === oldId)
    const told = nextEvent<{ peer: string, minimum: string[] }>(old.versions, 'version:upgrade-required', () => true)
    const disconnected = Promise.all([
      nextEvent<PeerId>(current.libp2p, 'peer:disconnect', peer => peer.equals(old.libp2p.peerId)),
      nextEvent<PeerId>(old.libp2p, 'peer:disconnect', peer => peer.equals(currentId))
    ])
    await old.libp2p.dial(address)
    await outdated
    const notice = await told
    await disconnected

    // The old vault heard why, from whom, and what it must speak at least.
    assert.equal(notice.peer, current.peerId.toString())
    assert.deepEqual(notice.minimum, ['/vault/chunk/0.9.0', '/vault/kad/0.9.0'])
    // Refused: outdated (never elder), deranked, disconnected.
    assert.equal(service.isOutdated(old.libp2p.peerId), true)
    assert.ok(current.trust.score(oldId) < 0, `trust score ${current.trust.score(oldId)}`)
    assert.equal(current.libp2p.getConnections(old.libp2p.peerId).length, 0)
    assert.equal(old.libp2p.getConnections(current.peerId).length, 0)
    // The previous-version vault is kept, untouched.
    assert.equal(service.isOutdated(previous.libp2p.peerId), false)
    assert.equal(current.trust.score(previous.libp2p.peerId.toString()), 0)
    assert.ok(current.libp2p.getConnections(previous.libp2p.peerId).length > 0)
    // The dashboard's figures: one peer per engine version.
    assert.deepEqual(service.versionSummary().map(row => `${row.engineVersion} ${row.compatibility} ${row.count}`).sort(), ['0.0.8 too-old 1', '0.0.9 previous 1'])
    // The older vaults judge the current one as newer and charge it nothing.
    assert.equal(old.versions.versionOf(current.peerId)?.compatibility, 'newer')
    assert.equal(old.versions.versionOf(current.peerId)?.engineVersion, ENGINE_VERSION)
    assert.equal(old.versions.isOutdated(current.peerId), false)
    assert.deepEqual([...old.penalties, ...previous.penalties], [])
  })

  it('charges a peer that sends a bad frame on the version protocol, and shows no notice', async () => {
    assert.ok(current !== undefined && versions !== undefined)
    const sender = older[0]
    assert.ok(sender !== undefined, 'the previous-version vault from the first test')
    const senderId = sender.libp2p.peerId.toString()
    const noticed: string[] = []
    versions.addEventListener('version:upgrade-required', event => { noticed.push(event.detail.peer) })
    const lowered = nextEvent<{ peer: string, offence: TrustOffence }>(current.trust, 'trust:lowered', detail => detail.peer === senderId)
    const stream = await sender.libp2p.dialProtocol(current.peerId, VERSION_PROTOCOL)
    await lpStream(stream).write(new TextEncoder().encode(JSON.stringify({ code: 'upgrade-required', minimum: ['not a protocol id'] })))
    const { offence } = await lowered
    assert.equal(offence, 'malformed')
    assert.ok(current.trust.score(senderId) < 0)
    assert.deepEqual(noticed, [])
  })
})
