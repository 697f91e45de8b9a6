// What a vault does as a voting elder of its section (issue 3, deliver 2 and 6): it holds a share
// of the section key, keeps an agenda (joins asked for, the eras members support), tracks each
// member's health from its own audits, and votes in the consensus. SectionNode owns one and hands
// it the messages only an elder acts on; until the elder has a key share, it keeps the era support
// members already sent, and ignores the rest.
import type { ReleaseKey } from '../../release/keys.ts'
import type { Decision, VoterState } from '../../section/crypto/decisions.ts'
import type { DkgResult } from '../../section/crypto/dkg.ts'
import type { ConsensusItem } from './ballots.ts'
import { MAX_SECTION_MEMBERS, NETWORK_PREFIX } from './constants.ts'
import { MemberHealth, type AuditOutcome, type MemberHealthOptions } from './member-health.ts'
import { DEFAULT_JOIN_CHALLENGE_TTL_MS, JoinAdmission } from './join-admission.ts'
import type { Random } from '../../section/crypto/scalar.ts'
import { DEFAULT_RESOURCE_DIFFICULTY } from '../../section/rules/resource-challenge.ts'
import { SectionAgenda } from './section-agenda.ts'
import { createSectionConsensus, type SectionConsensus } from './section-consensus.ts'
import type { SectionMembership } from './section-membership.ts'
import { ACCEPTED, ignored, violation, type HandoverKeyMessage, type JoinRequestMessage, type RekeyRequestMessage, type SectionMessage, type SectionReceipt } from './section-messages.ts'
import { rekeyRequestSigned } from './rekey.ts'
import type { Schedule } from './schedule.ts'
import { storageReportSigned, type StorageReport } from './storage-reports.ts'

export interface ElderRoleComponents {
  self: string
  /** The vault's key: it signs this elder's proposals and ballots. */
  key: ReleaseKey
  send(to: string, message: SectionMessage): void
  schedule: Schedule
  /** A decision this elder combined; the node applies it and moves the section on. */
  decided(decision: Decision): Promise<void>
  /** A paused member asked to resume: the vault audits it now, its probation. */
  probation(member: string): void
  persistVoter?: (state: VoterState) => Promise<void>
  /** The nonces of joiners' resource challenges. */
  random?: Random
}

export interface ElderRoleInit {
  proposalTimeoutMs: number
  eraActivationDelay: number
  health: MemberHealthOptions
  /** Section policy: the difficulty of a joiner's resource challenge (DEFAULT_RESOURCE_DIFFICULTY). */
  resourceDifficulty?: number
  joinChallengeTtlMs?: number
  /** Founders the section expected that may join late at their own age (SectionAgendaInit.vouchedFounders). */
  vouchedFounders?: readonly string[]
}

const NOT_VOTING = 'this vault is not a voting elder'

export class ElderRole {
  readonly #components: ElderRoleComponents
  readonly #init: ElderRoleInit
  readonly #health: MemberHealth
  readonly #admission: JoinAdmission
  readonly #vouchedFounders: ReadonlySet<string>
  /** Elders the section keyed again for: each gets one Rekey while this vault runs (rekey.ts). */
  readonly #rekeyed = new Set<string>()
  /** Era support members sent before this elder could vote: taken onto its agenda once it can. */
  readonly #earlyEraSupport = new Map<string, readonly number[]>()
  #voting: { agenda: SectionAgenda, consensus: SectionConsensus, membership: SectionMembership, result: DkgResult } | undefined

