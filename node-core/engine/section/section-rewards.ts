// Reward epochs, signed live (DESIGN §2 "Earnings"; issue 3 deliver 5). Clients pay a store cost
// per chunk to every elder, which counts it once per chunk address (reward-ledger.ts). Reward
// epochs are wall-clock slots of `epochMs` (epoch = floor(now / epochMs)), so every vault numbers
// them alike without a message. When an epoch ends with something in its pool, the elders agree on
// its record in rounds, as on a membership decision (round-agreement.ts, slot = the epoch, apart
// from the generations): round r's proposer, ((epoch + r) mod n) + 1, puts forward the pool it saw
// paid in up to that epoch and not yet paid out (so an unpaid pool carries over), split by 2^age
// among the active adults that held and served data; each elder prevotes only a record it agrees
// with (reward-agreement.ts). Only the committed record gets key shares (RewardSigner: never two
// records for one epoch), so a proposer that sends different records to different elders, or 2
// elders voting both ways, split no shares. 5 of 7 shares combine, and the elder that combines
// sends the record to every member; a member that missed it asks an elder for it later (follow).
// An epoch whose rounds went once round the elders without a commit is given up: its pool carries
// over to the next.
import type { ReleaseKey } from '../../release/keys.ts'
import type { DkgResult } from '../../section/crypto/dkg.ts'
import {
  hashMessage, publicKeyShare, signatureFromHex, signatureToHex, verifyShare, type PublicKeySet, type SignatureShare
} from '../../section/crypto/threshold-bls.ts'
import { encodeRewardRecord, verifyRewardRecord, type RewardRecord, type UnsignedRewardRecord } from '../../section/economy/reward-record.ts'
import { RewardEquivocationRefusedError, rewardRecordDigest, RewardSigner, type RewardSignerState } from '../../section/economy/reward-signer.ts'
import { REWARD_BALLOTS, type RewardConsensusItem, type SignedRewardBallot, type SignedRewardProposal } from './ballots.ts'
import { proposeRewardRecord, rewardObjection, type RewardsMembership, type RewardView } from './reward-agreement.ts'
import { REWARD_LEDGER_EPOCHS } from './constants.ts'
import { RewardLedger } from './reward-ledger.ts'
import { RewardShares } from './reward-shares.ts'
import { batchReceipt, growingTimeouts, SlotAgreement } from './round-agreement.ts'
import {
  ACCEPTED, ignored, violation, type RewardRecordsRequestMessage, type RewardShareMessage, type SectionMessage, type SectionReceipt, type StorePaymentMessage
} from './section-messages.ts'
import type { Schedule } from './schedule.ts'

/** Ended epochs whose rounds an elder keeps open at once. */
const MAX_OPEN_EPOCHS = 4
const NOT_VOTING = 'this vault is not a voting elder'

export interface SectionRewardsComponents {
  self: string
  /** This vault's key: it signs this elder's reward proposals and ballots. */
  key: ReleaseKey
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
  /** This elder declined a record proposed for an epoch: why, for the activity log. */
  declined(epoch: number, reason: string): void
}

export interface SectionRewardsInit {
  epochMs: number
  proposalTimeoutMs: number
}

/** One ended epoch: its rounds, the shares seen for its records, and this elder's share once it signed. */
interface OpenEpoch {
  agreement: SlotAgreement<UnsignedRewardRecord, SignedRewardProposal, SignedRewardBallot>
  shares: RewardShares
  /** Digests of the records this elder declined, each reported once. */
  declined: Set<string>
  mine: { share: RewardShareMessage, proof: RewardConsensusItem[] } | undefined
  cancelResend: (() => void) | undefined
}

export class SectionRewards {
  readonly ledger = new RewardLedger()
  readonly #components: SectionRewardsComponents
  readonly #init: SectionRewardsInit
  /** Whether this elder's latest audit of each member passed. */
  readonly #audits = new Map<string, boolean>()
  readonly #epochs = new Map<number, OpenEpoch>()
  /** The records of the last REWARD_LEDGER_EPOCHS epochs this vault holds: as an elder it sends them to members that missed theirs. */
  readonly #kept = new Map<number, RewardRecord>()
  /** The members this elder sent missed records to in `epoch`: one answer each per epoch. */
  #answered: { epoch: number, members: Set<string> } = { epoch: -1, members: new Set() }
  #cancelCatchUp: (() => void) | undefined
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
    for (const open of this.#epochs.values()) this.#close(open)
    this.#epochs.clear()
  }

