// How elders decide (DESIGN §2 "Decisions and churn"; issue 3, deliver 2). One decision per
// membership generation, on what a proposer's agenda (section-agenda.ts) puts forward: a join, an
// era activation, a pause, a resume, a demotion. The elders first agree on one proposal in rounds
// (round-agreement.ts), and only then sign it with their key shares (ElderVoter: never two
// proposals in one generation); each elder accumulates the shares, and 5 of 7 make the decision.
// Two elders silent, or equivocating, neither split the honest shares nor stop progress.
import {
  DecisionAccumulator, ElderVoter, EquivocationRefusedError, type Decision, type Proposal, type Vote, type VoterState
} from '../../section/crypto/decisions.ts'
import type { DkgResult } from '../../section/crypto/dkg.ts'
import type { ReleaseKey } from '../../release/keys.ts'
import type { ConsensusItem } from './ballots.ts'
import { batchReceipt, growingTimeouts, RoundAgreement } from './round-agreement.ts'
import type { SectionAgenda } from './section-agenda.ts'
import { ACCEPTED, ignored, violation, type SectionMessage, type SectionReceipt } from './section-messages.ts'
import type { Schedule } from './schedule.ts'

/**
 * Votes, and consensus items, kept for generations this elder has not reached yet, before any
 * signature is checked: shared equally among the elders that sent them, so a faulty elder fills
 * only its own part.
 */
export const MAX_FUTURE_MESSAGES = 64

/** A message kept for a later generation, with the elder that sent it. */
interface Kept<T> { from: string, value: T }

export interface SectionConsensusComponents {
  self: string
  /** The elders in index order. */
  elders: readonly string[]
  prefix: string
  /** This elder's vault key: it signs the elder's proposals and ballots. */
  key: ReleaseKey
  voter: ElderVoter
  accumulator: DecisionAccumulator
  membership: { readonly generation: number }
  /** What this elder proposes, and what it objects to. */
  agenda: Pick<SectionAgenda, 'next' | 'objection' | 'generationChanged'>
  send(to: string, message: SectionMessage): void
  schedule: Schedule
  /** A decision this elder combined; the caller applies it and calls generationChanged. */
  decided(decision: Decision): Promise<void>
  /** How long a round waits for a silent proposer; the vote steps wait half as long, and each later round longer. */
  proposalTimeoutMs: number
}

export class SectionConsensus {
  readonly #components: SectionConsensusComponents
  readonly #index: number
  readonly #futureVotes: Array<Kept<Vote>> = []
  readonly #futureItems: Array<Kept<ConsensusItem>> = []
  #agreement: RoundAgreement
  #myVote: { vote: Vote, proof: ConsensusItem[] } | undefined
  #cancelResend: (() => void) | undefined
  #stopped = false

  constructor (components: SectionConsensusComponents) {
    const index = components.elders.indexOf(components.self) + 1
    if (index === 0) throw new RangeError('"self" expected one of the elders')
    this.#components = components
    this.#index = index
    this.#agreement = this.#newAgreement()
  }

  /** The elder index that proposes in `round` of `generation`. */
  #proposer (generation: number, round: number): number {
    return ((generation + round) % this.#components.elders.length) + 1
  }

  stop (): void {
    this.#stopped = true
    this.#agreement.stop()
    this.#cancelResend?.()
  }

