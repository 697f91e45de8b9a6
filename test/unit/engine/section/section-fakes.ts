// What a faulty or hostile peer sends the section: decisions signed by a key outside the chain.
import { ageOfName } from '../../../../node-core/engine/identity/name.ts'
import { encodeProposal, type Decision, type Proposal } from '../../../../node-core/section/crypto/decisions.ts'
import {
  combineShares, dealSharesAsTrustedDealer, groupPublicKey, publicKeyToHex, signatureToHex, signShare
} from '../../../../node-core/section/crypto/threshold-bls.ts'
import { nameToBytes } from '../../../../node-core/engine/section/known-vaults.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'

export function joinProposal (subject: string, generation: number): Proposal {
  return { kind: 'join', subject, generation, sectionPrefix: '', payload: { age: ageOfName(nameToBytes(subject)) } }
}

/** A well-formed Join decision whose threshold signature is real, but under a key no section chain holds. */
export function forgedJoinDecision (subject: string, generation: number): Decision {
  const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom(`forger/${subject}`) })
  const proposal = joinProposal(subject, generation)
  const message = encodeProposal(proposal)
  const shares = dealt.secretKeyShares.slice(0, 5).map(share => signShare(share, message))
  return { proposal, sectionKey: publicKeyToHex(groupPublicKey(dealt.publicKeySet)), signature: signatureToHex(combineShares(shares, 4)) }
}
