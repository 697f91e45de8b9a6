// How elders decide (DESIGN §2 "Decisions and churn"; issue 3, deliver 2). One decision per
// membership generation, on what the proposer's agenda (section-agenda.ts) puts forward: a join,
// an era activation. The generation's proposer, elder ((generation + attempt) mod n) + 1, votes
// first; the others follow the first vote they see from a proposer of this or an earlier attempt,
// unless their own agenda objects. Votes are signature shares (ElderVoter: never two proposals in
// one generation) sent to every elder; each elder accumulates them and 5 of 7 make the decision.
// When a generation does not decide within the proposal timeout, the next elder becomes proposer:
// it backs a proposal that already has votes, if it has seen one, so a crashed proposer costs one
// timeout and two silent elders never stop progress. (An equivocating proposer can still split the
// honest votes of one generation so that none decides; an echo round before voting is the next step.)
import {
  DecisionAccumulator, ElderVoter, EquivocationRefusedError, proposalId, type Decision, type Proposal, type Vote, type VoterState
} from '../../section/crypto/decisions.ts'
import type { DkgResult } from '../../section/crypto/dkg.ts'
import type { SectionAgenda } from './section-agenda.ts'
import { ACCEPTED, ignored, violation, type SectionMessage, type SectionReceipt } from './section-messages.ts'
import type { Schedule } from './schedule.ts'

/** Votes kept for generations this elder has not reached yet. */
const MAX_FUTURE_VOTES = 64

export interface SectionConsensusComponents {
  self: string
  /** The elders in index order. */
  elders: readonly string[]
  prefix: string
  voter: ElderVoter
  accumulator: DecisionAccumulator
  membership: { readonly generation: number }
  /** What this elder proposes, and what it objects to. */
  agenda: Pick<SectionAgenda, 'next' | 'objection' | 'generationChanged'>
  send(to: string, message: SectionMessage): void
  schedule: Schedule
  /** A decision this elder combined; the caller applies it and calls generationChanged. */
  decided(decision: Decision): Promise<void>
  proposalTimeoutMs: number
}

interface SeenProposal {
  proposal: Proposal
  voters: Set<number>
}

export class SectionConsensus {
  readonly #components: SectionConsensusComponents
  readonly #index: number
  readonly #future: Vote[] = []
  #seen = new Map<string, SeenProposal>()
  #attempt = 0
  #myVote: Vote | undefined
  #cancelTimer: (() => void) | undefined
  #stopped = false

  constructor (components: SectionConsensusComponents) {
    const index = components.elders.indexOf(components.self) + 1
    if (index === 0) throw new RangeError('"self" expected one of the elders')
    this.#components = components
    this.#index = index
  }

