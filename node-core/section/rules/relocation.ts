// Relocation (DESIGN §2 "Node age"; reference §6): which members a churn moves, where to, and the
// proof a moved vault shows its destination.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { publicKeyFromSeed } from '../../engine/identity/ed25519-raw.ts'
import { grindKey, type GroundKey } from '../../engine/identity/grind.ts'
import { ageOfName, assertName, assertPrefix, nameHasPrefix, NAME_BYTES, xorDistance } from '../../engine/identity/name.ts'
import {
  assertSignatures, churnId, CHURN_ID_BYTES, isRelocationCandidate, relocatedAge, relocationDestination,
  relocationTieBreakTarget, SIGNATURE_BYTES
} from './churn.ts'
import { ELDER_COUNT, RECOMMENDED_SECTION_SIZE } from './elders.ts'
import { MAX_PREFIX_BITS, prefixOfName, sectionFor } from './prefix.ts'
import { hexBytes } from './wire-bytes.ts'
import { namedError } from '../../../contract/named-error.ts'

/** At most min(3, members - 14) relocations per churn: 3 = floor(elders / 2) (2022 `relocation.rs`). */
export const MAX_RELOCATIONS_PER_CHURN = Math.floor(ELDER_COUNT / 2)
/** A relocated vault grinds 3 bits beyond its destination's prefix, so its name survives splits. */
export const RELOCATION_EXTRA_PREFIX_BITS = 3
export const ED25519_SIGNATURE_BYTES = 64
/** Bounds a proof read from the wire; a decision signs one proposal or a few. */
export const MAX_DECISION_SIGNATURES = 64

export interface Relocation {
  oldName: Uint8Array
  oldAge: number
  newAge: number
  /** SHA3-256(oldName || signatures): the destination is the section whose prefix matches it. */
  destination: Uint8Array
}

export interface RelocationSelection {
  churnId: Uint8Array
  /** min(3, members - 14), or 0 below 14 members. */
  cap: number
  /** The highest age among the members this churn qualifies, joiners excluded; the only class that moves. */
  highestQualifyingAge: number | undefined
  /** Nearest first by XOR distance to SHA3-256(churn ID). */
  moves: Relocation[]
}

