// The signed messages elders agree with before any of them signs a decision (issue 3, deliver 2):
// a round's proposal, and each elder's prevote and precommit for it (round-agreement.ts). Each is
// signed with the elder's vault key (ed25519, its name), so it can be passed on: an elder that saw
// 5 prevotes or 5 precommits for a proposal sends them to the others as proof, whoever signed them.
import { z } from 'zod'
import { signBytes, verifyBytes, type ReleaseKey } from '../../release/keys.ts'
import { ProposalSchema, proposalId } from '../../section/crypto/decisions.ts'
import { ELDER_COUNT } from '../../section/rules/elders.ts'
import { PrefixSchema } from './statements.ts'

export const BALLOT_DOMAIN = 'vault-manager/section-ballot/v1'
/** Rounds of one generation: each takes at least one timeout, so this is far beyond any live run. */
export const MAX_ROUND = 100_000
/** Signed items in one consensus message: a proposal with 5 ballots as proof, twice. */
export const MAX_CONSENSUS_ITEMS = 16

const Round = z.number().int().min(0).max(MAX_ROUND)
const ElderIndex = z.number().int().min(1).max(ELDER_COUNT)
const ProposalIdHex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a proposal id: 64 lowercase hex digits')
const Ed25519SignatureHex = z.string().regex(/^[0-9a-f]{128}$/, 'expected an ed25519 signature: 128 lowercase hex digits')

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
  validRound: z.number().int().min(-1).max(MAX_ROUND),
  proposal: ProposalSchema
}).strict().superRefine((item, context) => {
  if (item.validRound >= item.round) context.addIssue({ code: 'custom', path: ['validRound'], message: 'expected a valid round before the round' })
  if (item.proposal.generation !== item.generation || item.proposal.sectionPrefix !== item.prefix) {
    context.addIssue({ code: 'custom', path: ['proposal'], message: 'expected a proposal of the same section and generation' })
  }
})
export type SignedProposal = z.infer<typeof SignedProposalSchema>

export const BALLOT_STEPS = ['prevote', 'precommit'] as const
export type BallotStep = typeof BALLOT_STEPS[number]

/** An elder's prevote or precommit in a round: for a proposal by its id, or for none (null). */
export const SignedBallotSchema = z.object({
  type: z.literal('ballot'),
  ...Common,
  step: z.enum(BALLOT_STEPS),
  value: ProposalIdHex.nullable()
}).strict()
export type SignedBallot = z.infer<typeof SignedBallotSchema>

export const ConsensusItemSchema = z.discriminatedUnion('type', [SignedProposalSchema, SignedBallotSchema])
export type ConsensusItem = z.infer<typeof ConsensusItemSchema>

type Unsigned<T> = Omit<T, 'signature'>

function signedBytes (item: Unsigned<SignedProposal> | Unsigned<SignedBallot>): Uint8Array {
  const body = item.type === 'proposal'
    ? ['proposal', item.prefix, item.generation, item.round, item.signer, item.validRound, proposalId(item.proposal)]
    : [item.step, item.prefix, item.generation, item.round, item.signer, item.value ?? '']
  return new TextEncoder().encode(`${BALLOT_DOMAIN}\u0000${JSON.stringify(body)}`)
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

/** What an item says, without its signature: equal for two copies of one item, different for an equivocation. */
export function itemKey (item: ConsensusItem): string {
  return item.type === 'proposal'
    ? `proposal/${item.round}/${item.signer}/${item.validRound}/${proposalId(item.proposal)}`
    : `${item.step}/${item.round}/${item.signer}/${item.value ?? 'nil'}`
}
