// The audit service (/vault/audit/1.0.0, issue 3 deliver 4; DESIGN §2 "elders audit adults with
// random challenges"), in the shape of a js-libp2p service. As an auditor (an elder) it places a few
// random audit chunks on a member through the chunk protocol, keeps their bytes (audit-material.ts),
// and later challenges the member to prove it holds one: SHA-256(nonce || chunk) under a fresh
// nonce. It can also challenge a member on a chunk the auditor holds itself. Either way the
// auditor checks the answer against bytes it has, trusting nothing the member says. Each audit
// ends in one `audit:result` in the terms of dysfunction tracking. As a member it answers
// challenges from its own store.
import type { Libp2p, PeerId } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { TypedEventEmitter } from 'main-event'
import { defaultRandom, type Random } from '../../section/crypto/scalar.ts'
import type { LocalTrust, TrustOffence } from '../network/local-trust.ts'
import { timerSchedule, type Schedule } from '../section/schedule.ts'
import { assertChunkAddress, chunkAddress } from '../store/chunk-address.ts'
import type { ChunkStore } from '../store/chunk-store.ts'
import { AuditMaterial, type AuditChunk, type AuditMaterialSnapshot } from './audit-material.ts'
import {
  AuditServiceStoppedError, AuditsBusyError, auditFrameOffence, ChunkNotHeldError, NoAuditMaterialError, toError
} from './audit-errors.ts'
import { decodeAuditAnswer, encodeAuditMessage, failureKindOf, memberNameOf, type AuditAnswer, type AuditChallenge, type AuditOutcome, type AuditResult } from './audit-messages.ts'
import { RecentChallenges, serveChallenge } from './audit-responder.ts'
import {
  AUDIT_PROTOCOL, DEFAULT_AUDIT_CHUNK_BYTES, DEFAULT_AUDIT_CHUNKS_PER_MEMBER, DEFAULT_AUDIT_TIMEOUT_MS, DEFAULT_MAX_AUDIT_STREAMS,
  DEFAULT_MAX_AUDITED_MEMBERS, DEFAULT_MAX_AUDITS_IN_FLIGHT, DEFAULT_RECENT_CHALLENGES, MAX_AUDIT_CHUNK_BYTES, MAX_AUDIT_FRAME_BYTES
} from './constants.ts'
import { deadline, positive, type Deadline } from './deadline.ts'
import { STORAGE_PROOF_NONCE_BYTES, verifyStorageProof } from './storage-proof.ts'

export interface AuditServiceComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol'>
  trust: Pick<LocalTrust, 'penalize' | 'isIgnored' | 'reward'>
  /** The vault's own store: a member answers from it; an auditor reads the chunks it holds itself from it. */
  store: Pick<ChunkStore, 'get' | 'has'>
  /** Stores a chunk on a peer through the chunk protocol (ChunkService.put): audit chunks are chunks like any other. */
  putChunk: (peer: PeerId, bytes: Uint8Array, options: { signal: AbortSignal }) => Promise<boolean>
  random?: Random
  schedule?: Schedule
  /** Audit material a previous run persisted (auditMaterialFile(path).load()). */
  material?: AuditMaterialSnapshot
  /** Called with the whole material after every change, one call at a time, in order. */
  persistMaterial?: (snapshot: AuditMaterialSnapshot) => Promise<void>
  /** Whether to answer this peer's challenges; by default anyone's (a proof reveals nothing about the chunk). */
  mayChallenge?: (peer: PeerId) => boolean
}

export interface AuditServiceInit {
  /** How long a member has to answer a challenge (and a placement put to complete). */
  timeoutMs?: number
  /** Audits and placements this auditor runs at once. */
  maxAuditsInFlight?: number
  chunksPerMember?: number
  chunkBytes?: number
  maxMembers?: number
  maxInboundStreams?: number
  recentChallenges?: number
}

export interface AuditPlacement {
  member: string
  /** Addresses of the audit chunks the member acknowledged and the auditor now keeps. */
  placed: string[]
  errors: Error[]
}

export interface AuditServiceEvents {
  'audit:result': CustomEvent<AuditResult>
  'audit:placed': CustomEvent<{ member: string, placed: string[], failed: number }>
  /** Member side: a challenge was answered (held: whether a proof was sent). */
  'audit:answered': CustomEvent<{ peer: string, address: string, held: boolean }>
  /** Member side: a challenge frame that broke the protocol, and what it cost its sender. */
  'audit:rejected': CustomEvent<{ peer: string, offence: TrustOffence, error: Error }>
}

export class AuditService extends TypedEventEmitter<AuditServiceEvents> {
  readonly #components: AuditServiceComponents
  readonly #random: Random
  readonly #schedule: Schedule
  readonly #timeoutMs: number
  readonly #maxInFlight: number
  readonly #chunkBytes: number
  readonly #maxInboundStreams: number
  readonly #material: AuditMaterial
  readonly #recent: RecentChallenges
  readonly #placing = new Map<string, Promise<AuditPlacement>>()
  #inFlight = 0
  #persistChain: Promise<void> = Promise.resolve()
  #stop = new AbortController()
  #started = false

