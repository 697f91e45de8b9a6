// A pure, deterministic in-memory network of sections that applies the Node Age rules (DESIGN §2)
// to a sequence of churn events, for the simulation tests. Everything random comes from one seeded
// PRNG. Two stand-ins keep it fast, and each is tested for real on its own:
// - a decision's signature is 96 PRNG bytes. In production it is the section's threshold BLS
//   signature; the rules only need it unique per decision and unpredictable, which both are;
// - key grinding is PRNG bytes with the wanted prefix and age byte (`grindKey` makes real keys).
import { ageOfName, assertAge, assertName } from '../../engine/identity/name.ts'
import { NEW_VAULT_AGE } from '../../engine/identity/identity-file.ts'
import { SIGNATURE_BYTES } from './churn.ts'
import { electElders, ELDER_COUNT } from './elders.ts'
import { withPrefix, sectionFor } from './prefix.ts'
import { createPrng, type Prng } from './prng.ts'
import { emptyNetworkStats, recordDecisionStats, type NetworkStats, type RefusalReason } from './network-stats.ts'
import { relocationGrindPrefix, selectRelocations, type Relocation, type RelocationSelection } from './relocation.ts'
import { createResourceChallenge, solveResourceChallenge, verifyResourceProof } from './resource-challenge.ts'
import { FULL_STORAGE_LEVEL, joinsAllowed, nextJoinsAllowed, splitIfReady } from './split.ts'

export type { AgeClassStats, NetworkStats, RefusalReason } from './network-stats.ts'

export interface ChurnWeights {
  /** A new vault asks to join the section its name falls in. */
  join: number
  /** A random vault leaves the network. */
  leave: number
  /** An adult of a random vault's section reports it is >= 90 % full. */
  storageFull: number
}

export interface NetworkModelOptions {
  seed: number | bigint
  /** One founding vault of each age listed, all in the genesis section. */
  founderAges: readonly number[]
  weights?: Partial<ChurnWeights>
  /**
   * How likely a vault of this age is to be the one leaving, relative to the others; uniform by
   * default. Node age rests on older vaults having proven more reliable, so a model may say so.
   */
  leaveWeightOfAge?: (age: number) => number
  /** Difficulty of each joiner's resource challenge; small, the model runs thousands of joins. */
  joinChallengeDifficulty?: number
  /** A bug guard: most relocated-in decisions one event may cascade into. */
  maxCascade?: number
}

/**
 * Join attempts outnumber leaves, but succeed only while a section needs storage, so the network
 * grows at about the rate of full reports and splits now and then. With joins no more frequent
 * than leaves and full reports combined, many openings go unused and the network dwindles.
 */
export const DEFAULT_CHURN_WEIGHTS: ChurnWeights = { join: 0.7, leave: 0.2, storageFull: 0.1 }

export type ChurnEvent =
  | { kind: 'join', name: Uint8Array }
  | { kind: 'leave', name: Uint8Array }
  | { kind: 'storage-full', prefix: string }

export type DecisionKind = 'joined' | 'left' | 'relocated-in'

export interface SplitRecord {
  parent: string
  children: [string, string]
  sizes: [number, number]
}

export interface DecisionRecord {
  /** Decisions so far, this one included. */
  index: number
  /** The deciding section, before any split this decision caused. */
  prefix: string
  kind: DecisionKind
  /** The vault that joined, left or arrived (by its new name). */
  subject: Uint8Array
  /** For a relocated-in decision, the vault's name before the move. */
  relocatedFrom: Uint8Array | undefined
  signatures: Uint8Array[]
  /** The section's members after the join or leave, before relocations. */
  members: Uint8Array[]
  joinedThisDecision: Uint8Array[]
  eldersBefore: Uint8Array[]
  selection: RelocationSelection
  /** Where each move lands: the section matching its destination when the decision was made. */
  destinationPrefixes: string[]
  splits: SplitRecord[]
  /** The deciding section after the decision, or the sections it split into. */
  after: SectionSnapshot[]
}

