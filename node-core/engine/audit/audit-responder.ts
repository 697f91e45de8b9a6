// The member's side of an audit: the storage proof of a challenged chunk, read from its own store.
// A chunk the store no longer has, or found corrupt (and quarantined) on reading, is "missing":
// the member cannot prove it, and says so rather than going silent.
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { LocalTrust, TrustOffence } from '../network/local-trust.ts'
import type { ChunkStore } from '../store/chunk-store.ts'
import { auditFrameOffence, toError } from './audit-errors.ts'
import { decodeAuditChallenge, encodeAuditMessage, type AuditAnswer, type AuditChallenge } from './audit-messages.ts'
import { MAX_AUDIT_FRAME_BYTES } from './constants.ts'
import { storageProof } from './storage-proof.ts'

/** The last distinct addresses a member was challenged on, oldest first: its self-check reads them back. */
export class RecentChallenges {
  readonly capacity: number
  readonly #addresses = new Set<string>()

  constructor (capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`"capacity" expected a positive integer, got ${capacity}`)
    this.capacity = capacity
  }

  record (address: string): void {
    this.#addresses.delete(address)
    this.#addresses.add(address)
    if (this.#addresses.size > this.capacity) {
      const oldest = this.#addresses.values().next().value
      if (oldest !== undefined) this.#addresses.delete(oldest)
    }
  }

  addresses (): string[] {
    return [...this.#addresses]
  }
}

/** Only a chunk the store held when challenged is remembered: one it never had is no fault to check. */
export async function answerChallenge (store: Pick<ChunkStore, 'get' | 'has'>, challenge: AuditChallenge, recent?: RecentChallenges): Promise<AuditAnswer> {
  if (store.has(challenge.address)) recent?.record(challenge.address)
  let bytes: Uint8Array | undefined
  try {
    bytes = await store.get(challenge.address)
  } catch {
    // Corrupt (now quarantined) or unreadable: either way not provable; the self-check tells the owner why.
    return { type: 'missing' }
  }
  if (bytes === undefined) return { type: 'missing' }
  return { type: 'proof', proof: Buffer.from(storageProof(Buffer.from(challenge.nonce, 'hex'), bytes)).toString('hex') }
}

export interface ServeChallengeContext {
  store: Pick<ChunkStore, 'get' | 'has'>
  trust: Pick<LocalTrust, 'penalize' | 'isIgnored'>
  recent: RecentChallenges
  mayChallenge?: (peer: PeerId) => boolean
  /** Ends the exchange: the read timeout and the service's stop. */
  signal: AbortSignal
  onAnswered: (detail: { peer: string, address: string, held: boolean }) => void
  onRejected: (detail: { peer: string, offence: TrustOffence, error: Error }) => void
}

/** One inbound audit stream: read the challenge, answer it, close; a bad frame costs its sender trust. */
export async function serveChallenge (stream: Stream, connection: Connection, context: ServeChallengeContext): Promise<void> {
  const peer = connection.remotePeer
  const from = peer.toString()
  if (context.trust.isIgnored(from)) {
    stream.abort(new Error(`peer ${from} is ignored for low local trust`))
    return
  }
  const { signal } = context
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_AUDIT_FRAME_BYTES })
    const challenge = decodeAuditChallenge((await lp.read({ signal })).subarray())
    const allowed = context.mayChallenge?.(peer) ?? true
    const answer: AuditAnswer = allowed ? await answerChallenge(context.store, challenge, context.recent) : { type: 'refused' }
    await lp.write(encodeAuditMessage(answer), { signal })
    await stream.close({ signal }).catch(() => {})
    context.onAnswered({ peer: from, address: challenge.address, held: answer.type === 'proof' })
  } catch (err) {
    const error = toError(err)
    const offence = auditFrameOffence(error)
    if (offence !== undefined) {
      context.trust.penalize(from, offence, `audit protocol: ${error.message.slice(0, 200)}`)
      context.onRejected({ peer: from, offence, error })
    }
    stream.abort(error)
  }
}
