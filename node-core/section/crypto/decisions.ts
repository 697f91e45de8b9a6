// The cryptographic core of section decisions (DESIGN §2 "Decisions and churn"): elders vote on a
// proposal with BLS signature shares; 5 of 7 valid shares combine into the section's signature,
// which is the decision. Networking and the consensus rounds around it live elsewhere.
//
// Safety: an honest elder signs at most one proposal per membership generation (ElderVoter, with
// its record persisted before the share leaves). Two conflicting decisions would need 5 + 5 = 10
// shares from 7 elders, so at least 3 elders signing both; with at most 2 faulty elders
// (floor(7/3)) that never happens. Liveness: 5 honest elders decide alone, so 2 may be silent.
import { z } from 'zod'
import { sha3_256 } from '@noble/hashes/sha3.js'
import { bytesToHex } from '@noble/curves/utils.js'
import { namedError } from '../../../contract/named-error.ts'
import { readJsonFile, writeJsonFile } from '../../storage/json-file.ts'
import { MAX_INDEX } from './scalar.ts'
import { SectionChain } from './section-chain.ts'
import { SlotGuard } from './slot-guard.ts'
import {
  combineShares, groupPublicKey, hashMessage, parseKeyAndSignature, publicKeyFromSecret, publicKeyShare,
  publicKeyToHex, signatureFromHex, signatureToHex, signShare, verify, verifyShare, type G1Point, type G2Point,
  type HashedMessage, type PublicKeySet, type SecretKeyShare
} from './threshold-bls.ts'

/** Prefix of every signed proposal, so a decision's signature can never pass for another message. */
export const DECISION_DOMAIN = 'vault-manager/section-decision/v1'
/** A proposal's canonical encoding is small; a bigger one is refused before any hashing. */
export const MAX_PROPOSAL_BYTES = 16 * 1024
/** Distinct proposals a DecisionAccumulator tracks per generation: bounds what faulty elders can make it hold. */
export const MAX_PENDING_PROPOSALS_PER_GENERATION = 64

export const PROPOSAL_KINDS = ['join', 'leave', 'relocate', 'pause', 'resume', 'demote', 'era-activation', 'handover', 'rekey'] as const
export type ProposalKind = typeof PROPOSAL_KINDS[number]

const Index = z.number().int().min(1).max(MAX_INDEX)
const PointHex = z.string().regex(/^[0-9a-f]{96}$/, 'expected a compressed G1 key: 96 lowercase hex digits')
const SignatureHex = z.string().regex(/^[0-9a-f]{192}$/, 'expected a compressed G2 signature: 192 lowercase hex digits')
const DigestHex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA3-256 digest: 64 lowercase hex digits')
/** A vault name (its 32-byte ed25519 key, DESIGN §2) in lowercase hex. */
const VaultName = /^[0-9a-f]{64}$/
/** An era's name, for era activation. */
const EraName = /^[a-z0-9][a-z0-9.-]{0,63}$/

const SUBJECTS = {
  vault: { pattern: VaultName, expected: 'expected a vault name: 64 lowercase hex digits' },
  'era-activation': { pattern: EraName, expected: 'expected an era name' },
  handover: { pattern: /^[0-9a-f]{96}$/, expected: 'expected the next section key: 96 lowercase hex digits' }
} as const

const PayloadValueSchema = z.union([
  z.string().max(1024),
  z.number().int(),
  z.boolean(),
  z.array(z.string().max(1024)).max(64)
])
/** Kind-specific details (a relocation's destination, a pause's reasons): flat, integers only, so the encoding is canonical. */
const PayloadSchema = z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,63}$/, 'expected a payload key: a letter then up to 63 letters, digits or dashes'), PayloadValueSchema)
  .refine(payload => Object.keys(payload).length <= 32, 'expected at most 32 payload entries')