export interface SelectRelocationsInput {
  /** Every member after the decision's joins and leaves are applied, joiners included. */
  members: readonly Uint8Array[]
  /** The decision's signatures, in the decision's order; the churn ID is derived from them. */
  signatures: readonly Uint8Array[]
  /** Vaults that joined in this decision: members, but never relocated by it. */
  joinedThisDecision: readonly Uint8Array[]
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/**
 * The 2022 `find_nodes_to_relocate`, with DESIGN's one change: the genesis section relocates too.
 * Below 14 members nothing moves; otherwise the members whose age the churn ID qualifies, minus
 * this decision's joiners, keep only the highest age among them (no fallback to lower ages), sort
 * by XOR distance to SHA3-256(churn ID), and the first min(3, members - 14) move. A section of at
 * least 14 members always has its 7 elders, so the reference's "fewer than 7 elders" stop cannot
 * arise here.
 */
export function selectRelocations (input: SelectRelocationsInput): RelocationSelection {
  const { members, signatures, joinedThisDecision } = input
  const id = churnId(signatures)
  const names = new Set<string>()
  for (const name of members) {
    assertName(name)
    const key = hex(name)
    if (names.has(key)) throw new RangeError(`"members" lists ${key} twice`)
    names.add(key)
  }
  const joined = new Set(joinedThisDecision.map(name => { assertName(name); return hex(name) }))
  if (members.length < RECOMMENDED_SECTION_SIZE) return { churnId: id, cap: 0, highestQualifyingAge: undefined, moves: [] }

  const cap = Math.min(MAX_RELOCATIONS_PER_CHURN, members.length - RECOMMENDED_SECTION_SIZE)
  const candidates = members.filter(name => !joined.has(hex(name)) && isRelocationCandidate(id, ageOfName(name)))
  if (candidates.length === 0) return { churnId: id, cap, highestQualifyingAge: undefined, moves: [] }
  const highest = Math.max(...candidates.map(ageOfName))
  const target = relocationTieBreakTarget(id)
  const moves = candidates
    .filter(name => ageOfName(name) === highest)
    .map(name => ({ name, distance: xorDistance(target, name) }))
    .sort((a, b) => (a.distance < b.distance ? -1 : a.distance > b.distance ? 1 : 0))
    .slice(0, cap)
    .map(({ name }) => ({
      oldName: name,
      oldAge: highest,
      newAge: relocatedAge(highest),
      destination: relocationDestination(name, signatures)
    }))
  return { churnId: id, cap, highestQualifyingAge: highest, moves }
}

/**
 * The prefix a relocated vault grinds its new key under: the destination section's prefix and
 * 3 more bits of the destination address (2022 `bootstrap/relocate.rs`), at most 64 bits.
 */
export function relocationGrindPrefix (destination: Uint8Array, sectionPrefix: string): string {
  assertName(destination)
  assertPrefix(sectionPrefix)
  if (!nameHasPrefix(destination, sectionPrefix)) throw new RangeError(`"destination" is not in section "${sectionPrefix}"`)
  return prefixOfName(destination, Math.min(sectionPrefix.length + RELOCATION_EXTRA_PREFIX_BITS, MAX_PREFIX_BITS))
}

/** Grinds the moved vault's new key: the destination's prefix (+3 bits) and age + 1 as its last byte. */
export async function grindRelocatedKey (
  move: Pick<Relocation, 'destination' | 'newAge'>,
  prefixes: Iterable<string>,
  options: { workers?: number, signal?: AbortSignal } = {}
): Promise<GroundKey> {
  const prefix = relocationGrindPrefix(move.destination, sectionFor(move.destination, prefixes))
  const { seed, name } = await grindKey({ prefix, age: move.newAge, workers: options.workers, signal: options.signal })
  return { seed, name }
}

// ---- Proof of relocation ------------------------------------------------------------------

/**
 * What a relocated vault shows its destination: its old and new names, the decision that moved it
 * (its signature bytes; the decision ID is their churn ID) and its old key's ed25519 signature
 * over newName || decision ID. On the wire the bytes are lowercase hex (`decode`/`encode`).
 */
export const RelocationProofSchema = z.object({
  oldName: hexBytes(NAME_BYTES),
  newName: hexBytes(NAME_BYTES),
  newAge: z.number().int().min(0).max(255),
  decisionSignatures: z.array(hexBytes(SIGNATURE_BYTES)).min(1).max(MAX_DECISION_SIGNATURES),
  oldKeySignature: hexBytes(ED25519_SIGNATURE_BYTES)
}).strict()
export type RelocationProof = z.output<typeof RelocationProofSchema>
export type RelocationProofJson = z.input<typeof RelocationProofSchema>

/** A decision the destination already trusts (its BLS signature checked under a known section key). */
export interface KnownDecision {
  signatures: readonly Uint8Array[]
  /** The vaults the decision relocated, by old name. */
  relocated: readonly Uint8Array[]
}

export class RelocationProofMalformedError extends namedError('RelocationProofMalformedError') {}
export class RelocationDecisionError extends namedError('RelocationDecisionError') {}
export class RelocationAgeError extends namedError('RelocationAgeError') {}
export class RelocationDestinationError extends namedError('RelocationDestinationError') {}
export class RelocationSignatureError extends namedError('RelocationSignatureError') {}

export function decodeRelocationProof (json: unknown): RelocationProof {
  const parsed = RelocationProofSchema.safeParse(json)
  if (!parsed.success) throw new RelocationProofMalformedError(`invalid relocation proof: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

export function encodeRelocationProof (proof: RelocationProof): RelocationProofJson {
  return RelocationProofSchema.encode(proof)
}

/** The bytes the old key signs: newName || decision ID. */
export function relocationProofMessage (newName: Uint8Array, decisionSignatures: readonly Uint8Array[]): Uint8Array {
  assertName(newName)
  const message = new Uint8Array(NAME_BYTES + CHURN_ID_BYTES)
  message.set(newName, 0)
  message.set(churnId(decisionSignatures), NAME_BYTES)
  return message
}

function base64url (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url')
}

function ed25519PublicKey (name: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url(name) }, format: 'jwk' })
}

/**
 * A vault hands its standing on to its next name by signing `message` with its old key (its
 * 32-byte ed25519 seed): the proof of a relocation, and of a demotion (demotion-proof.ts).
 */
export function signWithOldKey (oldSeed: Uint8Array, message: Uint8Array): { oldName: Uint8Array, oldKeySignature: Uint8Array } {
  const oldName = publicKeyFromSeed(oldSeed)
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: base64url(oldSeed), x: base64url(oldName) }, format: 'jwk' })
  return { oldName, oldKeySignature: new Uint8Array(sign(null, message, privateKey)) }
}

/** Whether the key named `oldName` signed `message`; a malformed key or signature is no signature. */
export function oldKeySigned (oldName: Uint8Array, message: Uint8Array, oldKeySignature: Uint8Array): boolean {
  try {
    return verify(null, message, ed25519PublicKey(oldName), oldKeySignature)
  } catch {
    return false
  }
}

/** Signs the move with the vault's old key (its 32-byte ed25519 seed). */
export function createRelocationProof (input: { oldSeed: Uint8Array, newName: Uint8Array, decisionSignatures: readonly Uint8Array[] }): RelocationProof {
  assertSignatures(input.decisionSignatures)
  const { oldName, oldKeySignature } = signWithOldKey(input.oldSeed, relocationProofMessage(input.newName, input.decisionSignatures))
  return {
    oldName,
    newName: Uint8Array.from(input.newName),
    newAge: ageOfName(input.newName),
    decisionSignatures: input.decisionSignatures.map(signature => Uint8Array.from(signature)),
    oldKeySignature
  }
}

function sameSignatures (a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((signature, i) => {
    const other = b[i]
    return other !== undefined && Buffer.compare(signature, other) === 0
  })
}

/**
 * The destination's check of a relocated joiner (2022 `JoinAsRelocatedRequest`, 2023
 * `RelocationProof`), each failure its own error: the proof names a decision the destination
 * trusts, which relocated oldName and whose churn ID qualifies oldName's age; the new name's age
 * byte is the old age + 1; the move's destination is this section and the new name has its
 * prefix; the old key signed newName || decision ID.
 */
export function verifyRelocationProof (proof: RelocationProof, context: { knownDecision: KnownDecision, prefix: string }): void {
  // A proof built in memory skips decodeRelocationProof: its encoding checks the same lengths.
  const encoded = RelocationProofSchema.safeEncode(proof)
  if (!encoded.success) throw new RelocationProofMalformedError(`invalid relocation proof: ${z.prettifyError(encoded.error)}`)
  const { oldName, newName, newAge, decisionSignatures, oldKeySignature } = proof
  const { knownDecision, prefix } = context

  if (!sameSignatures(decisionSignatures, knownDecision.signatures)) {
    throw new RelocationDecisionError('the proof is for another decision than the one the destination knows')
  }
  if (!knownDecision.relocated.some(name => Buffer.compare(name, oldName) === 0)) {
    throw new RelocationDecisionError(`the decision did not relocate ${hex(oldName)}`)
  }
  const oldAge = ageOfName(oldName)
  if (!isRelocationCandidate(churnId(decisionSignatures), oldAge)) {
    throw new RelocationDecisionError(`the decision's churn ID does not qualify age ${oldAge} for relocation`)
  }

  const expectedAge = relocatedAge(oldAge)
  if (ageOfName(newName) !== expectedAge || newAge !== expectedAge) {
    throw new RelocationAgeError(`the new name's age byte is ${ageOfName(newName)} and the proof says ${newAge}; a vault of age ${oldAge} relocates with age ${expectedAge}`)
  }

  const destination = relocationDestination(oldName, decisionSignatures)
  if (!nameHasPrefix(destination, prefix)) {
    throw new RelocationDestinationError(`the move's destination ${hex(destination)} is not in section "${prefix}"`)
  }
  if (!nameHasPrefix(newName, prefix)) {
    throw new RelocationDestinationError(`the new name ${hex(newName)} does not have the destination prefix "${prefix}"`)
  }

  if (!oldKeySigned(oldName, relocationProofMessage(newName, decisionSignatures), oldKeySignature)) throw new RelocationSignatureError(`the old key ${hex(oldName)} did not sign the new name and decision`)
}
