// The chunk protocol service (/vault/chunk/1.0.0): put, get and has between vaults.
// A peer that sends oversize, malformed, truncated or mismatching data gets its stream reset with
// a clear error and loses local trust; the vault goes on serving everyone else.
import type { AbortOptions, Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { LengthPrefixedStream } from '@libp2p/utils'
import { TypedEventEmitter } from 'main-event'
import { CHUNK_PROTOCOL } from '../version.ts'
import { chunkAddress, ChunkMismatchError, ChunkTooLargeError, MAX_CHUNK_BYTES } from '../store/chunk-address.ts'
import { CorruptChunkError, StoreFullError, type ChunkStore } from '../store/chunk-store.ts'
import type { LocalTrust, TrustOffence } from '../network/local-trust.ts'
import { isEndBeforeFrame } from '../network/stream-end.ts'
import { frameStream } from './frame-stream.ts'
import { decodeReply, decodeRequest, encodeFrame, MalformedFrameError, type ChunkReply, type ChunkRequest } from './frames.ts'
import { namedError } from '../../../contract/named-error.ts'

export interface ChunkServiceInit {
  /** How long one exchange may take before the stream is aborted. */
  requestTimeoutMs?: number
  idleStreamTimeoutMs?: number
  maxInboundStreams?: number
  maxOutboundStreams?: number
}

export interface ChunkServiceComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'dial'>
  trust: LocalTrust
  /** What a vault serves from; absent for a client (the simulator, a publisher) that only asks. */
  serving?: {
    store: ChunkStore
    /** False while the vault is paused: it serves reads but takes no new data. */
    acceptsPuts(): boolean
  }
}

export interface ChunkServiceEvents {
  'request:served': CustomEvent<{ peer: string, op: ChunkRequest['op'], address: string }>
  'request:rejected': CustomEvent<{ peer: string, offence: TrustOffence, error: Error }>
}

/** A reply header and, for a found get, the chunk's bytes. */
export interface ChunkAnswer {
  reply: ChunkReply
  data?: Uint8Array
  /** Why a held chunk was answered as not found: its bytes on disk were corrupt. */
  corrupt?: Error
}

export class ChunkClientOnlyError extends namedError('ChunkClientOnlyError') {}

export class VaultPausedError extends namedError('VaultPausedError') {}
/** A put this vault's own disk failed (its chunk folder gone, an I/O error): the peer is told, not reset. */
export class StoreWriteError extends namedError('StoreWriteError') {}

/** An error the remote vault answered with, keeping its name (StoreFullError, VaultPausedError, ...). */
export class RemoteChunkError extends Error {
  constructor (name: string, message: string) {
    super(message)
    this.name = name
  }
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** How long a served stream may sit idle between requests before it is closed. */
export const DEFAULT_IDLE_STREAM_TIMEOUT_MS = 60_000

/** Which offence a failed exchange was, or undefined when it was nobody's misbehaviour. */
export function classifyViolation (err: unknown): TrustOffence | undefined {
  if (!(err instanceof Error)) return undefined
  switch (err.name) {
    case 'InvalidDataLengthError':
    case ChunkTooLargeError.NAME:
      return 'oversize'
    case MalformedFrameError.NAME:
    case 'InvalidMessageLengthError':
    case 'InvalidDataLengthLengthError':
      return 'malformed'
    case ChunkMismatchError.NAME:
      return 'mismatch'
    case 'UnexpectedEOFError':
      return 'truncated'
    default:
      return undefined
  }
}

export class ChunkService extends TypedEventEmitter<ChunkServiceEvents> {
  private readonly components: ChunkServiceComponents
  private readonly requestTimeoutMs: number
  private readonly idleStreamTimeoutMs: number
  private readonly idleStreams = new Map<string, PooledStream[]>()
  private readonly maxInboundStreams: number
  private readonly maxOutboundStreams: number

  constructor (components: ChunkServiceComponents, init: ChunkServiceInit = {}) {
    super()
    this.components = components
    this.requestTimeoutMs = init.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.idleStreamTimeoutMs = init.idleStreamTimeoutMs ?? DEFAULT_IDLE_STREAM_TIMEOUT_MS
    this.maxInboundStreams = init.maxInboundStreams ?? 64
    this.maxOutboundStreams = init.maxOutboundStreams ?? 64
  }

  async start (): Promise<void> {
    if (this.components.serving === undefined) throw new ChunkClientOnlyError('this chunk service has no store to serve from: it can only ask other vaults')
    await this.components.libp2p.handle(CHUNK_PROTOCOL, async (stream, connection) => { await this.serve(stream, connection) }, {
      maxInboundStreams: this.maxInboundStreams,
      maxOutboundStreams: this.maxOutboundStreams
    })
  }