  constructor (components: ElderRoleComponents, init: ElderRoleInit) {
    this.#components = components
    this.#init = init
    this.#health = new MemberHealth(init.health)
    this.#vouchedFounders = new Set(init.vouchedFounders)
    this.#admission = new JoinAdmission({ send: components.send, schedule: components.schedule, ...(components.random === undefined ? {} : { random: components.random }) }, {
      difficulty: init.resourceDifficulty ?? DEFAULT_RESOURCE_DIFFICULTY,
      challengeTtlMs: init.joinChallengeTtlMs ?? DEFAULT_JOIN_CHALLENGE_TTL_MS
    })
  }

  get voting (): boolean { return this.#voting !== undefined }

  /** The share of the section key this elder votes with, and the elders in index order. */
  get keyShare (): { result: DkgResult, elders: readonly string[] } | undefined {
    return this.#voting === undefined ? undefined : { result: this.#voting.result, elders: this.#voting.membership.elders }
  }

  /** The DKG (at genesis, or a handover's) gave this elder a share of the section's key: it votes with it from now on. */
  start (result: DkgResult, membership: SectionMembership): void {
    this.standDown()
    const agenda = new SectionAgenda({
      prefix: NETWORK_PREFIX, membership, eraActivationDelay: this.#init.eraActivationDelay, health: this.#health, vouchedFounders: this.#vouchedFounders, rekeyed: this.#rekeyed
    })
    for (const [name, eras] of this.#earlyEraSupport) agenda.noteEraSupport(name, eras)
    this.#earlyEraSupport.clear()
    const { self, key, send, schedule, decided, persistVoter } = this.#components
    const consensus = createSectionConsensus(result, {
      agenda,
      self,
      key,
      elders: membership.elders,
      prefix: NETWORK_PREFIX,
      membership,
      send,
      schedule,
      decided,
      proposalTimeoutMs: this.#init.proposalTimeoutMs,
      ...(persistVoter === undefined ? {} : { persistVoter })
    })
    this.#voting = { agenda, consensus, membership, result }
  }

  /** The section decided a handover: this elder's share signs the chain link and nothing more. */
  standDown (): void {
    this.#voting?.consensus.stop()
    this.#voting = undefined
  }

  stop (): void {
    this.#voting?.consensus.stop()
    this.#admission.stop()
  }

  /** An incoming elder's key from its handover run, for this elder's agenda. */
  async handoverKey (from: string, message: HandoverKeyMessage): Promise<SectionReceipt> {
    return await this.#toAgenda(agenda => agenda.noteHandoverKey(from, message))
  }

  /** A vault asks to join: join-admission.ts checks its age, its proof and its answer to this elder's challenge. */
  async requestJoin (from: string, request: JoinRequestMessage): Promise<SectionReceipt> {
    if (this.#voting === undefined) return ignored(NOT_VOTING)
    const admission = this.#admission.admit(from, request, this.#voting)
    if (!admission.admitted) return admission.receipt
    return await this.#toAgenda(agenda => agenda.requestJoin(from, admission.origin))
  }

  async eraSupport (from: string, eras: readonly number[]): Promise<SectionReceipt> {
    if (this.#voting === undefined && this.#earlyEraSupport.size < MAX_SECTION_MEMBERS) this.#earlyEraSupport.set(from, eras)
    return await this.#toAgenda(agenda => agenda.noteEraSupport(from, eras))
  }

  /** A member asks to leave the network: the elders decide its Leave. */
  async leaveRequest (from: string): Promise<SectionReceipt> {
    return await this.#toAgenda(agenda => agenda.requestLeave(from))
  }

  /** An adult reports its store is nearly full: with joins off, it lets one join in this generation. */
  async storageReport (from: string, report: StorageReport): Promise<SectionReceipt> {
    if (report.reporter !== from || !storageReportSigned(report)) return violation(`a storage report that ${from.slice(0, 16)}... did not sign itself`)
    return await this.#toAgenda(agenda => agenda.noteStorageReport(from, report))
  }

  /** An elder that holds no share of the key asks the section to key again (rekey.ts). */
  async rekeyRequest (from: string, request: RekeyRequestMessage): Promise<SectionReceipt> {
    if (!rekeyRequestSigned(from, request)) return violation(`a rekey request that ${from.slice(0, 16)}... did not sign`)
    return await this.#toAgenda(agenda => agenda.noteRekeyRequest(from, request))
  }

  /** The section decided a Rekey for `elder`: this vault votes for no other for it. */
  rekeyDecided (elder: string): void {
    this.#rekeyed.add(elder)
  }

  /** This elder's own release: it counts itself among the members that support its eras. */
  ownEraSupport (eras: readonly number[]): void {
    this.#voting?.agenda.noteEraSupport(this.#components.self, eras)
  }

  async receiveConsensus (from: string, items: readonly ConsensusItem[]): Promise<SectionReceipt> {
    return this.#voting === undefined ? ignored(NOT_VOTING) : await this.#voting.consensus.receiveConsensus(from, items)
  }

  async receiveVote (from: string, vote: Parameters<SectionConsensus['receiveVote']>[1]): Promise<SectionReceipt> {
    return this.#voting === undefined ? ignored(NOT_VOTING) : await this.#voting.consensus.receiveVote(from, vote)
  }

  resumeRequest (from: string): SectionReceipt {
    if (this.#voting === undefined) return ignored(NOT_VOTING)
    if (this.#voting.membership.pauseOf(from) === undefined) return ignored('a resume request from a vault that is not paused')
    const first = !this.#health.isOnProbation(from)
    this.#health.requestedResume(from)
    if (first) this.#components.probation(from)
    return ACCEPTED
  }

  /** The outcome of this vault's audit of a member, for its dysfunction tracking. */
  async noteAudit (member: string, outcome: AuditOutcome): Promise<void> {
    const voting = this.#voting
    if (voting === undefined || !voting.membership.isMember(member)) return
    this.#health.noteAudit(member, outcome, voting.membership.generation)
    await voting.consensus.agendaChanged()
  }

  /** A decision changed a member's standing: its health record follows. */
  standingDecided (subject: string, kind: 'pause' | 'resume' | 'demote', generation: number): void {
    if (kind === 'pause') this.#health.paused(subject, generation - 1)
    if (kind === 'resume') this.#health.resumed(subject)
    if (kind === 'demote') this.memberRemoved(subject)
  }

  /** A Demote or a Leave removed a member: its health record goes with it. */
  memberRemoved (subject: string): void {
    this.#health.forget(subject)
  }

  async generationChanged (): Promise<void> {
    await this.#voting?.consensus.generationChanged()
  }

  /** Puts a request on this elder's agenda, then proposes or follows if that is due. */
  async #toAgenda (put: (agenda: SectionAgenda) => string | undefined): Promise<SectionReceipt> {
    if (this.#voting === undefined) return ignored(NOT_VOTING)
    const refused = put(this.#voting.agenda)
    if (refused !== undefined) return ignored(refused)
    await this.#voting.consensus.agendaChanged()
    return ACCEPTED
  }
}
