// How the elders agree on one generation's proposal before any of them signs it (issue 3, deliver
// 2): Tendermint's rounds (Buchman, Kwon and Milosevic, "The latest gossip on BFT consensus",
// 2018, Algorithm 1) with 7 elders, at most 2 faulty, and a quorum of 5. In each round the
// proposer puts a proposal forward; each elder prevotes for it, or for none; an elder that sees 5
// prevotes for it locks on it and precommits; 5 precommits commit it. Only a committed proposal is
// signed with the elder's key share (ElderVoter: never two proposals in one generation), so the 5
// honest elders' shares always meet on the same proposal. A proposer that sends different proposals
// to different elders, or elders that vote both ways, cannot commit two proposals (two quorums of 5
// share an honest elder, and it is locked) and cannot stall the section: a round that does not
// commit times out, the next proposer re-proposes what an elder may have locked on, with the 5
// prevotes that prove it, and each elder passes on every quorum it sees, as Tendermint gossips.
// An elder that restarts in the middle of a generation forgets its lock, and so counts among the 2.
import { proposalId, type Proposal } from '../../section/crypto/decisions.ts'
import { supermajority } from '../../section/rules/elders.ts'
import type { ReleaseKey } from '../../release/keys.ts'
import { itemKey, signBallot, signProposal, verifyItem, type BallotStep, type ConsensusItem, type SignedBallot, type SignedProposal } from './ballots.ts'
import { ACCEPTED, ignored, violation, type SectionReceipt } from './section-messages.ts'
import type { Schedule } from './schedule.ts'

export type AgreementStep = 'propose' | BallotStep

/** Rounds ahead of this elder's that it keeps messages for; the rest wait until it catches up. */
export const MAX_ROUNDS_AHEAD = 8
/** Different values one elder may sign in one step of a round before the rest are dropped: 2 prove equivocation. */
const MAX_VALUES_PER_SIGNER = 2
const NIL = 'nil'

export interface RoundAgreementComponents {
  prefix: string
  generation: number
  /** The elders in index order. */
  elders: readonly string[]
  /** This elder's index, from 1. */
  self: number
  /** This elder's vault key, which signs its proposals and ballots. */
  key: ReleaseKey
  proposer(round: number): number
  /** Why this elder would not accept `proposal` now; undefined when it would. */
  objection(proposal: Proposal): string | undefined
  /** What this elder would propose now, if anything. */
  next(): Proposal | undefined
  broadcast(items: ConsensusItem[]): void
  schedule: Schedule
  timeoutMs(step: AgreementStep, round: number): number
  /** 5 precommits for `proposal`: `proof` is the proposal and those precommits. */
  committed(proposal: Proposal, proof: ConsensusItem[]): Promise<void>
}

/** A round's proposal with its id, computed once when it is kept. */
interface Kept { signed: SignedProposal, id: string }
interface Held extends Kept { round: number }

export class RoundAgreement {
  readonly #c: RoundAgreementComponents
  readonly #quorum: number
  #round = -1
  #step: AgreementStep = 'propose'
  #locked: Held | undefined
  #valid: Held | undefined
  #committed = false
  #stopped = false
  readonly #proposals = new Map<number, Kept[]>()
  /** `${step}/${round}` → value (a proposal id, or 'nil') → signer → ballot. */
  readonly #ballots = new Map<string, Map<string, Map<number, SignedBallot>>>()
  readonly #signersByRound = new Map<number, Set<number>>()
  readonly #seen = new Set<string>()
  readonly #done = new Set<string>()
  readonly #timers: Array<() => void> = []
  /** Proven equivocations: an elder that signed two proposals or two ballots for one step of a round. */
  readonly evidence: string[] = []

  constructor (components: RoundAgreementComponents) {
    this.#c = components
    this.#quorum = supermajority(components.elders.length)
  }

