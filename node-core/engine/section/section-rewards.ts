// Reward epochs, signed live (DESIGN §2 "Earnings"; issue 3 deliver 5). Clients pay a store cost
// per chunk to every elder, which counts it once per chunk address (reward-ledger.ts). Reward
// epochs are wall-clock slots of `epochMs` (epoch = floor(now / epochMs)), so every vault numbers
// them alike without a message. When an epoch ends, its proposer elder, ((epoch + attempt) mod n)
// + 1, builds the record: the pool is what it saw paid in up to that epoch and not yet paid out
// (so an unpaid pool carries over), split by 2^age among the active adults that held and served
// data. Each elder signs a share only if it agrees (reward-agreement.ts), never two records for one epoch
// (RewardSigner), and sends it to every elder; 5 of 7 shares combine, and the elder that combines
// sends the record to every member. When an epoch's record is not signed within the proposal
// timeout, the next elder proposes, backing a record that already has shares.
import type { DkgResult } from '../../section/crypto/dkg.ts'
import {
  hashMessage, publicKeyShare, signatureFromHex, signatureToHex, verifyShare, type PublicKeySet, type SignatureShare
} from '../../section/crypto/threshold-bls.ts'
import { encodeRewardRecord, signRewardRecord, verifyRewardRecord, type RewardRecord, type UnsignedRewardRecord } from '../../section/economy/reward-record.ts'
import { RewardEquivocationRefusedError, rewardRecordDigest, RewardSigner, type RewardSignerState } from '../../section/economy/reward-signer.ts'
import { proposeRewardRecord, rewardObjection, type RewardsMembership, type RewardView } from './reward-agreement.ts'
import { RewardLedger } from './reward-ledger.ts'
import { ACCEPTED, ignored, violation, type RewardShareMessage, type SectionMessage, type SectionReceipt, type StorePaymentMessage } from './section-messages.ts'
import type { Schedule } from './schedule.ts'

/** Epochs whose rounds an elder keeps open at once. */
const MAX_OPEN_ROUNDS = 4

export interface SectionRewardsComponents {
  self: string
  send(to: string, message: SectionMessage): void
  /** Runs its callbacks in the node's queue. */
  schedule: Schedule
  now(): number
  membership(): RewardsMembership | undefined
  /** Stores the signer's record before a share leaves; in memory when absent. */
  persistSigner?: (state: RewardSignerState) => Promise<void>
  signerState?: RewardSignerState
  /** A record signed by the section reached this vault (or this elder combined it), verified. */
  recorded(record: RewardRecord): void
  /** This elder declined to sign a record: why, for the activity log. */
  declined(epoch: number, reason: string): void
}

export interface SectionRewardsInit {
  epochMs: number
  proposalTimeoutMs: number
}

interface Candidate {
  record: UnsignedRewardRecord
  shares: Map<number, SignatureShare>
}

interface Round {
  attempt: number
  candidates: Map<string, Candidate>
  mine: { record: UnsignedRewardRecord, signature: string } | undefined
  cancel: (() => void) | undefined
}

export class SectionRewards {
  readonly ledger = new RewardLedger()
  readonly #components: SectionRewardsComponents
  readonly #init: SectionRewardsInit
  /** Whether this elder's latest audit of each member passed. */
  readonly #audits = new Map<string, boolean>()
  readonly #rounds = new Map<number, Round>()
  #voting: { signer: RewardSigner, publicKeySet: PublicKeySet, elders: readonly string[], index: number } | undefined
  #cancelEpoch: (() => void) | undefined
  #stopped = false

  constructor (components: SectionRewardsComponents, init: SectionRewardsInit) {
    if (!Number.isSafeInteger(init.epochMs) || init.epochMs < 1) throw new RangeError(`"epochMs" expected a positive integer, got ${init.epochMs}`)
    this.#components = components
    this.#init = init
  }

  #epochOf (time: number): number {
    return Math.floor(time / this.#init.epochMs)
  }