  stop (): void {
    this.#stopped = true
    this.#cancelEpoch?.()
    this.#cancelCatchUp?.()
    for (const open of this.#epochs.values()) this.#close(open)
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

  /** Reward proposals and ballots from an elder: its own, or a quorum of others' it passes on. */
  async receiveConsensus (from: string, items: readonly RewardConsensusItem[]): Promise<SectionReceipt> {
    const voting = this.#voting
    if (voting === undefined) return ignored(NOT_VOTING)
    if (!voting.elders.includes(from)) return violation('a reward consensus message from a vault that is not an elder')
    const receipts: SectionReceipt[] = []
    for (const item of items) {
      const open = this.ledger.isSettled(item.epoch) ? undefined : this.#open(item.epoch)
      receipts.push(open === undefined ? ignored(`a reward consensus message for epoch ${item.epoch}, which is not open`) : await open.agreement.receive(item))
    }
    return batchReceipt(receipts)
  }

  /** An elder's key share over the record it committed to: 5 for one record make it the section's. */
  async receiveShare (from: string, message: RewardShareMessage): Promise<SectionReceipt> {
    const voting = this.#voting
    if (voting === undefined) return ignored(NOT_VOTING)
    const sender = voting.elders.indexOf(from) + 1
    if (sender === 0) return violation('a reward share from a vault that is not an elder')
    if (sender !== message.index) return violation(`a reward share of elder ${message.index} sent by elder ${sender}`)
    const { record } = message
    const open = this.#open(record.epoch)
    if (open === undefined) return ignored(`a reward share for epoch ${record.epoch}, which is not open`)
    if (this.ledger.isSettled(record.epoch)) return ignored(`epoch ${record.epoch} is already signed`)
    // Elders send their share again until the epoch is settled: on a busy machine each pairing saved counts.
    if (open.shares.has(record, sender)) return ignored(`elder ${sender}'s reward share for epoch ${record.epoch} is already counted`)
    let share: SignatureShare
    try {
      share = { index: sender, signature: signatureFromHex(message.signature) }
    } catch (err) {
      return violation(`a malformed reward share: ${(err as Error).message}`)
    }
    if (!verifyShare(publicKeyShare(voting.publicKeySet, sender), hashMessage(encodeRewardRecord(record)), share)) {
      return violation(`elder ${sender}'s reward share does not verify`)
    }
    this.#take(open, record, share)
    return ACCEPTED
  }

  /** A record the section signed: kept only once it verifies against this vault's section chain. */
  receiveRecord (value: RewardRecord): SectionReceipt {
    const membership = this.#components.membership()
    if (membership === undefined) return ignored('this vault does not know the section yet')
    if (value.sectionPrefix !== membership.prefix) return violation(`reward record rejected: foreign, for section "${value.sectionPrefix}", not "${membership.prefix}"`)
    // Each elder that combines the shares sends the record: the copies after the first need no pairing.
    if (this.ledger.isSettled(value.epoch)) return ignored(`epoch ${value.epoch} is already recorded`)
    const verified = verifyRewardRecord(value, membership.chain)
    if (!verified.ok) return violation(`reward record rejected (${verified.problem}): ${verified.reason}`)
    this.#settle(verified.record)
    return ACCEPTED
  }

  /**
   * As a member, halfway through each epoch (the last one's record is signed by then), asks one
   * elder, a different one each epoch, for the recent records naming this vault that it does not
   * hold: a vault that was down, or to which every copy was lost, still gets what it earned.
   */
  follow (): void {
    if (this.#stopped || this.#cancelCatchUp !== undefined) return
    const { epochMs } = this.#init
    const now = this.#components.now()
    let at = this.#epochOf(now) * epochMs + Math.floor(epochMs / 2)
    if (at <= now) at += epochMs
    this.#cancelCatchUp = this.#components.schedule(at - now, () => {
      this.#cancelCatchUp = undefined
      this.#askForMissedRecords()
      this.follow()
    })
  }

  #askForMissedRecords (): void {
    const { self } = this.#components
    const membership = this.#components.membership()
    // Elders earn nothing, and a vault that is not a member is named in no record.
    if (membership === undefined || !membership.isMember(self) || membership.elders.includes(self)) return
    const current = this.#epochOf(this.#components.now())
    const elder = membership.elders[current % membership.elders.length]
    if (elder === undefined) return
    this.#forgetOldRecords(current)
    this.#components.send(elder, { type: 'reward-records-request', prefix: membership.prefix, have: [...this.#kept.keys()].sort((a, b) => b - a).slice(0, REWARD_LEDGER_EPOCHS) })
  }