export const ProposalSchema = z.object({
  kind: z.enum(PROPOSAL_KINDS),
  /** The vault concerned (its name in hex), the era's name for an era activation, or the next section key for a handover. */
  subject: z.string(),
  /** The membership generation this proposal would move the section on from. */
  generation: z.number().int().min(0),
  /** The section's prefix as bits, most significant first ('' is the whole network). */
  sectionPrefix: z.string().regex(/^[01]{0,64}$/, 'expected up to 64 bits of 0s and 1s'),
  payload: PayloadSchema
}).strict().superRefine((proposal, context) => {
  const subject = SUBJECTS[proposal.kind === 'era-activation' || proposal.kind === 'handover' ? proposal.kind : 'vault']
  if (!subject.pattern.test(proposal.subject)) context.addIssue({ code: 'custom', path: ['subject'], message: subject.expected })
})
export type Proposal = z.infer<typeof ProposalSchema>

/** One elder's signature share over a proposal: what an elder sends the others. */
export const VoteSchema = z.object({ proposal: ProposalSchema, index: Index, signature: SignatureHex }).strict()
export type Vote = z.infer<typeof VoteSchema>

/** A proposal with the section's combined signature, and the section key it verifies under. */
export const DecisionSchema = z.object({ proposal: ProposalSchema, sectionKey: PointHex, signature: SignatureHex }).strict()
export type Decision = z.infer<typeof DecisionSchema>

export class InvalidProposalError extends namedError('InvalidProposalError') {}
/** The elder already signed a different proposal for this generation and will not sign another. */
export class EquivocationRefusedError extends namedError('EquivocationRefusedError') {}
/** A voter's saved state is unreadable or belongs to another key share. */
export class VoterStateError extends namedError('VoterStateError') {}

