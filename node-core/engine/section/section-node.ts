// The section as one vault runs it (DESIGN §2, issue 3), transport-agnostic: messages in from
// authenticated peers, messages out by name, timers through an injected schedule. SectionService
// connects it to libp2p; tests connect many in memory.
//
// forming, keying, confirming (section-forming.ts): the 7 oldest known vaults agree on their set
//            and run the DKG; each signs a statement of the genesis (its key, the elders, the
//            founding members: the vaults the elders knew) and sends it to every vault it knows.
// active     a statement signed by 5 of the 7 elders fixes the genesis key, the start of the
//            section chain, for everyone. Members are the founders plus every vault admitted
//            since by a Join decision that verifies against the chain (section-consensus.ts); a
//            vault that is not a member asks the elders to join until it is, at age 5 or with the
//            proof of its relocation or demotion, answering each elder's resource challenge
//            (join-requests.ts, join-admission.ts); each member tells the
//            elders which eras its release supports, and the elders decide the next era once
//            enough of the section supports it (section-agenda.ts); elders sign a statement of
//            each new generation for the members, which is how a member that missed a decision,
//            or a joiner just admitted, catches up.
//            Elders audit the members (the vault runs the audits and reports them, noteAudit);
//            past the dysfunction threshold they Pause a member with the reasons; a paused vault's
//            owner fixes it, its self-check passes and it asks to resume (requestResume); the
//            elders audit it on probation and Resume it, or Demote it when its grace runs out.
//            A member leaving for good asks the elders (requestLeave) until they decide its Leave;
//            like a demoted vault, it may rejoin under a new name at half its age.
//            Every decision is a churn: the members its churn ID selects are relocated
//            (section-membership.ts) and rejoin under a name of age + 1 with a proof; at each reward
//            epoch the elders sign a reward record (section-rewards.ts).
//            When the elders the section elects (its 7 oldest active members) are not the ones
//            holding its key, the elected run a new DKG (elder-handover.ts), the current elders
//            decide the handover on their word (handover-proposal.ts), sign the chain link to the
//            new key with their old shares (chain-link-signing.ts) and send it to every member;
//            from then on the new elders vote with the new key, and every member's chain holds it
//            (handover-follower.ts). A moved elder votes and signs the link until then, and moves after.
//            An elder left without a share of the key asks for a Rekey (rekey.ts), after which a
//            handover to the same elders keys all of them.
// Splits are modelled in section/rules but not run live.
import { TypedEventEmitter } from 'main-event'
import type { SectionStanding, SectionStatus, SelfCheck } from '../../../contract/host-api.ts'
import { namedError } from '../../../contract/named-error.ts'
import { rejoinAge, type PauseAndFixOptions } from '../../section/economy/pause-and-fix.ts'
import type { DysfunctionOptions } from '../../section/economy/dysfunction.ts'
import { ElderHandover } from './elder-handover.ts'
import { HandoverFollower, type Relocated } from './handover-follower.ts'
import { ElderRole } from './elder-role.ts'
import { DEFAULT_MEMBER_HEALTH_OPTIONS, type AuditOutcome } from './member-health.ts'
import { SelfStanding } from './self-standing.ts'
import { releaseKeyFromSeed, type ReleaseKey } from '../../release/keys.ts'
import type { Decision, VoterState } from '../../section/crypto/decisions.ts'
import type { DkgResult } from '../../section/crypto/dkg.ts'
import type { Random } from '../../section/crypto/scalar.ts'
import { SectionChain } from '../../section/crypto/section-chain.ts'
import { groupPublicKey } from '../../section/crypto/threshold-bls.ts'
import {
  DEFAULT_DKG_ROUND_TIMEOUT_MS, DEFAULT_ERA_ACTIVATION_DELAY, DEFAULT_ERA_SUPPORT_RETELL_MS, DEFAULT_FORMING_SETTLE_MS, DEFAULT_JOIN_RETRY_MS,
  DEFAULT_PROPOSAL_TIMEOUT_MS, DEFAULT_REWARD_EPOCH_MS, MAX_BUFFERED_DECISIONS, NETWORK_PREFIX
} from './constants.ts'
import { SUPPORTED_ERAS } from '../eras.ts'
import type { ActiveEra } from '../versions/eras.ts'
import { ageOfHexName, nameToHex } from './known-vaults.ts'
import {
  ACCEPTED, DKG_ROUNDS, ignored, violation, type DemotionProofWire, type Keying, type RelocationProofWire, type SectionMessage,
  type SectionReceipt
} from './section-messages.ts'
import { JoinRequests } from './join-requests.ts'
import { SectionForming } from './section-forming.ts'
import { decisionReceipt, FIRST_ERA, SectionMembership } from './section-membership.ts'
import { buildSectionStatus, type SectionPhase } from './section-status.ts'
import { StatementBook } from './statement-book.ts'
import { signStorageReport, StorageLevelSchema } from './storage-reports.ts'
import { FULL_STORAGE_LEVEL } from '../../section/rules/split.ts'
import { membersDigest, signStatement, type SectionStatement } from './statements.ts'
import { Reasking, timerSchedule, type Schedule } from './schedule.ts'
import { rekeyRequest } from './rekey.ts'
import { SectionRewards } from './section-rewards.ts'
import type { RewardRecord } from '../../section/economy/reward-record.ts'
import type { RewardSignerState } from '../../section/economy/reward-signer.ts'

