// Storage proofs (issue 5, deliver 2; reused by the section audits of issue 3): a holder proves
// it has a chunk's bytes by hashing them behind a fresh nonce, SHA-256(nonce || bytes). The nonce
// makes the answer unknowable in advance, so a vault that dropped the chunk cannot keep the proof.
import { createHash, timingSafeEqual } from 'node:crypto'

export const STORAGE_PROOF_NONCE_BYTES = 32
export const STORAGE_PROOF_BYTES = 32

function assertBytes (value: unknown, what: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`"${what}" expected Uint8Array${length === undefined ? '' : ` of ${length} bytes`}, got ${typeof value}`)
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`"${what}" expected Uint8Array of ${length} bytes, got ${value.length} bytes`)
  }
}

/** SHA-256(nonce || chunk bytes): the proof that the holder has the chunk's bytes now. */
export function storageProof (nonce: Uint8Array, chunk: Uint8Array): Uint8Array {
  assertBytes(nonce, 'nonce', STORAGE_PROOF_NONCE_BYTES)
  assertBytes(chunk, 'chunk')
  return Uint8Array.from(createHash('sha256').update(nonce).update(chunk).digest())
}

/** True when `proof` is the storage proof of `chunk` for `nonce` (compared in constant time). */
export function verifyStorageProof (proof: Uint8Array, nonce: Uint8Array, chunk: Uint8Array): boolean {
  assertBytes(proof, 'proof')
  if (proof.length !== STORAGE_PROOF_BYTES) return false
  return timingSafeEqual(proof, storageProof(nonce, chunk))
}