  get round (): number { return this.#round }

  /** This elder has something to decide: it takes part from round 0, unless it already does. */
  async start (): Promise<void> {
    if (this.#round < 0) this.#startRound(0)
    await this.#evaluate()
  }

  /** The agenda changed: a proposal this elder objected to may be acceptable now. */
  async reconsider (): Promise<void> {
    if (this.#round >= 0) await this.#evaluate()
  }

  stop (): void {
    this.#stopped = true
    for (const cancel of this.#timers.splice(0)) cancel()
  }

  /** A proposal or ballot of this generation, from its signer or passed on by another elder. */
  async receive (item: ConsensusItem): Promise<SectionReceipt> {
    const refused = this.#check(item)
    if (refused !== undefined) return refused
    const receipt = this.#store(item)
    if (!receipt.accepted && !receipt.misbehaviour) return receipt
    // A message from the others wakes an elder with nothing of its own to decide.
    if (this.#round < 0) this.#startRound(0)
    await this.#evaluate()
    return receipt
  }

  #check (item: ConsensusItem): SectionReceipt | undefined {
    if (this.#stopped || this.#committed) return ignored('a consensus message for a generation this elder has committed')
    if (item.prefix !== this.#c.prefix || item.generation !== this.#c.generation) return ignored(`a consensus message for section "${item.prefix}", generation ${item.generation}`)
    const signer = this.#c.elders[item.signer - 1]
    if (signer === undefined) return violation(`a consensus message signed by elder ${item.signer} of ${this.#c.elders.length}`)
    if (item.round > Math.max(this.#round, 0) + MAX_ROUNDS_AHEAD) return ignored(`a consensus message for round ${item.round}, too far ahead of round ${this.#round}`)
    if (this.#seen.has(itemKey(item))) return ignored('a consensus message already counted')
    if (item.type === 'proposal' && item.signer !== this.#c.proposer(item.round)) return violation(`a proposal for round ${item.round} signed by elder ${item.signer}, not its proposer`)
    if (!verifyItem(item, signer)) return violation(`the signature of elder ${item.signer} on a ${item.type === 'proposal' ? 'proposal' : item.step} does not verify`)
    return undefined
  }

  /** Keeps a checked item. A second value from one signer is kept, up to 2, as equivocation: both count, as in Tendermint. */
  #store (item: ConsensusItem): SectionReceipt {
    const whom = `elder ${item.signer}`
    let equivocation: string | undefined
    if (item.type === 'proposal') {
      const list = this.#proposals.get(item.round) ?? []
      if (list.length >= MAX_VALUES_PER_SIGNER) return ignored(`a further proposal for round ${item.round}`)
      if (list.length > 0) equivocation = `${whom} proposed two different proposals in round ${item.round} of generation ${item.generation}`
      list.push({ signed: item, id: proposalId(item.proposal) })
      this.#proposals.set(item.round, list)
    } else {
      const byValue = this.#ballotsOf(item.step, item.round)
      const values = [...byValue.values()].filter(signers => signers.has(item.signer)).length
      if (values >= MAX_VALUES_PER_SIGNER) return ignored(`a further ${item.step} of ${whom} in round ${item.round}`)
      if (values > 0) equivocation = `${whom} signed two different ${item.step}s in round ${item.round} of generation ${item.generation}`
      const value = item.value ?? NIL
      const signers = byValue.get(value) ?? new Map<number, SignedBallot>()
      signers.set(item.signer, item)
      byValue.set(value, signers)
    }
    this.#seen.add(itemKey(item))
    const signers = this.#signersByRound.get(item.round) ?? new Set<number>()
    signers.add(item.signer)
    this.#signersByRound.set(item.round, signers)
    if (equivocation === undefined) return ACCEPTED
    this.evidence.push(equivocation)
    return violation(`equivocation: ${equivocation}`)
  }

  #ballotsOf (step: BallotStep, round: number): Map<string, Map<number, SignedBallot>> {
    const key = `${step}/${round}`
    const existing = this.#ballots.get(key)
    if (existing !== undefined) return existing
    const created = new Map<string, Map<number, SignedBallot>>()
    this.#ballots.set(key, created)
    return created
  }

  #votes (step: BallotStep, round: number, value: string): SignedBallot[] {
    return [...(this.#ballots.get(`${step}/${round}`)?.get(value)?.values() ?? [])]
  }

  /** Elders that sent a ballot of this step in this round, whatever they voted for. */
  #voters (step: BallotStep, round: number): number {
    const voters = new Set<number>()
    for (const signers of this.#ballots.get(`${step}/${round}`)?.values() ?? []) for (const signer of signers.keys()) voters.add(signer)
    return voters.size
  }

  /** Applies every rule that holds until none does (Algorithm 1's "upon" clauses). */
  async #evaluate (): Promise<void> {
    while (!this.#stopped && !this.#committed) {
      const commit = this.#commitment()
      if (commit !== undefined) {
        await this.#commit(commit)
        return
      }
      if (this.#round < 0) return
      this.#armStepTimers()
      if (!(this.#onProposal() || this.#onPolka() || this.#onNilPolka() || this.#onNilCommit() || this.#onLaterRound())) return
    }
  }

  /** A proposal of any round with 5 precommits for it. */
  #commitment (): Held | undefined {
    for (const [round, proposals] of this.#proposals) {
      for (const kept of proposals) if (this.#votes('precommit', round, kept.id).length >= this.#quorum) return { ...kept, round }
    }
    return undefined
  }

  /** Prevote on the round's proposal. One this elder objects to waits for the propose timeout: its agenda may catch up. */
  #onProposal (): boolean {
    if (this.#step !== 'propose') return false
    for (const { signed, id } of this.#proposals.get(this.#round) ?? []) {
      const lockAllows = this.#locked === undefined || this.#locked.id === id ||
        (signed.validRound >= 0 && this.#locked.round <= signed.validRound)
      if (signed.validRound >= 0 && this.#votes('prevote', signed.validRound, id).length < this.#quorum) continue
      if (!lockAllows) {
        this.#cast('prevote', null)
        return true
      }
      if (this.#c.objection(signed.proposal) !== undefined) continue
      this.#cast('prevote', id)
      return true
    }
    return false
  }

  /** 5 prevotes for the round's proposal: pass them on, lock and precommit (from the prevote step), remember it as valid. */
  #onPolka (): boolean {
    if (this.#step === 'propose') return false
    for (const { signed, id } of this.#proposals.get(this.#round) ?? []) {
      const prevotes = this.#votes('prevote', this.#round, id)
      if (prevotes.length < this.#quorum || this.#done.has(`polka/${this.#round}`)) continue
      this.#done.add(`polka/${this.#round}`)
      this.#c.broadcast([signed, ...prevotes])
      if (this.#c.objection(signed.proposal) !== undefined) return true
      if (this.#step === 'prevote') {
        this.#locked = { signed, id, round: this.#round }
        this.#cast('precommit', id)
      }
      this.#valid = { signed, id, round: this.#round }
      return true
    }
    return false
  }

  #onNilPolka (): boolean {
    if (this.#step !== 'prevote' || this.#votes('prevote', this.#round, NIL).length < this.#quorum) return false
    this.#cast('precommit', null)
    return true
  }

  /** 5 precommits for none: nothing can commit in this round any more, so the next starts without waiting for its timeout. */
  #onNilCommit (): boolean {
    if (this.#votes('precommit', this.#round, NIL).length < this.#quorum) return false
    this.#startRound(this.#round + 1)
    return true
  }

  /** 3 elders (so at least one honest) are in a later round: this elder joins them there. */
  #onLaterRound (): boolean {
    let later = -1
    for (const [round, signers] of this.#signersByRound) if (round > this.#round && round > later && signers.size > this.#c.elders.length - this.#quorum) later = round
    if (later < 0) return false
    this.#startRound(later)
    return true
  }

  #armStepTimers (): void {
    const round = this.#round
    if (this.#step === 'prevote' && this.#voters('prevote', round) >= this.#quorum) {
      this.#arm(`prevote/${round}`, this.#c.timeoutMs('prevote', round), () => {
        if (this.#step === 'prevote') this.#cast('precommit', null)
      })
    }
    if (this.#voters('precommit', round) >= this.#quorum) {
      this.#arm(`precommit/${round}`, this.#c.timeoutMs('precommit', round), () => { this.#startRound(round + 1) })
    }
  }

  /** Runs `then` after `ms` if this elder is still in the same round and generation; once per key. */
  #arm (key: string, ms: number, then: () => void): void {
    if (this.#done.has(key)) return
    this.#done.add(key)
    const round = this.#round
    this.#timers.push(this.#c.schedule(ms, async () => {
      if (this.#stopped || this.#committed || this.#round !== round) return
      then()
      await this.#evaluate()
    }))
  }

  #startRound (round: number): void {
    this.#round = round
    this.#step = 'propose'
    if (this.#c.proposer(round) === this.#c.self) this.#propose(round)
    this.#arm(`propose/${round}`, this.#c.timeoutMs('propose', round), () => {
      if (this.#step === 'propose') this.#cast('prevote', null)
    })
  }

  /** Proposes what this elder saw 5 prevotes for, with them as proof; otherwise its agenda's next proposal. */
  #propose (round: number): void {
    const proposal = this.#valid?.signed.proposal ?? this.#c.next()
    if (proposal === undefined) return
    const validRound = this.#valid?.round ?? -1
    const signed = signProposal(this.#c.key, {
      type: 'proposal', prefix: this.#c.prefix, generation: this.#c.generation, round, signer: this.#c.self, validRound, proposal
    })
    this.#store(signed)
    this.#c.broadcast([signed, ...(this.#valid === undefined ? [] : this.#votes('prevote', this.#valid.round, this.#valid.id))])
  }

  #cast (step: BallotStep, value: string | null): void {
    this.#step = step
    const ballot = signBallot(this.#c.key, {
      type: 'ballot', prefix: this.#c.prefix, generation: this.#c.generation, round: this.#round, signer: this.#c.self, step, value
    })
    this.#store(ballot)
    this.#c.broadcast([ballot])
  }

  async #commit ({ signed, id, round }: Held): Promise<void> {
    this.#committed = true
    for (const cancel of this.#timers.splice(0)) cancel()
    const proof = [signed, ...this.#votes('precommit', round, id)]
    this.#c.broadcast(proof)
    await this.#c.committed(signed.proposal, proof)
  }
}
