// The joiner's resource challenge (DESIGN §2 "Joins"; reference §7): before elders propose a join,
// the joiner spends some work. The elder sends a random nonce and a difficulty; the joiner finds a
// solution x with SHA3-256(nonce || name || x) starting with `difficulty` zero bits; the elder
// checks it with one hash. Binding the joiner's name stops a solution being reused by another.
// The 2022 code's `resource_proof` used difficulty 10 (plus a data-size term this model omits).
import { randomBytes as cryptoRandomBytes } from 'node:crypto'
import { sha3_256 } from '@noble/hashes/sha3.js'
import { z } from 'zod'
import { assertName, NAME_BYTES } from '../../engine/identity/name.ts'
import { hexBytes } from './wire-bytes.ts'
import { namedError } from '../../../contract/named-error.ts'

/** About 2^10 hashes, milliseconds: enough to throttle a flood of joins on a local network. */
export const DEFAULT_RESOURCE_DIFFICULTY = 10
/** About 2^32 hashes, minutes: any more would lock a home machine out of joining. */
export const MAX_RESOURCE_DIFFICULTY = 32
export const CHALLENGE_NONCE_BYTES = 32
export const SOLUTION_BYTES = 8

export const ResourceChallengeSchema = z.object({
  nonce: hexBytes(CHALLENGE_NONCE_BYTES),
  difficulty: z.number().int().min(0).max(MAX_RESOURCE_DIFFICULTY)
}).strict()
export type ResourceChallenge = z.output<typeof ResourceChallengeSchema>

export const ResourceProofSchema = z.object({ solution: hexBytes(SOLUTION_BYTES) }).strict()
export type ResourceProof = z.output<typeof ResourceProofSchema>

export class ResourceProofError extends namedError('ResourceProofError') {}
export class ResourceChallengeExhaustedError extends namedError('ResourceChallengeExhaustedError') {}

function assertDifficulty (difficulty: number): void {
  if (!Number.isInteger(difficulty)) throw new TypeError(`"difficulty" expected an integer from 0 to ${MAX_RESOURCE_DIFFICULTY}, got ${difficulty}`)
  if (difficulty < 0 || difficulty > MAX_RESOURCE_DIFFICULTY) throw new RangeError(`"difficulty" expected an integer from 0 to ${MAX_RESOURCE_DIFFICULTY}, got ${difficulty}`)
}

function assertChallenge (challenge: ResourceChallenge): void {
  const nonce: unknown = challenge.nonce
  if (!(nonce instanceof Uint8Array) || nonce.length !== CHALLENGE_NONCE_BYTES) throw new RangeError(`"nonce" expected Uint8Array of ${CHALLENGE_NONCE_BYTES} bytes`)
  assertDifficulty(challenge.difficulty)
}

/** The elder's side: a fresh random nonce (randomness injectable for tests). */
export function createResourceChallenge (options: { difficulty?: number, randomBytes?: (length: number) => Uint8Array } = {}): ResourceChallenge {
  const difficulty = options.difficulty ?? DEFAULT_RESOURCE_DIFFICULTY
  assertDifficulty(difficulty)
  const nonce = (options.randomBytes ?? cryptoRandomBytes)(CHALLENGE_NONCE_BYTES)
  const challenge = { nonce: Uint8Array.from(nonce), difficulty }
  assertChallenge(challenge)
  return challenge
}

/** Leading zero bits of a byte string, most significant bit of byte 0 first. */
export function leadingZeroBits (bytes: Uint8Array): number {
  let zeros = 0
  for (const byte of bytes) {
    if (byte !== 0) return zeros + Math.clz32(byte) - 24
    zeros += 8
  }
  return zeros
}

export function resourceProofHash (challenge: ResourceChallenge, name: Uint8Array, solution: Uint8Array): Uint8Array {
  const input = new Uint8Array(CHALLENGE_NONCE_BYTES + NAME_BYTES + SOLUTION_BYTES)
  input.set(challenge.nonce, 0)
  input.set(name, CHALLENGE_NONCE_BYTES)
  input.set(solution, CHALLENGE_NONCE_BYTES + NAME_BYTES)
  return sha3_256(input)
}

/**
 * The joiner's side: tries x = 0, 1, 2, ... (8 bytes, big-endian). Expected 2^difficulty hashes;
 * gives up after `maxAttempts` (by default 256 times that, a miss with chance about e^-256).
 */
export function solveResourceChallenge (challenge: ResourceChallenge, name: Uint8Array, options: { maxAttempts?: number } = {}): ResourceProof {
  assertChallenge(challenge)
  assertName(name)
  const maxAttempts = options.maxAttempts ?? 2 ** (challenge.difficulty + 8)
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`"maxAttempts" expected a positive safe integer, got ${maxAttempts}`)
  const solution = new Uint8Array(SOLUTION_BYTES)
  const view = new DataView(solution.buffer)
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    view.setUint32(0, Math.floor(attempt / 0x100000000))
    view.setUint32(4, attempt >>> 0)
    if (leadingZeroBits(resourceProofHash(challenge, name, solution)) >= challenge.difficulty) return { solution: Uint8Array.from(solution) }
  }
  throw new ResourceChallengeExhaustedError(`no solution of difficulty ${challenge.difficulty} in ${maxAttempts} attempts`)
}

/** The elder's check: one hash. Throws ResourceProofError when the proof falls short. */
export function verifyResourceProof (challenge: ResourceChallenge, name: Uint8Array, proof: ResourceProof): void {
  assertChallenge(challenge)
  assertName(name)
  const parsed = ResourceProofSchema.safeEncode(proof)
  if (!parsed.success) throw new ResourceProofError(`malformed resource proof: ${z.prettifyError(parsed.error)}`)
  const zeros = leadingZeroBits(resourceProofHash(challenge, name, proof.solution))
  if (zeros < challenge.difficulty) {
    throw new ResourceProofError(`resource proof has ${zeros} leading zero bits; the challenge asks for ${challenge.difficulty}`)
  }
}
