// An elder without a share of its section's key asks the section to key again (issue 3 deliver 1:
// the DKG runs again whenever the elder set changes; here the set stays and one of them holds
// nothing, because its run failed while the others' ended). Without a share it cannot vote, and
// the section tolerates one fewer silent elder. Its request is signed with its vault key over the
// section and the key it lacks a share of. An elder that holds a share proposes a Rekey decision
// with the request in its payload, so every other elder checks it on its own. Once decided, a
// handover to the same elders is due (section-membership.ts): they run the DKG again, the old key
// signs the new one (elder-handover.ts, handover-proposal.ts), and every elder holds a share.
// An elder votes for one Rekey per claimant: one that keeps claiming cannot keep the section keying.
import type { Proposal } from '../../section/crypto/decisions.ts'
import { signBytes, verifyBytes, type ReleaseKey } from '../../release/keys.ts'
import type { RekeyRequestMessage } from './section-messages.ts'

const REKEY_DOMAIN = 'vault-manager/section-rekey/v1'

function claimBytes (prefix: string, sectionKey: string): Uint8Array {
  return new TextEncoder().encode(`${REKEY_DOMAIN}\u0000${prefix}\u0000${sectionKey}`)
}

/** An elder's signed word that it holds no share of `sectionKey`. */
export function rekeyRequest (vaultKey: ReleaseKey, prefix: string, sectionKey: string): RekeyRequestMessage {
  return { type: 'rekey-request', prefix, sectionKey, signature: signBytes(vaultKey, claimBytes(prefix, sectionKey)) }
}

export function rekeyRequestSigned (from: string, request: Pick<RekeyRequestMessage, 'prefix' | 'sectionKey' | 'signature'>): boolean {
  return verifyBytes(from, claimBytes(request.prefix, request.sectionKey), request.signature)
}

/** The section's current elders and key, as a Rekey is weighed against them. */
export interface RekeyView {
  prefix: string
  elders: readonly string[]
  sectionKey: string
  generation: number
}

/** Why this elder would not take `from`'s request, or undefined when it would. */
export function rekeyRefusal (from: string, request: Pick<RekeyRequestMessage, 'prefix' | 'sectionKey'>, view: RekeyView, rekeyed: ReadonlySet<string>): string | undefined {
  if (request.prefix !== view.prefix) return `a rekey of section "${request.prefix}"`
  if (!view.elders.includes(from)) return 'a rekey asked by a vault that is not an elder'
  if (request.sectionKey !== view.sectionKey) return 'a rekey of a key other than the section\'s current one'
  if (rekeyed.has(from)) return 'the section keyed again for this elder once already'
  return undefined
}

export function rekeyProposal (claimant: string, request: Pick<RekeyRequestMessage, 'sectionKey' | 'signature'>, view: RekeyView): Proposal {
  return { kind: 'rekey', subject: claimant, generation: view.generation, sectionPrefix: view.prefix, payload: { sectionKey: request.sectionKey, signature: request.signature } }
}

/** Why this elder would not vote for a Rekey proposal, or undefined when it would. */
export function rekeyObjection (proposal: Proposal, view: RekeyView, rekeyed: ReadonlySet<string>): string | undefined {
  const { sectionKey, signature } = proposal.payload
  if (typeof sectionKey !== 'string' || typeof signature !== 'string') return 'a rekey without the key and the elder\'s signed request'
  const request = { prefix: proposal.sectionPrefix, sectionKey, signature }
  const refused = rekeyRefusal(proposal.subject, request, view, rekeyed)
  if (refused !== undefined) return refused
  return rekeyRequestSigned(proposal.subject, request) ? undefined : 'a rekey whose request the elder did not sign'
}