  /** A member missed records naming it: this elder sends those of them it holds, once per member per epoch. */
  receiveRecordsRequest (from: string, message: RewardRecordsRequestMessage): SectionReceipt {
    const membership = this.#components.membership()
    if (membership === undefined || !membership.elders.includes(this.#components.self)) return ignored('a reward records request to a vault that is not an elder')
    if (message.prefix !== membership.prefix) return ignored(`a reward records request for section "${message.prefix}"`)
    if (!membership.isMember(from)) return ignored('a reward records request from a vault that is not a member')
    const current = this.#epochOf(this.#components.now())
    if (this.#answered.epoch !== current) this.#answered = { epoch: current, members: new Set() }
    if (this.#answered.members.has(from)) return ignored('a second reward records request from this member in one epoch')
    this.#answered.members.add(from)
    this.#forgetOldRecords(current)
    const have = new Set(message.have)
    for (const [epoch, record] of this.#kept) {
      if (!have.has(epoch) && record.shares.some(share => share.name === from)) this.#components.send(from, { type: 'reward-record', record })
    }
    return ACCEPTED
  }

  #forgetOldRecords (current: number): void {
    for (const epoch of this.#kept.keys()) if (epoch <= current - REWARD_LEDGER_EPOCHS) this.#kept.delete(epoch)
  }

  /** Why this elder would not sign `record`; undefined when it agrees (reward-agreement.ts). */
  objection (record: UnsignedRewardRecord): string | undefined {
    const view = this.#view()
    const voting = this.#voting
    if (view === undefined || voting === undefined) return NOT_VOTING
    const objection = rewardObjection(view, record)
    if (objection !== undefined) return objection
    if (!voting.signer.mayShare(record)) return `this elder already signed a different record for epoch ${record.epoch}`
    return undefined
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

  /** An epoch with nothing in its pool needs no rounds: a quiet section sends nothing. */
  async #epochEnded (epoch: number): Promise<void> {
    if (this.ledger.isSettled(epoch) || this.ledger.available({ paidUpTo: epoch, except: epoch }) === 0) return
    await this.#open(epoch)?.agreement.start()
  }

  /** The rounds of `epoch`, once it has ended and while it is recent; older epochs' are closed. */
  #open (epoch: number): OpenEpoch | undefined {
    const voting = this.#voting
    const membership = this.#components.membership()
    const current = this.#epochOf(this.#components.now())
    if (voting === undefined || membership === undefined || epoch >= current || epoch < current - MAX_OPEN_EPOCHS) return undefined
    const existing = this.#epochs.get(epoch)
    if (existing !== undefined) return existing
    for (const [old, stale] of this.#epochs) {
      if (old >= current - MAX_OPEN_EPOCHS) continue
      this.#close(stale)
      this.#epochs.delete(old)
    }
    const elders = voting.elders.length
    const open: OpenEpoch = {
      agreement: new SlotAgreement({
        topic: REWARD_BALLOTS,
        prefix: membership.prefix,
        slot: epoch,
        elders: voting.elders,
        self: voting.index,
        key: this.#components.key,
        schedule: this.#components.schedule,
        proposer: round => ((epoch + round) % elders) + 1,
        objection: record => this.#judge(open, record),
        next: () => {
          const view = this.#view()
          return view === undefined ? undefined : proposeRewardRecord(view, epoch)
        },
        broadcast: items => { this.#toElders({ type: 'reward-consensus', items }) },
        timeoutMs: growingTimeouts(this.#init.proposalTimeoutMs),
        committed: async (record, proof) => { await this.#sign(open, record, proof) },
        // Once round the elders: each had its turn to propose.
        lastRound: elders - 1
      }),
      shares: new RewardShares(voting.publicKeySet),
      declined: new Set(),
      mine: undefined,
      cancelResend: undefined
    }
    this.#epochs.set(epoch, open)
    return open
  }

  #close (open: OpenEpoch): void {
    open.agreement.stop()
    open.cancelResend?.()
    open.cancelResend = undefined
  }

  #judge (open: OpenEpoch, record: UnsignedRewardRecord): string | undefined {
    const objection = this.objection(record)
    const digest = rewardRecordDigest(record)
    if (objection !== undefined && !open.declined.has(digest)) {
      open.declined.add(digest)
      this.#components.declined(record.epoch, objection)
    }
    return objection
  }

  #view (): RewardView | undefined {
    const membership = this.#components.membership()
    return membership === undefined ? undefined : { membership, ledger: this.ledger, audits: this.#audits, currentEpoch: this.#epochOf(this.#components.now()) }
  }

  /** The elders committed to `record`: this elder signs it with its key share and sends the share until the epoch is settled. */
  async #sign (open: OpenEpoch, record: UnsignedRewardRecord, proof: RewardConsensusItem[]): Promise<void> {
    const voting = this.#voting
    if (voting === undefined || this.ledger.isSettled(record.epoch)) return
    let share: SignatureShare
    try {
      share = await voting.signer.sign(record)
    } catch (err) {
      // Only after a restart in the middle of an epoch, with another record signed before it.
      if (err instanceof RewardEquivocationRefusedError) return
      throw err
    }
    if (this.#stopped || this.#epochs.get(record.epoch) !== open) return
    this.ledger.signed(record.epoch, record.pool)
    open.mine = { share: { type: 'reward-share', record, index: voting.index, signature: signatureToHex(share.signature) }, proof }
    this.#toElders(open.mine.share)
    this.#armResend(open, record.epoch)
    this.#take(open, record, share)
  }

  /** Elders that missed this elder's share, or the commit, get both again after each timeout. */
  #armResend (open: OpenEpoch, epoch: number): void {
    open.cancelResend = this.#components.schedule(this.#init.proposalTimeoutMs, () => {
      open.cancelResend = undefined
      if (this.#stopped || open.mine === undefined || this.ledger.isSettled(epoch) || this.#epochs.get(epoch) !== open) return
      this.#toElders({ type: 'reward-consensus', items: open.mine.proof })
      this.#toElders(open.mine.share)
      this.#armResend(open, epoch)
    })
  }

  #toElders (message: SectionMessage): void {
    for (const elder of this.#voting?.elders ?? []) if (elder !== this.#components.self) this.#components.send(elder, message)
  }

  /** Adds a verified share; once 5 agree on a record, it is the section's, and every member gets it. */
  #take (open: OpenEpoch, record: UnsignedRewardRecord, share: SignatureShare): void {
    if (this.ledger.isSettled(record.epoch)) return
    const signed = open.shares.add(record, share)
    if (signed === undefined) return
    this.#settle(signed)
    for (const name of this.#components.membership()?.members ?? []) if (name !== this.#components.self) this.#components.send(name, { type: 'reward-record', record: signed })
  }

  #settle (record: RewardRecord): void {
    if (this.ledger.isSettled(record.epoch)) return
    this.ledger.settled(record.epoch, record.pool)
    this.#kept.set(record.epoch, record)
    this.#forgetOldRecords(this.#epochOf(this.#components.now()))
    const open = this.#epochs.get(record.epoch)
    if (open !== undefined) this.#close(open)
    this.#components.recorded(record)
  }
}
