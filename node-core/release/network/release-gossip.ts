// Release pointer gossip (DESIGN §3.3, /vault/release/1.0.0): a vault that accepts a newer pointer
// keeps it, announces `release:pointer`, and passes it on to every connected peer that speaks the
// protocol (except the one it came from); each newly identified peer is offered the latest, so a
// vault that joins late learns it too. One stream carries one length-prefixed JSON frame. A peer
// that sends a malformed, oversized or badly signed frame loses local trust.
import type { Connection, IdentifyResult, Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Root } from '@tufjs/models'
import { TypedEventEmitter } from 'main-event'
import { namedError } from '../../../contract/named-error.ts'
import type { LocalTrust, TrustOffence } from '../../engine/network/local-trust.ts'
import { ReleasePointerFormatError, ReleasePointerRollbackError, ReleasePointerThresholdError, verifyReleasePointer, type SignedReleasePointer } from './release-pointer.ts'

export const RELEASE_PROTOCOL = '/vault/release/1.0.0'
export const MAX_RELEASE_FRAME_BYTES = 16 * 1024
export const DEFAULT_GOSSIP_TIMEOUT_MS = 10_000

export class ReleaseFrameError extends namedError('ReleaseFrameError') {}

export interface ReleaseGossipComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'getConnections' | 'addEventListener' | 'removeEventListener' | 'peerStore'>
  trust: LocalTrust
  /** The root the vault trusts now (its pinned root, or the newest tuf-js verified). */
  trustedRoot: () => Root
  now: () => Date
}

export interface ReleaseGossipInit {
  timeoutMs?: number
  /** The highest pointer version this vault accepted before a restart: nothing lower is taken again. */
  lastVersion?: number
  /** That pointer, already verified, to offer peers again; no `release:pointer` is sent for it. */
  latest?: SignedReleasePointer
}

export interface ReleasePointerEvent {
  pointer: SignedReleasePointer
  /** The peer it came from; undefined when this vault published it. */
  from?: string
  receivedAt: Date
}

export interface ReleaseGossipEvents {
  'release:pointer': CustomEvent<ReleasePointerEvent>
  'release:rejected': CustomEvent<{ from: string, error: Error }>
}

export type FrameOutcome = 'accepted' | 'known' | 'rejected'

