// Churn (DESIGN §2 "Decisions and churn", "Node age"; reference §5, §6). Every membership decision
// carries the section's threshold BLS signature(s); the churn ID is SHA3-256 of them. Threshold
// BLS signatures are unique for a key and message, so every elder derives the same churn ID and
// nobody can predict or bias it: that uniqueness and unpredictability is all these rules need, so
// they take the signature bytes as input and do not depend on the BLS code.
import { sha3_256 } from '@noble/hashes/sha3.js'
import { assertAge, assertName } from '../../engine/identity/name.ts'

/** A compressed BLS12-381 G2 signature, as the section key signs decisions (reference §2). */
export const SIGNATURE_BYTES = 96
export const CHURN_ID_BYTES = 32
/** DESIGN §2: the age byte saturates. */
export const MAX_AGE = 255

export function assertSignatures (signatures: readonly Uint8Array[]): void {
  if (!Array.isArray(signatures)) throw new TypeError(`"signatures" expected an array of Uint8Array of ${SIGNATURE_BYTES} bytes, got ${typeof signatures}`)
  if (signatures.length === 0) throw new RangeError('"signatures" expected at least one signature, got none')
  for (const [i, signature] of signatures.entries()) {
    if (!(signature instanceof Uint8Array)) throw new TypeError(`"signatures[${i}]" expected Uint8Array of ${SIGNATURE_BYTES} bytes, got ${typeof signature}`)
    if (signature.length !== SIGNATURE_BYTES) throw new RangeError(`"signatures[${i}]" expected Uint8Array of ${SIGNATURE_BYTES} bytes, got ${signature.length} bytes`)
  }
}

export function assertChurnId (churnId: Uint8Array): void {
  if (!(churnId instanceof Uint8Array)) throw new TypeError(`"churnId" expected Uint8Array of ${CHURN_ID_BYTES} bytes, got ${typeof churnId}`)
  if (churnId.length !== CHURN_ID_BYTES) throw new RangeError(`"churnId" expected Uint8Array of ${CHURN_ID_BYTES} bytes, got ${churnId.length} bytes`)
}

function concat (parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/**
 * Churn ID = SHA3-256 over the decision's signatures concatenated in the decision's order (the
 * 2023 `RelocationTrigger::churn_id`). The decision fixes that order; the same signatures in
 * another order are another churn ID.
 */
export function churnId (signatures: readonly Uint8Array[]): Uint8Array {
  assertSignatures(signatures)
  return sha3_256(concat(signatures))
}

/** Trailing zero bits of the churn ID read as a big-endian integer (256 for all zeros). */
export function trailingZeroBits (id: Uint8Array): number {
  assertChurnId(id)
  let zeros = 0
  for (let i = id.length - 1; i >= 0; i--) {
    const byte = id[i] ?? 0
    if (byte === 0) {
      zeros += 8
      continue
    }
    return zeros + (31 - Math.clz32(byte & -byte))
  }
  return zeros
}

/**
 * DESIGN §2: a member of age A is a relocation candidate when `churnId mod 2^A == 0`, i.e. the
 * churn ID has at least A trailing zero bits (2022 `relocation::check`). The chance is 2^-A per
 * churn. Age 0 therefore qualifies on every churn (x mod 1 == 0); it still moves only when no
 * older class qualifies, since only the highest qualifying class moves. No vault is younger than
 * 5 unless a rule such as rejoin at half age makes it so.
 */
export function isRelocationCandidate (id: Uint8Array, age: number): boolean {
  assertAge(age)
  return trailingZeroBits(id) >= age
}

/** The highest age class this churn ID qualifies (every age up to it qualifies too). */
export function highestQualifyingAge (id: Uint8Array): number {
  return Math.min(trailingZeroBits(id), MAX_AGE)
}

/**
 * The address a relocated vault moves to: SHA3-256(oldName || signatures), the 2023 `dst_section`
 * (with one signature, the 2022 form). The destination is the section whose prefix matches it.
 */
export function relocationDestination (oldName: Uint8Array, signatures: readonly Uint8Array[]): Uint8Array {
  assertName(oldName)
  assertSignatures(signatures)
  return sha3_256(concat([oldName, ...signatures]))
}

/**
 * The point relocation ties are broken against: SHA3-256(churn ID), not the churn ID itself, so
 * a vault cannot grind its name towards a value the trailing-zero check constrains (reference §13).
 */
export function relocationTieBreakTarget (id: Uint8Array): Uint8Array {
  assertChurnId(id)
  return sha3_256(id)
}

/** DESIGN §2: a relocated vault's new age is old + 1, saturating at 255. */
export function relocatedAge (age: number): number {
  assertAge(age)
  return Math.min(age + 1, MAX_AGE)
}