  async stop (): Promise<void> {
    if (this.components.serving !== undefined) await this.components.libp2p.unhandle(CHUNK_PROTOCOL)
    for (const idle of this.idleStreams.values()) {
      for (const pooled of idle) pooled.stream.abort(new Error('chunk service stopped'))
    }
    this.idleStreams.clear()
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const { trust } = this.components
    if (trust.isIgnored(peer)) {
      stream.abort(new Error(`peer ${peer} is ignored for low local trust`))
      return
    }
    // One stream carries request after request until the peer closes it (or idles out), so a
    // busy peer pays for protocol negotiation and flow-control warm-up once, not per chunk.
    const lp = frameStream(stream)
    while (true) {
      let options: AbortOptions = { signal: AbortSignal.timeout(this.idleStreamTimeoutMs) }
      try {
        let header: Uint8Array
        try {
          header = (await lp.read(options)).subarray()
        } catch (err) {
          if (isEndBeforeFrame(err) || isTimeout(err)) {
            await stream.close().catch(() => {})
            return
          }
          throw err
        }
        options = { signal: AbortSignal.timeout(this.requestTimeoutMs) }
        const request = decodeRequest(header)
        const body = request.op === 'put' ? await readPutData(lp, request, options) : undefined
        const answer = await this.answerChunkRequest(request, body)
        await lp.writeV(answer.data === undefined ? [encodeFrame(answer.reply)] : [encodeFrame(answer.reply), answer.data], options)
        trust.reward(peer)
        this.dispatchEvent(new CustomEvent('request:served', { detail: { peer, op: request.op, address: request.address } }))
      } catch (err) {
        await this.rejectPeer(stream, lp, peer, err instanceof Error ? err : new Error(String(err)), options)
        return
      }
    }
  }

  /** A protocol violation: lower the peer's trust, tell it why, and reset the stream. */
  private async rejectPeer (stream: Stream, lp: LengthPrefixedStream, peer: string, error: Error, options: AbortOptions): Promise<void> {
    const offence = classifyViolation(error)
    if (offence !== undefined) {
      this.components.trust.penalize(peer, offence, error.message)
      this.dispatchEvent(new CustomEvent('request:rejected', { detail: { peer, offence, error } }))
      // Tell the peer why before resetting the stream; it may already be gone.
      await lp.write(encodeFrame({ ok: false, error: { name: error.name, message: error.message.slice(0, 1000) } }), options).catch(() => {})
    }
    stream.abort(error)
  }

  /**
   * Answers one request as this vault answers a peer: the stream handler and a shadow engine's
   * `serve` RPC (issue 5) both come here, so a shadow run measures the code that serves peers.
   * Refusals a peer may get (paused, full) are replies; protocol violations are thrown.
   */
  async answerChunkRequest (request: ChunkRequest, body?: Uint8Array): Promise<ChunkAnswer> {
    const serving = this.components.serving
    // Only a started service answers, and start() refuses without a store.
    if (serving === undefined) throw new ChunkClientOnlyError('no store to answer from')
    const { store } = serving
    switch (request.op) {
      case 'put': {
        if (body?.length !== request.size) {
          throw new MalformedFrameError(`put data frame has ${body?.length ?? 0} bytes but its header announced ${request.size}`)
        }
        if (!serving.acceptsPuts()) return { reply: errorReply(new VaultPausedError('this vault is paused by its owner and accepts no new data')) }
        try {
          const { added } = await store.put(body, request.address)
          return { reply: { ok: true, op: 'put', added } }
        } catch (err) {
          if (err instanceof StoreFullError) return { reply: errorReply(err) }
          // A failure of this vault's own disk is no fault of the peer's: it hears what failed,
          // by its error code, and not where this vault keeps its files.
          const code = (err as NodeJS.ErrnoException).code
          if (typeof code !== 'string') throw err
          return { reply: errorReply(new StoreWriteError(`this vault could not write the chunk to its store (${code})`)) }
        }
      }
      case 'get': {
        let data: Uint8Array | undefined
        try {
          data = await store.get(request.address)
        } catch (err) {
          // A peer is told "not found" and reads another holder; a shadow run reports the error.
          if (!(err instanceof CorruptChunkError)) throw err
          return { reply: { ok: true, op: 'get', found: false }, corrupt: err }
        }
        if (data === undefined) return { reply: { ok: true, op: 'get', found: false } }
        return { reply: { ok: true, op: 'get', found: true, size: data.length }, data }
      }
      case 'has':
        return { reply: { ok: true, op: 'has', found: store.has(request.address) } }
      default: {
        const unreachable: never = request
        throw new MalformedFrameError(`unknown op in ${JSON.stringify(unreachable)}`)
      }
    }
  }

  /** Stores a chunk on a peer. Resolves with whether the peer did not hold it before. */
  async put (peer: PeerId | Multiaddr, bytes: Uint8Array, options: AbortOptions = {}): Promise<boolean> {
    if (bytes.length > MAX_CHUNK_BYTES) throw new ChunkTooLargeError(`"chunk" expected at most ${MAX_CHUNK_BYTES} bytes, got ${bytes.length}`)
    const address = chunkAddress(bytes)
    const reply = await this.exchange(peer, { op: 'put', address, size: bytes.length }, bytes, options)
    if (reply.reply.ok && reply.reply.op === 'put') return reply.reply.added
    throw new MalformedFrameError('the peer answered a put with a reply for another operation')
  }