export interface SectionNodeComponents {
  identity: { name: Uint8Array, seed: Uint8Array }
  /** Sends one message to a vault by name (hex), best effort. */
  send(to: string, message: SectionMessage): void
  schedule?: Schedule
  random?: Random
  /** Stores an elder's voting record before its vote leaves (ElderVoter); in memory by default. */
  persistVoter?: (state: VoterState) => Promise<void>
  /** The eras this vault's release supports; by default this engine's. */
  supportedEras?: readonly number[]
  /** The clock of the deadline estimate and of reward epochs. */
  now?: () => number
  /** The proof this vault shows with its join requests, when its section relocated it under its previous name. */
  relocation?: RelocationProofWire
  /** The proof this vault shows with its join requests, when its section demoted it under its previous name. */
  demotion?: DemotionProofWire
  /** Stores an elder's reward-signing record before its share leaves (RewardSigner); in memory by default. */
  persistRewardSigner?: (state: RewardSignerState) => Promise<void>
  /** The reward-signing record loaded from disk. */
  rewardSignerState?: RewardSignerState
}

/** requestResume on a vault its section has not paused. */
export class NotPausedError extends namedError('NotPausedError') {}
/** requestLeave on a vault that is not a member of its section. */
export class NotAMemberError extends namedError('NotAMemberError') {}

export interface SectionNodeInit {
  formingSettleMs?: number
  /**
   * Vaults the elders wait for before keying a new section, up to `waitMs`: they become founders
   * at the age they have (the host's own vault on an embedded network). One that comes later
   * still joins at its age, without a proof.
   */
  expectedFounders?: { names: readonly string[], waitMs: number }
  dkgRoundTimeoutMs?: number
  proposalTimeoutMs?: number
  joinRetryMs?: number
  /** How often a member tells its era support again while the next era it supports is undecided. */
  eraSupportRetellMs?: number
  /** Epochs (generations) between an era's activation decision and the era taking effect. */
  eraActivationDelay?: number
  /** Section policy: when failures pause a member (section/economy/dysfunction.ts). */
  dysfunction?: DysfunctionOptions
  /** Section policy: grace in churns, and how many pauses in a window demote. */
  pauseAndFix?: Partial<PauseAndFixOptions>
  /** Length of a reward epoch (section-rewards.ts). */
  rewardEpochMs?: number
  /** Section policy: the difficulty of the resource challenge elders send joiners (join-admission.ts). */
  resourceDifficulty?: number
  /** How long an elder keeps a joiner's challenge open. */
  joinChallengeTtlMs?: number
}

export interface SectionNodeEvents {
  'section:phase': CustomEvent<SectionPhase>
  'section:established': CustomEvent<{ sectionKey: string, elders: string[], isElder: boolean, hasKeyShare: boolean }>
  'section:member-joined': CustomEvent<{ name: string, generation: number, decision: Decision }>
  /** The section moved to a new generation (by a decision, or a statement that skipped some). */
  'section:generation': CustomEvent<{ generation: number }>
  /** The section decided its next era, or this vault learned that it had. */
  'section:era': CustomEvent<{ active: ActiveEra, generation: number }>
  /** A decision changed a member's standing: this vault's own, or, for an elder, any member's. */
  'section:standing': CustomEvent<{ name: string, kind: 'pause' | 'resume' | 'demote', generation: number, self: boolean }>
  /** A member left by a Leave decision it asked for: this vault, or any member. It may rejoin at `rejoinAge` under a new name. */
  'section:left': CustomEvent<{ name: string, generation: number, rejoinAge: number, self: boolean }>
  /** Elder: a paused member asked to resume, so audit it now (its probation audit). */
  'section:probation': CustomEvent<{ name: string }>
  /** A decision's churn moved a member (DESIGN §2, relocation): it rejoins under a new name of `newAge`, ground near `destination`. */
  'section:relocated': CustomEvent<Relocated>
  'section:rejected': CustomEvent<{ from: string, type: SectionMessage['type'], reason: string, misbehaviour: boolean }>
  'section:keying': CustomEvent<{ attempt: number, outcome: 'started' | 'keyed' | 'failed', reason?: string }>
  /** The section decided a Rekey: `name`, an elder, held no share of the key, and the same elders key again. */
  'section:rekey': CustomEvent<{ name: string, generation: number, self: boolean }>
  /** The section handed over to new elders: its chain holds their key, which they vote with from now on. */
  'section:handover': CustomEvent<{ sectionKey: string, elders: string[], isElder: boolean, hasKeyShare: boolean, generation: number }>
  'section:failure': CustomEvent<{ reason: string }>
  /** A reward record signed by the section reached this vault, verified against its section chain. */
  'section:reward-record': CustomEvent<{ record: RewardRecord }>
  /** Elder: it declined to sign an epoch's reward record, and why. */
  'section:reward-declined': CustomEvent<{ epoch: number, reason: string }>
}

