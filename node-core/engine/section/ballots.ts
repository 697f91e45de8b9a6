// The signed messages elders agree with before any of them signs a value with its key share (issue
// 3, deliver 2 and 5): a round's proposal, and each elder's prevote and precommit for it
// (round-agreement.ts). Each is signed with the elder's vault key (ed25519, its name), so it can be
// passed on: an elder that saw 5 prevotes or 5 precommits for a proposal sends them to the others
// as proof, whoever signed them. Two topics are agreed on this way, each in its own slots: a
// membership Proposal per generation, and a reward record per reward epoch. Each topic signs under
// its own domain, so a ballot of one never counts for the other, not even a vote for none.
import { z } from 'zod'
import { signBytes, verifyBytes, type ReleaseKey } from '../../release/keys.ts'
import { ProposalSchema, proposalId, type Proposal } from '../../section/crypto/decisions.ts'
import { UnsignedRewardRecordSchema, type UnsignedRewardRecord } from '../../section/economy/reward-record.ts'
import { rewardRecordDigest } from '../../section/economy/reward-signer.ts'
import { ELDER_COUNT } from '../../section/rules/elders.ts'
import { MAX_SECTION_MEMBERS } from './constants.ts'
import { PrefixSchema } from './statements.ts'

export const BALLOT_DOMAIN = 'vault-manager/section-ballot/v1'
export const REWARD_BALLOT_DOMAIN = 'vault-manager/reward-ballot/v1'
/** Rounds of one slot: each takes at least one timeout, so this is far beyond any live run. */
export const MAX_ROUND = 100_000
/** Signed items in one consensus message: a proposal with 5 ballots as proof, twice. */
export const MAX_CONSENSUS_ITEMS = 16

const Round = z.number().int().min(0).max(MAX_ROUND)
const ValidRound = z.number().int().min(-1).max(MAX_ROUND)
const ElderIndex = z.number().int().min(1).max(ELDER_COUNT)
const ValueIdHex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a proposal id or record digest: 64 lowercase hex digits')
const Ed25519SignatureHex = z.string().regex(/^[0-9a-f]{128}$/, 'expected an ed25519 signature: 128 lowercase hex digits')

export const BALLOT_STEPS = ['prevote', 'precommit'] as const
export type BallotStep = typeof BALLOT_STEPS[number]

/** What round-agreement.ts reads of any topic's signed items. */
interface ItemBase { prefix: string, round: number, signer: number, signature: string }
export interface ProposalItem extends ItemBase { type: 'proposal', validRound: number }
/** A prevote or precommit: for a value by its id, or for none (null). */
export interface BallotItem extends ItemBase { type: 'ballot', step: BallotStep, value: string | null }

export interface ProposalDraft<V> { prefix: string, slot: number, round: number, signer: number, validRound: number, value: V }
export interface BallotDraft { prefix: string, slot: number, round: number, signer: number, step: BallotStep, value: string | null }

/** One thing elders agree on in rounds: how its items name their slot and value, and how they are signed. */
export interface BallotTopic<V, P extends ProposalItem, B extends BallotItem> {
  /** What a slot is, in reasons: 'generation' or 'epoch'. */
  slotName: string
  slotOf(item: P | B): number
  valueOf(proposal: P): V
  /** The value's identity, what ballots vote for. */
  id(value: V): string
  signProposal(key: ReleaseKey, draft: ProposalDraft<V>): P
  signBallot(key: ReleaseKey, draft: BallotDraft): B
  /** Whether the elder named `signerName` signed `item`. */
  verify(item: P | B, signerName: string): boolean
}

function encodeSigned (domain: string, body: ReadonlyArray<string | number>): Uint8Array {
  return new TextEncoder().encode(`${domain}\u0000${JSON.stringify(body)}`)
}

// --- Membership: one Proposal per generation ----------------------------------------------------

const Common = {
  prefix: PrefixSchema,
  generation: z.number().int().min(0),
  round: Round,
  /** The elder's index (1 to 7) in the section's elder list. */
  signer: ElderIndex,
  signature: Ed25519SignatureHex
}

/** A round's proposer puts `proposal` forward; `validRound` is the round it saw 5 prevotes for it in, or -1. */
export const SignedProposalSchema = z.object({
  type: z.literal('proposal'),
  ...Common,
  validRound: ValidRound,
  proposal: ProposalSchema
}).strict().superRefine((item, context) => {
  if (item.validRound >= item.round) context.addIssue({ code: 'custom', path: ['validRound'], message: 'expected a valid round before the round' })
  if (item.proposal.generation !== item.generation || item.proposal.sectionPrefix !== item.prefix) {
    context.addIssue({ code: 'custom', path: ['proposal'], message: 'expected a proposal of the same section and generation' })
  }
})
export type SignedProposal = z.infer<typeof SignedProposalSchema>

export const SignedBallotSchema = z.object({
  type: z.literal('ballot'),
  ...Common,
  step: z.enum(BALLOT_STEPS),
  value: ValueIdHex.nullable()
}).strict()
export type SignedBallot = z.infer<typeof SignedBallotSchema>

