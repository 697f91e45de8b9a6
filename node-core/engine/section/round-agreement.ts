// How the elders agree on one value per slot before any of them signs it with its key share (issue
// 3, deliver 2 and 5): Tendermint's rounds (Buchman, Kwon and Milosevic, "The latest gossip on BFT
// consensus", 2018, Algorithm 1) with 7 elders, at most 2 faulty, and a quorum of 5. In each round
// the proposer puts a value forward; each elder prevotes for it, or for none; an elder that sees 5
// prevotes for it locks on it and precommits; 5 precommits commit it. Only a committed value is
// signed with the elder's key share (SlotGuard: never two values in one slot), so the 5 honest
// elders' shares always meet on the same value. A proposer that sends different values to
// different elders, or elders that vote both ways, cannot commit two values (two quorums of 5
// share an honest elder, and it is locked) and cannot stall the section: a round that does not
// commit times out, the next proposer re-proposes what an elder may have locked on, with the 5
// prevotes that prove it, and each elder passes on every quorum it sees, as Tendermint gossips.
// An elder that restarts in the middle of a slot forgets its lock, and so counts among the 2.
// The value is a membership Proposal per generation (RoundAgreement, section-consensus.ts) or a
// reward record per epoch (section-rewards.ts): ballots.ts says how each topic's items read.
import type { Proposal } from '../../section/crypto/decisions.ts'
import { supermajority } from '../../section/rules/elders.ts'
import type { ReleaseKey } from '../../release/keys.ts'
import { MEMBERSHIP_BALLOTS, type BallotItem, type BallotStep, type BallotTopic, type ProposalItem, type SignedBallot, type SignedProposal } from './ballots.ts'
import { ACCEPTED, ignored, violation, type SectionReceipt } from './section-messages.ts'
import type { Schedule } from './schedule.ts'

export type AgreementStep = 'propose' | BallotStep

/** Rounds ahead of this elder's that it keeps messages for; the rest wait until it catches up. */
export const MAX_ROUNDS_AHEAD = 8
/** Different values one elder may sign in one step of a round before the rest are dropped: 2 prove equivocation. */
const MAX_VALUES_PER_SIGNER = 2
/** Rounds after which timeouts stop growing. */
const TIMEOUT_GROWTH_ROUNDS = 8
const NIL = 'nil'

/** A round waits `proposalTimeoutMs` for a silent proposer and half as long in each vote step; each later round longer. */
export function growingTimeouts (proposalTimeoutMs: number): (step: AgreementStep, round: number) => number {
  return (step, round) => (step === 'propose' ? proposalTimeoutMs : proposalTimeoutMs / 2) * (1 + Math.min(round, TIMEOUT_GROWTH_ROUNDS) / 2)
}

/** One receipt for a message of several items: a violation first, then an accepted item, else the first reason. */
export function batchReceipt (receipts: readonly SectionReceipt[]): SectionReceipt {
  return receipts.find(receipt => !receipt.accepted && receipt.misbehaviour) ?? receipts.find(receipt => receipt.accepted) ?? receipts[0] ?? ignored('an empty consensus message')
}

export interface SlotAgreementComponents<V, P extends ProposalItem, B extends BallotItem> {
  topic: BallotTopic<V, P, B>
  prefix: string
  /** The generation or epoch this agreement decides. */
  slot: number
  /** The elders in index order. */
  elders: readonly string[]
  /** This elder's index, from 1. */
  self: number
  /** This elder's vault key, which signs its proposals and ballots. */
  key: ReleaseKey
  proposer(round: number): number
  /** Why this elder would not accept `value` now; undefined when it would. */
  objection(value: V): string | undefined
  /** What this elder would propose now, if anything. */
  next(): V | undefined
  broadcast(items: Array<P | B>): void
  schedule: Schedule
  timeoutMs(step: AgreementStep, round: number): number
  /** 5 precommits for `value`: `proof` is its proposal and those precommits. */
  committed(value: V, proof: Array<P | B>): Promise<void>
  /**
   * The last round this elder takes part in; unbounded when absent. Past it the elder casts
   * nothing more, but still commits on 5 precommits it is shown, so it signs what the others did.
   */
  lastRound?: number
}

