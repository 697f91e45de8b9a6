// The proof a demoted vault shows when it rejoins (DESIGN §2 "pause, fix, demote"; RFC 0045: it
// rejoins with half its age): its old key signs its new name, as a relocated vault's does
// (relocation.ts), so the elders that demoted the old name can tell the new one is the same vault
// and admit it at the rejoin age they decided, not at age 5 and not at whatever age it ground.
// The elders check it against the Demote decision they applied (section-membership.ts).
import { z } from 'zod'
import { ageOfName, assertName, NAME_BYTES } from '../../engine/identity/name.ts'
import { oldKeySigned, RelocationProofSchema, signWithOldKey } from './relocation.ts'
import { namedError } from '../../../contract/named-error.ts'

/** Sets the signed bytes apart from a relocation proof's (newName || decision ID, 64 bytes). */
const DEMOTION_PROOF_DOMAIN = new TextEncoder().encode('vault/demotion-proof/1')

/** The relocation proof's fields but the decision: the elders know the Demote they applied. */
export const DemotionProofSchema = RelocationProofSchema.pick({ oldName: true, newName: true, newAge: true, oldKeySignature: true })
export type DemotionProof = z.output<typeof DemotionProofSchema>
export type DemotionProofJson = z.input<typeof DemotionProofSchema>

export class DemotionProofMalformedError extends namedError('DemotionProofMalformedError') {}
export class DemotionAgeError extends namedError('DemotionAgeError') {}
export class DemotionSignatureError extends namedError('DemotionSignatureError') {}

export function decodeDemotionProof (json: unknown): DemotionProof {
  const parsed = DemotionProofSchema.safeParse(json)
  if (!parsed.success) throw new DemotionProofMalformedError(`invalid demotion proof: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

export function encodeDemotionProof (proof: DemotionProof): DemotionProofJson {
  return DemotionProofSchema.encode(proof)
}

/** The bytes the old key signs: the domain, then newName. */
export function demotionProofMessage (newName: Uint8Array): Uint8Array {
  assertName(newName)
  const message = new Uint8Array(DEMOTION_PROOF_DOMAIN.length + NAME_BYTES)
  message.set(DEMOTION_PROOF_DOMAIN, 0)
  message.set(newName, DEMOTION_PROOF_DOMAIN.length)
  return message
}

/** Signs the hand-over to `newName` with the demoted vault's old key (its 32-byte ed25519 seed). */
export function createDemotionProof (input: { oldSeed: Uint8Array, newName: Uint8Array }): DemotionProof {
  const { oldName, oldKeySignature } = signWithOldKey(input.oldSeed, demotionProofMessage(input.newName))
  return { oldName, newName: Uint8Array.from(input.newName), newAge: ageOfName(input.newName), oldKeySignature }
}

/**
 * The elders' check of a demoted vault's rejoin, given the age their Demote decision let oldName
 * rejoin at: the new name's age byte is that age, and the old key signed the new name.
 */
export function verifyDemotionProof (proof: DemotionProof, context: { rejoinAge: number }): void {
  const encoded = DemotionProofSchema.safeEncode(proof)
  if (!encoded.success) throw new DemotionProofMalformedError(`invalid demotion proof: ${z.prettifyError(encoded.error)}`)
  const { oldName, newName, newAge, oldKeySignature } = proof
  const { rejoinAge } = context
  if (ageOfName(newName) !== rejoinAge || newAge !== rejoinAge) {
    throw new DemotionAgeError(`the new name's age byte is ${ageOfName(newName)} and the proof says ${newAge}; the demoted vault rejoins at age ${rejoinAge}`)
  }
  if (!oldKeySigned(oldName, demotionProofMessage(newName), oldKeySignature)) {
    throw new DemotionSignatureError(`the old key ${Buffer.from(oldName).toString('hex')} did not sign the new name`)
  }
}
