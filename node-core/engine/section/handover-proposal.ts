// What the current elders decide a handover on (DESIGN §2: the DKG is re-run whenever the elder set
// changes, and the old key signs the new one). The incoming elders run the DKG among themselves;
// each one whose run ended with a key signs, with its vault key, that its run (the session) gave
// that key, and tells the current elders. A supermajority of the incoming elders vouching for one
// key is what a current elder proposes, with their signatures in the payload, so every other
// current elder can check the proposal on its own rather than wait for the same claims to reach it.
import type { Proposal } from '../../section/crypto/decisions.ts'
import { supermajority } from '../../section/rules/elders.ts'
import { signBytes, verifyBytes, type ReleaseKey } from '../../release/keys.ts'
import { keyingSession } from './keying-run.ts'
import type { HandoverKeyMessage, Keying } from './section-messages.ts'

const CLAIM_DOMAIN = 'vault-manager/section-handover-key/v1'
/** Keys claimed for the due handover that this elder keeps apart: more means faulty incoming elders. */
const MAX_CLAIMED_KEYS = 16

/** What the current section needs a handover to: the elders it elects now, and its current key. */
export interface HandoverTarget {
  prefix: string
  elected: readonly string[]
  sectionKey: string
}

function claimBytes (keying: Keying, key: string): Uint8Array {
  return new TextEncoder().encode(`${CLAIM_DOMAIN}\u0000${keyingSession(keying)}\u0000${key}`)
}

/** An incoming elder's signed word that its run ended with `key`. */
export function handoverKeyMessage (vaultKey: ReleaseKey, keying: Keying, key: string): HandoverKeyMessage {
  return { type: 'handover-key', keying, key, signature: signBytes(vaultKey, claimBytes(keying, key)) }
}

/** Why a run does not hand over from `target`, or undefined when it does. */
function keyingMismatch (keying: Keying, target: HandoverTarget): string | undefined {
  if (keying.prefix !== target.prefix) return `a handover in section "${keying.prefix}"`
  if (keying.from !== target.sectionKey) return 'a handover from a key other than the section\'s current one'
  if (keying.elders.join() !== target.elected.join()) return 'a handover to elders other than the ones the section elects now'
  return undefined
}

/** The incoming elders' claims this current elder has heard, for the handover due now. */
export class HandoverClaims {
  /** By session and key: the claims, by elder index. */
  readonly #claims = new Map<string, { keying: Keying, key: string, signatures: Map<number, string> }>()

  /** Keeps a claim that checks; the reason when it does not. */
  note (from: string, message: HandoverKeyMessage, target: HandoverTarget): string | undefined {
    const mismatch = keyingMismatch(message.keying, target)
    if (mismatch !== undefined) return mismatch
    const index = message.keying.elders.indexOf(from) + 1
    if (index === 0) return 'a handover key from a vault that is not one of the incoming elders'
    if (!verifyBytes(from, claimBytes(message.keying, message.key), message.signature)) return 'a handover key whose signature does not verify'
    const id = `${keyingSession(message.keying)}/${message.key}`
    let entry = this.#claims.get(id)
    if (entry === undefined) {
      if (this.#claims.size >= MAX_CLAIMED_KEYS) return `already ${MAX_CLAIMED_KEYS} keys claimed for this handover`
      entry = { keying: message.keying, key: message.key, signatures: new Map() }
      this.#claims.set(id, entry)
    }
    entry.signatures.set(index, message.signature)
    return undefined
  }

  /** The handover this elder proposes: a key a supermajority of the incoming elders vouched for, if one has. */
  proposal (target: HandoverTarget, generation: number): Proposal | undefined {
    for (const { keying, key, signatures } of this.#claims.values()) {
      if (keyingMismatch(keying, target) !== undefined) continue
      const quorum = supermajority(keying.elders.length)
      if (signatures.size < quorum) continue
      const claims = [...signatures].sort(([a], [b]) => a - b).slice(0, quorum).map(([index, signature]) => `${index}:${signature}`)
      return {
        kind: 'handover',
        subject: key,
        generation,
        sectionPrefix: keying.prefix,
        payload: { elders: [...keying.elders], attempt: keying.attempt, from: target.sectionKey, claims }
      }
    }
    return undefined
  }

  /** Forgets every claim: the section moved to a new key, or elects other elders now. */
  clear (): void {
    this.#claims.clear()
  }
}

/** Why a current elder would not vote for a handover proposal, or undefined when it would. */
export function handoverObjection (proposal: Proposal, target: HandoverTarget): string | undefined {
  const { elders, attempt, from, claims } = proposal.payload
  if (!Array.isArray(elders) || typeof attempt !== 'number' || typeof from !== 'string' || !Array.isArray(claims)) {
    return 'a handover without its elders, attempt, previous key and claims'
  }
  const keying: Keying = { prefix: proposal.sectionPrefix, attempt, elders, from }
  const mismatch = keyingMismatch(keying, target)
  if (mismatch !== undefined) return mismatch
  const vouched = new Set<number>()
  for (const claim of claims) {
    const [indexText = '', signature = ''] = claim.split(':')
    const index = Number(indexText)
    const elder = elders[index - 1]
    if (elder === undefined || !verifyBytes(elder, claimBytes(keying, proposal.subject), signature)) return `a handover claim "${claim.slice(0, 24)}..." that does not verify`
    vouched.add(index)
  }
  const quorum = supermajority(elders.length)
  return vouched.size >= quorum ? undefined : `a handover vouched for by ${vouched.size} of the incoming elders, fewer than ${quorum}`
}