  constructor (components: AuditServiceComponents, init: AuditServiceInit = {}) {
    super()
    this.#components = components
    this.#random = components.random ?? defaultRandom
    this.#schedule = components.schedule ?? timerSchedule
    this.#timeoutMs = positive(init.timeoutMs ?? DEFAULT_AUDIT_TIMEOUT_MS, 'timeoutMs')
    this.#maxInFlight = positive(init.maxAuditsInFlight ?? DEFAULT_MAX_AUDITS_IN_FLIGHT, 'maxAuditsInFlight')
    this.#chunkBytes = positive(init.chunkBytes ?? DEFAULT_AUDIT_CHUNK_BYTES, 'chunkBytes', MAX_AUDIT_CHUNK_BYTES)
    this.#maxInboundStreams = positive(init.maxInboundStreams ?? DEFAULT_MAX_AUDIT_STREAMS, 'maxInboundStreams')
    this.#recent = new RecentChallenges(positive(init.recentChallenges ?? DEFAULT_RECENT_CHALLENGES, 'recentChallenges'))
    this.#material = new AuditMaterial({
      maxMembers: init.maxMembers ?? DEFAULT_MAX_AUDITED_MEMBERS,
      chunksPerMember: init.chunksPerMember ?? DEFAULT_AUDIT_CHUNKS_PER_MEMBER,
      ...(components.material === undefined ? {} : { snapshot: components.material })
    })
  }

  async start (): Promise<void> {
    if (this.#started) return
    this.#stop = new AbortController()
    await this.#components.libp2p.handle(AUDIT_PROTOCOL, async (stream, connection) => {
      const deadline = this.#deadline(undefined)
      try {
        await serveChallenge(stream, connection, {
          ...this.#components,
          recent: this.#recent,
          signal: deadline.signal,
          onAnswered: detail => { this.dispatchEvent(new CustomEvent('audit:answered', { detail })) },
          onRejected: detail => { this.dispatchEvent(new CustomEvent('audit:rejected', { detail })) }
        })
      } finally {
        deadline.cancel()
      }
    }, {
      maxInboundStreams: this.#maxInboundStreams,
      maxOutboundStreams: this.#maxInboundStreams
    })
    this.#started = true
  }

  async stop (): Promise<void> {
    if (!this.#started) return
    this.#started = false
    this.#stop.abort(new AuditServiceStoppedError('the audit service stopped'))
    await this.#components.libp2p.unhandle(AUDIT_PROTOCOL)
    await this.#persistChain
  }

  /** The audit chunks this auditor keeps for a member. */
  materialOf (member: PeerId): string[] {
    return this.#material.chunksOf(memberNameOf(member)).map(chunk => chunk.address)
  }

  /** Member side: the addresses this vault was challenged on lately, newest last (for its self-check). */
  challengedAddresses (): string[] {
    return this.#recent.addresses()
  }

  /** The member left the section or was demoted: drops (and persists the loss of) its material. */
  async forgetMember (member: PeerId): Promise<void> {
    if (this.#material.forget(memberNameOf(member))) await this.#persist()
  }

  /** Tops the member's audit material up to its share (at admission, or after a lost placement). */
  async placeMaterial (member: PeerId, options: { signal?: AbortSignal } = {}): Promise<AuditPlacement> {
    const name = memberNameOf(member)
    const pending = this.#placing.get(name)
    if (pending !== undefined) return await pending
    const run = this.#occupy(async () => await this.#place(member, name, options.signal))
    this.#placing.set(name, run)
    try {
      return await run
    } finally {
      this.#placing.delete(name)
    }
  }

  /**
   * Challenges a member on one of its audit chunks (chosen at random), or on `address`, a chunk
   * this vault holds itself. Resolves with the result, also dispatched as `audit:result`; rejects
   * only for the auditor's own reasons (no material, busy, stopped, aborted by the caller).
   */
  async audit (member: PeerId, options: { address?: string, signal?: AbortSignal } = {}): Promise<AuditResult> {
    const name = memberNameOf(member)
    return await this.#occupy(async () => {
      const chunk = await this.#chunkToAudit(name, options.address)
      const source = options.address === undefined ? 'material' : 'held'
      const nonce = this.#random(STORAGE_PROOF_NONCE_BYTES)
      const challenge: AuditChallenge = { type: 'challenge', address: chunk.address, nonce: Buffer.from(nonce).toString('hex') }
      const deadline = this.#deadline(options.signal)
      let judged: { outcome: AuditOutcome, reason: string }
      try {
        judged = this.#judge(await this.#exchange(member, challenge, deadline.signal), nonce, chunk)
      } catch (err) {
        if (!deadline.timedOut() && (this.#stop.signal.aborted || options.signal?.aborted === true)) throw err
        judged = this.#failedExchange(member, toError(err), deadline.timedOut())
      } finally {
        deadline.cancel()
      }
      if (judged.outcome === 'passed') this.#components.trust.reward(member.toString())
      const result: AuditResult = { member: name, address: chunk.address, source, outcome: judged.outcome, kind: failureKindOf(judged.outcome), reason: `${source === 'material' ? 'audit chunk' : 'chunk'} ${chunk.address.slice(0, 12)}…: ${judged.reason}` }
      this.dispatchEvent(new CustomEvent('audit:result', { detail: result }))
      return result
    })
  }

  async #chunkToAudit (member: string, address: string | undefined): Promise<AuditChunk> {
    if (address === undefined) {
      const chunk = this.#material.pick(member, this.#random)
      if (chunk === undefined) throw new NoAuditMaterialError(`no audit material placed on ${member.slice(0, 16)}…: place some first`)
      return chunk
    }
    assertChunkAddress(address)
    const bytes = await this.#components.store.get(address).catch(() => undefined)
    if (bytes === undefined) throw new ChunkNotHeldError(`this vault does not hold chunk ${address.slice(0, 12)}… intact, so it cannot check a proof of it`)
    return { address, bytes }
  }

  #judge (answer: AuditAnswer, nonce: Uint8Array, chunk: AuditChunk): { outcome: AuditOutcome, reason: string } {
    switch (answer.type) {
      case 'proof':
        return verifyStorageProof(Buffer.from(answer.proof, 'hex'), nonce, chunk.bytes)
          ? { outcome: 'passed', reason: 'proof verified' }
          : { outcome: 'wrong-proof', reason: 'the proof does not match the chunk\'s bytes' }
      case 'missing': return { outcome: 'missing', reason: 'not held' }
      case 'refused': return { outcome: 'unresponsive', reason: 'the member refused the challenge' }
      default: {
        const never: never = answer
        throw new TypeError(`unknown audit answer ${JSON.stringify(never)}`)
      }
    }
  }

  #failedExchange (member: PeerId, error: Error, timedOut: boolean): { outcome: AuditOutcome, reason: string } {
    if (timedOut) return { outcome: 'unresponsive', reason: `no answer within ${this.#timeoutMs} ms` }
    const offence = auditFrameOffence(error)
    // A garbled or oversized answer is an answer, and a wrong one; a stream that just ended is silence.
    if (offence === 'malformed' || offence === 'oversize') {
      this.#components.trust.penalize(member.toString(), offence, `audit protocol: ${error.message.slice(0, 200)}`)
      return { outcome: 'wrong-proof', reason: `invalid answer: ${error.message.slice(0, 200)}` }
    }
    return { outcome: 'unresponsive', reason: `no answer: ${error.name}: ${error.message.slice(0, 200)}` }
  }

  async #exchange (member: PeerId, challenge: AuditChallenge, signal: AbortSignal): Promise<AuditAnswer> {
    const stream = await this.#components.libp2p.dialProtocol(member, AUDIT_PROTOCOL, { signal })
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_AUDIT_FRAME_BYTES })
      await lp.write(encodeAuditMessage(challenge), { signal })
      const answer = decodeAuditAnswer((await lp.read({ signal })).subarray())
      await stream.close({ signal }).catch(() => {})
      return answer
    } catch (err) {
      stream.abort(toError(err))
      throw err
    }
  }

  async #place (member: PeerId, name: string, signal: AbortSignal | undefined): Promise<AuditPlacement> {
    const chunks = Array.from({ length: this.#material.wanted(name) }, () => {
      const bytes = this.#random(this.#chunkBytes)
      return { address: chunkAddress(bytes), bytes }
    })
    const settled = await Promise.allSettled(chunks.map(async chunk => {
      const deadline = this.#deadline(signal)
      try {
        await this.#components.putChunk(member, chunk.bytes, { signal: deadline.signal })
      } finally {
        deadline.cancel()
      }
    }))
    const placed = chunks.filter((_, i) => settled[i]?.status === 'fulfilled')
    const errors = settled.flatMap(outcome => outcome.status === 'rejected' ? [toError(outcome.reason)] : [])
    if (placed.length > 0) {
      this.#material.add(name, placed)
      await this.#persist()
    }
    this.dispatchEvent(new CustomEvent('audit:placed', { detail: { member: name, placed: placed.map(chunk => chunk.address), failed: errors.length } }))
    return { member: name, placed: placed.map(chunk => chunk.address), errors }
  }

  async #occupy<T> (work: () => Promise<T>): Promise<T> {
    if (!this.#started) throw new AuditServiceStoppedError('the audit service is not started')
    if (this.#inFlight >= this.#maxInFlight) throw new AuditsBusyError(`${this.#inFlight} audits in flight, the most this vault runs at once`)
    this.#inFlight++
    try {
      return await work()
    } finally {
      this.#inFlight--
    }
  }

  #deadline (signal: AbortSignal | undefined): Deadline {
    return deadline(this.#schedule, this.#timeoutMs, [this.#stop.signal, ...(signal === undefined ? [] : [signal])])
  }

  async #persist (): Promise<void> {
    const persist = this.#components.persistMaterial
    if (persist === undefined) return
    const snapshot = this.#material.snapshot()
    const write = this.#persistChain.then(async () => { await persist(snapshot) })
    this.#persistChain = write.catch(() => {})
    await write
  }
}