export type ApplyResult =
  | { accepted: true, decisions: DecisionRecord[] }
  | { accepted: false, reason: RefusalReason, decisions: [] }

export interface SectionSnapshot {
  prefix: string
  members: Uint8Array[]
  /** In rank order. */
  elders: Uint8Array[]
  joinsAllowed: boolean
}

interface SectionState {
  prefix: string
  members: Map<string, Uint8Array>
  elders: Uint8Array[]
  joinsAllowed: boolean
}

function hex (name: Uint8Array): string {
  return Buffer.from(name).toString('hex')
}

function snapshot (section: SectionState): SectionSnapshot {
  return { prefix: section.prefix, members: [...section.members.values()], elders: [...section.elders], joinsAllowed: section.joinsAllowed }
}

export class NetworkModel {
  readonly stats: NetworkStats
  private readonly prng: Prng
  private readonly weights: ChurnWeights
  /** Per age, 0 to 255, when leaves are weighted by age. */
  private readonly leaveWeights: number[] | undefined
  private readonly challengeDifficulty: number
  private readonly maxCascade: number
  private readonly sections = new Map<string, SectionState>()

  constructor (options: NetworkModelOptions) {
    this.prng = createPrng(options.seed)
    this.weights = { ...DEFAULT_CHURN_WEIGHTS, ...options.weights }
    for (const [kind, weight] of Object.entries(this.weights)) {
      if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`"weights.${kind}" expected a non-negative number, got ${weight}`)
    }
    if (this.weights.join + this.weights.leave + this.weights.storageFull <= 0) throw new RangeError('"weights" expected a positive sum')
    const weightOf = options.leaveWeightOfAge
    this.leaveWeights = weightOf === undefined
      ? undefined
      : Array.from({ length: 256 }, (_, age) => {
        const weight = weightOf(age)
        if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`"leaveWeightOfAge" expected a non-negative number for age ${age}, got ${weight}`)
        return weight
      })
    this.challengeDifficulty = options.joinChallengeDifficulty ?? 2
    this.maxCascade = options.maxCascade ?? 10_000
    this.stats = emptyNetworkStats()
    if (options.founderAges.length === 0) throw new RangeError('"founderAges" expected at least one founding vault')
    const genesis: SectionState = { prefix: '', members: new Map(), elders: [], joinsAllowed: true }
    for (const age of options.founderAges) {
      const name = this.nameFor('', age)
      genesis.members.set(hex(name), name)
    }
    this.sections.set('', genesis)
    this.splitOrElect(genesis)
  }

  memberCount (): number {
    let count = 0
    for (const section of this.sections.values()) count += section.members.size
    return count
  }

  prefixes (): string[] {
    return [...this.sections.keys()]
  }

  sectionSnapshots (): SectionSnapshot[] {
    return [...this.sections.values()].map(snapshot)
  }

  section (prefix: string): SectionSnapshot | undefined {
    const section = this.sections.get(prefix)
    return section === undefined ? undefined : snapshot(section)
  }

  /** A new vault's name: random bytes ending in age 5, as a joiner grinds it. */
  newVaultName (): Uint8Array {
    return this.nameFor('', NEW_VAULT_AGE)
  }

  /** The next event, drawn from the PRNG by the weights. */
  randomEvent (): ChurnEvent {
    const { join, leave, storageFull } = this.weights
    const draw = this.prng.nextFloat() * (join + leave + storageFull)
    if (draw < join || this.memberCount() <= 1) return { kind: 'join', name: this.newVaultName() }
    if (draw < join + leave) return { kind: 'leave', name: this.randomLeaver() }
    return { kind: 'storage-full', prefix: sectionFor(this.randomMember(), this.sections.keys()) }
  }

  step (): ApplyResult {
    return this.apply(this.randomEvent())
  }

  /** Applies one event and every relocation it sets off, so membership is settled on return. */
  apply (event: ChurnEvent): ApplyResult {
    switch (event.kind) {
      case 'join': {
        assertName(event.name)
        const section = this.sectionOf(event.name)
        if (ageOfName(event.name) !== NEW_VAULT_AGE) return this.refuse('wrong-age')
        if (this.isMember(event.name)) return this.refuse('already-member')
        if (!joinsAllowed(section.joinsAllowed, section.members.size)) return this.refuse('joins-disallowed')
        const challenge = createResourceChallenge({ difficulty: this.challengeDifficulty, randomBytes: length => this.prng.bytes(length) })
        verifyResourceProof(challenge, event.name, solveResourceChallenge(challenge, event.name))
        this.stats.joins++
        return { accepted: true, decisions: this.decideWithCascade(section, 'joined', event.name, undefined) }
      }
      case 'leave': {
        const section = this.sectionOf(event.name)
        if (!section.members.has(hex(event.name))) throw new RangeError(`"name" ${hex(event.name)} is not a member`)
        this.stats.leaves++
        return { accepted: true, decisions: this.decideWithCascade(section, 'left', event.name, undefined) }
      }
      case 'storage-full': {
        const section = this.sections.get(event.prefix)
        if (section === undefined) throw new RangeError(`"prefix" "${event.prefix}" is not a section`)
        if (section.members.size <= ELDER_COUNT) return this.refuse('no-adult-to-report')
        // A JoinsAllowed proposal, not a membership change: no churn, no relocation.
        section.joinsAllowed = nextJoinsAllowed(section.joinsAllowed, { kind: 'storage-level', level: FULL_STORAGE_LEVEL })
        return { accepted: true, decisions: [] }
      }
      default: {
        const unknown: never = event
        throw new TypeError(`unknown churn event ${JSON.stringify(unknown)}`)
      }
    }
  }

  private refuse (reason: RefusalReason): ApplyResult {
    this.stats.refused[reason]++
    return { accepted: false, reason, decisions: [] }
  }

  private nameFor (prefix: string, age: number): Uint8Array {
    assertAge(age)
    const name = withPrefix(this.prng.bytes(32), prefix)
    name[31] = age
    return name
  }

  private randomMember (): Uint8Array {
    let index = this.prng.nextInt(this.memberCount())
    for (const section of this.sections.values()) {
      for (const name of section.members.values()) {
        if (index === 0) return name
        index--
      }
    }
    throw new RangeError('no member to pick')
  }

  private randomLeaver (): Uint8Array {
    const weights = this.leaveWeights
    if (weights === undefined) return this.randomMember()
    let total = 0
    for (const section of this.sections.values()) {
      for (const name of section.members.values()) total += weights[ageOfName(name)] ?? 0
    }
    if (total <= 0) throw new RangeError('"leaveWeightOfAge" gave every member weight 0')
    let draw = this.prng.nextFloat() * total
    let last: Uint8Array | undefined
    for (const section of this.sections.values()) {
      for (const name of section.members.values()) {
        const weight = weights[ageOfName(name)] ?? 0
        if (weight === 0) continue
        last = name
        draw -= weight
        if (draw < 0) return name
      }
    }
    // Rounding can leave a sliver past the end: it goes to the last member with weight.
    if (last === undefined) throw new RangeError('no member to pick')
    return last
  }

  private sectionOf (name: Uint8Array): SectionState {
    const prefix = sectionFor(name, this.sections.keys())
    const section = this.sections.get(prefix)
    if (section === undefined) throw new RangeError(`no section "${prefix}"`)
    return section
  }

  private isMember (name: Uint8Array): boolean {
    return this.sectionOf(name).members.has(hex(name))
  }

  /** The event's decision, then each relocated vault's arrival, first in first out. */
  private decideWithCascade (section: SectionState, kind: DecisionKind, subject: Uint8Array, relocatedFrom: Uint8Array | undefined): DecisionRecord[] {
    const records = [this.decide(section, kind, subject, relocatedFrom)]
    const pending: Relocation[] = [...(records[0]?.selection.moves ?? [])]
    for (let arrival = pending.shift(); arrival !== undefined; arrival = pending.shift()) {
      if (records.length > this.maxCascade) throw new RangeError(`relocations cascaded past ${this.maxCascade} decisions`)
      // The vault grinds its new key when it arrives, against the sections as they are then.
      const destination = this.sectionOf(arrival.destination)
      const newName = this.nameFor(relocationGrindPrefix(arrival.destination, destination.prefix), arrival.newAge)
      const record = this.decide(destination, 'relocated-in', newName, arrival.oldName)
      records.push(record)
      pending.push(...record.selection.moves)
    }
    return records
  }

  /** DESIGN §2 after a decision: apply it, switch joins, relocate, then split or re-elect elders. */
  private decide (section: SectionState, kind: DecisionKind, subject: Uint8Array, relocatedFrom: Uint8Array | undefined): DecisionRecord {
    const signatures = [this.prng.bytes(SIGNATURE_BYTES)]
    const eldersBefore = [...section.elders]
    if (kind === 'left') {
      section.members.delete(hex(subject))
      section.joinsAllowed = nextJoinsAllowed(section.joinsAllowed, { kind: 'left' })
    } else {
      section.members.set(hex(subject), subject)
      section.joinsAllowed = nextJoinsAllowed(section.joinsAllowed, { kind: 'joined' })
    }
    const members = [...section.members.values()]
    const joinedThisDecision = kind === 'left' ? [] : [subject]
    const selection = selectRelocations({ members, signatures, joinedThisDecision })
    const prefixes = [...this.sections.keys()]
    const destinationPrefixes = selection.moves.map(move => sectionFor(move.destination, prefixes))
    for (const move of selection.moves) {
      section.members.delete(hex(move.oldName))
      section.joinsAllowed = nextJoinsAllowed(section.joinsAllowed, { kind: 'left' })
    }
    recordDecisionStats(this.stats, members, joinedThisDecision, selection)
    const { splits, sections } = this.splitOrElect(section)
    this.stats.decisions++
    return {
      index: this.stats.decisions,
      prefix: section.prefix,
      kind,
      subject,
      relocatedFrom,
      signatures,
      members,
      joinedThisDecision,
      eldersBefore,
      selection,
      destinationPrefixes,
      splits,
      after: sections.map(snapshot)
    }
  }

  /**
   * Reference §3: try a split first; each child elects its elders from its own half, with the
   * parent's elders first on age ties. A child that can split again does so at once (production
   * would wait for the child's own DKG), so no section is ever left splittable.
   */
  private splitOrElect (section: SectionState): { splits: SplitRecord[], sections: SectionState[] } {
    const members = [...section.members.values()]
    const halves = splitIfReady({ prefix: section.prefix, members })
    if (halves === undefined) {
      section.elders = electElders(members, section.elders)
      return { splits: [], sections: [section] }
    }
    this.sections.delete(section.prefix)
    this.stats.splits++
    const [zero, one] = halves
    const splits: SplitRecord[] = [{ parent: section.prefix, children: [zero.prefix, one.prefix], sizes: [zero.members.length, one.members.length] }]
    const sections: SectionState[] = []
    for (const half of halves) {
      const child: SectionState = {
        prefix: half.prefix,
        members: new Map(half.members.map(name => [hex(name), name])),
        elders: section.elders,
        joinsAllowed: section.joinsAllowed
      }
      this.sections.set(child.prefix, child)
      const result = this.splitOrElect(child)
      splits.push(...result.splits)
      sections.push(...result.sections)
    }
    return { splits, sections }
  }
}

export function createNetworkModel (options: NetworkModelOptions): NetworkModel {
  return new NetworkModel(options)
}