  get attempt (): number { return this.#attempt }

  /** The elder index that proposes at `attempt` of `generation`. */
  proposer (generation: number, attempt: number): number {
    return ((generation + attempt) % this.#components.elders.length) + 1
  }

  stop (): void {
    this.#stopped = true
    this.#cancelTimer?.()
  }

  /** The agenda has something new (a join request, a member's era support): propose or follow if due. */
  async agendaChanged (): Promise<void> {
    await this.#followSeen()
    await this.#proposeIfMyTurn()
    this.#armTimer()
  }

  async receiveVote (from: string, vote: Vote): Promise<SectionReceipt> {
    const sender = this.#components.elders.indexOf(from) + 1
    if (sender === 0) return violation('a vote from a vault that is not an elder')
    if (sender !== vote.index) return violation(`a vote of elder ${vote.index} sent by elder ${sender}`)
    if (vote.proposal.sectionPrefix !== this.#components.prefix) return ignored(`a vote for section "${vote.proposal.sectionPrefix}"`)
    const generation = this.#components.membership.generation
    if (vote.proposal.generation < generation) return ignored(`a vote for generation ${vote.proposal.generation}, already decided`)
    if (vote.proposal.generation > generation) {
      if (this.#future.length < MAX_FUTURE_VOTES) this.#future.push(vote)
      return ignored(`a vote for generation ${vote.proposal.generation}, kept until this elder reaches it`)
    }
    const result = this.#components.accumulator.add(vote)
    if (result.status === 'dropped') return /does not verify|malformed/.test(result.reason) ? violation(result.reason) : ignored(result.reason)
    const id = proposalId(vote.proposal)
    const seen = this.#seen.get(id) ?? { proposal: vote.proposal, voters: new Set<number>() }
    seen.voters.add(sender)
    this.#seen.set(id, seen)
    if (result.status === 'decided') {
      await this.#components.decided(result.decision)
      return ACCEPTED
    }
    if (this.#myVote === undefined && this.#followable(sender, generation) && this.#components.agenda.objection(vote.proposal) === undefined) await this.#cast(vote.proposal)
    this.#armTimer()
    return ACCEPTED
  }

  /** After a decision moved the section on: a fresh generation, with the votes kept for it. */
  async generationChanged (): Promise<void> {
    const generation = this.#components.membership.generation
    this.#cancelTimer?.()
    this.#cancelTimer = undefined
    this.#attempt = 0
    this.#seen = new Map()
    this.#myVote = undefined
    this.#components.voter.forgetBelow(generation)
    this.#components.accumulator.forgetBelow(generation)
    this.#components.agenda.generationChanged()
    const ready = this.#future.filter(vote => vote.proposal.generation <= generation)
    this.#future.splice(0, this.#future.length, ...this.#future.filter(vote => vote.proposal.generation > generation))
    for (const vote of ready) {
      const from = this.#components.elders[vote.index - 1]
      if (from !== undefined) await this.receiveVote(from, vote)
      // A buffered vote may have completed this generation already.
      if (this.#components.membership.generation !== generation) return
    }
    await this.#proposeIfMyTurn()
    this.#armTimer()
  }

  /** Whether a vote from `sender` is a proposer's, for this attempt or an earlier one. */
  #followable (sender: number, generation: number): boolean {
    for (let attempt = 0; attempt <= this.#attempt; attempt++) if (this.proposer(generation, attempt) === sender) return true
    return false
  }

  /** Follows a vote seen earlier from an elder that has since become a proposer this elder follows. */
  async #followSeen (): Promise<void> {
    if (this.#stopped || this.#myVote !== undefined) return
    const generation = this.#components.membership.generation
    for (const seen of this.#seen.values()) {
      if ([...seen.voters].some(voter => this.#followable(voter, generation)) && this.#components.agenda.objection(seen.proposal) === undefined) {
        await this.#cast(seen.proposal)
        return
      }
    }
  }

  async #proposeIfMyTurn (): Promise<void> {
    if (this.#stopped || this.#myVote !== undefined) return
    const generation = this.#components.membership.generation
    if (this.proposer(generation, this.#attempt) !== this.#index) return
    const backed = [...this.#seen].filter(([, seen]) => this.#components.agenda.objection(seen.proposal) === undefined)
      .sort(([idA, a], [idB, b]) => (b.voters.size - a.voters.size) || (idA < idB ? -1 : idA > idB ? 1 : 0))[0]
    if (backed !== undefined) {
      await this.#cast(backed[1].proposal)
      return
    }
    const proposal = this.#components.agenda.next()
    if (proposal !== undefined) await this.#cast(proposal)
  }

  async #cast (proposal: Proposal): Promise<void> {
    let vote: Vote
    try {
      vote = await this.#components.voter.vote(proposal)
    } catch (err) {
      if (err instanceof EquivocationRefusedError) return
      throw err
    }
    // The section may have moved on while the vote was persisted.
    if (this.#stopped || proposal.generation !== this.#components.membership.generation) return
    this.#myVote = vote
    this.#sendVote(vote)
    await this.receiveVote(this.#components.self, vote)
  }

  #sendVote (vote: Vote): void {
    for (const elder of this.#components.elders) if (elder !== this.#components.self) this.#components.send(elder, { type: 'vote', vote })
  }

  #armTimer (): void {
    if (this.#stopped || this.#cancelTimer !== undefined) return
    if (this.#seen.size === 0 && this.#components.agenda.next() === undefined) return
    const generation = this.#components.membership.generation
    this.#cancelTimer = this.#components.schedule(this.#components.proposalTimeoutMs, async () => {
      this.#cancelTimer = undefined
      if (this.#stopped || this.#components.membership.generation !== generation) return
      this.#attempt++
      // Elders that missed this elder's vote get it again; a new proposer may be needed.
      if (this.#myVote !== undefined) this.#sendVote(this.#myVote)
      await this.#followSeen()
      await this.#proposeIfMyTurn()
      this.#armTimer()
    })
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