/** Parses one frame's bytes into JSON; the signature check is verifyReleasePointer's. */
export function decodeReleaseFrame (bytes: Uint8Array): unknown {
  if (bytes.length > MAX_RELEASE_FRAME_BYTES) throw new ReleaseFrameError(`release frame of ${bytes.length} bytes, more than ${MAX_RELEASE_FRAME_BYTES}`)
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (err) {
    throw new ReleaseFrameError(`release frame is not UTF-8 JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
}

export function encodeReleaseFrame (pointer: SignedReleasePointer): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(pointer))
  if (bytes.length > MAX_RELEASE_FRAME_BYTES) throw new ReleaseFrameError(`release frame of ${bytes.length} bytes, more than ${MAX_RELEASE_FRAME_BYTES}`)
  return bytes
}

/** Resolves when the peer has closed its end too, i.e. it has read the whole frame. */
async function closedByPeer (stream: Stream, signal: AbortSignal): Promise<void> {
  if (stream.status !== 'open' && stream.status !== 'closing') return
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => { reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason))) }
    signal.addEventListener('abort', onAbort, { once: true })
    stream.addEventListener('close', () => { signal.removeEventListener('abort', onAbort); resolve() }, { once: true })
  })
}

/**
 * Offers a pointer to one peer: one stream, one length-prefixed frame. Rejects when the peer cannot
 * take it (no such protocol, timeout, reset); callers decide whether that matters. A sender about
 * to stop its node passes `untilRead`, since closing only hands the frame to the transport.
 */
export async function sendReleasePointer (connection: Pick<Connection, 'newStream'>, pointer: SignedReleasePointer, options: { signal: AbortSignal, untilRead?: boolean }): Promise<void> {
  const { signal } = options
  let stream: Stream | undefined
  try {
    stream = await connection.newStream(RELEASE_PROTOCOL, { signal })
    await lpStream(stream, { maxDataLength: MAX_RELEASE_FRAME_BYTES }).write(encodeReleaseFrame(pointer), { signal })
    await stream.close({ signal })
    if (options.untilRead === true) await closedByPeer(stream, signal)
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err))
    stream?.abort(error)
    throw error
  }
}

/** Which trust offence a refused frame is; a stale pointer is nobody's misbehaviour. */
function offenceOf (err: Error): TrustOffence | undefined {
  switch (err.name) {
    case 'InvalidDataLengthError':
      return 'oversize'
    case ReleaseFrameError.NAME:
    case ReleasePointerFormatError.NAME:
    case ReleasePointerThresholdError.NAME:
    case 'InvalidMessageLengthError':
    case 'InvalidDataLengthLengthError':
      return 'malformed'
    case 'UnexpectedEOFError':
      return 'truncated'
    case ReleasePointerRollbackError.NAME:
    default:
      return undefined
  }
}

export class ReleaseGossip extends TypedEventEmitter<ReleaseGossipEvents> {
  readonly #components: ReleaseGossipComponents
  readonly #timeoutMs: number
  readonly #floor: number
  #latest: SignedReleasePointer | undefined
  #started = false
  readonly #onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { protocols, connection } = event.detail
    if (this.#latest !== undefined && protocols.includes(RELEASE_PROTOCOL)) void this.#send(connection, this.#latest)
  }

  constructor (components: ReleaseGossipComponents, init: ReleaseGossipInit = {}) {
    super()
    this.#components = components
    this.#timeoutMs = init.timeoutMs ?? DEFAULT_GOSSIP_TIMEOUT_MS
    this.#floor = init.lastVersion ?? 0
    this.#latest = init.latest
  }

  /** The newest pointer accepted, if any. */
  get latest (): SignedReleasePointer | undefined {
    return this.#latest
  }

  /** Register before the vault starts, so identify tells its first peers it speaks the protocol. */
  async start (): Promise<void> {
    await this.#components.libp2p.handle(RELEASE_PROTOCOL, async (stream, connection) => { await this.#serve(stream, connection) }, { maxInboundStreams: 8 })
    this.#components.libp2p.addEventListener('peer:identify', this.#onIdentify)
    this.#started = true
  }

  async stop (): Promise<void> {
    if (!this.#started) return
    this.#started = false
    this.#components.libp2p.removeEventListener('peer:identify', this.#onIdentify)
    await this.#components.libp2p.unhandle(RELEASE_PROTOCOL)
  }

  /** This vault's own pointer (a maintainer publishing): checked like any other, then spread. */
  async announce (pointer: SignedReleasePointer): Promise<void> {
    const verified = verifyReleasePointer(pointer, this.#components.trustedRoot(), this.#lastVersion())
    if (this.#latest !== undefined && verified.pointer.version === this.#latest.pointer.version) return
    this.#accept(verified.signed, undefined)
    await this.#forward(undefined)
  }

  /** One received frame: decoded, verified, kept and passed on when newer; the sender pays for a bad one. */
  async receiveFrame (bytes: Uint8Array, from: string): Promise<FrameOutcome> {
    let pointer: SignedReleasePointer
    try {
      const json = decodeReleaseFrame(bytes)
      pointer = verifyReleasePointer(json, this.#components.trustedRoot(), this.#lastVersion()).signed
    } catch (err) {
      this.#refuse(from, err instanceof Error ? err : new Error(String(err)))
      return 'rejected'
    }
    if (this.#latest !== undefined && pointer.pointer.version === this.#latest.pointer.version) return 'known'
    this.#accept(pointer, from)
    await this.#forward(from)
    return 'accepted'
  }

  #lastVersion (): { lastVersion?: number } {
    const lastVersion = Math.max(this.#floor, this.#latest?.pointer.version ?? 0)
    return lastVersion === 0 ? {} : { lastVersion }
  }

  #accept (pointer: SignedReleasePointer, from: string | undefined): void {
    this.#latest = pointer
    this.dispatchEvent(new CustomEvent('release:pointer', { detail: { pointer, ...(from === undefined ? {} : { from }), receivedAt: this.#components.now() } }))
  }

  #refuse (from: string, error: Error): void {
    const offence = offenceOf(error)
    if (offence !== undefined) this.#components.trust.penalize(from, offence, error.message)
    this.dispatchEvent(new CustomEvent('release:rejected', { detail: { from, error } }))
  }

  async #serve (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    if (this.#components.trust.isIgnored(from)) {
      stream.abort(new Error(`peer ${from} is ignored for low local trust`))
      return
    }
    const lp = lpStream(stream, { maxDataLength: MAX_RELEASE_FRAME_BYTES })
    let bytes: Uint8Array
    try {
      bytes = (await lp.read({ signal: AbortSignal.timeout(this.#timeoutMs) })).subarray()
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      this.#refuse(from, error)
      stream.abort(error)
      return
    }
    await stream.close().catch(() => {})
    await this.receiveFrame(bytes, from)
  }

  async #forward (except: string | undefined): Promise<void> {
    const pointer = this.#latest
    if (pointer === undefined) return
    const { libp2p } = this.#components
    const targets: Connection[] = []
    const seen = new Set<string>()
    for (const connection of libp2p.getConnections()) {
      const peer = connection.remotePeer.toString()
      if (peer === except || seen.has(peer) || connection.status !== 'open' || this.#components.trust.isIgnored(peer)) continue
      const known = await libp2p.peerStore.get(connection.remotePeer).catch(() => undefined)
      // A peer not identified yet is offered the pointer by the identify handler instead.
      if (known === undefined || !known.protocols.includes(RELEASE_PROTOCOL)) continue
      seen.add(peer)
      targets.push(connection)
    }
    await Promise.all(targets.map(async connection => { await this.#send(connection, pointer) }))
  }

  /** Best effort: a peer that cannot take it now will be offered it when it reconnects. */
  async #send (connection: Connection, pointer: SignedReleasePointer): Promise<void> {
    await sendReleasePointer(connection, pointer, { signal: AbortSignal.timeout(this.#timeoutMs) }).catch(() => {})
  }
}