export class SectionNode extends TypedEventEmitter<SectionNodeEvents> {
  readonly self: string
  readonly #components: SectionNodeComponents
  readonly #key: ReleaseKey
  readonly #schedule: Schedule
  readonly #roundMs: number
  readonly #supportedEras: readonly number[]
  readonly #elder: ElderRole
  readonly #joinRequests: JoinRequests
  readonly #standing: SelfStanding
  readonly #rewards: SectionRewards
  /** Asking the elders, again each retry period until they act: to resume this vault, to decide its Leave, to admit it. */
  readonly #askingToResume: Reasking
  readonly #askingToLeave: Reasking
  readonly #askingToJoin: Reasking
  /** An elder without a share of the key asking the others to key again, until a handover is due or it votes (rekey.ts). */
  readonly #askingToRekey: Reasking
  /** Telling the elders this vault's era support, again each period while the next era it supports is undecided. */
  readonly #tellingEraSupport: Reasking
  readonly #forming: SectionForming
  readonly #handover: ElderHandover
  readonly #following: HandoverFollower
  readonly #statements = new StatementBook()
  readonly #futureDecisions: Decision[] = []
  #membership: SectionMembership | undefined
  #lastDecision: Decision | null = null
  /** The elder set this vault last told which eras it supports. */
  #eraSupportToldTo = ''
  /** This vault's store fill in tenths, as the vault last said (storage-reports.ts). */
  #storageLevel = 0
  /** The generation this vault last told the elders it is nearly full at. */
  #storageToldAt = -1
  /** A genesis that reached its supermajority while this elder's own DKG run was still going. */
  #waitingGenesis: { id: string, statement: SectionStatement, members: string[] } | undefined
  #queue: Promise<unknown> = Promise.resolve()
  #stopped = false

