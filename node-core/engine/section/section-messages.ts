// Wire format of /vault/section/1.0.0: one length-prefixed frame per stream, holding one JSON
// message. Every message is parsed with these schemas; a frame over MAX_SECTION_FRAME_BYTES, or
// one that is not a valid message, is a protocol violation that costs the sender local trust.
// The sender of a message is the peer at the other end of the (encrypted, authenticated) libp2p
// connection, never a field of the message.
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import {
  DkgCommitmentsMessageSchema, DkgComplaintMessageSchema, DkgJustificationMessageSchema, DkgShareMessageSchema
} from '../../section/crypto/dkg.ts'
import { DecisionSchema, VoteSchema } from '../../section/crypto/decisions.ts'
import { SectionChainLinkSchema } from '../../section/crypto/section-chain.ts'
import { MAX_INDEX } from '../../section/crypto/scalar.ts'
import { RewardRecordSchema, UnsignedRewardRecordSchema } from '../../section/economy/reward-record.ts'
import { ELDER_COUNT } from '../../section/rules/elders.ts'
import { MAX_DECISION_SIGNATURES } from '../../section/rules/relocation.ts'
import { CHALLENGE_NONCE_BYTES, MAX_RESOURCE_DIFFICULTY, SOLUTION_BYTES } from '../../section/rules/resource-challenge.ts'
import { MAX_HELLO_NAMES, MAX_SECTION_FRAME_BYTES, MAX_SECTION_MEMBERS, MAX_STORE_PAYMENT, REWARD_LEDGER_EPOCHS } from './constants.ts'
import { NameHexSchema, PrefixSchema, SignedStatementSchema } from './statements.ts'
import { ConsensusItemSchema, MAX_CONSENSUS_ITEMS, RewardConsensusItemSchema } from './ballots.ts'
import { StorageReportSchema } from './storage-reports.ts'

export class MalformedSectionMessageError extends namedError('MalformedSectionMessageError') {}
export class SectionFrameTooLargeError extends namedError('SectionFrameTooLargeError') {}
/** A message of a type a later version added: ignored, and no fault of the sender's. */
export class UnknownSectionMessageError extends namedError('UnknownSectionMessageError') {}

const DistinctNames = (max: number, min = 0): z.ZodType<string[]> => z.array(NameHexSchema).min(min).max(max)
  .refine(names => new Set(names).size === names.length, 'expected distinct names')

const SectionKeyHex = z.string().regex(/^[0-9a-f]{96}$/, 'expected a compressed G1 key: 96 lowercase hex digits')
const SignatureShareHex = z.string().regex(/^[0-9a-f]{192}$/, 'expected a compressed G2 signature: 192 lowercase hex digits')

/** Which DKG run a message belongs to: the session is derived from these, never taken on trust. */
export const KeyingSchema = z.object({
  prefix: PrefixSchema,
  /** Runs for one elder set are numbered from 0; a failed run is followed by the next. */
  attempt: z.number().int().min(0).max(1000),
  /** The elders in index order. */
  elders: DistinctNames(ELDER_COUNT, 1),
  /** A handover's run (elder-handover.ts): the section key it hands over from. Absent at genesis. */
  from: SectionKeyHex.optional()
}).strict()
export type Keying = z.infer<typeof KeyingSchema>

export const DKG_ROUNDS = ['dealing', 'complaining', 'justifying'] as const
export type DkgRound = typeof DKG_ROUNDS[number]

/** A forming vault's oldest known vaults, so the oldest find each other and agree on the elders. */
export const HelloMessageSchema = z.object({ type: z.literal('hello'), vaults: DistinctNames(MAX_HELLO_NAMES) }).strict()

/** Everything one elder broadcasts in one DKG round: receiving it means its round is complete. */
export const DkgRoundMessageSchema = z.object({
  type: z.literal('dkg-round'),
  keying: KeyingSchema,
  round: z.enum(DKG_ROUNDS),
  messages: z.array(z.discriminatedUnion('type', [DkgCommitmentsMessageSchema, DkgComplaintMessageSchema, DkgJustificationMessageSchema])).max(ELDER_COUNT),
  /** Dealing only: the vaults this elder knows, which become founding members with the key. */
  founders: DistinctNames(MAX_SECTION_MEMBERS).optional()
}).strict().refine(message => message.round === 'dealing' || message.founders === undefined, 'only a dealing batch names founders')

/** A dealer's secret share for one elder, only ever sent to that elder. */
export const DkgShareEnvelopeSchema = z.object({ type: z.literal('dkg-share'), keying: KeyingSchema, message: DkgShareMessageSchema }).strict()

