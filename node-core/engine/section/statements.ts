// Section statements: what the elders tell everyone about their section (issue 3). A statement
// names the section's prefix, its chain of keys, its elders, its membership generation with a
// digest of the member list, the decision that produced that generation and the decision that
// activated the section's era, if any, so a vault that missed it still learns it. Each elder signs it
// with its vault key (ed25519, its name); a vault believes a statement once a supermajority of the
// elders it names (5 of 7) signed the same bytes. Members that are not elders learn the section
// key and the elder set this way, and so does a vault that wants to join or has missed decisions.
import { sha3_256 } from '@noble/hashes/sha3.js'
import { bytesToHex } from '@noble/curves/utils.js'
import { z } from 'zod'
import { signBytes, verifyBytes, type ReleaseKey } from '../../release/keys.ts'
import { DecisionSchema, proposalId, type Decision } from '../../section/crypto/decisions.ts'
import { SectionChainSchema } from '../../section/crypto/section-chain.ts'
import { ELDER_COUNT, supermajority } from '../../section/rules/elders.ts'
import { MAX_SECTION_MEMBERS } from './constants.ts'

export const SECTION_STATEMENT_DOMAIN = 'vault-manager/section-statement/v1'
/** Distinct statements a quorum collector tracks: old ones are dropped first. */
export const MAX_TRACKED_STATEMENTS = 32

export const NameHexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a vault name: 64 lowercase hex digits')
export const PrefixSchema = z.string().regex(/^[01]{0,64}$/, 'expected up to 64 bits of 0s and 1s')
const DigestHex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA3-256 digest: 64 lowercase hex digits')
const Ed25519SignatureHex = z.string().regex(/^[0-9a-f]{128}$/, 'expected an ed25519 signature: 128 lowercase hex digits')

export const SectionStatementSchema = z.object({
  prefix: PrefixSchema,
  chain: SectionChainSchema,
  /** The elders in index order: elder i holds the key share of index i + 1. */
  elders: z.array(NameHexSchema).min(1).max(ELDER_COUNT),
  generation: z.number().int().min(0),
  membersDigest: DigestHex,
  /** The decision that moved the section to this generation; null at genesis. */
  lastDecision: DecisionSchema.nullable(),
  /** The era-activation decision of the section's current era; null while it is in the first era. */
  eraDecision: DecisionSchema.nullable(),
  /** The pause decision of each member paused now, so a vault that missed one still knows. */
  pauseDecisions: z.array(DecisionSchema).max(MAX_SECTION_MEMBERS),
  /** The section's joins switch (section/rules/split.ts): on at genesis, off after a join, on after a member leaves or moves away. */
  joinsOn: z.boolean()
}).strict().superRefine((statement, context) => {
  if (new Set(statement.elders).size !== statement.elders.length) context.addIssue({ code: 'custom', path: ['elders'], message: 'expected distinct elders' })
  if ((statement.generation === 0) !== (statement.lastDecision === null)) {
    context.addIssue({ code: 'custom', path: ['lastDecision'], message: 'expected a decision exactly when the generation is above 0' })
  }
  if (statement.lastDecision !== null && statement.lastDecision.proposal.generation !== statement.generation - 1) {
    context.addIssue({ code: 'custom', path: ['lastDecision'], message: 'expected the decision of the previous generation' })
  }
  if (statement.eraDecision !== null && (statement.eraDecision.proposal.kind !== 'era-activation' || statement.eraDecision.proposal.generation >= statement.generation)) {
    context.addIssue({ code: 'custom', path: ['eraDecision'], message: 'expected an era-activation decided before this generation' })
  }
  const paused = statement.pauseDecisions.map(decision => decision.proposal)
  if (paused.some(proposal => proposal.kind !== 'pause' || proposal.generation >= statement.generation)) {
    context.addIssue({ code: 'custom', path: ['pauseDecisions'], message: 'expected pause decisions decided before this generation' })
  }
  if (new Set(paused.map(proposal => proposal.subject)).size !== paused.length) context.addIssue({ code: 'custom', path: ['pauseDecisions'], message: 'expected one pause per member' })
})
export type SectionStatement = z.infer<typeof SectionStatementSchema>

