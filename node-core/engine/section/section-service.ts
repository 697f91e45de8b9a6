// The section service (/vault/section/1.0.0, issue 3): connects a SectionNode to libp2p, in the
// shape of a js-libp2p service (components, init, start/stop, typed events). Every message is one
// length-prefixed frame on its own stream; the sender is the authenticated remote peer. A frame
// that is oversized, truncated or not a valid message, or a message that breaks the protocol (a
// forged decision, a bad vote share), costs the sender local trust, as on the chunk protocol.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Connection, IdentifyResult, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { TypedEventEmitter } from 'main-event'
import type { SectionStatus } from '../../../contract/host-api.ts'
import type { VoterState } from '../../section/crypto/decisions.ts'
import type { RewardSignerState } from '../../section/economy/reward-signer.ts'
import type { Random } from '../../section/crypto/scalar.ts'
import type { LocalTrust, TrustOffence } from '../network/local-trust.ts'
import { nameOfPeer } from '../network/placement.ts'
import { isEndBeforeFrame } from '../network/stream-end.ts'
import { DEFAULT_MAX_STREAMS_PER_PEER, DEFAULT_SEND_TIMEOUT_MS, MAX_SECTION_FRAME_BYTES, SECTION_PROTOCOL, SEND_RETRY_DELAYS_MS } from './constants.ts'
import { nameToBytes, nameToHex } from './known-vaults.ts'
import {
  decodeSectionMessage, encodeSectionMessage, MalformedSectionMessageError, SectionFrameTooLargeError, UnknownSectionMessageError, type DemotionProofWire, type RelocationProofWire, type SectionMessage
} from './section-messages.ts'
import { SectionNode, type SectionNodeEvents, type SectionNodeInit } from './section-node.ts'
import type { Schedule } from './schedule.ts'

export interface SectionServiceComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol' | 'addEventListener' | 'removeEventListener'>
  trust: Pick<LocalTrust, 'penalize' | 'isIgnored'>
  identity: { name: Uint8Array, seed: Uint8Array }
  schedule?: Schedule
  random?: Random
  persistVoter?: (state: VoterState) => Promise<void>
  supportedEras?: readonly number[]
  /** The proof this vault rejoins with after its section relocated it. */
  relocation?: RelocationProofWire
  /** The proof this vault rejoins with after its section demoted it. */
  demotion?: DemotionProofWire
  persistRewardSigner?: (state: RewardSignerState) => Promise<void>
  rewardSignerState?: RewardSignerState
}

export interface SectionServiceInit extends SectionNodeInit {
  /** How long sending or reading one message may take. */
  sendTimeoutMs?: number
  maxStreamsPerPeer?: number
}

export interface SectionServiceEvents extends SectionNodeEvents {
  'section:send-failed': CustomEvent<{ to: string, type: SectionMessage['type'], error: Error }>
}

/** Which trust offence a frame that could not be read is, if it is anyone's fault. */
export function frameOffence (err: Error): TrustOffence | undefined {
  switch (err.name) {
    case 'InvalidDataLengthError':
    case SectionFrameTooLargeError.NAME:
      return 'oversize'
    case MalformedSectionMessageError.NAME:
    case 'InvalidMessageLengthError':
    case 'InvalidDataLengthLengthError':
      return 'malformed'
    case 'UnexpectedEOFError':
      return isEndBeforeFrame(err) ? undefined : 'truncated'
    case UnknownSectionMessageError.NAME:
      // A later version's message: ignored, not held against its sender.
      return undefined
    default:
      return undefined
  }
}

export function peerIdOfHexName (name: string): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(nameToBytes(name)))
}

/**
 * Asks a vault for its section's latest statement, answered on the same stream; undefined when the
 * vault knows no section yet. The answer is parsed here and checked by the caller (StatementBook).
 */
