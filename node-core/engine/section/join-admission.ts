// Which join requests an elder takes onto its agenda (issue 3 deliver 3; DESIGN §2 "Node age" and
// "Joins"). Age is the name's last byte, which a vault picks by grinding, so the byte alone proves
// nothing: a new vault joins at age 5; an older one shows how it came by its age, a relocation
// proof (age + 1, checked against the decision that moved it) or a demotion proof (the rejoin age,
// checked against the Demote this elder applied). Then the joiner spends some work: the elder
// sends it a resource challenge, and takes the join only with its answer. Challenges are one per
// joiner, used once, forgotten after a time-to-live and bounded in number, the oldest going first.
import { hexToBytes } from '@noble/curves/utils.js'
import type { Random } from '../../section/crypto/scalar.ts'
import { createResourceChallenge, verifyResourceProof, type ResourceChallenge } from '../../section/rules/resource-challenge.ts'
import { NETWORK_PREFIX } from './constants.ts'
import { ageOfHexName, nameToBytes } from './known-vaults.ts'
import type { SectionAgenda } from './section-agenda.ts'
import type { SectionMembership } from './section-membership.ts'
import { ignored, violation, type JoinRequestMessage, type SectionMessage, type SectionReceipt } from './section-messages.ts'
import type { Schedule } from './schedule.ts'

/** How long a challenge stays open: the joiner answers at once, and asks again each join retry. */
export const DEFAULT_JOIN_CHALLENGE_TTL_MS = 60_000
/** Challenges an elder holds open at once: a flood of joiners evicts the oldest, not the elder's memory. */
export const MAX_OPEN_CHALLENGES = 256

/** How a joiner older than a new vault came by its age, once an elder has checked its proof. */
export type JoinOrigin = { relocatedFrom: string } | { demotedFrom: string }

export interface JoinAdmissionComponents {
  send(to: string, message: SectionMessage): void
  schedule: Schedule
  /** The challenges' nonces; the system's randomness by default. */
  random?: Random
}

export interface JoinAdmissionInit {
  /** Leading zero bits a joiner's answer needs (section/rules/resource-challenge.ts). */
  difficulty: number
  challengeTtlMs: number
}

/** An elder's view of the section a join request is checked against. */
export interface AdmissionView {
  agenda: Pick<SectionAgenda, 'joinRefusal' | 'prooflessJoinRefusal'>
  membership: Pick<SectionMembership, 'checkRelocation' | 'checkDemotion' | 'removalOf'>
}

export type Admission = { admitted: true, origin: JoinOrigin | undefined } | { admitted: false, receipt: SectionReceipt }

interface OpenChallenge {
  challenge: ResourceChallenge
  nonce: string
  cancel: () => void
}

const short = (name: string): string => `${name.slice(0, 16)}...`

export class JoinAdmission {
  readonly #components: JoinAdmissionComponents
  readonly #init: JoinAdmissionInit
  readonly #open = new Map<string, OpenChallenge>()

  constructor (components: JoinAdmissionComponents, init: JoinAdmissionInit) {
    // Checked here so a bad policy fails when the node starts, not at the first joiner.
    createResourceChallenge({ difficulty: init.difficulty, randomBytes: length => new Uint8Array(length) })
    this.#components = components
    this.#init = init
  }

  /** Whether `from` may go on the agenda now, and as what; a join without an answer to a challenge is challenged. */
  admit (from: string, request: JoinRequestMessage, view: AdmissionView): Admission {
    const pending = view.agenda.joinRefusal(from)
    if (pending !== undefined) {
      // A vault that missed its own removal (it was down) learns it here, and rejoins under a new name.
      const removal = view.membership.removalOf(from)
      if (removal !== undefined) this.#components.send(from, { type: 'removal-notice', decision: removal })
      return { admitted: false, receipt: ignored(pending) }
    }
    const origin = this.#origin(from, request, view)
    if ('receipt' in origin) return { admitted: false, receipt: origin.receipt }
    const { resource } = request
    if (resource === undefined) {
      const difficulty = this.#challenge(from)
      return { admitted: false, receipt: ignored(`a join without an answer to a resource challenge: challenged at difficulty ${difficulty}`) }
    }
    if (resource.name !== from) return { admitted: false, receipt: violation(`a resource proof for ${short(resource.name)} sent by ${short(from)}`) }
    const open = this.#open.get(from)
    if (open?.nonce !== resource.nonce) {
      this.#challenge(from)
      return { admitted: false, receipt: ignored(`a resource proof for a nonce this elder did not give ${short(from)} or that expired: challenged again`) }
    }
    this.#close(from)
    try {
      verifyResourceProof(open.challenge, nameToBytes(from), { solution: hexToBytes(resource.solution) })
    } catch (err) {
      return { admitted: false, receipt: violation(`resource proof refused: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`) }
    }
    return { admitted: true, origin: origin.origin }
  }

  stop (): void {
    for (const name of [...this.#open.keys()]) this.#close(name)
  }

  #origin (from: string, request: JoinRequestMessage, view: AdmissionView): { origin: JoinOrigin | undefined } | { receipt: SectionReceipt } {
    const { relocation, demotion } = request
    if (relocation !== undefined) {
      const refused = view.membership.checkRelocation(from, relocation)
      return refused === undefined ? { origin: { relocatedFrom: relocation.oldName } } : { receipt: refused }
    }
    if (demotion !== undefined) {
      const refused = view.membership.checkDemotion(from, demotion)
      return refused === undefined ? { origin: { demotedFrom: demotion.oldName } } : { receipt: refused }
    }
    const refused = view.agenda.prooflessJoinRefusal(from, ageOfHexName(from))
    return refused === undefined ? { origin: undefined } : { receipt: ignored(refused) }
  }

  /** Sends `joiner` its open challenge, or a new one; returns its difficulty. */
  #challenge (joiner: string): number {
    let open = this.#open.get(joiner)
    if (open === undefined) {
      for (const oldest of this.#open.keys()) {
        if (this.#open.size < MAX_OPEN_CHALLENGES) break
        this.#close(oldest)
      }
      const { random } = this.#components
      const challenge = createResourceChallenge({ difficulty: this.#init.difficulty, ...(random === undefined ? {} : { randomBytes: random }) })
      const created: OpenChallenge = {
        challenge,
        nonce: Buffer.from(challenge.nonce).toString('hex'),
        cancel: this.#components.schedule(this.#init.challengeTtlMs, () => { if (this.#open.get(joiner) === created) this.#open.delete(joiner) })
      }
      this.#open.set(joiner, created)
      open = created
    }
    this.#components.send(joiner, { type: 'join-challenge', prefix: NETWORK_PREFIX, nonce: open.nonce, difficulty: open.challenge.difficulty })
    return open.challenge.difficulty
  }

  #close (joiner: string): void {
    this.#open.get(joiner)?.cancel()
    this.#open.delete(joiner)
  }
}
