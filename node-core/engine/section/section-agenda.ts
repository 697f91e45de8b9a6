// What an elder would have its section decide next, and whether it would vote for a proposal
// another elder made (issue 3 deliver 2; issue 4 deliver 5). Each elder keeps its own agenda from
// what it has seen: the vaults asking to join or to leave, and which eras each member's release supports. The
// consensus (section-consensus.ts) asks it for a proposal when this elder's turn comes and for its
// objection, if any, before this elder signs another's proposal.
//
// Era activation comes first: once 80% of the members and 5 of the 7 elders run a release that
// supports the next era (versions/eras.ts), the era is decided, effective from a later epoch.
// Then members' standing (DESIGN §2, pause, fix, demote), from this elder's own audits
// (member-health.ts): Pause a member whose failures passed the threshold, Resume one whose
// probation audit passed, Demote one whose grace expired, that was paused too often or that
// misbehaved provably. Then leaves: a member that asked to go, to rejoin later at half its age
// under a new name, as a demoted one does. Then joins, while the section needs storage (DESIGN §2):
// its joins switch is on, it is too small to store, or an adult reported it is 90 % full this
// generation, a report the join then carries (storage-reports.ts). A relocated vault, one that
// rejoins at half its age after a Demote or Leave (a relocation in RFC 0045 and the 2021 and 2022
// code), and a founder the section expected join whatever the switch says; a late founder's join,
// marked so, is part of the genesis and leaves the switch as it was. Epochs and churns are membership generations.
// When the elders the section elects differ from the ones holding its key (an elder paused or
// demoted, an older member admitted), a handover is due (elder-handover.ts): the incoming elders
// run the DKG, and once a supermajority of them vouch for one key this elder proposes the handover
// (handover-proposal.ts). Until it is decided only members' standing may change; once it is
// decided, nothing more until the new elders hold the key. An elder that holds no share of the key
// asks for a Rekey (rekey.ts), which comes before everything but a handover: once decided, the same
// elders key again as in a handover.
import { ageOfName, NEW_VAULT_AGE } from '../identity/name.ts'
import type { Proposal } from '../../section/crypto/decisions.ts'
import { formatReason } from '../../section/economy/dysfunction.ts'
import { pauseProposal, rejoinAge, type PauseNotice } from '../../section/economy/pause-and-fix.ts'
import { eraActivationProposal, eraActivationReady, eraSubject, type ActiveEra, type MemberEraSupport } from '../versions/eras.ts'
import { MAX_PENDING_JOINS } from './constants.ts'
import { HandoverClaims, handoverObjection, type HandoverTarget } from './handover-proposal.ts'
import type { PendingHandover } from './section-membership.ts'
import type { HandoverKeyMessage, RekeyRequestMessage } from './section-messages.ts'
import { rekeyObjection, rekeyProposal, rekeyRefusal, type RekeyView } from './rekey.ts'
import type { MemberHealth } from './member-health.ts'
import type { JoinOrigin } from './join-admission.ts'
import { storageNeedOf, storageNeedPayload, storageNeedRefusal, type StorageReport, type StorageReportView } from './storage-reports.ts'

/** An era activation may name an effective epoch at most this far ahead (elders' delays may differ). */
export const MAX_ERA_ACTIVATION_DELAY = 1000

export interface AgendaMembership {
  readonly generation: number
  readonly sectionKey: string
  readonly members: ReadonlySet<string>
  readonly elders: readonly string[]
  readonly activeEra: ActiveEra
  /** Whether the section admits a new vault without an adult's report that it is full (section/rules/split.ts). */
  readonly joinsAllowed: boolean
  readonly pendingHandover: PendingHandover | undefined
  readonly handoverTarget: HandoverTarget | undefined
  isMember(name: string): boolean
  pauseOf(name: string): PauseNotice | undefined
  removedRejoinAge(name: string): number | undefined
}

const HANDOVER_PENDING = 'the section is handing over to its new elders'
const JOINS_CLOSED = 'joins are off: no member left since the last join, and no adult reported it is 90 % full this generation'
const HANDOVER_DUE = 'a handover to the elders the section elects is due first'

export interface SectionAgendaInit {
  prefix: string
  membership: AgendaMembership
  /** Epochs between an era's activation decision and the era taking effect. */
  eraActivationDelay: number
  health: MemberHealth
  /**
   * Names this section admits at their own age without a proof: the founders it expected
   * (SectionNodeInit.expectedFounders) that were not there when it formed.
   */
  vouchedFounders?: ReadonlySet<string>
  /** Elders the section keyed again for already, while this vault ran: each gets one Rekey. */
  rekeyed?: ReadonlySet<string>
}

