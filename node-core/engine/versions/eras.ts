// Eras (DESIGN §2, versions and eras): network-wide behaviour changes. Elders sign an era's
// activation once enough of the section runs a release that supports it (default 80% of members
// and 5 of 7 elders), effective from a later churn epoch so every vault sees it coming. A vault
// that does not support the active era stops with an explicit "upgrade required" error.
// Epochs are the section's membership generations: each churn event moves the section on by one.
import { z } from 'zod'
import { SUPPORTED_ERAS } from '../eras.ts'
import { electElders, supermajority, ELDER_COUNT } from '../../section/rules/elders.ts'
import { parseProposal, type Decision, type Proposal } from '../../section/crypto/decisions.ts'
import { namedError } from '../../../contract/named-error.ts'
import type { EraNotice } from '../../../contract/host-api.ts'

export interface EraSupportThreshold {
  /** Fraction of members whose release supports the era, inclusive (0.8 = at least 80%). */
  members: number
  /** Elders whose release supports the era, inclusive. */
  elders: number
}

/** DESIGN §2: 80% of members and 5 of 7 elders (the section's supermajority). */
export const DEFAULT_ERA_THRESHOLD: EraSupportThreshold = { members: 0.8, elders: supermajority(ELDER_COUNT) }
export const MIN_ACTIVATION_DELAY_EPOCHS = 1

export interface MemberEraSupport {
  /** The member's name, as lowercase hex. */
  name: string
  /** The eras its release supports, from its engine version. */
  supportsEras: readonly number[]
}

export interface EraActivationInput {
  era: number
  members: readonly MemberEraSupport[]
  /** The elders' names; each must be a member. */
  elders: readonly string[]
  threshold?: EraSupportThreshold
}

export interface EraActivationReadiness {
  ready: boolean
  reason: string
  supportingMembers: number
  supportingElders: number
}

export interface ActiveEra {
  era: number
  effectiveFromEpoch: number
}

export class EraNotReadyError extends namedError('EraNotReadyError') {}
export class UnsupportedEraError extends namedError('UnsupportedEraError') {}

function assertEra (era: number, label = 'era'): void {
  if (!Number.isSafeInteger(era)) throw new TypeError(`"${label}" expected an integer, got ${String(era)}`)
  if (era < 1) throw new RangeError(`"${label}" expected an era number of at least 1, got ${era}`)
}

function assertEpoch (epoch: number, label: string): void {
  if (!Number.isSafeInteger(epoch)) throw new TypeError(`"${label}" expected an integer, got ${String(epoch)}`)
  if (epoch < 0) throw new RangeError(`"${label}" expected a non-negative epoch, got ${epoch}`)
}

export function eraActivationReady (input: EraActivationInput): EraActivationReadiness {
  const { era, members, elders } = input
  const threshold = input.threshold ?? DEFAULT_ERA_THRESHOLD
  assertEra(era)
  if (!(threshold.members > 0 && threshold.members <= 1)) throw new RangeError(`"threshold.members" expected a fraction in (0, 1], got ${threshold.members}`)
  if (!Number.isInteger(threshold.elders) || threshold.elders < 1) throw new RangeError(`"threshold.elders" expected a positive integer, got ${threshold.elders}`)
  const byName = new Map<string, MemberEraSupport>()
  for (const member of members) {
    if (byName.has(member.name)) throw new RangeError(`"members" lists ${member.name} twice`)
    byName.set(member.name, member)
  }
  const supports = (member: MemberEraSupport | undefined): boolean => member?.supportsEras.includes(era) === true
  const supportingMembers = members.filter(member => supports(member)).length
  const supportingElders = elders.filter(name => {
    if (!byName.has(name)) throw new RangeError(`"elders" lists ${name}, which is not a member`)
    return supports(byName.get(name))
  }).length
  const percent = members.length === 0 ? 0 : (100 * supportingMembers) / members.length
  const counts = `${supportingMembers} of ${members.length} members (${percent.toFixed(1)}%) and ${supportingElders} of ${elders.length} elders support era ${era}`
  // Integer cross-multiplication would need the fraction as a ratio; the quotient of two small
  // integers rounds to the same double as the literal it equals (4/5 === 0.8), so this is exact
  // at the boundary.
  const membersHold = members.length > 0 && supportingMembers / members.length >= threshold.members
  const eldersHold = supportingElders >= threshold.elders
  if (membersHold && eldersHold) return { ready: true, reason: `${counts}: the thresholds hold`, supportingMembers, supportingElders }
  const short = [
    ...(membersHold ? [] : [`members need at least ${100 * threshold.members}%`]),
    ...(eldersHold ? [] : [`elders need at least ${threshold.elders}`])
  ]
  return { ready: false, reason: `${counts}: ${short.join(' and ')}`, supportingMembers, supportingElders }
}

export interface EraActivationProposalInput extends EraActivationInput {
  /** The section's current membership generation, the proposal's generation. */
  generation: number
  sectionPrefix: string
  currentEpoch: number
  /** Epochs between the decision and the era taking effect; at least 1. */
  delay?: number
}

export function eraSubject (era: number): string {
  return `era-${era}`
}