  /** The agenda has something new (a join request, a member's era support): take part, or reconsider. */
  async agendaChanged (): Promise<void> {
    if (this.#stopped) return
    if (this.#components.agenda.next() !== undefined) await this.#agreement.start()
    else await this.#agreement.reconsider()
  }

  /** Proposals and ballots from an elder: its own, or a quorum of others' it passes on. */
  async receiveConsensus (from: string, items: readonly ConsensusItem[]): Promise<SectionReceipt> {
    if (!this.#components.elders.includes(from)) return violation('a consensus message from a vault that is not an elder')
    const receipts: SectionReceipt[] = []
    for (const item of items) {
      const generation = this.#components.membership.generation
      if (item.generation < generation) receipts.push(ignored(`a consensus message for generation ${item.generation}, already decided`))
      else if (item.generation > generation) receipts.push(this.#keepForLater(this.#futureItems, from, item, item.generation))
      else receipts.push(await this.#agreement.receive(item))
    }
    return batchReceipt(receipts)
  }

  /** A key share's signature on a committed proposal: 5 of them for one proposal make the decision. */
  async receiveVote (from: string, vote: Vote): Promise<SectionReceipt> {
    const sender = this.#components.elders.indexOf(from) + 1
    if (sender === 0) return violation('a vote from a vault that is not an elder')
    if (sender !== vote.index) return violation(`a vote of elder ${vote.index} sent by elder ${sender}`)
    if (vote.proposal.sectionPrefix !== this.#components.prefix) return ignored(`a vote for section "${vote.proposal.sectionPrefix}"`)
    const generation = this.#components.membership.generation
    if (vote.proposal.generation < generation) return ignored(`a vote for generation ${vote.proposal.generation}, already decided`)
    if (vote.proposal.generation > generation) return this.#keepForLater(this.#futureVotes, from, vote, vote.proposal.generation)
    const result = this.#components.accumulator.add(vote)
    if (result.status === 'dropped') return /does not verify|malformed/.test(result.reason) ? violation(result.reason) : ignored(result.reason)
    if (result.status === 'decided') await this.#components.decided(result.decision)
    return ACCEPTED
  }

  /** After a decision moved the section on: a fresh agreement, with the messages kept for it. */
  async generationChanged (): Promise<void> {
    const generation = this.#components.membership.generation
    this.#agreement.stop()
    this.#cancelResend?.()
    this.#cancelResend = undefined
    this.#myVote = undefined
    this.#components.voter.forgetBelow(generation)
    this.#components.accumulator.forgetBelow(generation)
    this.#components.agenda.generationChanged()
    this.#agreement = this.#newAgreement()
    const items = this.#takeReady(this.#futureItems, item => item.generation)
    const votes = this.#takeReady(this.#futureVotes, vote => vote.proposal.generation)
    for (const { from, value: vote } of votes) {
      await this.receiveVote(from, vote)
      // A kept vote may have completed this generation already.
      if (this.#components.membership.generation !== generation) return
    }
    for (const { value: item } of items) {
      await this.#agreement.receive(item)
      if (this.#components.membership.generation !== generation) return
    }
    await this.agendaChanged()
  }

  #newAgreement (): RoundAgreement {
    const { prefix, elders, key, schedule, agenda, membership, proposalTimeoutMs } = this.#components
    const generation = membership.generation
    return new RoundAgreement({
      prefix,
      generation,
      elders,
      self: this.#index,
      key,
      schedule,
      proposer: round => this.#proposer(generation, round),
      objection: proposal => agenda.objection(proposal),
      next: () => agenda.next(),
      broadcast: items => { this.#broadcast({ type: 'consensus', items }) },
      timeoutMs: growingTimeouts(proposalTimeoutMs),
      committed: async (proposal, proof) => { await this.#sign(proposal, proof) }
    })
  }

  /** Signs the committed proposal with this elder's key share, and sends the share until the section moves on. */
  async #sign (proposal: Proposal, proof: ConsensusItem[]): Promise<void> {
    let vote: Vote
    try {
      vote = await this.#components.voter.vote(proposal)
    } catch (err) {
      // Only after a restart in the middle of a generation, with another proposal signed before it.
      if (err instanceof EquivocationRefusedError) return
      throw err
    }
    // The section may have moved on while the vote was persisted.
    if (this.#stopped || proposal.generation !== this.#components.membership.generation) return
    this.#myVote = { vote, proof }
    this.#broadcast({ type: 'vote', vote })
    this.#armResend()
    await this.receiveVote(this.#components.self, vote)
  }

  /** Elders that missed this elder's share, or the commit, get both again after each timeout. */
  #armResend (): void {
    const generation = this.#components.membership.generation
    this.#cancelResend = this.#components.schedule(this.#components.proposalTimeoutMs, () => {
      this.#cancelResend = undefined
      if (this.#stopped || this.#myVote === undefined || this.#components.membership.generation !== generation) return
      this.#broadcast({ type: 'consensus', items: this.#myVote.proof })
      this.#broadcast({ type: 'vote', vote: this.#myVote.vote })
      this.#armResend()
    })
  }

  #broadcast (message: SectionMessage): void {
    for (const elder of this.#components.elders) if (elder !== this.#components.self) this.#components.send(elder, message)
  }

  #keepForLater<T> (kept: Array<Kept<T>>, from: string, value: T, generation: number): SectionReceipt {
    const share = Math.max(1, Math.floor(MAX_FUTURE_MESSAGES / this.#components.elders.length))
    const own = kept.filter(entry => entry.from === from)
    // An elder resends its vote and proof until the section moves on: a copy takes no more room.
    const json = JSON.stringify(value)
    if (own.some(entry => JSON.stringify(entry.value) === json)) return ignored(`a message for generation ${generation}, already kept`)
    if (own.length >= share) return ignored(`a message for generation ${generation}, dropped: this elder already keeps ${share} from its sender`)
    kept.push({ from, value })
    return ignored(`a message for generation ${generation}, kept until this elder reaches it`)
  }

  #takeReady<T> (kept: Array<Kept<T>>, generationOf: (value: T) => number): Array<Kept<T>> {
    const generation = this.#components.membership.generation
    const ready = kept.filter(entry => generationOf(entry.value) <= generation)
    kept.splice(0, kept.length, ...kept.filter(entry => generationOf(entry.value) > generation))
    return ready
  }
}

/** An elder's consensus on the key share its DKG gave it. */
export function createSectionConsensus (result: DkgResult, components: Omit<SectionConsensusComponents, 'voter' | 'accumulator'> & {
  /** Stores the voting record before each vote leaves; in memory when absent. */
  persistVoter?: (state: VoterState) => Promise<void>
}): SectionConsensus {
  const { persistVoter, ...rest } = components
  return new SectionConsensus({
    ...rest,
    voter: new ElderVoter({ secretKeyShare: result.secretKeyShare, publicKeySet: result.publicKeySet, ...(persistVoter === undefined ? {} : { persist: persistVoter }) }),
    accumulator: new DecisionAccumulator({ publicKeySet: result.publicKeySet, elders: components.elders.length, sectionPrefix: components.prefix })
  })
}