  /** The DKG gave this elder a share of the section's key: it counts payments and signs records from now on. */
  start (result: DkgResult, elders: readonly string[]): void {
    const index = elders.indexOf(this.#components.self) + 1
    if (index === 0 || this.#stopped) return
    const { persistSigner, signerState } = this.#components
    const signer = new RewardSigner({
      secretKeyShare: result.secretKeyShare,
      ...(persistSigner === undefined ? {} : { persist: persistSigner }),
      ...(signerState === undefined ? {} : { state: signerState })
    })
    // The ledger starts empty on each start: payments seen before are not remembered, so neither are
    // the pools signed against them; the signer's record alone keeps it from signing an epoch twice.
    this.#voting = { signer, publicKeySet: result.publicKeySet, elders: [...elders], index }
    this.#armEpoch()
  }

  /** The section handed over to new elders: this share of the old key signs no more records. */
  standDown (): void {
    this.#voting = undefined
    this.#cancelEpoch?.()
    this.#cancelEpoch = undefined
    for (const round of this.#rounds.values()) round.cancel?.()
    this.#rounds.clear()
  }

  stop (): void {
    this.#stopped = true
    this.#cancelEpoch?.()
    for (const round of this.#rounds.values()) round.cancel?.()
  }

  noteAudit (member: string, passed: boolean): void {
    if (this.#components.membership()?.isMember(member) === true) this.#audits.set(member, passed)
  }

  receivePayment (message: StorePaymentMessage): SectionReceipt {
    const membership = this.#components.membership()
    if (this.#voting === undefined || membership === undefined) return ignored('a store payment to a vault that is not a voting elder')
    if (message.prefix !== membership.prefix) return ignored(`a store payment for section "${message.prefix}"`)
    const outcome = this.ledger.pay(this.#epochOf(this.#components.now()), message.address, message.amount)
    return outcome === 'counted' ? ACCEPTED : ignored(`store payment for chunk ${message.address.slice(0, 16)}... not counted: ${outcome}`)
  }

  async receiveShare (from: string, message: RewardShareMessage): Promise<SectionReceipt> {
    const voting = this.#voting
    if (voting === undefined) return ignored('this vault is not a voting elder')
    const sender = voting.elders.indexOf(from) + 1
    if (sender === 0) return violation('a reward share from a vault that is not an elder')
    if (sender !== message.index) return violation(`a reward share of elder ${message.index} sent by elder ${sender}`)
    const { record } = message
    const round = this.#round(record.epoch)
    if (round === undefined) return ignored(`a reward share for epoch ${record.epoch}, which is not open`)
    if (this.ledger.isSettled(record.epoch)) return ignored(`epoch ${record.epoch} is already signed`)
    let share: SignatureShare
    try {
      share = { index: sender, signature: signatureFromHex(message.signature) }
    } catch (err) {
      return violation(`a malformed reward share: ${(err as Error).message}`)
    }
    if (!verifyShare(publicKeyShare(voting.publicKeySet, sender), hashMessage(encodeRewardRecord(record)), share)) {
      return violation(`elder ${sender}'s reward share does not verify`)
    }
    await this.#take(record, share)
    if (round.mine === undefined && this.#followable(sender, record.epoch, round) && !this.ledger.isSettled(record.epoch)) await this.#castIfAgreed(record)
    return ACCEPTED
  }

  /** A record the section signed: kept only once it verifies against this vault's section chain. */
  receiveRecord (value: RewardRecord): SectionReceipt {
    const membership = this.#components.membership()
    if (membership === undefined) return ignored('this vault does not know the section yet')
    if (value.sectionPrefix !== membership.prefix) return violation(`reward record rejected: foreign, for section "${value.sectionPrefix}", not "${membership.prefix}"`)
    const verified = verifyRewardRecord(value, membership.chain)
    if (!verified.ok) return violation(`reward record rejected (${verified.problem}): ${verified.reason}`)
    this.#settle(verified.record)
    return ACCEPTED
  }

  // --- epochs ----------------------------------------------------------------------------------

  #armEpoch (): void {
    if (this.#stopped) return
    const now = this.#components.now()
    const ended = this.#epochOf(now)
    // A moment after the boundary, so payments sent just before it have reached every elder.
    const settle = Math.min(1000, Math.floor(this.#init.epochMs / 10))
    this.#cancelEpoch = this.#components.schedule((ended + 1) * this.#init.epochMs - now + settle, async () => {
      this.#cancelEpoch = undefined
      await this.#epochEnded(ended)
      this.#armEpoch()
    })
  }

  async #epochEnded (epoch: number): Promise<void> {
    const round = this.#round(epoch)
    if (round === undefined || this.ledger.isSettled(epoch)) return
    await this.#proposeIfMyTurn(epoch, round)
    this.#armRound(epoch, round)
  }

  /** The open round of `epoch`: one that has ended, and not too long ago. */
  #round (epoch: number): Round | undefined {
    const current = this.#epochOf(this.#components.now())
    if (epoch >= current || epoch < current - MAX_OPEN_ROUNDS) return undefined
    let round = this.#rounds.get(epoch)
    if (round === undefined) {
      round = { attempt: 0, candidates: new Map(), mine: undefined, cancel: undefined }
      this.#rounds.set(epoch, round)
      for (const [old, stale] of this.#rounds) {
        if (old >= current - MAX_OPEN_ROUNDS) continue
        stale.cancel?.()
        this.#rounds.delete(old)
      }
    }
    return round
  }

  #armRound (epoch: number, round: Round): void {
    const voting = this.#voting
    if (voting === undefined || this.#stopped || round.cancel !== undefined || round.attempt >= voting.elders.length) return
    round.cancel = this.#components.schedule(this.#init.proposalTimeoutMs, async () => {
      round.cancel = undefined
      if (this.#stopped || this.ledger.isSettled(epoch) || this.#rounds.get(epoch) !== round) return
      round.attempt++
      // Elders that missed this elder's share get it again; the next proposer may be this elder.
      if (round.mine !== undefined) this.#sendShare(round.mine.record, round.mine.signature)
      await this.#followSeen(epoch, round)
      await this.#proposeIfMyTurn(epoch, round)
      this.#armRound(epoch, round)
    })
  }

  #proposer (epoch: number, attempt: number): number {
    return ((epoch + attempt) % (this.#voting?.elders.length ?? 1)) + 1
  }

  #followable (sender: number, epoch: number, round: Round): boolean {
    for (let attempt = 0; attempt <= round.attempt; attempt++) if (this.#proposer(epoch, attempt) === sender) return true
    return false
  }

  async #followSeen (epoch: number, round: Round): Promise<void> {
    if (round.mine !== undefined) return
    for (const candidate of round.candidates.values()) {
      if ([...candidate.shares.keys()].some(index => this.#followable(index, epoch, round)) && this.objection(candidate.record) === undefined) {
        await this.#castIfAgreed(candidate.record)
        return
      }
    }
  }

  async #proposeIfMyTurn (epoch: number, round: Round): Promise<void> {
    const voting = this.#voting
    if (voting === undefined || round.mine !== undefined || this.#proposer(epoch, round.attempt) !== voting.index) return
    const backed = [...round.candidates.values()].filter(candidate => this.objection(candidate.record) === undefined)
      .sort((a, b) => b.shares.size - a.shares.size)[0]
    const view = this.#view()
    const record = backed?.record ?? (view === undefined ? undefined : proposeRewardRecord(view, epoch))
    if (record !== undefined) await this.#castIfAgreed(record)
  }

  /** Why this elder would not sign `record`; undefined when it agrees (reward-agreement.ts). */
  objection (record: UnsignedRewardRecord): string | undefined {
    const view = this.#view()
    const voting = this.#voting
    if (view === undefined || voting === undefined) return 'this vault is not a voting elder'
    const objection = rewardObjection(view, record)
    if (objection !== undefined) return objection
    if (!voting.signer.mayShare(record)) return `this elder already signed a different record for epoch ${record.epoch}`
    return undefined
  }

  #view (): RewardView | undefined {
    const membership = this.#components.membership()
    return membership === undefined ? undefined : { membership, ledger: this.ledger, audits: this.#audits, currentEpoch: this.#epochOf(this.#components.now()) }
  }

  async #castIfAgreed (record: UnsignedRewardRecord): Promise<void> {
    const voting = this.#voting
    const round = this.#rounds.get(record.epoch)
    if (voting === undefined || round === undefined || round.mine !== undefined) return
    const objection = this.objection(record)
    if (objection !== undefined) {
      this.#components.declined(record.epoch, objection)
      return
    }
    let share: SignatureShare
    try {
      share = await voting.signer.sign(record)
    } catch (err) {
      if (err instanceof RewardEquivocationRefusedError) return
      throw err
    }
    this.ledger.signed(record.epoch, record.pool)
    const signature = signatureToHex(share.signature)
    round.mine = { record, signature }
    this.#sendShare(record, signature)
    await this.#take(record, share)
  }

  #sendShare (record: UnsignedRewardRecord, signature: string): void {
    const voting = this.#voting
    if (voting === undefined) return
    for (const elder of voting.elders) if (elder !== this.#components.self) this.#components.send(elder, { type: 'reward-share', record, index: voting.index, signature })
  }

  /** Adds a verified share; combines the record once a supermajority of shares agree on it. */
  async #take (record: UnsignedRewardRecord, share: SignatureShare): Promise<void> {
    const voting = this.#voting
    const round = this.#rounds.get(record.epoch)
    if (voting === undefined || round === undefined) return
    const digest = rewardRecordDigest(record)
    let candidate = round.candidates.get(digest)
    if (candidate === undefined) {
      // Honest elders back one record per epoch: more candidates than elders is noise.
      if (round.candidates.size >= voting.elders.length) return
      candidate = { record, shares: new Map() }
      round.candidates.set(digest, candidate)
    }
    candidate.shares.set(share.index, share)
    if (candidate.shares.size <= voting.publicKeySet.threshold || this.ledger.isSettled(record.epoch)) return
    const signed = signRewardRecord(record, voting.publicKeySet, [...candidate.shares.values()])
    this.#settle(signed)
    const membership = this.#components.membership()
    for (const name of membership?.members ?? []) if (name !== this.#components.self) this.#components.send(name, { type: 'reward-record', record: signed })
  }

  #settle (record: RewardRecord): void {
    if (this.ledger.isSettled(record.epoch)) return
    this.ledger.settled(record.epoch, record.pool)
    const round = this.#rounds.get(record.epoch)
    round?.cancel?.()
    if (round !== undefined) round.cancel = undefined
    this.#components.recorded(record)
  }
}