export async function querySection (libp2p: Pick<Libp2p, 'dialProtocol'>, peer: PeerId, options: { signal: AbortSignal }): Promise<SectionMessage | undefined> {
  const stream = await libp2p.dialProtocol(peer, SECTION_PROTOCOL, options)
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_SECTION_FRAME_BYTES })
    await lp.write(encodeSectionMessage({ type: 'section-query' }), options)
    let bytes: Uint8Array
    try {
      bytes = (await lp.read(options)).subarray()
    } catch (err) {
      // The vault closed the stream without an answer: it knows no section yet.
      if (err instanceof Error && err.name === 'UnexpectedEOFError') return undefined
      throw err
    }
    await stream.close(options).catch(() => {})
    return decodeSectionMessage(bytes)
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err))
    stream.abort(error)
    throw error
  }
}

/**
 * Sends one message on its own stream: one frame, then close. A try that failed before the frame was
 * written is made again after each of `retryDelaysMs`; one that failed later is not, since the peer
 * may have the message already.
 */
export async function sendSectionMessage (
  libp2p: Pick<Libp2p, 'dialProtocol'>, peer: PeerId, message: SectionMessage, options: { signal: AbortSignal, retryDelaysMs?: readonly number[] }
): Promise<void> {
  const bytes = encodeSectionMessage(message)
  const { signal, retryDelaysMs = SEND_RETRY_DELAYS_MS } = options
  for (let attempt = 0; ; attempt++) {
    const failure = await sendFrame(libp2p, peer, bytes, signal)
    if (failure === undefined) return
    const delay = retryDelaysMs[attempt]
    if (failure.written || signal.aborted || delay === undefined) throw failure.error
    await sleep(delay, undefined, { signal })
  }
}

async function sendFrame (libp2p: Pick<Libp2p, 'dialProtocol'>, peer: PeerId, bytes: Uint8Array, signal: AbortSignal): Promise<{ error: Error, written: boolean } | undefined> {
  let stream: Stream | undefined
  let written = false
  try {
    stream = await libp2p.dialProtocol(peer, SECTION_PROTOCOL, { signal })
    await lpStream(stream, { maxDataLength: MAX_SECTION_FRAME_BYTES }).write(bytes, { signal })
    written = true
    await stream.close({ signal })
    return undefined
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err))
    stream?.abort(error)
    return { error, written }
  }
}

const FORWARDED_EVENTS = [
  'section:phase', 'section:established', 'section:member-joined', 'section:generation', 'section:era', 'section:standing', 'section:probation',
  'section:rejected', 'section:keying', 'section:handover', 'section:failure', 'section:relocated', 'section:left', 'section:reward-record', 'section:reward-declined', 'section:rekey'
] as const