  constructor (components: SectionNodeComponents, init: SectionNodeInit = {}) {
    super()
    this.self = nameToHex(components.identity.name)
    this.#components = components
    this.#key = releaseKeyFromSeed(components.identity.seed, 'section')
    if (this.#key.public !== this.self) throw new RangeError('"identity.seed" does not belong to "identity.name"')
    const schedule = components.schedule ?? timerSchedule
    // Timer callbacks run in the same queue as messages: the state changes one input at a time.
    this.#schedule = (ms, callback) => schedule(ms, () => { this.#later(callback) })
    const joinRetryMs = init.joinRetryMs ?? DEFAULT_JOIN_RETRY_MS
    this.#askingToResume = new Reasking(this.#schedule, joinRetryMs)
    this.#askingToLeave = new Reasking(this.#schedule, joinRetryMs)
    this.#askingToJoin = new Reasking(this.#schedule, joinRetryMs)
    this.#askingToRekey = new Reasking(this.#schedule, joinRetryMs)
    this.#tellingEraSupport = new Reasking(this.#schedule, init.eraSupportRetellMs ?? DEFAULT_ERA_SUPPORT_RETELL_MS)
    this.#roundMs = init.dkgRoundTimeoutMs ?? DEFAULT_DKG_ROUND_TIMEOUT_MS
    this.#supportedEras = [...(components.supportedEras ?? SUPPORTED_ERAS)]
    const proposalTimeoutMs = init.proposalTimeoutMs ?? DEFAULT_PROPOSAL_TIMEOUT_MS
    this.#elder = new ElderRole({
      self: this.self,
      key: this.#key,
      send: (to, message) => { this.#components.send(to, message) },
      schedule: this.#schedule,
      decided: async decision => { await this.#onOwnDecision(decision) },
      probation: member => { this.#emit('section:probation', { name: member }) },
      ...(components.persistVoter === undefined ? {} : { persistVoter: components.persistVoter }),
      ...(components.random === undefined ? {} : { random: components.random })
    }, {
      proposalTimeoutMs,
      ...(init.resourceDifficulty === undefined ? {} : { resourceDifficulty: init.resourceDifficulty }),
      ...(init.joinChallengeTtlMs === undefined ? {} : { joinChallengeTtlMs: init.joinChallengeTtlMs }),
      eraActivationDelay: init.eraActivationDelay ?? DEFAULT_ERA_ACTIVATION_DELAY,
      ...(init.expectedFounders === undefined ? {} : { vouchedFounders: init.expectedFounders.names }),
      health: {
        dysfunction: init.dysfunction ?? DEFAULT_MEMBER_HEALTH_OPTIONS.dysfunction,
        pauseAndFix: { ...DEFAULT_MEMBER_HEALTH_OPTIONS.pauseAndFix, ...init.pauseAndFix }
      }
    })
    this.#standing = new SelfStanding(components.now ?? Date.now)
    this.#joinRequests = new JoinRequests({
      self: this.self,
      ...(components.relocation === undefined ? {} : { relocation: components.relocation }),
      ...(components.demotion === undefined ? {} : { demotion: components.demotion })
    })
    this.#rewards = new SectionRewards({
      self: this.self,
      key: this.#key,
      send: (to, message) => { this.#components.send(to, message) },
      schedule: this.#schedule,
      now: components.now ?? Date.now,
      membership: () => this.#membership,
      ...(components.persistRewardSigner === undefined ? {} : { persistSigner: components.persistRewardSigner }),
      ...(components.rewardSignerState === undefined ? {} : { signerState: components.rewardSignerState }),
      recorded: record => { this.#emit('section:reward-record', { record }) },
      declined: (epoch, reason) => { this.#emit('section:reward-declined', { epoch, reason }) }
    }, { epochMs: init.rewardEpochMs ?? DEFAULT_REWARD_EPOCH_MS, proposalTimeoutMs })
    this.#forming = new SectionForming({
      self: this.self,
      send: (to, message) => { this.#components.send(to, message) },
      schedule: this.#schedule,
      later: task => { this.#later(task) },
      ...(components.random === undefined ? {} : { random: components.random }),
      phaseChanged: phase => {
        this.#emit('section:phase', phase)
        if (phase !== 'keying') this.#later(async () => { await this.#takeWaitingGenesis() })
      },
      keying: (attempt, outcome, reason) => {
        this.#emit('section:keying', { attempt, outcome, ...(reason === undefined ? {} : { reason }) })
        if (outcome === 'failed') this.#later(async () => { await this.#takeWaitingGenesis() })
      },
      keyed: async (keying, result, founders) => { await this.#announceGenesis(keying, result, founders) }
    }, {
      settleMs: init.formingSettleMs ?? DEFAULT_FORMING_SETTLE_MS,
      roundMs: this.#roundMs,
      ...(init.expectedFounders === undefined ? {} : { expectedFounders: init.expectedFounders })
    })
    this.#handover = new ElderHandover({
      self: this.self,
      key: this.#key,
      send: (to, message) => { this.#components.send(to, message) },
      schedule: this.#schedule,
      later: task => { this.#later(task) },
      ...(components.random === undefined ? {} : { random: components.random }),
      currentElders: () => this.#membership?.elders ?? [],
      ownClaim: message => { this.#later(async () => { await this.#elder.handoverKey(this.self, message) }) },
      keying: (attempt, outcome, reason) => { this.#emit('section:keying', { attempt, outcome, ...(reason === undefined ? {} : { reason }) }) }
    }, { roundMs: this.#roundMs })
    this.#following = new HandoverFollower({
      self: this.self,
      membership: () => this.#membership,
      elder: this.#elder,
      rewards: this.#rewards,
      resultFor: key => this.#handover.resultFor(key),
      send: (to, message) => { this.#components.send(to, message) },
      schedule: this.#schedule,
      applyDecision: async decision => await this.#onDecision(decision),
      linked: async () => { await this.#afterGeneration() },
      handedOver: detail => {
        this.#emit('section:handover', detail)
        this.#askToRekey()
      },
      relocated: detail => { this.#emit('section:relocated', detail) }
    }, { roundMs: this.#roundMs })
  }

  get phase (): SectionPhase { return this.#membership === undefined ? this.#forming.phase : 'active' }
  get membership (): SectionMembership | undefined { return this.#membership }
  get isVotingElder (): boolean { return this.#elder.voting }
  get activeEra (): ActiveEra { return this.#membership?.activeEra ?? FIRST_ERA }
  get generation (): number { return this.#membership?.generation ?? 0 }

  status (): SectionStatus {
    const membership = this.#membership
    return buildSectionStatus({
      phase: this.phase,
      prefix: NETWORK_PREFIX,
      sectionKey: membership?.sectionKey ?? null,
      elders: membership?.elders ?? [],
      // While forming there are no members yet: the vaults known so far stand in.
      members: membership?.members ?? this.#forming.known.names(),
      self: this.self,
      generation: membership?.generation ?? 0,
      isMember: membership?.isMember(this.self) ?? false,
      joinsAllowed: membership?.joinsAllowed,
      standing: this.standing
    })
  }

  /** This vault's own standing in its section, without building the whole status. */
  get standing (): SectionStanding {
    const membership = this.#membership
    return this.#standing.standing(membership?.pauseOf(this.self), membership?.generation ?? 0)
  }

  /** Elder: the outcome of this vault's audit of a member, for its dysfunction tracking. */
  async noteAudit (member: string, outcome: AuditOutcome): Promise<void> {
    await this.#serially(async () => {
      this.#rewards.noteAudit(member, outcome.passed)
      await this.#elder.noteAudit(member, outcome)
    })
  }

  recordSelfCheck (check: SelfCheck): void {
    this.#standing.recordSelfCheck(check)
  }

  /** A paused vault whose self-check passed asks the elders to resume it, again each retry period until they decide. */
  async requestResume (): Promise<void> {
    const paused = await this.#serially(() => {
      if (this.#membership?.pauseOf(this.self) === undefined) return false
      this.#standing.askedToResume()
      this.#askElders(this.#askingToResume, 'resume-request', membership => membership.pauseOf(this.self) !== undefined && this.#standing.resumeRequested)
      return true
    })
    // Thrown here, not in the queue, where it would read as a failure of the section service.
    if (!paused) throw new NotPausedError('the section has not paused this vault: there is nothing to resume')
  }

  /** A member leaving the network for good asks the elders to decide its Leave, again each retry period until they do ('section:left'). */
  async requestLeave (): Promise<void> {
    const member = await this.#serially(() => {
      if (this.#membership?.isMember(this.self) !== true) return false
      this.#askElders(this.#askingToLeave, 'leave-request', membership => membership.isMember(this.self))
      return true
    })
    if (!member) throw new NotAMemberError('this vault is not a member of its section: there is nothing to leave')
  }

  /** The vault's store is `level` tenths full: at 9 or more, an adult tells the elders so, once each generation. */
  async reportStorageLevel (level: number): Promise<void> {
    const checked = StorageLevelSchema.safeParse(level)
    if (!checked.success) throw new RangeError(`"level" expected an integer from 0 to 10, got ${level}`)
    await this.#serially(() => {
      this.#storageLevel = checked.data
      this.#tellStorageNeed()
    })
  }

  /** The store level the vault last reported, once the reports queued before this call are taken. */
  async storageLevel (): Promise<number> {
    return await this.#serially(() => this.#storageLevel)
  }

  #tellStorageNeed (): void {
    const membership = this.#membership
    if (membership === undefined || this.#storageLevel < FULL_STORAGE_LEVEL || this.#storageToldAt === membership.generation) return
    if (!membership.isMember(this.self) || membership.elders.includes(this.self) || membership.pauseOf(this.self) !== undefined) return
    this.#storageToldAt = membership.generation
    const report = signStorageReport(this.#key, { prefix: NETWORK_PREFIX, generation: membership.generation, level: this.#storageLevel })
    for (const elder of membership.elders) this.#components.send(elder, { type: 'storage-report', report })
  }

  /**
   * An elder that holds no share of the section's key (its key generation failed while the
   * others' ended) asks the other elders to key again, each retry period until a handover to the
   * same elders is due or over (rekey.ts).
   */
  #askToRekey (): void {
    this.#askingToRekey.run(() => {
      const membership = this.#membership
      if (membership === undefined || !membership.elders.includes(this.self) || this.#elder.voting) return false
      if (membership.pendingHandover !== undefined || membership.handoverTarget !== undefined) return false
      const request = rekeyRequest(this.#key, NETWORK_PREFIX, membership.sectionKey)
      for (const elder of membership.elders) if (elder !== this.self) this.#components.send(elder, request)
      return true
    })
  }

  /** Sends `type` to the elders now and each retry period while `wanted` holds. */
  #askElders (asking: Reasking, type: 'resume-request' | 'leave-request', wanted: (membership: SectionMembership) => boolean): void {
    asking.run(() => {
      const membership = this.#membership
      if (membership === undefined || !wanted(membership)) return false
      for (const elder of membership.elders) this.#components.send(elder, { type, prefix: NETWORK_PREFIX })
      return true
    })
  }

  stop (): void {
    this.#stopped = true
    this.#askingToResume.stop()
    this.#askingToLeave.stop()
    this.#forming.finish()
    this.#askingToJoin.stop()
    this.#askingToRekey.stop()
    this.#tellingEraSupport.stop()
    this.#elder.stop()
    this.#rewards.stop()
    this.#handover.stop()
    this.#following.stop()
  }

  /** What this vault knows of the section, as the answer to a section query (a client learning the elders). */
  sectionInfo (): SectionMessage | undefined {
    return this.#statements.latestInfo()
  }


  /** A peer speaking the section protocol, over an authenticated connection. */
  async vaultSeen (name: string): Promise<void> {
    await this.#serially(() => { this.#learn(name) })
  }

  async receive (from: string, message: SectionMessage): Promise<SectionReceipt> {
    const receipt = await this.#serially(async () => await this.#route(from, message))
    if (!receipt.accepted && receipt.misbehaviour) this.#emit('section:rejected', { from, type: message.type, reason: receipt.reason, misbehaviour: true })
    return receipt
  }

  async #route (from: string, message: SectionMessage): Promise<SectionReceipt> {
    if (this.#stopped) return ignored('the section service has stopped')
    if (from === this.self) return violation('a message from this vault\'s own name')
    switch (message.type) {
      case 'hello': {
        const receipt = this.#forming.onHello(from, message.vaults)
        // Only a vault that does not know the section says hello (one that restarted, say): tell it again.
        this.#relayTo(from, { again: true })
        return receipt
      }
      case 'dkg-round':
      case 'dkg-share':
        return message.keying.from === undefined ? this.#forming.onDkg(from, message) : this.#handover.onDkg(from, message)
      case 'handover-key': return await this.#elder.handoverKey(from, message)
      case 'link-share': return await this.#following.onLinkShare(from, message)
      case 'chain-link': return await this.#following.onChainLink(message.decision, message.link)
      case 'section-info': return await this.#onSectionInfo(message.statements, message.members)
      case 'join-request':
        if (message.prefix !== NETWORK_PREFIX) return ignored(`a join request for section "${message.prefix}"`)
        // A member still asking missed its admission: the latest statement names it.
        if (this.#membership?.isMember(from) === true) this.#relayTo(from, { again: true })
        return await this.#elder.requestJoin(from, message)
      case 'join-challenge': {
        if (message.prefix !== NETWORK_PREFIX) return ignored(`a join challenge for section "${message.prefix}"`)
        const membership = this.#membership
        if (membership === undefined || !membership.elders.includes(from)) return ignored('a join challenge from a vault that is not an elder of this vault\'s section')
        if (membership.isMember(this.self)) return ignored('a join challenge to a member')
        const answer = this.#joinRequests.answer(from, message)
        if (typeof answer === 'string') return ignored(answer)
        this.#components.send(from, answer)
        return ACCEPTED
      }
      case 'era-support': return await this.#elder.eraSupport(from, message.eras)
      case 'consensus': return await this.#elder.receiveConsensus(from, message.items)
      case 'vote': return await this.#elder.receiveVote(from, message.vote)
      case 'resume-request':
        if (message.prefix !== NETWORK_PREFIX) return ignored(`a resume request for section "${message.prefix}"`)
        return this.#elder.resumeRequest(from)
      case 'leave-request':
        if (message.prefix !== NETWORK_PREFIX) return ignored(`a leave request for section "${message.prefix}"`)
        return await this.#elder.leaveRequest(from)
      case 'storage-report': return await this.#elder.storageReport(from, message.report)
      case 'removal-notice': return this.#onRemovalNotice(message.decision)
      case 'decision': return await this.#onDecision(message.decision)
      case 'store-payment': return this.#rewards.receivePayment(message)
      case 'section-query': return ignored('a section query is answered on its own stream')
      case 'reward-consensus': return await this.#rewards.receiveConsensus(from, message.items)
      case 'reward-share': return await this.#rewards.receiveShare(from, message)
      case 'reward-record': return this.#rewards.receiveRecord(message.record)
      case 'reward-records-request': return this.#rewards.receiveRecordsRequest(from, message)
      case 'rekey-request': return await this.#elder.rekeyRequest(from, message)
      default: {
        const unknown: never = message
        return violation(`unknown message ${JSON.stringify(unknown).slice(0, 100)}`)
      }
    }
  }

  #learn (name: string): void {
    if (this.#forming.learn(name)) this.#relayTo(name)
  }

  // --- statements ------------------------------------------------------------------------------

  /**
   * A DKG run ended with a key: this elder signs the genesis, the key and elders with the founding
   * members, and sends it to every vault it knows, so the founders learn the section from it.
   */
  async #announceGenesis (keying: Keying, result: DkgResult, founders: string[]): Promise<void> {
    const chain = SectionChain.fromGenesis(groupPublicKey(result.publicKeySet))
    const statement: SectionStatement = {
      prefix: NETWORK_PREFIX, chain: chain.toData(), elders: [...keying.elders], generation: 0, membersDigest: membersDigest(founders), lastDecision: null, eraDecision: null, pauseDecisions: [], joinsOn: true
    }
    await this.#announce(statement, founders, new Set([...founders, ...this.#forming.known.names()]))
    await this.#takeWaitingGenesis()
  }

  /** The genesis the other elders agreed on while this elder's run went on: taken now, with or without a share of its key. */
  async #takeWaitingGenesis (): Promise<void> {
    const waiting = this.#waitingGenesis
    this.#waitingGenesis = undefined
    if (waiting !== undefined && this.#membership === undefined) await this.#takeStatement(waiting, { waited: true })
  }

  /** Signs a statement as an elder and sends it, with its member list, to `to`. */
  async #announce (statement: SectionStatement, members: readonly string[], to: Iterable<string>): Promise<void> {
    const signed = signStatement(statement, this.#key)
    const targets = new Set(to)
    targets.delete(this.self)
    for (const name of targets) this.#components.send(name, { type: 'section-info', statements: [signed], members: [...members] })
    const taken = this.#statements.take(signed, members)
    if (!taken.ok) throw new Error(`this elder's own statement does not check: ${taken.reason}`)
    if (taken.complete !== undefined) await this.#takeStatement(taken.complete)
  }

  async #onSectionInfo (statements: readonly unknown[], members: readonly string[]): Promise<SectionReceipt> {
    for (const value of statements) {
      const taken = this.#statements.take(value, members)
      if (!taken.ok) return violation(taken.reason)
      if (taken.complete !== undefined) await this.#takeStatement(taken.complete)
    }
    return ACCEPTED
  }

  /** A statement signed by a supermajority of its elders: the section, or its next generation. */
  async #takeStatement ({ id, statement, members }: { id: string, statement: SectionStatement, members: string[] }, options: { waited?: boolean } = {}): Promise<void> {
    const membership = this.#membership
    if (membership === undefined) {
      // An elder whose own run is still going waits for it: it may end with a share of this key.
      if (options.waited !== true && this.#forming.phase === 'keying' && statement.elders.includes(this.self)) {
        this.#waitingGenesis = { id, statement, members }
        // A run that cannot end (the others have moved on) is not waited for longer than its rounds take.
        this.#schedule(DKG_ROUNDS.length * this.#roundMs, async () => { await this.#takeWaitingGenesis() })
        return
      }
      const created = SectionMembership.fromStatement(statement, members)
      if (!created.ok) {
        this.#emit('section:failure', { reason: `a statement signed by a supermajority of its elders does not check: ${created.reason}` })
        return
      }
      this.#membership = created.membership
      this.#statements.setLatest(id, statement)
      this.#lastDecision = statement.lastDecision
      this.#established()
      if (statement.eraDecision !== null) this.#eraDecided()
      return
    }
    if (statement.generation === membership.generation && statement.membersDigest === membersDigest(membership.members)) {
      // The new elders' statement of the handover this vault decided: its chain holds the link this vault missed.
      if (membership.pendingHandover !== undefined && membership.takeChain(statement.chain) === undefined) {
        this.#statements.setLatest(id, statement)
        await this.#afterGeneration()
        return
      }
      // The statement of the generation this vault reached by a decision: kept to pass on.
      if ((this.#statements.latest?.statement.generation ?? -1) < statement.generation) this.#statements.setLatest(id, statement)
      return
    }
    const outcome = membership.adoptStatement(statement, members)
    if (!outcome.adopted) {
      if (!outcome.stale) this.#emit('section:failure', { reason: `a statement signed by a supermajority of its elders cannot be taken: ${outcome.reason}` })
      return
    }
    this.#statements.setLatest(id, statement)
    this.#lastDecision = statement.lastDecision
    const eraBefore = this.activeEra.era
    if (outcome.decision !== undefined) this.#decisionApplied(outcome.decision)
    // A statement that skipped generations may carry an era decided in one this vault missed.
    if (outcome.decision?.proposal.kind !== 'era-activation' && this.activeEra.era !== eraBefore) this.#eraDecided()
    await this.#afterGeneration()
  }

  #relayTo (name: string, options: { again?: boolean } = {}): void {
    const message = this.#statements.relayFor(name, options)
    if (message !== undefined) this.#components.send(name, message)
  }

  // --- active ----------------------------------------------------------------------------------

  #established (): void {
    const membership = this.#membership
    if (membership === undefined) return
    this.#forming.finish()
    this.#emit('section:phase', 'active')
    const isElder = membership.elders.includes(this.self)
    const share = isElder ? this.#forming.shareOf(membership.sectionKey, membership.elders) : undefined
    const holdsShare = share !== undefined
    this.#following.established(membership.sectionKey)
    if (share !== undefined) {
      this.#elder.start(share, membership)
      this.#rewards.start(share, membership.elders)
    }
    this.#tellEraSupport()
    this.#rewards.follow()
    this.#askToRekey()
    this.#emit('section:established', { sectionKey: membership.sectionKey, elders: [...membership.elders], isElder, hasKeyShare: holdsShare })
    // Vaults known while forming may have heard fewer elders than a supermajority: pass the statement on.
    for (const name of this.#forming.known.names()) if (name !== this.self && !membership.elders.includes(name)) this.#relayTo(name)
    this.#askToJoin()
    this.#reconsiderHandover()
  }

  /** Until this vault is a member it asks every elder to admit it, again after each retry period. */
  #askToJoin (): void {
    this.#askingToJoin.run(() => {
      const membership = this.#membership
      // A demoted vault, or one that left, rejoins under a new name (its engine grinds it), never this one.
      if (membership === undefined || membership.isMember(this.self) || this.#standing.removed) return false
      for (const elder of membership.elders) this.#components.send(elder, this.#joinRequests.request(elder))
      return true
    })
  }

  /** A decision this elder combined from 5 votes: applied here, then sent to every member and the joiner. */
  async #onOwnDecision (decision: Decision): Promise<void> {
    const membership = this.#membership
    if (membership === undefined) return
    const outcome = membership.applyDecision(decision)
    if (!outcome.applied) return
    // A demoted, departed or relocated vault is no longer a member, and is told all the same; so is
    // an elder the section moved, which votes until the handover.
    const told = new Set([...membership.members, ...membership.elders])
    if (decision.proposal.kind === 'demote' || decision.proposal.kind === 'leave') told.add(decision.proposal.subject)
    for (const move of membership.lastRelocations) told.add(nameToHex(move.oldName))
    for (const name of told) if (name !== this.self) this.#components.send(name, { type: 'decision', decision })
    this.#lastDecision = decision
    this.#decisionApplied(decision)
    await this.#afterGeneration()
  }

  async #onDecision (decision: Decision): Promise<SectionReceipt> {
    const membership = this.#membership
    if (membership === undefined) return ignored('this vault does not know the section yet')
    const outcome = membership.applyDecision(decision)
    if (outcome.applied) {
      this.#lastDecision = decision
      this.#decisionApplied(decision)
      await this.#afterGeneration()
      return ACCEPTED
    }
    // The new elders' first decisions can overtake the chain link that makes their key known here.
    const linkAwaited = outcome.problem === 'unknown-section-key' && membership.pendingHandover?.key === decision.sectionKey
    if ((outcome.problem === 'future-generation' || linkAwaited) && this.#futureDecisions.length < MAX_BUFFERED_DECISIONS) this.#futureDecisions.push(decision)
    return linkAwaited ? ignored('a decision under the key the section is handing over to, kept until its chain link arrives') : decisionReceipt(outcome)
  }

  /** After the section moved to a new generation: elders vote on, sign and send the new statement. */
  async #afterGeneration (): Promise<void> {
    const membership = this.#membership
    if (membership === undefined) return
    this.#emit('section:generation', { generation: membership.generation })
    this.#following.follow()
    await this.#elder.generationChanged()
    const announcing = membership.elders.includes(this.self) && membership.pendingHandover === undefined
    if (announcing && this.#lastDecision !== null && this.#lastDecision.proposal.generation === membership.generation - 1) {
      // Members only: a vault waiting to join needs no generation but the one that admits it.
      const members = [...membership.members]
      await this.#announce({
        prefix: NETWORK_PREFIX,
        chain: membership.chain.toData(),
        elders: [...membership.elders],
        generation: membership.generation,
        membersDigest: membersDigest(members),
        lastDecision: this.#lastDecision,
        eraDecision: membership.eraDecision,
        pauseDecisions: membership.pauseDecisions,
        joinsOn: membership.joinsOn
      }, members, members)
    }
    if (membership.isMember(this.self)) {
      this.#askingToJoin.stop()
      this.#tellEraSupport()
      this.#tellStorageNeed()
    }
    this.#reconsiderHandover()
    const ready = this.#futureDecisions.filter(decision => decision.proposal.generation === membership.generation)
    if (ready.length > 0) {
      this.#futureDecisions.splice(0, this.#futureDecisions.length, ...this.#futureDecisions.filter(decision => decision.proposal.generation > membership.generation))
      for (const decision of ready) await this.#onDecision(decision)
    }
  }

