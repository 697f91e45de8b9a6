// Peer versions (DESIGN §2, versions and eras): peers learn each other's engine and protocol
// versions through libp2p identify. A peer older than the two protocol versions we speak is told
// "upgrade required" on /vault/version/1.0.0, loses local trust, is disconnected, and is reported
// outdated so the section does not choose it as elder. The version protocol itself never changes
// version: it is how an old vault learns that it is old.
import type { AbortOptions, IdentifyResult, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { TypedEventEmitter } from 'main-event'
import { z } from 'zod'
import type { TrustOffence } from '../network/local-trust.ts'
import { compatibility, minimumProtocols, parseAgentVersion, SUPPORTED_PROTOCOLS, type CompatibilityResult, type SupportedProtocols } from './protocol-versions.ts'
import { namedError } from '../../../contract/named-error.ts'

export const VERSION_PROTOCOL = '/vault/version/1.0.0'
/** One small JSON frame: far above what an honest notice needs, far below anything costly. */
export const MAX_VERSION_FRAME_BYTES = 4096
export const DEFAULT_NOTICE_TIMEOUT_MS = 5_000

const ProtocolIdString = z.string().regex(/^\/vault\/[a-z][a-z0-9-]{0,31}\/\d{1,6}\.\d{1,6}\.\d{1,6}$/, 'expected /vault/<name>/<major>.<minor>.<patch>')

export const UpgradeRequiredFrameSchema = z.object({
  code: z.literal('upgrade-required'),
  /** The oldest protocol ids the sender still speaks. */
  minimum: z.array(ProtocolIdString).min(1).max(16),
  /** When the sender stops serving the peer entirely, in ms since the Unix epoch. */
  deadline: z.number().int().min(0).optional()
}).strict()
export type UpgradeRequiredFrame = z.infer<typeof UpgradeRequiredFrameSchema>

export class MalformedVersionFrameError extends namedError('MalformedVersionFrameError') {}

export interface PeerVersion {
  /** The engine version from identify's agent version, when it is a vault's (`vault/<semver>`). */
  engineVersion: string | undefined
  agentVersion: string | undefined
  /** The peer's vault protocol ids, as announced. */
  protocols: string[]
  compatibility: CompatibilityResult['compatibility']
  reason: string
}

export interface PeerVersionEvents {
  'peer:outdated': CustomEvent<{ peer: string, version: PeerVersion }>
  /** A peer told this vault to upgrade: a notice for the host, not a verdict (any peer can send it). */
  'version:upgrade-required': CustomEvent<{ peer: string, minimum: string[], deadline?: number }>
}

export interface PeerVersionComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol' | 'hangUp' | 'addEventListener' | 'removeEventListener'>
  /** Local trust's penalize (LocalTrust.penalize fits). */
  trust: { penalize(peer: string, offence: TrustOffence, reason: string): void }
}

export interface PeerVersionInit {
  /** What this vault speaks; by default this release's SUPPORTED_PROTOCOLS. */
  supported?: SupportedProtocols
  /** The offence an outdated peer is charged with; a dedicated 'outdated' offence is due in local-trust.ts. */
  outdatedOffence?: TrustOffence
  noticeTimeoutMs?: number
  /** When, if ever, this vault stops serving outdated peers, for the notice's deadline. */
  deadline?: () => number | undefined
}

export class PeerVersionService extends TypedEventEmitter<PeerVersionEvents> {
  private readonly components: PeerVersionComponents
  private readonly supported: SupportedProtocols
  private readonly outdatedOffence: TrustOffence
  private readonly noticeTimeoutMs: number
  private readonly deadline: () => number | undefined
  private readonly peers = new Map<string, PeerVersion>()
  /** Peers being told and disconnected: an identify push meanwhile must not charge them twice. */
  private readonly refusing = new Set<string>()
  private stopController = new AbortController()
  private started = false
  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => { void this.identified(event.detail) }

  constructor (components: PeerVersionComponents, init: PeerVersionInit = {}) {
    super()
    this.components = components
    this.supported = init.supported ?? SUPPORTED_PROTOCOLS
    this.outdatedOffence = init.outdatedOffence ?? 'outdated'
    this.noticeTimeoutMs = init.noticeTimeoutMs ?? DEFAULT_NOTICE_TIMEOUT_MS
    this.deadline = init.deadline ?? (() => undefined)
    // Fail at construction, not on the first peer, when the supported table is wrong.
    compatibility(this.supported, [])
  }

  async start (): Promise<void> {
    if (this.started) return
    this.stopController = new AbortController()
    await this.components.libp2p.handle(VERSION_PROTOCOL, async (stream, connection) => {
      await this.receive(stream, connection.remotePeer)
    }, { maxInboundStreams: 4, maxOutboundStreams: 4 })
    this.components.libp2p.addEventListener('peer:identify', this.onIdentify)
    this.started = true
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    this.stopController.abort()
    this.components.libp2p.removeEventListener('peer:identify', this.onIdentify)
    await this.components.libp2p.unhandle(VERSION_PROTOCOL)
  }