/** Elders' signed statements about the section, and the member list their digest names. */
export const SectionInfoMessageSchema = z.object({
  type: z.literal('section-info'),
  statements: z.array(SignedStatementSchema).min(1).max(ELDER_COUNT),
  members: DistinctNames(MAX_SECTION_MEMBERS)
}).strict()

/** A relocated vault's proof, as hex on the wire (section/rules/relocation.ts decodes and checks it). */
export const RelocationProofWireSchema = z.object({
  oldName: NameHexSchema,
  newName: NameHexSchema,
  newAge: z.number().int().min(0).max(255),
  decisionSignatures: z.array(z.string().regex(/^[0-9a-f]{192}$/, 'expected a compressed G2 signature: 192 lowercase hex digits')).min(1).max(MAX_DECISION_SIGNATURES),
  oldKeySignature: z.string().regex(/^[0-9a-f]{128}$/, 'expected an ed25519 signature: 128 lowercase hex digits')
}).strict()
export type RelocationProofWire = z.infer<typeof RelocationProofWireSchema>

/** A demoted vault's proof, as hex on the wire (section/rules/demotion-proof.ts decodes and checks it). */
export const DemotionProofWireSchema = RelocationProofWireSchema.pick({ oldName: true, newName: true, newAge: true, oldKeySignature: true })
export type DemotionProofWire = z.infer<typeof DemotionProofWireSchema>

const NonceHexSchema = z.string().regex(new RegExp(`^[0-9a-f]{${CHALLENGE_NONCE_BYTES * 2}}$`), `expected a challenge nonce: ${CHALLENGE_NONCE_BYTES * 2} lowercase hex digits`)

/** A joiner's answer to an elder's resource challenge (section/rules/resource-challenge.ts), naming whose join it is for. */
export const ResourceProofWireSchema = z.object({
  name: NameHexSchema,
  nonce: NonceHexSchema,
  solution: z.string().regex(new RegExp(`^[0-9a-f]{${SOLUTION_BYTES * 2}}$`), `expected a solution: ${SOLUTION_BYTES * 2} lowercase hex digits`)
}).strict()
export type ResourceProofWire = z.infer<typeof ResourceProofWireSchema>

/**
 * A vault asks the elders to admit it: the request is its connection, the age is its name's last
 * byte, 5 for a new vault (DESIGN §2). A vault the section relocated shows the proof of its move, a
 * vault it demoted the proof that its old name signed the new one; never both. Once an elder has
 * challenged it, the vault shows its answer (join-challenge).
 */
export const JoinRequestMessageSchema = z.object({
  type: z.literal('join-request'),
  prefix: PrefixSchema,
  relocation: RelocationProofWireSchema.optional(),
  demotion: DemotionProofWireSchema.optional(),
  resource: ResourceProofWireSchema.optional()
}).strict().refine(message => message.relocation === undefined || message.demotion === undefined, 'a join request shows a relocation or a demotion proof, not both')
export type JoinRequestMessage = z.infer<typeof JoinRequestMessageSchema>

/** An elder's resource challenge to a vault asking to join (DESIGN §2 "Joins"): it answers with its next join request. */
export const JoinChallengeMessageSchema = z.object({
  type: z.literal('join-challenge'),
  prefix: PrefixSchema,
  nonce: NonceHexSchema,
  difficulty: z.number().int().min(0).max(MAX_RESOURCE_DIFFICULTY)
}).strict()
export type JoinChallengeMessage = z.infer<typeof JoinChallengeMessageSchema>

/** A member tells the elders which eras its release supports (DESIGN §2, versions and eras). */
export const EraSupportMessageSchema = z.object({
  type: z.literal('era-support'),
  eras: z.array(z.number().int().min(1).max(1_000_000)).min(1).max(2)
    .refine(eras => eras.every((era, i) => i === 0 || era > (eras[i - 1] ?? 0)), 'expected one or two eras in ascending order')
}).strict()

/** A paused member whose self-check passed asks the elders to resume it (they audit it first). */
export const ResumeRequestMessageSchema = z.object({ type: z.literal('resume-request'), prefix: PrefixSchema }).strict()

/** A member leaving the network for good asks the elders to decide its Leave; it may rejoin later at half its age. */
export const LeaveRequestMessageSchema = z.object({ type: z.literal('leave-request'), prefix: PrefixSchema }).strict()

/** An adult tells the elders its store is nearly full, signed, once each generation while it is (storage-reports.ts). */
export const StorageReportMessageSchema = z.object({ type: z.literal('storage-report'), report: StorageReportSchema }).strict()

