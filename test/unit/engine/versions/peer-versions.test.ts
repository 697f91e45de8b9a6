import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { IdentifyResult, PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import type { TrustOffence } from '../../../../node-core/engine/network/local-trust.ts'
import {
  decodeUpgradeRequired, MalformedVersionFrameError, PeerVersionService, upgradeRequiredNotice, VERSION_PROTOCOL,
  type PeerVersionComponents
} from '../../../../node-core/engine/versions/peer-versions.ts'
import { CHUNK_PROTOCOL, KAD_PROTOCOL } from '../../../../node-core/engine/version.ts'

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))

async function peerId (seed: number): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(seed)))
}

interface FakeLibp2pEvents { 'peer:identify': CustomEvent<IdentifyResult> }

/** libp2p as the service sees it: identify events in; dials fail (the peer speaks no version protocol); hang-ups recorded. */
class FakeLibp2p extends TypedEventEmitter<FakeLibp2pEvents> {
  readonly handled: string[] = []
  readonly dialed: string[] = []
  readonly hungUp: string[] = []
  readonly hangUpSettled: Promise<void>
  private resolveHangUp: () => void = () => {}

  constructor () {
    super()
    this.hangUpSettled = new Promise(resolve => { this.resolveHangUp = resolve })
  }

  async handle (protocol: string): Promise<void> { this.handled.push(protocol) }
  async unhandle (protocol: string): Promise<void> { this.handled.splice(this.handled.indexOf(protocol), 1) }
  async dialProtocol (peer: PeerId, protocol: string): Promise<never> {
    this.dialed.push(`${peer.toString()} ${protocol}`)
    throw new Error('protocol selection failed')
  }

  async hangUp (peer: PeerId): Promise<void> {
    this.hungUp.push(peer.toString())
    this.resolveHangUp()
  }

  identify (peer: PeerId, agentVersion: string | undefined, protocols: string[]): void {
    this.dispatchEvent(new CustomEvent('peer:identify', {
      detail: { peerId: peer, listenAddrs: [], protocols, ...(agentVersion === undefined ? {} : { agentVersion }) }
    }))
  }
}

function setUp (): { libp2p: FakeLibp2p, penalties: Array<{ peer: string, offence: TrustOffence, reason: string }>, service: PeerVersionService } {
  const libp2p = new FakeLibp2p()
  const penalties: Array<{ peer: string, offence: TrustOffence, reason: string }> = []
  const components = {
    libp2p: libp2p as unknown as PeerVersionComponents['libp2p'],
    trust: { penalize: (peer: string, offence: TrustOffence, reason: string) => { penalties.push({ peer, offence, reason }) } }
  }
  return { libp2p, penalties, service: new PeerVersionService(components) }
}

describe('decodeUpgradeRequired', () => {
  it('accepts the upgrade-required frame, with or without a deadline', () => {
    assert.deepEqual(decodeUpgradeRequired(encode({ code: 'upgrade-required', minimum: ['/vault/chunk/0.9.0'] })), { code: 'upgrade-required', minimum: ['/vault/chunk/0.9.0'] })
    assert.equal(decodeUpgradeRequired(encode({ code: 'upgrade-required', minimum: ['/vault/kad/1.0.0'], deadline: 1_800_000_000_000 })).deadline, 1_800_000_000_000)
  })

  it('refuses bad frames with MalformedVersionFrameError', () => {
    const bad = [
      'not json',
      new Uint8Array([0xff, 0xfe]),
      { code: 'upgrade', minimum: ['/vault/chunk/0.9.0'] },
      { code: 'upgrade-required', minimum: [] },
      { code: 'upgrade-required', minimum: ['/ipfs/id/1.0.0'] },
      { code: 'upgrade-required', minimum: ['/vault/chunk/0.9.0'], deadline: -1 },
      { code: 'upgrade-required', minimum: ['/vault/chunk/0.9.0'], extra: true },
      { code: 'upgrade-required', minimum: Array(17).fill('/vault/chunk/0.9.0') }
    ]
    for (const frame of bad) {
      assert.throws(() => decodeUpgradeRequired(frame instanceof Uint8Array ? frame : encode(frame)), (err: Error) => err.name === MalformedVersionFrameError.NAME, JSON.stringify(frame))
    }
  })

  it('words the host notice: what is wrong, what it costs, how to fix it', () => {
    const text = upgradeRequiredNotice(['/vault/chunk/0.9.0'])
    assert.match(text, /^Upgrade required: .*at least \/vault\/chunk\/0\.9\.0/)
    assert.match(text, /cannot be chosen as elder/)
    assert.match(text, /Install the latest release/)
  })
})

