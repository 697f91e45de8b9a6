// Distributed key generation for a section's elders (DESIGN §2: re-run whenever the elder set
// changes; no trusted dealer). Joint-Feldman DKG with complaints, after Pedersen (1991) and
// Gennaro, Jarecki, Krawczyk and Rabin, "Secure distributed key generation for discrete-log based
// cryptosystems" (J. Cryptology 2007), section 4.1 steps 1-4 with Feldman commitments:
//
//   dealing      every dealer i picks a random polynomial f_i of degree t, broadcasts commitments
//                C_ik = a_ik * G1 and sends participant j its share f_i(j) directly;
//   complaining  j checks f_i(j) * G1 == sum_k C_ik j^k and broadcasts a complaint against a
//                dealer whose share is bad or missing;
//   justifying   a dealer answers each complaint by revealing that share publicly; everyone checks it;
//   finish       a dealer with no commitments, two different sets of commitments, more than t
//                complaints, or a complaint unanswered or answered with a bad share is disqualified.
//                Over the qualified set Q: secret share x_j = sum f_i(j), group commitments
//                C_k = sum C_ik, group public key C_0.
//
// The state machine is pure and transport-agnostic; what it needs from the transport:
// - confidentiality and authenticity of direct messages (a share is a secret): send them only over
//   the encrypted, mutually authenticated libp2p connection (TLS 1.3 or Noise) to the recipient's
//   PeerId, and pass `receive` the authenticated sender's index, never one read from the message;
// - a broadcast in which every honest participant receives the same messages before each phase
//   ends (synchronous rounds; phase ends are driven by the caller, e.g. on a timeout). Honest
//   participants then compute the same qualified set and the same group key; the old elders'
//   handover then signs that key into the section chain, so a disagreement cannot go unnoticed.
// Feldman commitments reveal a_i0 * G1 during dealing, so a rushing dealer can bias the group key
// slightly (GJKR section 3); the key stays unforgeable, and Pedersen's two-phase variant is the
// upgrade if that bias ever matters.
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { evaluatePolynomial, MAX_DEGREE, randomPolynomial } from './polynomial.ts'
import { assertIndex, defaultRandom, Fr, MAX_INDEX, scalarFromHex, scalarToHex, type Random } from './scalar.ts'
import {
  commitmentsOf, publicKeyFromHex, publicKeyFromSecret, publicKeySetFromCommitments, publicKeyShare,
  publicKeyToHex, type G1Point, type PublicKeySet, type SecretKeyShare
} from './threshold-bls.ts'

/** A DKG message of the largest section is well under this; anything longer is malformed. */
export const MAX_DKG_MESSAGE_BYTES = 64 * 1024

const Session = z.string().min(1).max(128)
const Index = z.number().int().min(1).max(MAX_INDEX)
const PointHex = z.string().regex(/^[0-9a-f]{96}$/, 'expected a compressed G1 point: 96 lowercase hex digits')
const ScalarHex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a scalar: 64 lowercase hex digits')

export const DkgCommitmentsMessageSchema = z.object({
  type: z.literal('dkg-commitments'),
  session: Session,
  dealer: Index,
  commitments: z.array(PointHex).min(1).max(MAX_DEGREE + 1)
}).strict()
/** Direct and confidential: dealer's share f_dealer(recipient). */
export const DkgShareMessageSchema = z.object({
  type: z.literal('dkg-share'),
  session: Session,
  dealer: Index,
  recipient: Index,
  share: ScalarHex
}).strict()
export const DkgComplaintMessageSchema = z.object({
  type: z.literal('dkg-complaint'),
  session: Session,
  complainer: Index,
  dealer: Index
}).strict()
/** Broadcast: the dealer reveals the share it owes a complainer. */
export const DkgJustificationMessageSchema = z.object({
  type: z.literal('dkg-justification'),
  session: Session,
  dealer: Index,
  recipient: Index,
  share: ScalarHex
}).strict()
export const DkgMessageSchema = z.discriminatedUnion('type', [
  DkgCommitmentsMessageSchema, DkgShareMessageSchema, DkgComplaintMessageSchema, DkgJustificationMessageSchema
])
export type DkgCommitmentsMessage = z.infer<typeof DkgCommitmentsMessageSchema>
export type DkgShareMessage = z.infer<typeof DkgShareMessageSchema>
export type DkgComplaintMessage = z.infer<typeof DkgComplaintMessageSchema>
export type DkgJustificationMessage = z.infer<typeof DkgJustificationMessageSchema>
export type DkgMessage = z.infer<typeof DkgMessageSchema>
export type DkgBroadcastMessage = DkgCommitmentsMessage | DkgComplaintMessage | DkgJustificationMessage