/** An elder's answer to a join request under a name the section removed: the Demote or Leave decision that removed it. */
export const RemovalNoticeMessageSchema = z.object({ type: z.literal('removal-notice'), decision: DecisionSchema }).strict()

/** Elders' signed proposals and ballots (round-agreement.ts): an elder's own, or a quorum it passes on. */
export const ConsensusMessageSchema = z.object({ type: z.literal('consensus'), items: z.array(ConsensusItemSchema).min(1).max(MAX_CONSENSUS_ITEMS) }).strict()

/** An elder's key-share signature on the proposal the elders committed to. */
export const VoteMessageSchema = z.object({ type: z.literal('vote'), vote: VoteSchema }).strict()

export const DecisionMessageSchema = z.object({ type: z.literal('decision'), decision: DecisionSchema }).strict()

/** A section's reward record names at most its members: more shares could not fit one frame. */
const RewardSharesBound = (record: { shares: readonly unknown[] }): boolean => record.shares.length <= MAX_SECTION_MEMBERS
const REWARD_SHARES_MESSAGE = `expected at most ${MAX_SECTION_MEMBERS} shares`

/**
 * A client paid the store cost of one chunk into the section (DESIGN §2 "Earnings"): sent to every
 * elder, each of which counts it once per chunk address in the reward epoch it arrives in.
 */
export const StorePaymentMessageSchema = z.object({
  type: z.literal('store-payment'),
  prefix: PrefixSchema,
  address: z.string().regex(/^[0-9a-f]{64}$/, 'expected a chunk address: 64 lowercase hex digits'),
  amount: z.number().int().min(1).max(MAX_STORE_PAYMENT)
}).strict()

/** Asks a vault for its section's latest signed statement, answered on the same stream (a client learning the elders). */
export const SectionQueryMessageSchema = z.object({ type: z.literal('section-query') }).strict()

/** Elders' signed reward proposals and ballots: the rounds that agree on an epoch's record before any elder signs it. */
export const RewardConsensusMessageSchema = z.object({ type: z.literal('reward-consensus'), items: z.array(RewardConsensusItemSchema).min(1).max(MAX_CONSENSUS_ITEMS) }).strict()

/** An elder's signature share over the reward record the elders committed to, sent to every elder. */
export const RewardShareMessageSchema = z.object({
  type: z.literal('reward-share'),
  record: UnsignedRewardRecordSchema.refine(RewardSharesBound, REWARD_SHARES_MESSAGE),
  index: z.number().int().min(1).max(MAX_INDEX),
  signature: z.string().regex(/^[0-9a-f]{192}$/, 'expected a compressed G2 signature: 192 lowercase hex digits')
}).strict()

/** A reward record signed by the section, sent to every member. */
export const RewardRecordMessageSchema = z.object({
  type: z.literal('reward-record'),
  record: RewardRecordSchema.refine(RewardSharesBound, REWARD_SHARES_MESSAGE)
}).strict()

/**
 * A member asks an elder for the records of recent epochs that name it, but which it does not hold
 * (it was down, or every copy sent to it was lost): `have` lists the recent epochs it holds records of.
 */
export const RewardRecordsRequestMessageSchema = z.object({
  type: z.literal('reward-records-request'),
  prefix: PrefixSchema,
  have: z.array(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)).max(REWARD_LEDGER_EPOCHS)
}).strict()

/**
 * An incoming elder's word, signed with its vault key, that its handover run (named by `keying`)
 * ended with `key`: the current elders propose the handover on 5 of these (elder-handover.ts).
 */
export const HandoverKeyMessageSchema = z.object({
  type: z.literal('handover-key'),
  keying: KeyingSchema,
  key: SectionKeyHex,
  signature: z.string().regex(/^[0-9a-f]{128}$/, 'expected an ed25519 signature: 128 lowercase hex digits')
}).strict().refine(message => message.keying.from !== undefined, 'a handover key names the key it hands over from')

/**
 * An elder's word, signed with its vault key, that it holds no share of `sectionKey` (it missed the
 * key generation): the other elders decide a Rekey, and the same elders key again (rekey.ts).
 */
export const RekeyRequestMessageSchema = z.object({
  type: z.literal('rekey-request'),
  prefix: PrefixSchema,
  sectionKey: SectionKeyHex,
  signature: z.string().regex(/^[0-9a-f]{128}$/, 'expected an ed25519 signature: 128 lowercase hex digits')
}).strict()
export type RekeyRequestMessage = z.infer<typeof RekeyRequestMessageSchema>