  /** Fetches a chunk from a peer and checks it hashes to its address; undefined when not held. */
  async get (peer: PeerId | Multiaddr, address: string, options: AbortOptions = {}): Promise<Uint8Array | undefined> {
    const { data } = await this.exchange(peer, { op: 'get', address }, undefined, options)
    return data
  }

  async has (peer: PeerId | Multiaddr, address: string, options: AbortOptions = {}): Promise<boolean> {
    const { reply } = await this.exchange(peer, { op: 'has', address }, undefined, options)
    return reply.ok && 'found' in reply && reply.found
  }

  private async exchange (peer: PeerId | Multiaddr, request: ChunkRequest, body: Uint8Array | undefined, options: AbortOptions): Promise<{ reply: ChunkReply, data?: Uint8Array }> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.requestTimeoutMs), ...(options.signal === undefined ? [] : [options.signal])])
    const connection = await this.components.libp2p.dial(peer, { signal })
    const pooled = this.takeIdleStream(connection)
    if (pooled !== undefined) {
      try {
        return await this.exchangeOn(pooled, request, body, signal)
      } catch (err) {
        // The peer closed the idle stream meanwhile: not misbehaviour; retry on a fresh one.
        if (!(err instanceof StaleStreamError)) throw err
      }
    }
    const stream = await connection.newStream(CHUNK_PROTOCOL, { signal })
    return await this.exchangeOn({ stream, lp: frameStream(stream), connection, reused: false }, request, body, signal)
  }

  private async exchangeOn (pooled: PooledStream, request: ChunkRequest, body: Uint8Array | undefined, signal: AbortSignal): Promise<{ reply: ChunkReply, data?: Uint8Array }> {
    const { stream, lp, connection } = pooled
    const remote = connection.remotePeer.toString()
    try {
      await lp.writeV(body === undefined ? [encodeFrame(request)] : [encodeFrame(request), body], { signal })
      let header: Uint8Array
      try {
        header = (await lp.read({ signal })).subarray()
      } catch (err) {
        if (pooled.reused && isEndBeforeFrame(err)) throw new StaleStreamError('the pooled stream was closed by the peer')
        throw err
      }
      const reply = decodeReply(header)
      if (!reply.ok) throw new RemoteChunkError(reply.error.name, `peer answered ${reply.error.name}: ${reply.error.message}`)
      if (reply.op !== request.op) throw new MalformedFrameError(`peer answered a ${request.op} with a reply for ${reply.op}`)
      let data: Uint8Array | undefined
      if (request.op === 'get' && 'size' in reply) {
        data = (await lp.read({ signal })).subarray()
        if (data.length !== reply.size) throw new MalformedFrameError(`get data frame has ${data.length} bytes but the reply announced ${reply.size}`)
        const actual = chunkAddress(data)
        if (actual !== request.address) throw new ChunkMismatchError(`peer served bytes hashing to ${actual} for chunk ${request.address}`)
      }
      this.components.trust.reward(remote)
      this.releaseStream({ ...pooled, reused: true })
      return data === undefined ? { reply } : { reply, data }
    } catch (err) {
      const offence = classifyViolation(err)
      if (offence !== undefined && !(err instanceof RemoteChunkError)) {
        this.components.trust.penalize(remote, offence, err instanceof Error ? err.message : String(err))
      }
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }

  private takeIdleStream (connection: Connection): PooledStream | undefined {
    const idle = this.idleStreams.get(connection.remotePeer.toString()) ?? []
    while (idle.length > 0) {
      const pooled = idle.pop()
      if (pooled !== undefined && pooled.connection === connection && isUsable(pooled.stream)) return pooled
      pooled?.stream.abort(new Error('stale pooled stream'))
    }
    return undefined
  }

  private releaseStream (pooled: PooledStream): void {
    const remote = pooled.connection.remotePeer.toString()
    const idle = this.idleStreams.get(remote) ?? []
    if (idle.length >= MAX_IDLE_STREAMS_PER_PEER || !isUsable(pooled.stream)) {
      void pooled.stream.close().catch(() => {})
      return
    }
    idle.push(pooled)
    this.idleStreams.set(remote, idle)
  }
}

interface PooledStream {
  stream: Stream
  /** The stream's one reader: it may hold bytes read ahead, so it goes with the stream. */
  lp: LengthPrefixedStream
  connection: Connection
  reused: boolean
}

const MAX_IDLE_STREAMS_PER_PEER = 8

function isUsable (stream: Stream): boolean {
  return stream.status === 'open' && stream.writeStatus === 'writable' && stream.readStatus === 'readable'
}

function isTimeout (err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
}

class StaleStreamError extends namedError('StaleStreamError') {}

/** A put's data frame, which must be exactly as long as its header announced. */
async function readPutData (lp: LengthPrefixedStream, request: Extract<ChunkRequest, { op: 'put' }>, options: AbortOptions): Promise<Uint8Array> {
  const data = (await lp.read(options)).subarray()
  if (data.length !== request.size) {
    throw new MalformedFrameError(`put data frame has ${data.length} bytes but its header announced ${request.size}`)
  }
  return data
}

function errorReply (err: Error): ChunkReply {
  return { ok: false, error: { name: err.name, message: err.message } }
}