export const ConsensusItemSchema = z.discriminatedUnion('type', [SignedProposalSchema, SignedBallotSchema])
export type ConsensusItem = z.infer<typeof ConsensusItemSchema>

type Unsigned<T> = Omit<T, 'signature'>

function signedBytes (item: Unsigned<SignedProposal> | Unsigned<SignedBallot>): Uint8Array {
  return encodeSigned(BALLOT_DOMAIN, item.type === 'proposal'
    ? ['proposal', item.prefix, item.generation, item.round, item.signer, item.validRound, proposalId(item.proposal)]
    : [item.step, item.prefix, item.generation, item.round, item.signer, item.value ?? ''])
}

export function signProposal (key: ReleaseKey, item: Unsigned<SignedProposal>): SignedProposal {
  return { ...item, signature: signBytes(key, signedBytes(item)) }
}

export function signBallot (key: ReleaseKey, item: Unsigned<SignedBallot>): SignedBallot {
  return { ...item, signature: signBytes(key, signedBytes(item)) }
}

/** Whether the elder named `signerName` signed `item`. */
export function verifyItem (item: ConsensusItem, signerName: string): boolean {
  return verifyBytes(signerName, signedBytes(item), item.signature)
}

export const MEMBERSHIP_BALLOTS: BallotTopic<Proposal, SignedProposal, SignedBallot> = {
  slotName: 'generation',
  slotOf: item => item.generation,
  valueOf: item => item.proposal,
  id: proposalId,
  signProposal: (key, { slot, value, ...rest }) => signProposal(key, { type: 'proposal', ...rest, generation: slot, proposal: value }),
  signBallot: (key, { slot, ...rest }) => signBallot(key, { type: 'ballot', ...rest, generation: slot }),
  verify: verifyItem
}

// --- Rewards: one record per reward epoch ------------------------------------------------------

const RewardCommon = {
  prefix: PrefixSchema,
  epoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  round: Round,
  signer: ElderIndex,
  signature: Ed25519SignatureHex
}

/** A round's proposer puts `record` forward for its epoch; `validRound` as for a membership proposal. */
export const SignedRewardProposalSchema = z.object({
  type: z.literal('proposal'),
  ...RewardCommon,
  validRound: ValidRound,
  record: UnsignedRewardRecordSchema
}).strict().superRefine((item, context) => {
  if (item.validRound >= item.round) context.addIssue({ code: 'custom', path: ['validRound'], message: 'expected a valid round before the round' })
  if (item.record.epoch !== item.epoch || item.record.sectionPrefix !== item.prefix) {
    context.addIssue({ code: 'custom', path: ['record'], message: 'expected a record of the same section and epoch' })
  }
  // A section's record names at most its members: more could not fit one frame.
  if (item.record.shares.length > MAX_SECTION_MEMBERS) context.addIssue({ code: 'custom', path: ['record', 'shares'], message: `expected at most ${MAX_SECTION_MEMBERS} shares` })
})
export type SignedRewardProposal = z.infer<typeof SignedRewardProposalSchema>

export const SignedRewardBallotSchema = z.object({
  type: z.literal('ballot'),
  ...RewardCommon,
  step: z.enum(BALLOT_STEPS),
  value: ValueIdHex.nullable()
}).strict()
export type SignedRewardBallot = z.infer<typeof SignedRewardBallotSchema>

export const RewardConsensusItemSchema = z.discriminatedUnion('type', [SignedRewardProposalSchema, SignedRewardBallotSchema])
export type RewardConsensusItem = z.infer<typeof RewardConsensusItemSchema>

function rewardSignedBytes (item: Unsigned<SignedRewardProposal> | Unsigned<SignedRewardBallot>): Uint8Array {
  return encodeSigned(REWARD_BALLOT_DOMAIN, item.type === 'proposal'
    ? ['proposal', item.prefix, item.epoch, item.round, item.signer, item.validRound, rewardRecordDigest(item.record)]
    : [item.step, item.prefix, item.epoch, item.round, item.signer, item.value ?? ''])
}

export function signRewardProposal (key: ReleaseKey, item: Unsigned<SignedRewardProposal>): SignedRewardProposal {
  return { ...item, signature: signBytes(key, rewardSignedBytes(item)) }
}

export function signRewardBallot (key: ReleaseKey, item: Unsigned<SignedRewardBallot>): SignedRewardBallot {
  return { ...item, signature: signBytes(key, rewardSignedBytes(item)) }
}

export const REWARD_BALLOTS: BallotTopic<UnsignedRewardRecord, SignedRewardProposal, SignedRewardBallot> = {
  slotName: 'epoch',
  slotOf: item => item.epoch,
  valueOf: item => item.record,
  id: rewardRecordDigest,
  signProposal: (key, { slot, value, ...rest }) => signRewardProposal(key, { type: 'proposal', ...rest, epoch: slot, record: value }),
  signBallot: (key, { slot, ...rest }) => signRewardBallot(key, { type: 'ballot', ...rest, epoch: slot }),
  verify: (item, signerName) => verifyBytes(signerName, rewardSignedBytes(item), item.signature)
}