  /** The incoming elders' DKG runs while a handover is due (elder-handover.ts); the rest is handover-follower.ts. */
  #reconsiderHandover (): void {
    this.#handover.reconsider(this.#membership?.handoverTarget)
  }

  #decisionApplied (decision: Decision): void {
    const generation = this.generation
    const { kind, subject } = decision.proposal
    this.#standing.churned()
    for (const move of this.#membership?.lastRelocations ?? []) {
      const name = nameToHex(move.oldName)
      this.#following.moved({
        name, oldAge: move.oldAge, newAge: move.newAge, destination: nameToHex(move.destination), decisionSignatures: [decision.signature], self: name === this.self
      })
    }
    switch (kind) {
      case 'join':
        this.#emit('section:member-joined', { name: subject, generation, decision })
        return
      case 'era-activation':
        this.#eraDecided()
        return
      case 'pause':
      case 'resume':
      case 'demote':
        this.#standingDecided(subject, kind, generation)
        return
      case 'leave':
        this.#left(subject, generation)
        return
      case 'rekey':
        this.#elder.rekeyDecided(subject)
        this.#askingToRekey.stop()
        this.#emit('section:rekey', { name: subject, generation, self: subject === this.self })
        return
      case 'handover':
      case 'relocate':
        return
      default: {
        const unknown: never = kind
        throw new RangeError(`unknown decision kind ${String(unknown)}`)
      }
    }
  }

  #standingDecided (subject: string, kind: 'pause' | 'resume' | 'demote', generation: number): void {
    const self = subject === this.self
    this.#elder.standingDecided(subject, kind, generation)
    if (self) {
      this.#standing.decided()
      this.#askingToResume.stop()
      if (kind === 'demote') this.#standing.wasDemoted(rejoinAge(ageOfHexName(subject)))
    }
    this.#emit('section:standing', { name: subject, kind, generation, self })
  }

  /**
   * An elder answered this vault's join request with the Demote or Leave that removed it while it
   * was away (it caught up by a statement, which names no removals): taken, once checked against the
   * section chain, as if this vault had heard the decision then.
   */
  #onRemovalNotice (decision: Decision): SectionReceipt {
    const membership = this.#membership
    if (membership === undefined) return ignored('this vault does not know the section yet')
    if (membership.isMember(this.self)) return ignored('a removal notice while this vault is a member')
    const verified = membership.verifyPastDecision(decision)
    if (!verified.ok) return violation(`a removal notice: ${verified.reason}`)
    const { kind, subject, generation } = verified.decision.proposal
    if (subject !== this.self) return violation('a removal notice whose decision names another vault')
    if (kind !== 'demote' && kind !== 'leave') return violation(`a removal notice whose decision is a ${kind}`)
    if (this.#standing.removed) return ignored('this vault knows of its removal already')
    this.#askingToJoin.stop()
    if (kind === 'demote') this.#standingDecided(subject, kind, generation + 1)
    else this.#left(subject, generation + 1)
    return ACCEPTED
  }

  #left (subject: string, generation: number): void {
    const self = subject === this.self
    this.#elder.memberRemoved(subject)
    if (self) {
      this.#standing.hasLeft()
      this.#askingToLeave.stop()
    }
    this.#emit('section:left', { name: subject, generation, rejoinAge: rejoinAge(ageOfHexName(subject)), self })
  }

  #eraDecided (): void {
    this.#emit('section:era', { active: this.activeEra, generation: this.generation })
  }

  /**
   * A member tells the elders which eras its release supports: once per elder set, and again each
   * period while the era after the active one is undecided and its release supports it, since a
   * support lost on the way would leave that elder objecting to the era.
   */
  #tellEraSupport (): void {
    const membership = this.#membership
    if (membership === undefined || !membership.isMember(this.self)) return
    const elders = membership.elders.join()
    if (this.#eraSupportToldTo === elders) return
    this.#eraSupportToldTo = elders
    if (membership.elders.includes(this.self)) this.#elder.ownEraSupport(this.#supportedEras)
    const tell = (to: SectionMembership): void => {
      for (const elder of to.elders) if (elder !== this.self) this.#components.send(elder, { type: 'era-support', eras: [...this.#supportedEras] })
    }
    tell(membership)
    this.#tellingEraSupport.again(() => {
      const current = this.#membership
      if (current === undefined || !current.isMember(this.self)) return false
      const { era, effectiveFromEpoch } = current.activeEra
      if (effectiveFromEpoch > current.generation || !this.#supportedEras.includes(era + 1)) return false
      tell(current)
      return true
    })
  }

  // --- plumbing --------------------------------------------------------------------------------

  #emit<K extends keyof SectionNodeEvents> (type: K, detail: SectionNodeEvents[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }

  /** Runs `task` after the ones queued; a failure is reported as `section:failure` (#serially), never thrown. */
  #later (task: () => void | Promise<void>): void {
    this.#serially(async () => { if (!this.#stopped) await task() }).catch(() => {})
  }

  async #serially<T> (task: () => T | Promise<T>): Promise<T> {
    const run = this.#queue.then(task)
    this.#queue = run.catch((err: unknown) => {
      this.#emit('section:failure', { reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
    })
    return await run
  }
}