describe('PeerVersionService', () => {
  it('registers the version protocol on start and removes it on stop', async () => {
    const { libp2p, service } = setUp()
    await service.start()
    assert.deepEqual(libp2p.handled, [VERSION_PROTOCOL])
    await service.stop()
    assert.deepEqual(libp2p.handled, [])
  })

  it('records current and previous peers, keeps them, and counts peers per engine version', async () => {
    const { libp2p, penalties, service } = setUp()
    await service.start()
    const current = await peerId(1)
    const previous = await peerId(2)
    const other = await peerId(3)
    libp2p.identify(current, 'vault/0.1.0', ['/ipfs/id/1.0.0', CHUNK_PROTOCOL, KAD_PROTOCOL])
    libp2p.identify(previous, 'vault/0.0.9', ['/vault/chunk/0.9.0'])
    libp2p.identify(other, 'js-libp2p/3.0.0', ['/ipfs/id/1.0.0'])
    assert.equal(service.versionOf(current)?.compatibility, 'current')
    assert.deepEqual(service.versionOf(current)?.protocols, [CHUNK_PROTOCOL, KAD_PROTOCOL])
    assert.equal(service.versionOf(previous)?.compatibility, 'previous')
    assert.equal(service.versionOf(other)?.compatibility, 'unrelated')
    for (const peer of [current, previous, other]) assert.equal(service.isOutdated(peer), false)
    assert.deepEqual(service.versionSummary().map(row => `${row.engineVersion} ${row.count}`).sort(), ['0.0.9 1', '0.1.0 1', 'unknown 1'])
    assert.deepEqual(penalties, [])
    assert.deepEqual(libp2p.dialed, [])
    assert.deepEqual(libp2p.hungUp, [])
    await service.stop()
  })

  it('refuses a peer two versions behind: outdated event, trust lowered, upgrade-required attempted, connection closed', async () => {
    const { libp2p, penalties, service } = setUp()
    await service.start()
    const old = await peerId(4)
    const outdated: string[] = []
    service.addEventListener('peer:outdated', event => { outdated.push(`${event.detail.peer} ${event.detail.version.engineVersion ?? ''}`) })
    libp2p.identify(old, 'vault/0.0.8', ['/vault/chunk/0.8.0', '/vault/kad/0.8.0'])
    await libp2p.hangUpSettled
    assert.equal(service.isOutdated(old), true)
    assert.equal(service.isOutdated(old.toString()), true)
    assert.deepEqual(outdated, [`${old.toString()} 0.0.8`])
    assert.equal(penalties.length, 1)
    assert.equal(penalties[0]?.peer, old.toString())
    assert.equal(penalties[0]?.offence, 'outdated')
    assert.match(penalties[0]?.reason ?? '', /^outdated: .*older than the two versions we speak/)
    assert.deepEqual(libp2p.dialed, [`${old.toString()} ${VERSION_PROTOCOL}`])
    assert.deepEqual(libp2p.hungUp, [old.toString()])
    await service.stop()
  })

  it('charges a peer once while it is being refused, however often it identifies meanwhile', async () => {
    const { libp2p, penalties, service } = setUp()
    await service.start()
    const old = await peerId(6)
    libp2p.identify(old, 'vault/0.0.8', ['/vault/chunk/0.8.0'])
    libp2p.identify(old, 'vault/0.0.8', ['/vault/chunk/0.8.0', '/vault/kad/0.8.0'])
    await libp2p.hangUpSettled
    assert.equal(penalties.length, 1)
    assert.deepEqual(libp2p.dialed, [`${old.toString()} ${VERSION_PROTOCOL}`])
    assert.deepEqual(service.versionOf(old)?.protocols, ['/vault/chunk/0.8.0', '/vault/kad/0.8.0'], 'the latest identify is recorded')
    await service.stop()
  })

  it('stops listening to identify once stopped', async () => {
    const { libp2p, penalties, service } = setUp()
    await service.start()
    await service.stop()
    const old = await peerId(5)
    libp2p.identify(old, 'vault/0.0.8', ['/vault/chunk/0.8.0'])
    assert.equal(service.versionOf(old), undefined)
    assert.deepEqual(penalties, [])
  })
})