export class SectionService extends TypedEventEmitter<SectionServiceEvents> {
  readonly node: SectionNode
  readonly #components: SectionServiceComponents
  readonly #sendTimeoutMs: number
  readonly #maxStreamsPerPeer: number
  #stopController = new AbortController()
  #started = false
  readonly #onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    if (event.detail.protocols.includes(SECTION_PROTOCOL)) this.#seen(event.detail.peerId)
  }

  constructor (components: SectionServiceComponents, init: SectionServiceInit = {}) {
    super()
    this.#components = components
    this.#sendTimeoutMs = init.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS
    this.#maxStreamsPerPeer = init.maxStreamsPerPeer ?? DEFAULT_MAX_STREAMS_PER_PEER
    this.node = new SectionNode({
      identity: components.identity,
      send: (to, message) => { void this.#send(to, message) },
      ...(components.schedule === undefined ? {} : { schedule: components.schedule }),
      ...(components.random === undefined ? {} : { random: components.random }),
      ...(components.persistVoter === undefined ? {} : { persistVoter: components.persistVoter }),
      ...(components.supportedEras === undefined ? {} : { supportedEras: components.supportedEras }),
      ...(components.relocation === undefined ? {} : { relocation: components.relocation }),
      ...(components.demotion === undefined ? {} : { demotion: components.demotion }),
      ...(components.persistRewardSigner === undefined ? {} : { persistRewardSigner: components.persistRewardSigner }),
      ...(components.rewardSignerState === undefined ? {} : { rewardSignerState: components.rewardSignerState })
    }, init)
    for (const type of FORWARDED_EVENTS) {
      this.node.addEventListener(type, event => { this.dispatchEvent(new CustomEvent(type, { detail: event.detail })) })
    }
  }

  status (): SectionStatus {
    return this.node.status()
  }

  /** Register before libp2p starts, so identify tells the first peers this vault speaks the protocol. */
  async start (): Promise<void> {
    if (this.#started) return
    this.#stopController = new AbortController()
    await this.#components.libp2p.handle(SECTION_PROTOCOL, async (stream, connection) => { await this.#serve(stream, connection) }, {
      maxInboundStreams: this.#maxStreamsPerPeer,
      maxOutboundStreams: this.#maxStreamsPerPeer
    })
    this.#components.libp2p.addEventListener('peer:identify', this.#onIdentify)
    this.#started = true
  }

  async stop (): Promise<void> {
    if (!this.#started) return
    this.#started = false
    this.#stopController.abort()
    this.node.stop()
    this.#components.libp2p.removeEventListener('peer:identify', this.#onIdentify)
    await this.#components.libp2p.unhandle(SECTION_PROTOCOL)
  }

  /** Sends one message to a peer now, for callers outside the state machine (and tests). */
  async sendTo (peer: PeerId, message: SectionMessage, options: { signal?: AbortSignal } = {}): Promise<void> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.#sendTimeoutMs), this.#stopController.signal, ...(options.signal === undefined ? [] : [options.signal])])
    await sendSectionMessage(this.#components.libp2p, peer, message, { signal })
  }

  #seen (peer: PeerId): void {
    const name = nameOfPeer(peer)
    if (name === undefined || !this.#started || this.#components.trust.isIgnored(peer.toString())) return
    // A failure is the node's to report (section:failure); it must not end the process.
    this.node.vaultSeen(nameToHex(name)).catch(() => {})
  }

  async #send (to: string, message: SectionMessage): Promise<void> {
    if (!this.#started) return
    try {
      await this.sendTo(peerIdOfHexName(to), message)
    } catch (err) {
      // Best effort: a silent or departed vault is what the rounds' and votes' timeouts are for.
      if (this.#started) this.dispatchEvent(new CustomEvent('section:send-failed', { detail: { to, type: message.type, error: err instanceof Error ? err : new Error(String(err)) } }))
    }
  }

  async #serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer
    const from = peer.toString()
    const { trust } = this.#components
    if (trust.isIgnored(from)) {
      stream.abort(new Error(`peer ${from} is ignored for low local trust`))
      return
    }
    const name = nameOfPeer(peer)
    let message: SectionMessage
    try {
      if (name === undefined) throw new MalformedSectionMessageError('section messages come only from vaults, whose names are ed25519 keys')
      const lp = lpStream(stream, { maxDataLength: MAX_SECTION_FRAME_BYTES })
      const signal = AbortSignal.any([AbortSignal.timeout(this.#sendTimeoutMs), this.#stopController.signal])
      const bytes = (await lp.read({ signal })).subarray()
      message = decodeSectionMessage(bytes)
      // A query is answered on its own stream: the asker (a client) need not speak the protocol itself.
      if (message.type === 'section-query') {
        const info = this.node.sectionInfo()
        if (info !== undefined) await lp.write(encodeSectionMessage(info), { signal })
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      const offence = frameOffence(error)
      if (offence !== undefined) trust.penalize(from, offence, `section protocol: ${error.message.slice(0, 200)}`)
      stream.abort(error)
      return
    }
    await stream.close().catch(() => {})
    // No reward for a good message: hellos cost nothing to send, so they must not buy trust back.
    const receipt = await this.node.receive(nameToHex(name), message)
    if (!receipt.accepted && receipt.misbehaviour) trust.penalize(from, 'malformed', `section protocol: ${receipt.reason.slice(0, 200)}`)
  }
}