/**
 * The proposal elders vote on to activate an era, effective from currentEpoch + delay. Refuses
 * (EraNotReadyError) while the support thresholds do not hold.
 */
export function eraActivationProposal (input: EraActivationProposalInput): Proposal {
  const delay = input.delay ?? MIN_ACTIVATION_DELAY_EPOCHS
  assertEpoch(input.currentEpoch, 'currentEpoch')
  if (!Number.isSafeInteger(delay) || delay < MIN_ACTIVATION_DELAY_EPOCHS) {
    throw new RangeError(`"delay" expected an integer of at least ${MIN_ACTIVATION_DELAY_EPOCHS} epoch (effective from a later epoch), got ${String(delay)}`)
  }
  const readiness = eraActivationReady(input)
  if (!readiness.ready) throw new EraNotReadyError(`era ${input.era} cannot be activated yet: ${readiness.reason}`)
  return parseProposal({
    kind: 'era-activation',
    subject: eraSubject(input.era),
    generation: input.generation,
    sectionPrefix: input.sectionPrefix,
    payload: { era: input.era, effectiveFromEpoch: input.currentEpoch + delay }
  })
}

const EraActivationPayloadSchema = z.object({
  era: z.number().int().min(1),
  effectiveFromEpoch: z.number().int().min(1)
}).strict()

/** The active era a decision activates. The decision must already be verified (verifyDecision). */
export function activeEraFromDecision (decision: Decision): ActiveEra {
  const { proposal } = decision
  if (proposal.kind !== 'era-activation') throw new RangeError(`"decision" expected an era-activation, got ${proposal.kind}`)
  const parsed = EraActivationPayloadSchema.safeParse(proposal.payload)
  if (!parsed.success) throw new RangeError(`"decision" era-activation payload: ${z.prettifyError(parsed.error)}`)
  if (proposal.subject !== eraSubject(parsed.data.era)) {
    throw new RangeError(`"decision" subject ${proposal.subject} does not name era ${parsed.data.era}`)
  }
  return parsed.data
}


/** Stops a vault that does not support the active era, instead of letting it misbehave. */
export class ActiveEraGuard {
  readonly active: ActiveEra
  readonly supportedEras: readonly number[]

  constructor (active: ActiveEra, supportedEras: readonly number[] = SUPPORTED_ERAS) {
    assertEra(active.era, 'active.era')
    assertEpoch(active.effectiveFromEpoch, 'active.effectiveFromEpoch')
    if (supportedEras.length < 1 || supportedEras.length > 2) {
      // DESIGN §2: a release supports at most two eras.
      throw new RangeError(`"supportedEras" expected one or two eras, got ${supportedEras.length}`)
    }
    for (const era of supportedEras) assertEra(era, 'supportedEras')
    this.active = { ...active }
    this.supportedEras = [...supportedEras]
  }

  get supported (): boolean {
    return this.supportedEras.includes(this.active.era)
  }

  isEffective (currentEpoch: number): boolean {
    assertEpoch(currentEpoch, 'currentEpoch')
    return currentEpoch >= this.active.effectiveFromEpoch
  }

  /** Throws UnsupportedEraError once an era this vault does not support is in effect. */
  check (currentEpoch: number): void {
    if (this.isEffective(currentEpoch) && !this.supported) {
      throw new UnsupportedEraError(`upgrade required: this vault supports eras [${this.supportedEras.join(', ')}] but era ${this.active.era} is active since epoch ${this.active.effectiveFromEpoch}`)
    }
  }

  /** What the host should show, if anything: what is wrong, what it costs, how to fix it. */
  notice (currentEpoch: number): EraNotice | undefined {
    if (this.supported) return undefined
    const eras = `This vault supports eras [${this.supportedEras.join(', ')}]`
    if (!this.isEffective(currentEpoch)) {
      return {
        level: 'warning',
        text: `Upgrade required soon: ${eras}, but its section activated era ${this.active.era} from epoch ${this.active.effectiveFromEpoch} (now ${currentEpoch}). ` +
          'When it takes effect this vault will stop, and earn nothing until it is upgraded. Install the latest release before then.'
      }
    }
    return {
      level: 'error',
      text: `Upgrade required: ${eras}, but era ${this.active.era} is active since epoch ${this.active.effectiveFromEpoch}. ` +
        'The vault has stopped rather than misbehave: it earns nothing and its peers stop trusting it while stopped. Install the latest release to restart it.'
    }
  }
}

/**
 * The members that may be elected elder: those not found outdated (DESIGN §2: a peer older than
 * the two protocol versions we speak is never chosen as elder). Feed the result to electElders.
 */
export function electableMembers (members: readonly Uint8Array[], isOutdated: (name: Uint8Array) => boolean): Uint8Array[] {
  return members.filter(name => !isOutdated(name))
}

/** electElders over the electable members only. */
export function electCurrentElders (members: readonly Uint8Array[], currentElders: readonly Uint8Array[], isOutdated: (name: Uint8Array) => boolean): Uint8Array[] {
  return electElders(electableMembers(members, isOutdated), currentElders)
}
