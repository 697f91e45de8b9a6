// A vault's side of joining (issue 3 deliver 3): it asks every elder to admit it, showing the proof
// of how it came by its age if it is older than a new vault, and answers each elder's resource
// challenge (DESIGN §2 "Joins") with its next request to that elder. It answers only a challenge
// it asked for, one per request, and none harder than it can solve without stalling: an elder
// cannot make it hash at will.
import { hexToBytes } from '@noble/curves/utils.js'
import { solveResourceChallenge } from '../../section/rules/resource-challenge.ts'
import { NETWORK_PREFIX } from './constants.ts'
import { nameToBytes } from './known-vaults.ts'
import type { DemotionProofWire, JoinChallengeMessage, JoinRequestMessage, RelocationProofWire, ResourceProofWire } from './section-messages.ts'

/** The hardest challenge a joiner answers: about 2^16 hashes, half a second in one go; more would stall the vault. */
export const MAX_ANSWERED_DIFFICULTY = 16

export interface JoinRequestsInit {
  /** This vault's name (hex). */
  self: string
  /** The proof of the relocation that gave this vault its name, if one did. */
  relocation?: RelocationProofWire
  /** The proof of the demotion after which this vault took its name, if one did. */
  demotion?: DemotionProofWire
}

export class JoinRequests {
  readonly #init: JoinRequestsInit
  /** This vault's latest answer to each elder's challenge. */
  readonly #answers = new Map<string, ResourceProofWire>()
  /** Elders asked since their last challenge was answered. */
  readonly #asked = new Set<string>()

  constructor (init: JoinRequestsInit) {
    this.#init = init
  }

  /** The join request for `elder`, with this vault's latest answer to its challenge if it has one. */
  request (elder: string): JoinRequestMessage {
    this.#asked.add(elder)
    return this.#message(this.#answers.get(elder))
  }

  /** The request that answers `elder`'s challenge, or why this vault does not answer it. */
  answer (elder: string, challenge: JoinChallengeMessage): JoinRequestMessage | string {
    if (!this.#asked.delete(elder)) return 'a join challenge this vault did not ask for'
    if (challenge.difficulty > MAX_ANSWERED_DIFFICULTY) return `a join challenge of difficulty ${challenge.difficulty}: this vault answers at most ${MAX_ANSWERED_DIFFICULTY}`
    const { self } = this.#init
    const { solution } = solveResourceChallenge({ nonce: hexToBytes(challenge.nonce), difficulty: challenge.difficulty }, nameToBytes(self))
    const resource = { name: self, nonce: challenge.nonce, solution: Buffer.from(solution).toString('hex') }
    this.#answers.set(elder, resource)
    return this.#message(resource)
  }

  #message (resource: ResourceProofWire | undefined): JoinRequestMessage {
    const { relocation, demotion } = this.#init
    return {
      type: 'join-request',
      prefix: NETWORK_PREFIX,
      ...(relocation === undefined ? {} : { relocation }),
      ...(demotion === undefined ? {} : { demotion }),
      ...(resource === undefined ? {} : { resource })
    }
  }
}