/** An outgoing elder's key-share signature over the section chain's link to the key the section decided to hand over to. */
export const LinkShareMessageSchema = z.object({
  type: z.literal('link-share'),
  link: z.object({ from: SectionKeyHex, to: SectionKeyHex }).strict(),
  index: z.number().int().min(1).max(MAX_INDEX),
  signature: SignatureShareHex
}).strict()

/**
 * The section chain's new link, the old key's signature over the new key, with the handover
 * decision it completes (for a vault that missed it): the new elders hold the key from now on.
 */
export const ChainLinkMessageSchema = z.object({
  type: z.literal('chain-link'),
  decision: DecisionSchema,
  link: SectionChainLinkSchema
}).strict()

export const SectionMessageSchema = z.discriminatedUnion('type', [
  HelloMessageSchema, DkgRoundMessageSchema, DkgShareEnvelopeSchema, SectionInfoMessageSchema,
  JoinRequestMessageSchema, JoinChallengeMessageSchema, EraSupportMessageSchema, ResumeRequestMessageSchema, LeaveRequestMessageSchema, StorageReportMessageSchema, RemovalNoticeMessageSchema, ConsensusMessageSchema, VoteMessageSchema, DecisionMessageSchema,
  StorePaymentMessageSchema, SectionQueryMessageSchema, RewardConsensusMessageSchema, RewardShareMessageSchema, RewardRecordMessageSchema, RewardRecordsRequestMessageSchema,
  HandoverKeyMessageSchema, LinkShareMessageSchema, ChainLinkMessageSchema, RekeyRequestMessageSchema
])
export type SectionMessage = z.infer<typeof SectionMessageSchema>
const SECTION_MESSAGE_TYPES: ReadonlySet<string> = new Set(SectionMessageSchema.options.map(option => option.shape.type.value))
/** What a message type looks like: a name in lowercase words joined by dashes. */
const LATER_TYPE = /^[a-z]+(-[a-z]+)*$/
export type HelloMessage = z.infer<typeof HelloMessageSchema>
export type DkgRoundMessage = z.infer<typeof DkgRoundMessageSchema>
export type DkgShareEnvelope = z.infer<typeof DkgShareEnvelopeSchema>
export type SectionInfoMessage = z.infer<typeof SectionInfoMessageSchema>
export type StorePaymentMessage = z.infer<typeof StorePaymentMessageSchema>
export type RewardShareMessage = z.infer<typeof RewardShareMessageSchema>
export type RewardRecordsRequestMessage = z.infer<typeof RewardRecordsRequestMessageSchema>
export type HandoverKeyMessage = z.infer<typeof HandoverKeyMessageSchema>
export type LinkShareMessage = z.infer<typeof LinkShareMessageSchema>

export function encodeSectionMessage (message: SectionMessage): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(SectionMessageSchema.parse(message)))
  if (bytes.length > MAX_SECTION_FRAME_BYTES) throw new SectionFrameTooLargeError(`section message of ${bytes.length} bytes, more than ${MAX_SECTION_FRAME_BYTES}`)
  return bytes
}

export function decodeSectionMessage (bytes: Uint8Array): SectionMessage {
  if (bytes.length > MAX_SECTION_FRAME_BYTES) throw new SectionFrameTooLargeError(`section frame of ${bytes.length} bytes, more than ${MAX_SECTION_FRAME_BYTES}`)
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedSectionMessageError('section frame is not UTF-8 JSON')
  }
  const type = typeof json === 'object' && json !== null && 'type' in json ? json.type : undefined
  // A later version's message (a tolerant reader): a section of mixed versions keeps working while it upgrades.
  if (typeof type === 'string' && LATER_TYPE.test(type) && !SECTION_MESSAGE_TYPES.has(type)) {
    throw new UnknownSectionMessageError(`a section message of type "${type}", which this version does not know`)
  }
  const parsed = SectionMessageSchema.safeParse(json)
  if (!parsed.success) throw new MalformedSectionMessageError(`invalid section message: ${z.prettifyError(parsed.error).slice(0, 1000)}`)
  return parsed.data
}

/** What became of a received message; `misbehaviour` marks a violation that costs the sender local trust. */
export type SectionReceipt = { accepted: true } | { accepted: false, reason: string, misbehaviour: boolean }

export const ACCEPTED: SectionReceipt = { accepted: true }

export function ignored (reason: string): SectionReceipt {
  return { accepted: false, reason, misbehaviour: false }
}

export function violation (reason: string): SectionReceipt {
  return { accepted: false, reason, misbehaviour: true }
}