  /** True once the peer was found older than the two versions we speak: never an elder. */
  isOutdated (peer: PeerId | string): boolean {
    return this.peers.get(peer.toString())?.compatibility === 'too-old'
  }

  versionOf (peer: PeerId | string): PeerVersion | undefined {
    return this.peers.get(peer.toString())
  }

  /**
   * How many known peers run each engine version ('unknown' for agents that are not vaults), by
   * their compatibility with this vault: what the dashboard shows.
   */
  versionSummary (): Array<{ engineVersion: string, compatibility: PeerVersion['compatibility'], count: number }> {
    const groups = new Map<string, { engineVersion: string, compatibility: PeerVersion['compatibility'], count: number }>()
    for (const version of this.peers.values()) {
      const engineVersion = version.engineVersion ?? 'unknown'
      const key = `${engineVersion} ${version.compatibility}`
      const group = groups.get(key) ?? { engineVersion, compatibility: version.compatibility, count: 0 }
      group.count++
      groups.set(key, group)
    }
    return [...groups.values()]
  }

  private async identified (result: IdentifyResult): Promise<void> {
    const peer = result.peerId.toString()
    const verdict = compatibility(this.supported, result.protocols)
    const version: PeerVersion = {
      engineVersion: parseAgentVersion(result.agentVersion),
      agentVersion: result.agentVersion,
      protocols: verdict.protocols.flatMap(protocol => protocol.remote),
      compatibility: verdict.compatibility,
      reason: verdict.reason
    }
    this.peers.set(peer, version)
    if (verdict.compatibility !== 'too-old' || this.refusing.has(peer)) return
    this.refusing.add(peer)
    try {
      await this.refuse(result.peerId, verdict.reason, version)
    } finally {
      this.refusing.delete(peer)
    }
  }

  private async refuse (peerId: PeerId, reason: string, version: PeerVersion): Promise<void> {
    const peer = peerId.toString()
    this.components.trust.penalize(peer, this.outdatedOffence, `outdated: ${reason}`)
    this.dispatchEvent(new CustomEvent('peer:outdated', { detail: { peer, version } }))
    const signal = AbortSignal.any([this.stopController.signal, AbortSignal.timeout(this.noticeTimeoutMs)])
    await this.sendUpgradeRequired(peerId, { signal }).catch(() => {
      // An old vault may not even speak the version protocol; it is disconnected all the same.
    })
    await this.components.libp2p.hangUp(peerId, { signal: AbortSignal.timeout(this.noticeTimeoutMs) }).catch(() => {})
  }

  private async sendUpgradeRequired (peer: PeerId, options: AbortOptions): Promise<void> {
    const deadline = this.deadline()
    const frame: UpgradeRequiredFrame = {
      code: 'upgrade-required',
      minimum: minimumProtocols(this.supported),
      ...(deadline === undefined ? {} : { deadline })
    }
    const stream = await this.components.libp2p.dialProtocol(peer, VERSION_PROTOCOL, options)
    const lp = lpStream(stream, { maxDataLength: MAX_VERSION_FRAME_BYTES })
    await lp.write(new TextEncoder().encode(JSON.stringify(frame)), options)
    await stream.close(options)
    // Wait for the peer to close its end, so the frame is read before the connection goes.
    await lp.read(options).catch(() => {})
  }

  private async receive (stream: Stream, remotePeer: PeerId): Promise<void> {
    const peer = remotePeer.toString()
    const signal = AbortSignal.any([this.stopController.signal, AbortSignal.timeout(this.noticeTimeoutMs)])
    const lp = lpStream(stream, { maxDataLength: MAX_VERSION_FRAME_BYTES })
    let frame: UpgradeRequiredFrame
    try {
      frame = decodeUpgradeRequired((await lp.read({ signal })).subarray())
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      this.components.trust.penalize(peer, 'malformed', `bad version frame: ${error.message.slice(0, 200)}`)
      stream.abort(error)
      return
    }
    await stream.close({ signal }).catch(() => {})
    this.dispatchEvent(new CustomEvent('version:upgrade-required', {
      detail: { peer, minimum: frame.minimum, ...(frame.deadline === undefined ? {} : { deadline: frame.deadline }) }
    }))
  }
}

export function decodeUpgradeRequired (bytes: Uint8Array): UpgradeRequiredFrame {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (err) {
    throw new MalformedVersionFrameError(`version frame is not UTF-8 JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  const parsed = UpgradeRequiredFrameSchema.safeParse(json)
  if (!parsed.success) throw new MalformedVersionFrameError(`version frame: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/** The notice a host shows when peers say this vault is outdated: what, what it costs, how to fix. */
export function upgradeRequiredNotice (minimum: readonly string[]): string {
  return `Upgrade required: peers no longer speak this vault's protocol versions (they need at least ${minimum.join(', ')}). ` +
    'Until it is upgraded, this vault is disconnected by up-to-date peers, loses their trust and cannot be chosen as elder. ' +
    'Install the latest release to rejoin.'
}