export const SignedStatementSchema = z.object({
  statement: SectionStatementSchema,
  signer: NameHexSchema,
  signature: Ed25519SignatureHex
}).strict()
export type SignedStatement = z.infer<typeof SignedStatementSchema>

/** The digest of a member list: SHA3-256 over the sorted names, one per line. */
export function membersDigest (members: Iterable<string>): string {
  return bytesToHex(sha3_256(new TextEncoder().encode([...members].sort().join('\n'))))
}

/**
 * The bytes elders sign: the domain, a zero byte, then the statement as a JSON array in a fixed
 * order. Decisions enter by their proposal's id (the SHA3 of its canonical encoding), key and
 * signature, so equal statements always give equal bytes.
 */
export function encodeStatement (statement: SectionStatement): Uint8Array {
  const checked = SectionStatementSchema.parse(statement)
  const body = JSON.stringify([
    checked.prefix,
    checked.chain.genesisKey,
    checked.chain.links.map(link => [link.key, link.signature]),
    checked.elders,
    checked.generation,
    checked.membersDigest,
    decisionReference(checked.lastDecision),
    decisionReference(checked.eraDecision),
    checked.pauseDecisions.map(decisionReference)
  ])
  return new TextEncoder().encode(`${SECTION_STATEMENT_DOMAIN}\u0000${body}`)
}

function decisionReference (decision: Decision | null): [string, string, string] | null {
  return decision === null ? null : [proposalId(decision.proposal), decision.sectionKey, decision.signature]
}

export function statementId (statement: SectionStatement): string {
  return bytesToHex(sha3_256(encodeStatement(statement)))
}

export function signStatement (statement: SectionStatement, key: ReleaseKey): SignedStatement {
  return { statement, signer: key.public, signature: signBytes(key, encodeStatement(statement)) }
}

export type StatementCheck = { ok: true, signed: SignedStatement, id: string } | { ok: false, reason: string }

/** Whether `value` is a statement signed by one of the elders it names. */
export function checkSignedStatement (value: unknown): StatementCheck {
  const parsed = SignedStatementSchema.safeParse(value)
  if (!parsed.success) return { ok: false, reason: `malformed statement: ${z.prettifyError(parsed.error)}` }
  const signed = parsed.data
  if (!signed.statement.elders.includes(signed.signer)) return { ok: false, reason: `statement signed by ${signed.signer.slice(0, 16)}..., who is not one of the elders it names` }
  const bytes = encodeStatement(signed.statement)
  if (!verifyBytes(signed.signer, bytes, signed.signature)) return { ok: false, reason: `the signature of ${signed.signer.slice(0, 16)}... over the statement does not verify` }
  return { ok: true, signed, id: bytesToHex(sha3_256(bytes)) }
}

export type QuorumResult =
  | { status: 'pending', id: string, signers: number, needed: number }
  | { status: 'complete', id: string, statement: SectionStatement, signatures: SignedStatement[] }

/**
 * Gathers elders' signatures per statement until a supermajority of the elders it names signed
 * it. Signatures must already be checked (checkSignedStatement).
 */
export class StatementQuorum {
  readonly #statements = new Map<string, Map<string, SignedStatement>>()

  add (signed: SignedStatement, id: string): QuorumResult {
    let signers = this.#statements.get(id)
    if (signers === undefined) {
      signers = new Map()
      this.#statements.set(id, signers)
      for (const oldest of this.#statements.keys()) {
        if (this.#statements.size <= MAX_TRACKED_STATEMENTS) break
        this.#statements.delete(oldest)
      }
    }
    signers.set(signed.signer, signed)
    const needed = supermajority(signed.statement.elders.length)
    if (signers.size < needed) return { status: 'pending', id, signers: signers.size, needed }
    return { status: 'complete', id, statement: signed.statement, signatures: [...signers.values()] }
  }

  /** The signatures held for a statement, to pass on to a vault that has not seen them. */
  signatures (id: string): SignedStatement[] {
    return [...(this.#statements.get(id)?.values() ?? [])]
  }
}