/** A round's proposal with its id, computed once when it is kept. */
interface Kept<P> { signed: P, id: string }
interface Held<P> extends Kept<P> { round: number }

export class SlotAgreement<V, P extends ProposalItem, B extends BallotItem> {
  readonly #c: SlotAgreementComponents<V, P, B>
  readonly #topic: BallotTopic<V, P, B>
  readonly #quorum: number
  #round = -1
  #step: AgreementStep = 'propose'
  #locked: Held<P> | undefined
  #valid: Held<P> | undefined
  #committed = false
  #stopped = false
  /** Past the last round: this elder casts nothing more, and only waits for a commit. */
  #exhausted = false
  readonly #proposals = new Map<number, Array<Kept<P>>>()
  /** `${step}/${round}` → value (an id, or 'nil') → signer → ballot. */
  readonly #ballots = new Map<string, Map<string, Map<number, B>>>()
  readonly #signersByRound = new Map<number, Set<number>>()
  readonly #seen = new Set<string>()
  readonly #done = new Set<string>()
  readonly #timers: Array<() => void> = []
  /** Proven equivocations: an elder that signed two proposals or two ballots for one step of a round. */
  readonly evidence: string[] = []

  constructor (components: SlotAgreementComponents<V, P, B>) {
    this.#c = components
    this.#topic = components.topic
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

  /** A proposal or ballot of this slot, from its signer or passed on by another elder. */
  async receive (item: P | B): Promise<SectionReceipt> {
    const refused = this.#check(item)
    if (refused !== undefined) return refused
    const receipt = this.#store(item)
    if (!receipt.accepted && !receipt.misbehaviour) return receipt
    // A message from the others wakes an elder with nothing of its own to decide.
    if (this.#round < 0) this.#startRound(0)
    await this.#evaluate()
    return receipt
  }

  /** What an item says, without its signature: equal for two copies of one item, different for an equivocation. */
  #itemKey (item: P | B): string {
    return item.type === 'proposal'
      ? `proposal/${item.round}/${item.signer}/${item.validRound}/${this.#topic.id(this.#topic.valueOf(item))}`
      : `${item.step}/${item.round}/${item.signer}/${item.value ?? NIL}`
  }

  #check (item: P | B): SectionReceipt | undefined {
    const { slotName } = this.#topic
    if (this.#stopped || this.#committed) return ignored(`a consensus message for a ${slotName} this elder has committed`)
    const slot = this.#topic.slotOf(item)
    if (item.prefix !== this.#c.prefix || slot !== this.#c.slot) return ignored(`a consensus message for section "${item.prefix}", ${slotName} ${slot}`)
    const signer = this.#c.elders[item.signer - 1]
    if (signer === undefined) return violation(`a consensus message signed by elder ${item.signer} of ${this.#c.elders.length}`)
    if (item.round > Math.max(this.#round, 0) + MAX_ROUNDS_AHEAD) return ignored(`a consensus message for round ${item.round}, too far ahead of round ${this.#round}`)
    if (this.#seen.has(this.#itemKey(item))) return ignored('a consensus message already counted')
    if (item.type === 'proposal' && item.signer !== this.#c.proposer(item.round)) return violation(`a proposal for round ${item.round} signed by elder ${item.signer}, not its proposer`)
    if (!this.#topic.verify(item, signer)) return violation(`the signature of elder ${item.signer} on a ${item.type === 'proposal' ? 'proposal' : item.step} does not verify`)
    return undefined
  }

  /** Keeps a checked item. A second value from one signer is kept, up to 2, as equivocation: both count, as in Tendermint. */
  #store (item: P | B): SectionReceipt {
    const whom = `elder ${item.signer}`
    const where = `round ${item.round} of ${this.#topic.slotName} ${this.#c.slot}`
    let equivocation: string | undefined
    if (item.type === 'proposal') {
      const list = this.#proposals.get(item.round) ?? []
      if (list.length >= MAX_VALUES_PER_SIGNER) return ignored(`a further proposal for round ${item.round}`)
      if (list.length > 0) equivocation = `${whom} proposed two different proposals in ${where}`
      list.push({ signed: item, id: this.#topic.id(this.#topic.valueOf(item)) })
      this.#proposals.set(item.round, list)
    } else {
      const byValue = this.#ballotsOf(item.step, item.round)
      const values = [...byValue.values()].filter(signers => signers.has(item.signer)).length
      if (values >= MAX_VALUES_PER_SIGNER) return ignored(`a further ${item.step} of ${whom} in round ${item.round}`)
      if (values > 0) equivocation = `${whom} signed two different ${item.step}s in ${where}`
      const value = item.value ?? NIL
      const signers = byValue.get(value) ?? new Map<number, B>()
      signers.set(item.signer, item)
      byValue.set(value, signers)
    }
    this.#seen.add(this.#itemKey(item))
    const signers = this.#signersByRound.get(item.round) ?? new Set<number>()
    signers.add(item.signer)
    this.#signersByRound.set(item.round, signers)
    if (equivocation === undefined) return ACCEPTED
    this.evidence.push(equivocation)
    return violation(`equivocation: ${equivocation}`)
  }

  #ballotsOf (step: BallotStep, round: number): Map<string, Map<number, B>> {
    const key = `${step}/${round}`
    const existing = this.#ballots.get(key)
    if (existing !== undefined) return existing
    const created = new Map<string, Map<number, B>>()
    this.#ballots.set(key, created)
    return created
  }

  #votes (step: BallotStep, round: number, value: string): B[] {
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
      if (this.#round < 0 || this.#exhausted) return
      this.#armStepTimers()
      if (!(this.#onProposal() || this.#onPolka() || this.#onNilPolka() || this.#onNilCommit() || this.#onLaterRound())) return
    }
  }

  /** A proposal of any round with 5 precommits for it. */
  #commitment (): Held<P> | undefined {
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
      if (this.#c.objection(this.#topic.valueOf(signed)) !== undefined) continue
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
      if (this.#c.objection(this.#topic.valueOf(signed)) !== undefined) return true
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

  /** Runs `then` after `ms` if this elder is still in the same round of its slot; once per key. */
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
    if (this.#c.lastRound !== undefined && round > this.#c.lastRound) {
      this.#exhausted = true
      for (const cancel of this.#timers.splice(0)) cancel()
      return
    }
    this.#round = round
    this.#step = 'propose'
    if (this.#c.proposer(round) === this.#c.self) this.#propose(round)
    this.#arm(`propose/${round}`, this.#c.timeoutMs('propose', round), () => {
      if (this.#step === 'propose') this.#cast('prevote', null)
    })
  }

  /** Proposes what this elder saw 5 prevotes for, with them as proof; otherwise its agenda's next value. */
  #propose (round: number): void {
    const value = this.#valid === undefined ? this.#c.next() : this.#topic.valueOf(this.#valid.signed)
    if (value === undefined) return
    const validRound = this.#valid?.round ?? -1
    const signed = this.#topic.signProposal(this.#c.key, { prefix: this.#c.prefix, slot: this.#c.slot, round, signer: this.#c.self, validRound, value })
    this.#store(signed)
    this.#c.broadcast([signed, ...(this.#valid === undefined ? [] : this.#votes('prevote', this.#valid.round, this.#valid.id))])
  }

  #cast (step: BallotStep, value: string | null): void {
    this.#step = step
    const ballot = this.#topic.signBallot(this.#c.key, { prefix: this.#c.prefix, slot: this.#c.slot, round: this.#round, signer: this.#c.self, step, value })
    this.#store(ballot)
    this.#c.broadcast([ballot])
  }

  async #commit ({ signed, id, round }: Held<P>): Promise<void> {
    this.#committed = true
    for (const cancel of this.#timers.splice(0)) cancel()
    const proof = [signed, ...this.#votes('precommit', round, id)]
    this.#c.broadcast(proof)
    await this.#c.committed(this.#topic.valueOf(signed), proof)
  }
}

export type RoundAgreementComponents = Omit<SlotAgreementComponents<Proposal, SignedProposal, SignedBallot>, 'topic' | 'slot'> & { generation: number }

/** The membership decision of one generation (section-consensus.ts). */
export class RoundAgreement extends SlotAgreement<Proposal, SignedProposal, SignedBallot> {
  constructor ({ generation, ...rest }: RoundAgreementComponents) {
    super({ ...rest, topic: MEMBERSHIP_BALLOTS, slot: generation })
  }
}