type StandingKind = 'pause' | 'resume' | 'demote'

/**
 * A relocated vault, or one rejoining at half its age (RFC 0045 relocates it), moves within the
 * network, and a late founder was expected: none needs the section to need storage.
 */
function bypassesJoinsSwitch (payload: Proposal['payload']): boolean {
  return typeof payload.relocatedFrom === 'string' || typeof payload.demotedFrom === 'string' || payload.expectedFounder === true
}

function nameBytes (hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

export class SectionAgenda {
  readonly #init: SectionAgendaInit
  readonly #pendingJoins = new Set<string>()
  /** Members that asked to leave, until a decision removes them. */
  readonly #pendingLeaves = new Set<string>()
  /** Joiners whose relocation or demotion proof this elder checked, by new name. */
  readonly #checkedOrigins = new Map<string, JoinOrigin>()
  readonly #eraSupport = new Map<string, readonly number[]>()
  /**
   * Era support from vaults not members here yet, kept until the next decision: a joiner may apply
   * its Join decision, and say what it supports, before this elder applies the same decision.
   */
  readonly #eraSupportBeforeJoin = new Map<string, readonly number[]>()
  readonly #handoverClaims = new HandoverClaims()
  /** The fullest adult's storage report this generation, at level 9 or more: it lets one join in while joins are off. */
  #storageNeed: StorageReport | undefined
  #nextStorageNeed: StorageReport | undefined
  readonly #rekeyed: ReadonlySet<string>
  /** An elder's signed word that it holds no share of the key, until a Rekey or a handover is decided. */
  #rekeyRequest: { from: string, request: RekeyRequestMessage } | undefined

  constructor (init: SectionAgendaInit) {
    this.#init = init
    this.#rekeyed = init.rekeyed ?? new Set()
  }

  /** Why a join request from `name` is not taken now, before its proofs are checked (join-admission.ts). */
  joinRefusal (name: string): string | undefined {
    if (this.#init.membership.isMember(name)) return 'already a member'
    if (this.#init.membership.removedRejoinAge(name) !== undefined) return 'a name demoted from this section, or that left it: it rejoins under a new one'
    if (this.#pendingJoins.has(name)) return 'join already requested'
    if (this.#pendingJoins.size >= MAX_PENDING_JOINS) return `already ${MAX_PENDING_JOINS} join requests pending`
    return undefined
  }

  /**
   * Why a join request is not taken, or undefined when it is now pending. `origin`: the joiner's
   * old name, once this elder has checked the proof of its relocation or demotion.
   */
  requestJoin (name: string, origin?: JoinOrigin): string | undefined {
    const refused = this.joinRefusal(name)
    if (refused !== undefined) return refused
    if (origin !== undefined) this.#checkedOrigins.set(name, origin)
    this.#pendingJoins.add(name)
    return undefined
  }

  /** A member asks to leave: why the request is not taken, or undefined when it is now pending. */
  requestLeave (name: string): string | undefined {
    if (!this.#init.membership.isMember(name)) return 'a leave request from a vault that is not a member'
    if (this.#pendingLeaves.has(name)) return 'leave already requested'
    this.#pendingLeaves.add(name)
    return undefined
  }

  /** A member says which eras its release supports; it says so again after an upgrade. */
  noteEraSupport (name: string, eras: readonly number[]): string | undefined {
    if (this.#init.membership.isMember(name)) {
      this.#eraSupport.set(name, [...eras])
      return undefined
    }
    if (!this.#eraSupportBeforeJoin.has(name) && this.#eraSupportBeforeJoin.size >= MAX_PENDING_JOINS) {
      return `era support from a vault that is not a member, with ${MAX_PENDING_JOINS} such kept already`
    }
    this.#eraSupportBeforeJoin.set(name, [...eras])
    return undefined
  }

  /**
   * An adult says its store is nearly full; kept for this generation when it shows the section
   * needs storage. One for the next generation waits for it: the adult may apply a decision first.
   */
  noteStorageReport (from: string, report: StorageReport): string | undefined {
    if (report.reporter !== from) return `a storage report for ${report.reporter.slice(0, 16)}... sent by ${from.slice(0, 16)}...`
    if (report.generation !== this.#init.membership.generation + 1) return this.#takeStorageNeed(report)
    if (report.level > (this.#nextStorageNeed?.level ?? -1)) this.#nextStorageNeed = report
    return undefined
  }

  #takeStorageNeed (report: StorageReport): string | undefined {
    const refused = storageNeedRefusal(report, this.#storageView(this.#init.membership.generation))
    if (refused !== undefined) return refused
    if (report.level > (this.#storageNeed?.level ?? -1)) this.#storageNeed = report
    return undefined
  }

  /** An elder without a share of the key asks the section to key again; its signature was checked. */
  noteRekeyRequest (from: string, request: RekeyRequestMessage): string | undefined {
    const refused = rekeyRefusal(from, request, this.#rekeyView(), this.#rekeyed)
    if (refused !== undefined) return refused
    this.#rekeyRequest = { from, request }
    return undefined
  }

  #rekeyView (): RekeyView {
    const { membership, prefix } = this.#init
    return { prefix, elders: membership.elders, sectionKey: membership.sectionKey, generation: membership.generation }
  }

  /** An incoming elder says which key its handover run gave it. */
  noteHandoverKey (from: string, message: HandoverKeyMessage): string | undefined {
    const target = this.#init.membership.handoverTarget
    return target === undefined ? 'no handover is due' : this.#handoverClaims.note(from, message, target)
  }

  /** After a decision: admitted joiners and departed leavers are no longer pending, joiners count with the support they told early; departed members' support is forgotten. */
  generationChanged (): void {
    const { membership } = this.#init
    if (membership.handoverTarget === undefined) this.#handoverClaims.clear()
    // A Rekey decided (a handover is due now), or one this elder would refuse now: asked no more.
    const rekey = this.#rekeyRequest
    if (rekey !== undefined && (membership.handoverTarget !== undefined || rekeyRefusal(rekey.from, rekey.request, this.#rekeyView(), this.#rekeyed) !== undefined)) this.#rekeyRequest = undefined
    for (const name of [...this.#pendingJoins]) if (membership.isMember(name)) this.#pendingJoins.delete(name)
    for (const name of [...this.#pendingLeaves]) if (!membership.isMember(name)) this.#pendingLeaves.delete(name)
    for (const name of [...this.#checkedOrigins.keys()]) if (membership.isMember(name)) this.#checkedOrigins.delete(name)
    for (const name of [...this.#eraSupport.keys()]) if (!membership.isMember(name)) this.#eraSupport.delete(name)
    for (const [name, eras] of this.#eraSupportBeforeJoin) if (membership.isMember(name)) this.#eraSupport.set(name, eras)
    this.#eraSupportBeforeJoin.clear()
    const early = this.#nextStorageNeed
    this.#storageNeed = undefined
    this.#nextStorageNeed = undefined
    if (early !== undefined) this.#takeStorageNeed(early)
  }

  /** What this elder proposes when its turn comes, if anything. */
  next (): Proposal | undefined {
    const { membership, prefix } = this.#init
    if (membership.pendingHandover !== undefined) return undefined
    const handover = membership.handoverTarget
    if (handover !== undefined) return this.#handoverClaims.proposal(handover, membership.generation) ?? this.#nextStanding()
    const rekey = this.#rekeyRequest
    if (rekey !== undefined) return rekeyProposal(rekey.from, rekey.request, this.#rekeyView())
    const era = this.#nextEra()
    if (era !== undefined && this.#eraReady(era)) {
      return eraActivationProposal({
        ...this.#eraInput(era), generation: membership.generation, sectionPrefix: prefix, currentEpoch: membership.generation, delay: this.#init.eraActivationDelay
      })
    }
    const standing = this.#nextStanding()
    if (standing !== undefined) return standing
    const leaver = [...this.#pendingLeaves].filter(name => membership.isMember(name)).sort()[0]
    if (leaver !== undefined) {
      return { kind: 'leave', subject: leaver, generation: membership.generation, sectionPrefix: prefix, payload: { rejoinAge: rejoinAge(ageOfName(nameBytes(leaver))) } }
    }
    // First come, first served: a joiner that has waited longest at this elder goes first.
    for (const joiner of this.#pendingJoins) {
      if (membership.isMember(joiner)) continue
      const payload = {
        age: ageOfName(nameBytes(joiner)),
        ...this.#checkedOrigins.get(joiner),
        ...(this.#init.vouchedFounders?.has(joiner) === true ? { expectedFounder: true } : {})
      }
      const proposal = (extra = {}): Proposal => ({ kind: 'join', subject: joiner, generation: membership.generation, sectionPrefix: prefix, payload: { ...payload, ...extra } })
      if (membership.joinsAllowed || bypassesJoinsSwitch(payload)) return proposal()
      if (this.#storageNeed !== undefined) return proposal(storageNeedPayload(this.#storageNeed))
    }
    return undefined
  }

  /**
   * Why a join proposal may not admit its vault now: it claims to be a founder this elder did not
   * expect, or joins are off and it carries no report that the section needs storage.
   */
  #joinNeedObjection (proposal: Proposal): string | undefined {
    const { expectedFounder } = proposal.payload
    if (expectedFounder !== undefined && !(expectedFounder === true && this.#init.vouchedFounders?.has(proposal.subject) === true)) return 'a join as a founder this elder did not expect'
    // #joinOriginObjection checked a relocation or demotion proof, and the line above a founder.
    if (bypassesJoinsSwitch(proposal.payload)) return undefined
    const need = storageNeedOf(proposal)
    if (need === undefined) return this.#init.membership.joinsAllowed ? undefined : JOINS_CLOSED
    return storageNeedRefusal(need, this.#storageView(proposal.generation))
  }

  #storageView (generation: number): StorageReportView {
    const { membership, prefix } = this.#init
    return { prefix, generation, isActiveAdult: name => membership.isMember(name) && !membership.elders.includes(name) && membership.pauseOf(name) === undefined }
  }

  #nextStanding (): Proposal | undefined {
    for (const member of [...this.#init.membership.members].sort()) {
      const due = this.#standingDue(member)
      if (due !== undefined) return due
    }
    return undefined
  }

  /** Why this elder would not vote for `proposal` now, or undefined if it would. */
  objection (proposal: Proposal): string | undefined {
    const { membership } = this.#init
    if (proposal.generation !== membership.generation) return 'a proposal for another generation'
    if (membership.pendingHandover !== undefined) return HANDOVER_PENDING
    switch (proposal.kind) {
      case 'handover':
        return membership.handoverTarget === undefined ? 'no handover is due: the section\'s elders are the ones it elects' : handoverObjection(proposal, membership.handoverTarget)
      case 'join':
        if (membership.handoverTarget !== undefined) return HANDOVER_DUE
        if (membership.isMember(proposal.subject)) return 'the vault is already a member'
        if (proposal.payload.age !== ageOfName(nameBytes(proposal.subject))) return 'the proposal states an age other than the last byte of the name'
        return this.#joinOriginObjection(proposal) ?? this.#joinNeedObjection(proposal)
      case 'era-activation': {
        if (membership.handoverTarget !== undefined) return HANDOVER_DUE
        const era = this.#nextEra()
        if (era === undefined || proposal.subject !== eraSubject(era)) return `an activation of ${proposal.subject}: the next era is ${era ?? 'not yet known'}`
        const { payload } = proposal
        const latest = membership.generation + MAX_ERA_ACTIVATION_DELAY
        if (payload.era !== era) return `an activation of ${proposal.subject} whose payload names era ${String(payload.era)}`
        if (typeof payload.effectiveFromEpoch !== 'number' || payload.effectiveFromEpoch <= membership.generation || payload.effectiveFromEpoch > latest) {
          return `an era effective from epoch ${String(payload.effectiveFromEpoch)}: expected a later epoch, at most ${latest}`
        }
        const readiness = eraActivationReady(this.#eraInput(era))
        return readiness.ready ? undefined : `era ${era} is not ready: ${readiness.reason}`
      }
      case 'pause':
      case 'resume':
      case 'demote':
        return this.#standingObjection(proposal, proposal.kind)
      case 'leave': {
        if (membership.handoverTarget !== undefined) return HANDOVER_DUE
        const whom = `${proposal.subject.slice(0, 16)}...`
        if (!membership.isMember(proposal.subject)) return `a leave of ${whom}, which is not a member`
        if (!this.#pendingLeaves.has(proposal.subject)) return `this elder has no leave request from ${whom}`
        const rejoinAt = rejoinAge(ageOfName(nameBytes(proposal.subject)))
        return proposal.payload.rejoinAge === rejoinAt ? undefined : `a leave of ${whom} whose rejoinAge is ${String(proposal.payload.rejoinAge)}, not ${rejoinAt}`
      }
      case 'rekey':
        if (membership.handoverTarget !== undefined) return HANDOVER_DUE
        return rekeyObjection(proposal, this.#rekeyView(), this.#rekeyed)
      case 'relocate':
        return 'a relocate proposal: the section relocates by the rule after each decision, never by a proposal'
      default: {
        const unknown: never = proposal.kind
        return `an unknown proposal kind ${String(unknown)}`
      }
    }
  }

  /**
   * A join at any age but a new vault's needs a proof this elder checked itself (DESIGN §2): a
   * relocated vault's age + 1, a demoted vault's rejoin age.
   */
  #joinOriginObjection (proposal: Proposal): string | undefined {
    const { relocatedFrom, demotedFrom, age } = proposal.payload
    const checked = this.#checkedOrigins.get(proposal.subject)
    if (relocatedFrom !== undefined && demotedFrom !== undefined) return 'a join that claims both a relocation and a demotion'
    if (relocatedFrom !== undefined) {
      return checked !== undefined && 'relocatedFrom' in checked && checked.relocatedFrom === relocatedFrom ? undefined : 'a relocated join whose proof this elder has not checked'
    }
    if (demotedFrom !== undefined) {
      return checked !== undefined && 'demotedFrom' in checked && checked.demotedFrom === demotedFrom ? undefined : 'a demoted vault\'s rejoin whose proof this elder has not checked'
    }
    return this.prooflessJoinRefusal(proposal.subject, typeof age === 'number' ? age : -1)
  }

  /**
   * Why a join without a relocation or demotion proof is refused at `age`, if it is: a new vault
   * joins at age 5, a founder this section expected at the age it has.
   */
  prooflessJoinRefusal (name: string, age: number): string | undefined {
    if (age === NEW_VAULT_AGE || this.#init.vouchedFounders?.has(name) === true) return undefined
    return `a join at age ${age} without a relocation or demotion proof: a new vault joins at age ${NEW_VAULT_AGE}`
  }

  /** The standing decision this elder's audits call for, for one member, if any. */
  #standingDue (member: string): Proposal | undefined {
    const { membership, health, prefix } = this.#init
    const generation = membership.generation
    const base = { subject: member, generation, sectionPrefix: prefix }
    const demote = (reason: string): Proposal => ({ ...base, kind: 'demote', payload: { reason, rejoinAge: rejoinAge(ageOfName(nameBytes(member))) } })
    const pause = membership.pauseOf(member)
    if (pause !== undefined) {
      if (health.passedProbation(member)) return { ...base, kind: 'resume', payload: {} }
      return generation >= pause.deadlineChurn ? demote('grace-expired') : undefined
    }
    const verdict = health.verdict(member, generation)
    switch (verdict.action) {
      case 'ok': return undefined
      case 'remove-now': return demote('proven-misbehaviour')
      case 'pause-due':
        if (health.pausedTooOften(member, generation)) return demote('paused-too-often')
        return pauseProposal({
          member, generation, sectionPrefix: prefix, reasons: verdict.reasons.map(formatReason), pausedAt: generation, deadline: generation + health.options.pauseAndFix.graceChurns
        })
      default: {
        const unknown: never = verdict
        throw new RangeError(`unknown dysfunction verdict ${JSON.stringify(unknown)}`)
      }
    }
  }

  /**
   * Why this elder would not sign another's Pause, Resume or Demote: its own audits must call for
   * the same decision, with the same deadline or reason. A Pause's reasons are the proposer's own
   * findings and may word this elder's differently.
   */
  #standingObjection (proposal: Proposal, kind: StandingKind): string | undefined {
    const due = this.#standingDue(proposal.subject)
    const whom = `${proposal.subject.slice(0, 16)}...`
    if (due === undefined) return `this elder's audits call for no ${kind} of ${whom}`
    if (due.kind !== kind) return `this elder's audits call for a ${due.kind} of ${whom}, not a ${kind}`
    const differs = (['pausedAt', 'deadline', 'reason', 'rejoinAge'] as const).find(key => proposal.payload[key] !== due.payload[key])
    if (differs !== undefined) return `a ${kind} of ${whom} whose ${differs} is ${String(proposal.payload[differs])}, not ${String(due.payload[differs])}`
    if (kind === 'pause' && !(Array.isArray(proposal.payload.reasons) && proposal.payload.reasons.length > 0)) return `a pause of ${whom} without reasons`
    return undefined
  }

  /** The era after the active one, unless that one is already decided and waiting for its epoch. */
  #nextEra (): number | undefined {
    const { activeEra, generation } = this.#init.membership
    return activeEra.effectiveFromEpoch > generation ? undefined : activeEra.era + 1
  }

  #eraReady (era: number): boolean {
    return eraActivationReady(this.#eraInput(era)).ready
  }

  #eraInput (era: number): { era: number, members: MemberEraSupport[], elders: string[] } {
    const { membership } = this.#init
    // A member that has not said which eras it supports counts as supporting none beyond the first.
    const members = [...membership.members].map(name => ({ name, supportsEras: this.#eraSupport.get(name) ?? [] }))
    return { era, members, elders: [...membership.elders] }
  }
}