export function parseProposal (value: unknown): Proposal {
  const parsed = ProposalSchema.safeParse(value)
  if (!parsed.success) throw new InvalidProposalError(`invalid proposal: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/**
 * The bytes elders sign: the domain, a zero byte, then the proposal as JSON with its fields in a
 * fixed order and its payload entries sorted by key. Only strings, integers, booleans and lists
 * of strings occur, whose JSON forms are unique, so equal proposals always give equal bytes.
 */
export function encodeProposal (proposal: Proposal): Uint8Array {
  const checked = parseProposal(proposal)
  const payload = Object.keys(checked.payload).sort().map(key => [key, checked.payload[key]])
  const body = JSON.stringify([checked.kind, checked.subject, checked.generation, checked.sectionPrefix, payload])
  const bytes = new TextEncoder().encode(`${DECISION_DOMAIN}\u0000${body}`)
  if (bytes.length > MAX_PROPOSAL_BYTES) throw new InvalidProposalError(`proposal encodes to ${bytes.length} bytes, more than ${MAX_PROPOSAL_BYTES}`)
  return bytes
}

/** A proposal's identity: SHA3-256 of its canonical encoding, in hex. */
export function proposalId (proposal: Proposal): string {
  return bytesToHex(sha3_256(encodeProposal(proposal)))
}

/** DESIGN §2: churn ID = SHA3-256 of the decision's signature, unpredictable and unbiasable. */
export function churnId (decision: Decision): Uint8Array {
  return sha3_256(signatureFromHex(decision.signature).toBytes())
}

// --- Voting ---------------------------------------------------------------------------------

export const VoterStateSchema = z.object({
  version: z.literal(1),
  index: Index,
  /** The voter's public key share: the state of one key share is never loaded for another. */
  publicKeyShare: PointHex,
  /** Every generation this elder signed for, with the proposal it signed. */
  signed: z.array(z.object({ generation: z.number().int().min(0), proposal: DigestHex }).strict())
}).strict()
export type VoterState = z.infer<typeof VoterStateSchema>

export interface ElderVoterOptions {
  secretKeyShare: SecretKeyShare
  /** The public key set of the section key the share belongs to. */
  publicKeySet: PublicKeySet
  /** What this elder signed before (from disk); none for a new key share. */
  state?: VoterState
  /** Stores the state durably; awaited before each new share is released. */
  persist?: (state: VoterState) => Promise<void>
}

/** One elder's signing: at most one proposal per membership generation, remembered across restarts (SlotGuard). */
export class ElderVoter {
  readonly index: number
  readonly #secretKeyShare: SecretKeyShare
  readonly #publicKeyShare: string
  readonly #guard: SlotGuard<{ digest: string }>

  constructor (options: ElderVoterOptions) {
    this.index = options.secretKeyShare.index
    this.#secretKeyShare = options.secretKeyShare
    const ownPublicKeyShare = publicKeyShare(options.publicKeySet, this.index)
    if (!publicKeyFromSecret(options.secretKeyShare.scalar).equals(ownPublicKeyShare)) {
      throw new RangeError(`"secretKeyShare" of elder ${this.index} does not belong to "publicKeySet"`)
    }
    this.#publicKeyShare = publicKeyToHex(ownPublicKeyShare)
    const { persist } = options
    const signed: Array<[number, { digest: string }]> = []
    if (options.state !== undefined) {
      const parsed = VoterStateSchema.safeParse(options.state)
      if (!parsed.success) throw new VoterStateError(`invalid voter state: ${z.prettifyError(parsed.error)}`)
      if (parsed.data.index !== this.index || parsed.data.publicKeyShare !== this.#publicKeyShare) {
        throw new VoterStateError(`voter state of elder ${parsed.data.index} with another key share cannot be used by elder ${this.index}`)
      }
      for (const { generation, proposal } of parsed.data.signed) signed.push([generation, { digest: proposal }])
    }
    this.#guard = new SlotGuard({
      entries: signed,
      ...(persist === undefined ? {} : { persist: async () => { await persist(this.state) } })
    })
  }

  get state (): VoterState {
    const signed = this.#guard.entries.map(([generation, { digest }]) => ({ generation, proposal: digest }))
    return { version: 1, index: this.index, publicKeyShare: this.#publicKeyShare, signed }
  }

  /**
   * Signs `proposal`, unless this elder signed a different one for the same generation
   * (EquivocationRefusedError). Signing the same proposal again returns the same share. The
   * record is made before anything is awaited and persisted before the share is returned; if
   * persisting fails, the record stays, so the elder refuses rather than risk equivocating.
   */
  async vote (proposal: Proposal): Promise<Vote> {
    const checked = parseProposal(proposal)
    const id = proposalId(checked)
    await this.#guard.claim(checked.generation, { digest: id }, previous => new EquivocationRefusedError(
      `elder ${this.index} already signed proposal ${previous.digest.slice(0, 16)}... for generation ${checked.generation}; refusing ${id.slice(0, 16)}... (${checked.kind} ${checked.subject.slice(0, 16)})`
    ))
    const share = signShare(this.#secretKeyShare, encodeProposal(checked))
    return { proposal: checked, index: this.index, signature: signatureToHex(share.signature) }
  }

  /** Forgets generations below `generation`, once decisions have moved the section past them. */
  forgetBelow (generation: number): void {
    this.#guard.forgetBelow(generation)
  }
}

export async function loadVoterState (path: string): Promise<VoterState | undefined> {
  return await readJsonFile(path, VoterStateSchema, problem => new VoterStateError(`${path} ${problem}; it is left untouched, and the elder must not vote until it is restored`))
}

export async function saveVoterState (path: string, state: VoterState): Promise<void> {
  await writeJsonFile(path, VoterStateSchema.parse(state))
}

// --- Accumulating shares into decisions -----------------------------------------------------

export type AccumulatorResult =
  | { status: 'pending', proposal: string, shares: number }
  | { status: 'decided', decision: Decision }
  | { status: 'dropped', reason: string }

/** Proof that an elder signed two different proposals for one generation: both votes verify. */
export interface EquivocationEvidence {
  index: number
  generation: number
  votes: [Vote, Vote]
}

export interface DecisionAccumulatorOptions {
  publicKeySet: PublicKeySet
  /** Elders are numbered 1..elders (7 in a full section). */
  elders: number
  /** When set, votes for another section are dropped. */
  sectionPrefix?: string
}

interface PendingProposal {
  proposal: Proposal
  hashed: HashedMessage
  shares: Map<number, G2Point>
  decision?: Decision
}

/**
 * Collects votes for a section key, checking each share against its elder's public key share
 * (dropping bad ones with the reason), and combines the first t+1 valid shares of a proposal into
 * its decision. Shares of an elder that signs two proposals of one generation still count:
 * safety rests on quorum intersection, not on any one accumulator's view. Both votes are kept
 * as evidence.
 */
export class DecisionAccumulator {
  readonly #publicKeySet: PublicKeySet
  readonly #sectionKey: string
  readonly #elders: number
  readonly #sectionPrefix: string | undefined
  readonly #pending = new Map<string, PendingProposal>()
  readonly #perGeneration = new Map<number, Set<string>>()
  /** The first valid vote of each elder in each generation, keyed `${generation}:${index}`. */
  readonly #firstVotes = new Map<string, Vote>()
  readonly #evidence: EquivocationEvidence[] = []
  readonly #publicKeyShares = new Map<number, G1Point>()

  constructor (options: DecisionAccumulatorOptions) {
    if (!Number.isInteger(options.elders) || options.elders < options.publicKeySet.threshold + 1 || options.elders > MAX_INDEX) {
      throw new RangeError(`"elders" expected an integer from threshold + 1 = ${options.publicKeySet.threshold + 1} to ${MAX_INDEX}, got ${options.elders}`)
    }
    this.#publicKeySet = options.publicKeySet
    this.#sectionKey = publicKeyToHex(groupPublicKey(options.publicKeySet))
    this.#elders = options.elders
    this.#sectionPrefix = options.sectionPrefix
  }

  /** Takes one vote, from the wire or from this elder's own voter. */
  add (value: unknown): AccumulatorResult {
    const parsed = VoteSchema.safeParse(value)
    if (!parsed.success) return { status: 'dropped', reason: `malformed vote: ${z.prettifyError(parsed.error)}` }
    const vote = parsed.data
    if (vote.index > this.#elders) return { status: 'dropped', reason: `vote from ${vote.index}, but the section has elders 1 to ${this.#elders}` }
    if (this.#sectionPrefix !== undefined && vote.proposal.sectionPrefix !== this.#sectionPrefix) {
      return { status: 'dropped', reason: `vote for section "${vote.proposal.sectionPrefix}", not "${this.#sectionPrefix}"` }
    }
    let id: string
    try {
      id = proposalId(vote.proposal)
    } catch (err) {
      return { status: 'dropped', reason: (err as Error).message }
    }
    const known = this.#pending.get(id)
    if (known?.decision !== undefined) return { status: 'dropped', reason: `proposal ${id.slice(0, 16)}... is already decided` }
    if (known?.shares.has(vote.index) === true) return { status: 'dropped', reason: `duplicate vote of elder ${vote.index} for proposal ${id.slice(0, 16)}...` }
    const generationProposals = this.#perGeneration.get(vote.proposal.generation) ?? new Set<string>()
    if (known === undefined && generationProposals.size >= MAX_PENDING_PROPOSALS_PER_GENERATION) {
      return { status: 'dropped', reason: `already tracking ${MAX_PENDING_PROPOSALS_PER_GENERATION} proposals for generation ${vote.proposal.generation}` }
    }
    let signature: G2Point
    try {
      signature = signatureFromHex(vote.signature)
    } catch (err) {
      return { status: 'dropped', reason: `elder ${vote.index}: ${(err as Error).message}` }
    }
    const pending = known ?? { proposal: vote.proposal, hashed: hashMessage(encodeProposal(vote.proposal)), shares: new Map<number, G2Point>() }
    if (!verifyShare(this.#publicKeyShare(vote.index), pending.hashed, { index: vote.index, signature })) {
      return { status: 'dropped', reason: `the share of elder ${vote.index} does not verify under its public key share for proposal ${id.slice(0, 16)}...` }
    }
    if (known === undefined) {
      this.#pending.set(id, pending)
      generationProposals.add(id)
      this.#perGeneration.set(vote.proposal.generation, generationProposals)
    }
    this.#noteEquivocation(vote, id)
    pending.shares.set(vote.index, signature)
    if (pending.shares.size < this.#publicKeySet.threshold + 1) return { status: 'pending', proposal: id, shares: pending.shares.size }
    const combined = combineShares([...pending.shares].map(([index, share]) => ({ index, signature: share })), this.#publicKeySet.threshold)
    pending.decision = { proposal: pending.proposal, sectionKey: this.#sectionKey, signature: signatureToHex(combined) }
    return { status: 'decided', decision: pending.decision }
  }

  /** Elders proven to have signed two proposals for one generation (DESIGN §2: removed at once). */
  get evidence (): readonly EquivocationEvidence[] {
    return this.#evidence
  }

  /** Drops the proposals of generations below `generation`, once they are settled. */
  forgetBelow (generation: number): void {
    for (const [g, ids] of this.#perGeneration) {
      if (g >= generation) continue
      for (const id of ids) this.#pending.delete(id)
      this.#perGeneration.delete(g)
    }
    for (const key of [...this.#firstVotes.keys()]) if (Number(key.split(':')[0]) < generation) this.#firstVotes.delete(key)
  }

  #noteEquivocation (vote: Vote, id: string): void {
    const key = `${vote.proposal.generation}:${vote.index}`
    const first = this.#firstVotes.get(key)
    if (first === undefined) {
      this.#firstVotes.set(key, vote)
      return
    }
    if (proposalId(first.proposal) === id) return
    if (this.#evidence.some(e => e.index === vote.index && e.generation === vote.proposal.generation)) return
    this.#evidence.push({ index: vote.index, generation: vote.proposal.generation, votes: [first, vote] })
  }

  #publicKeyShare (index: number): G1Point {
    let share = this.#publicKeyShares.get(index)
    if (share === undefined) {
      share = publicKeyShare(this.#publicKeySet, index)
      this.#publicKeyShares.set(index, share)
    }
    return share
  }
}

// --- Verifying decisions --------------------------------------------------------------------

export type DecisionProblem = 'malformed' | 'wrong-section' | 'stale-generation' | 'future-generation' | 'unknown-section-key' | 'bad-signature'
export type DecisionVerification =
  | { ok: true, decision: Decision }
  | { ok: false, problem: DecisionProblem, reason: string }

export interface DecisionExpectations {
  /** The generation the section is at: an older decision is a replay, a newer one must wait. */
  generation?: number
  sectionPrefix?: string
}

/**
 * Accepts a decision only if its signature verifies under a section key this vault knows
 * (a verified section chain, or a list of keys), and it is for the expected section and
 * generation. Anything else is to be ignored; the reason says why.
 */
export function verifyDecision (value: unknown, knownSectionKeys: SectionChain | readonly G1Point[], expected: DecisionExpectations = {}): DecisionVerification {
  const parsed = DecisionSchema.safeParse(value)
  if (!parsed.success) return { ok: false, problem: 'malformed', reason: `malformed decision: ${z.prettifyError(parsed.error)}` }
  const decision = parsed.data
  const { generation, sectionPrefix } = decision.proposal
  if (expected.sectionPrefix !== undefined && sectionPrefix !== expected.sectionPrefix) {
    return { ok: false, problem: 'wrong-section', reason: `decision for section "${sectionPrefix}", not "${expected.sectionPrefix}"` }
  }
  if (expected.generation !== undefined && generation < expected.generation) {
    return { ok: false, problem: 'stale-generation', reason: `decision for generation ${generation}, but the section is at generation ${expected.generation}: a replay` }
  }
  if (expected.generation !== undefined && generation > expected.generation) {
    return { ok: false, problem: 'future-generation', reason: `decision for generation ${generation}, but the section is at generation ${expected.generation}: earlier decisions are missing` }
  }
  const parsedSignature = parseKeyAndSignature(decision.sectionKey, decision.signature)
  if (!parsedSignature.ok) return { ok: false, problem: 'malformed', reason: `malformed decision: ${parsedSignature.reason}` }
  const { key, signature } = parsedSignature
  const known = knownSectionKeys instanceof SectionChain
    ? knownSectionKeys.isKnownKey(key)
    : knownSectionKeys.some(k => k.equals(key))
  if (!known) return { ok: false, problem: 'unknown-section-key', reason: `decision signed by section key ${decision.sectionKey.slice(0, 16)}..., which is not a known key of this section` }
  let proposalBytes: Uint8Array
  try {
    proposalBytes = encodeProposal(decision.proposal)
  } catch (err) {
    return { ok: false, problem: 'malformed', reason: (err as Error).message }
  }
  if (!verify(key, proposalBytes, signature)) {
    return { ok: false, problem: 'bad-signature', reason: `the decision's signature does not verify under section key ${decision.sectionKey.slice(0, 16)}...` }
  }
  return { ok: true, decision }
}