export class DkgMessageError extends namedError('DkgMessageError') {}
/** Fewer than t+1 dealers qualified, or this participant lacks a share it needs. */
export class DkgFailedError extends namedError('DkgFailedError') {}
/** A step was called out of order (for example `finish` before the complaints were answered). */
export class DkgPhaseError extends namedError('DkgPhaseError') {}

export function encodeDkgMessage (message: DkgMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(DkgMessageSchema.parse(message)))
}

export function decodeDkgMessage (bytes: Uint8Array): DkgMessage {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"bytes" expected Uint8Array, got ${typeof bytes}`)
  if (bytes.length > MAX_DKG_MESSAGE_BYTES) throw new DkgMessageError(`DKG message of ${bytes.length} bytes exceeds ${MAX_DKG_MESSAGE_BYTES} bytes`)
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new DkgMessageError('DKG message is not UTF-8 JSON')
  }
  const parsed = DkgMessageSchema.safeParse(json)
  if (!parsed.success) throw new DkgMessageError(`invalid DKG message: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

export type DkgPhase = 'created' | 'dealing' | 'complaining' | 'justifying' | 'finished'

export interface DkgOutgoing {
  /** To every other participant, over the broadcast. */
  broadcast: DkgBroadcastMessage[]
  /** To one participant each, over a confidential, authenticated channel. */
  direct: Array<{ to: number, message: DkgShareMessage }>
}

export type DkgReceipt = { accepted: true } | { accepted: false, reason: string }

export interface DkgOptions {
  /** Binds every message to this run: e.g. the hex SHA3-256 of the section prefix, generation and elder names. */
  session: string
  /** n: participants are numbered 1..n (the elders in an agreed order). */
  participants: number
  /** t: any t+1 shares of the resulting key sign (4 for a section of 7). */
  threshold: number
  /** This participant's number, 1..n. */
  index: number
  random?: Random
}

export interface DkgResult {
  index: number
  /** Dealers whose sharings make up the key, ascending. */
  qualified: number[]
  disqualified: Array<{ dealer: number, reason: string }>
  publicKeySet: PublicKeySet
  secretKeyShare: SecretKeyShare
}

/** What this participant knows of one dealer's sharing. */
interface DealerRecord {
  commitments?: G1Point[]
  commitmentsHex?: string
  /** Why the dealer is disqualified whatever else happens. */
  misbehaviour?: string
  /** The share it sent this participant: a scalar, or why it is unusable. */
  share?: bigint | { invalid: string }
  complainers: Set<number>
  /** Shares revealed in answer to complaints, by recipient. */
  revealed: Map<number, bigint | { invalid: string }>
}

export class DkgParticipant {
  readonly session: string
  readonly participants: number
  readonly threshold: number
  readonly index: number
  #phase: DkgPhase = 'created'
  #polynomial: bigint[]
  readonly #dealers = new Map<number, DealerRecord>()

  constructor (options: DkgOptions) {
    if (typeof options.session !== 'string') throw new TypeError(`"session" expected a string, got ${typeof options.session}`)
    if (!Session.safeParse(options.session).success) throw new RangeError(`"session" expected 1 to 128 characters, got ${options.session.length}`)
    assertIndex(options.participants, 'participants')
    assertIndex(options.index, 'index')
    if (typeof options.threshold !== 'number') throw new TypeError(`"threshold" expected an integer, got ${typeof options.threshold}`)
    if (!Number.isInteger(options.threshold) || options.threshold < 0 || options.threshold >= options.participants) {
      throw new RangeError(`"threshold" expected an integer from 0 to participants - 1 = ${options.participants - 1}, got ${options.threshold}`)
    }
    if (options.index > options.participants) throw new RangeError(`"index" expected 1 to ${options.participants}, got ${options.index}`)
    this.session = options.session
    this.participants = options.participants
    this.threshold = options.threshold
    this.index = options.index
    this.#polynomial = randomPolynomial(options.threshold, options.random ?? defaultRandom)
    for (let dealer = 1; dealer <= this.participants; dealer++) this.#dealers.set(dealer, { complainers: new Set(), revealed: new Map() })
    const own = this.#dealer(this.index)
    own.commitments = commitmentsOf(this.#polynomial)
    own.commitmentsHex = own.commitments.map(publicKeyToHex).join('')
    own.share = this.#ownShareFor(this.index)
  }

  get phase (): DkgPhase {
    return this.#phase
  }

  /** Dealing: the commitments for everyone, and each other participant's share for it alone. */
  start (): DkgOutgoing {
    this.#advance('created', 'dealing')
    const commitments = this.#dealer(this.index).commitments ?? []
    const direct: DkgOutgoing['direct'] = []
    for (let to = 1; to <= this.participants; to++) {
      if (to === this.index) continue
      direct.push({ to, message: { type: 'dkg-share', session: this.session, dealer: this.index, recipient: to, share: scalarToHex(this.#ownShareFor(to)) } })
    }
    return { broadcast: [{ type: 'dkg-commitments', session: this.session, dealer: this.index, commitments: commitments.map(publicKeyToHex) }], direct }
  }

  /**
   * Takes one message from `from`, the sender as authenticated by the transport. Returns whether
   * it was taken and, if not, why; a dealer caught misbehaving is recorded for disqualification.
   */
  receive (from: number, message: DkgMessage): DkgReceipt {
    assertIndex(from, 'from')
    const parsed = DkgMessageSchema.safeParse(message)
    if (!parsed.success) return { accepted: false, reason: `malformed message: ${z.prettifyError(parsed.error)}` }
    const checked = parsed.data
    if (checked.session !== this.session) return { accepted: false, reason: `message for session "${checked.session}", not "${this.session}"` }
    if (from > this.participants || from === this.index) return { accepted: false, reason: `sender ${from} is not another participant of this DKG` }
    if (this.#phase === 'finished') return { accepted: false, reason: 'the DKG has finished' }
    switch (checked.type) {
      case 'dkg-commitments': return this.#receiveCommitments(from, checked)
      case 'dkg-share': return this.#receiveShare(from, checked)
      case 'dkg-complaint': return this.#receiveComplaint(from, checked)
      case 'dkg-justification': return this.#receiveJustification(from, checked)
      default: {
        const unknown: never = checked
        return { accepted: false, reason: `unknown message ${String(unknown)}` }
      }
    }
  }

  /** Ends dealing: complains against every dealer with commitments whose share is bad or missing. */
  endDealing (): DkgOutgoing {
    this.#advance('dealing', 'complaining')
    const broadcast: DkgBroadcastMessage[] = []
    for (const [dealer, record] of this.#dealers) {
      if (dealer === this.index || record.commitments === undefined || record.misbehaviour !== undefined) continue
      if (this.#shareProblem(record.commitments, this.index, record.share) === undefined) continue
      record.complainers.add(this.index)
      broadcast.push({ type: 'dkg-complaint', session: this.session, complainer: this.index, dealer })
    }
    return { broadcast, direct: [] }
  }

  /** Ends complaints: reveals, publicly, the share owed to each participant who complained about us. */
  endComplaints (): DkgOutgoing {
    this.#advance('complaining', 'justifying')
    const own = this.#dealer(this.index)
    const broadcast: DkgBroadcastMessage[] = []
    for (const complainer of [...own.complainers].sort((a, b) => a - b)) {
      const share = this.#ownShareFor(complainer)
      own.revealed.set(complainer, share)
      broadcast.push({ type: 'dkg-justification', session: this.session, dealer: this.index, recipient: complainer, share: scalarToHex(share) })
    }
    return { broadcast, direct: [] }
  }

  /** Decides the qualified set and derives this participant's key share and the public key set. */
  finish (): DkgResult {
    this.#advance('justifying', 'finished')
    const qualified: number[] = []
    const disqualified: DkgResult['disqualified'] = []
    for (const [dealer, record] of this.#dealers) {
      const reason = this.#disqualification(record)
      if (reason === undefined) qualified.push(dealer)
      else disqualified.push({ dealer, reason })
    }
    // The polynomial is secret and no longer needed.
    this.#polynomial = []
    if (qualified.length < this.threshold + 1) {
      throw new DkgFailedError(`only ${qualified.length} dealers qualified, threshold ${this.threshold} needs ${this.threshold + 1}: ${disqualified.map(d => `${d.dealer} (${d.reason})`).join('; ')}`)
    }
    let secret = Fr.ZERO
    const groupCommitments: G1Point[] = []
    for (const dealer of qualified) {
      const record = this.#dealer(dealer)
      const commitments = record.commitments ?? []
      const share = this.#usableShare(record)
      if (share === undefined) throw new DkgFailedError(`participant ${this.index} holds no valid share from qualified dealer ${dealer}`)
      secret = Fr.add(secret, share)
      commitments.forEach((commitment, k) => { groupCommitments[k] = groupCommitments[k]?.add(commitment) ?? commitment })
    }
    const publicKeySet = publicKeySetFromCommitments(groupCommitments)
    // Every summand was checked against its commitments, so this holds unless the code is wrong.
    if (!publicKeyFromSecret(secret).equals(publicKeyShare(publicKeySet, this.index))) {
      throw new DkgFailedError(`participant ${this.index}: the summed share does not match the summed commitments`)
    }
    return { index: this.index, qualified, disqualified, publicKeySet, secretKeyShare: { index: this.index, scalar: secret } }
  }

  #receiveCommitments (from: number, message: DkgCommitmentsMessage): DkgReceipt {
    if (from !== message.dealer) return { accepted: false, reason: `commitments of dealer ${message.dealer} sent by ${from}` }
    if (this.#phase !== 'created' && this.#phase !== 'dealing') return { accepted: false, reason: `commitments of dealer ${from} arrived after dealing ended` }
    const record = this.#dealer(from)
    const hex = message.commitments.join('')
    if (record.commitmentsHex !== undefined) {
      if (record.commitmentsHex === hex) return { accepted: false, reason: `duplicate commitments from dealer ${from}` }
      record.misbehaviour ??= 'sent two different sets of commitments'
      return { accepted: false, reason: `dealer ${from} sent two different sets of commitments` }
    }
    record.commitmentsHex = hex
    if (message.commitments.length !== this.threshold + 1) {
      record.misbehaviour ??= `sent ${message.commitments.length} commitments, threshold ${this.threshold} needs ${this.threshold + 1}`
      return { accepted: false, reason: `dealer ${from} ${record.misbehaviour}` }
    }
    try {
      record.commitments = message.commitments.map(publicKeyFromHex)
    } catch (err) {
      record.misbehaviour ??= `sent an invalid commitment: ${(err as Error).message}`
      return { accepted: false, reason: `dealer ${from} ${record.misbehaviour}` }
    }
    return { accepted: true }
  }

  #receiveShare (from: number, message: DkgShareMessage): DkgReceipt {
    if (from !== message.dealer) return { accepted: false, reason: `share of dealer ${message.dealer} sent by ${from}` }
    if (message.recipient !== this.index) return { accepted: false, reason: `share addressed to ${message.recipient}, not to ${this.index}` }
    if (this.#phase !== 'created' && this.#phase !== 'dealing') return { accepted: false, reason: `share from dealer ${from} arrived after dealing ended` }
    const record = this.#dealer(from)
    // A dealer cannot be convicted of a second private share, so the first one stands.
    if (record.share !== undefined) return { accepted: false, reason: `dealer ${from} already sent its share` }
    record.share = parseScalar(message.share)
    return { accepted: true }
  }

  #receiveComplaint (from: number, message: DkgComplaintMessage): DkgReceipt {
    if (from !== message.complainer) return { accepted: false, reason: `complaint of ${message.complainer} sent by ${from}` }
    if (message.dealer === message.complainer || message.dealer > this.participants) return { accepted: false, reason: `complaint against ${message.dealer} is not about another dealer` }
    if (this.#phase === 'justifying') return { accepted: false, reason: `complaint of ${from} arrived after complaints ended` }
    const record = this.#dealer(message.dealer)
    if (record.complainers.has(from)) return { accepted: false, reason: `duplicate complaint of ${from} against ${message.dealer}` }
    record.complainers.add(from)
    return { accepted: true }
  }

  #receiveJustification (from: number, message: DkgJustificationMessage): DkgReceipt {
    if (from !== message.dealer) return { accepted: false, reason: `justification of dealer ${message.dealer} sent by ${from}` }
    if (message.recipient > this.participants || message.recipient === message.dealer) return { accepted: false, reason: `justification for ${message.recipient} is not for another participant` }
    const record = this.#dealer(from)
    if (record.revealed.has(message.recipient)) return { accepted: false, reason: `dealer ${from} already revealed the share of ${message.recipient}` }
    record.revealed.set(message.recipient, parseScalar(message.share))
    return { accepted: true }
  }

  #disqualification (record: DealerRecord): string | undefined {
    if (record.misbehaviour !== undefined) return record.misbehaviour
    const commitments = record.commitments
    if (commitments === undefined) return 'sent no commitments'
    // Answering more than t complaints would reveal t+1 shares, and so the dealer's secret.
    if (record.complainers.size > this.threshold) return `drew ${record.complainers.size} complaints, more than the threshold ${this.threshold}`
    for (const complainer of [...record.complainers].sort((a, b) => a - b)) {
      const revealed = record.revealed.get(complainer)
      if (revealed === undefined) return `did not answer the complaint of ${complainer}`
      const problem = this.#shareProblem(commitments, complainer, revealed)
      if (problem !== undefined) return `answered the complaint of ${complainer} with ${problem}`
    }
    return undefined
  }

  /** The share this participant may use from a dealer: its own valid one, or the one revealed to it. */
  #usableShare (record: DealerRecord): bigint | undefined {
    const commitments = record.commitments
    if (commitments === undefined) return undefined
    for (const candidate of [record.revealed.get(this.index), record.share]) {
      if (typeof candidate === 'bigint' && this.#shareProblem(commitments, this.index, candidate) === undefined) return candidate
    }
    return undefined
  }

  /** Why `share` is not f(recipient) for the committed polynomial, or undefined if it is. */
  #shareProblem (commitments: G1Point[], recipient: number, share: DealerRecord['share']): string | undefined {
    if (share === undefined) return 'no share'
    if (typeof share !== 'bigint') return share.invalid
    if (!publicKeyFromSecret(share).equals(publicKeyShare(publicKeySetFromCommitments(commitments), recipient))) return 'a share that does not match its commitments'
    return undefined
  }

  #ownShareFor (recipient: number): bigint {
    return evaluatePolynomial(this.#polynomial, BigInt(recipient))
  }

  #dealer (dealer: number): DealerRecord {
    const record = this.#dealers.get(dealer)
    if (record === undefined) throw new RangeError(`"dealer" expected 1 to ${this.participants}, got ${dealer}`)
    return record
  }

  #advance (from: DkgPhase, to: DkgPhase): void {
    if (this.#phase !== from) throw new DkgPhaseError(`cannot move to ${to} from ${this.#phase}; expected ${from}`)
    this.#phase = to
  }
}

function parseScalar (hex: string): bigint | { invalid: string } {
  try {
    return scalarFromHex(hex)
  } catch {
    return { invalid: 'a share that is not a scalar below the group order' }
  }
}

export function createDkgParticipant (options: DkgOptions): DkgParticipant {
  return new DkgParticipant(options)
}
