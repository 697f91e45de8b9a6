// What a vault holds of its section once the section exists: the verified chain of section keys,
// the elders, the membership generation, the members, the active era and the members paused now.
// A member counts a vault, an era or a pause only through a decision that verifies against the
// chain (verifyDecision), for this section and this generation. A demoted member is removed, and
// the name it was demoted under may not join again: it rejoins once, under a new name of half its
// age that its old key signed (section/rules/demotion-proof.ts).
// A vault with no state yet, or one that missed decisions, takes a statement signed by a
// supermajority of the elders (statements.ts) instead, checking the decision that statement names.
// Every decision is a churn: the members its churn ID qualifies move by the relocation rule
// (section/rules/relocation.ts), leaving under their old names; each rejoins under a new name of
// age + 1 with a proof the elders check against the decision kept here.
import { hexToBytes } from '@noble/curves/utils.js'
import { SectionChain, verifyChain, type SectionChainData } from '../../section/crypto/section-chain.ts'
import { electElders } from '../../section/rules/elders.ts'
import { joinsAllowed, nextJoinsAllowed } from '../../section/rules/split.ts'
import { decodeRelocationProof, selectRelocations, verifyRelocationProof, type KnownDecision, type Relocation } from '../../section/rules/relocation.ts'
import { verifyDecision, type Decision, type DecisionProblem, type DecisionVerification } from '../../section/crypto/decisions.ts'
import { publicKeyFromHex, publicKeyToHex, type G1Point } from '../../section/crypto/threshold-bls.ts'
import { pauseNoticeFromDecision, rejoinAge, type PauseNotice } from '../../section/economy/pause-and-fix.ts'
import { ageOfHexName, nameToBytes, nameToHex } from './known-vaults.ts'
import { activeEraFromDecision, type ActiveEra } from '../versions/eras.ts'
import { decodeDemotionProof, verifyDemotionProof } from '../../section/rules/demotion-proof.ts'
import type { HandoverTarget } from './handover-proposal.ts'
import { ignored, violation, type DemotionProofWire, type RelocationProofWire, type SectionReceipt } from './section-messages.ts'
import { membersDigest, type SectionStatement } from './statements.ts'

/** A handover the elders decided (elder-handover.ts), waiting for the old key's signature over the new one. */
export interface PendingHandover {
  key: string
  elders: readonly string[]
  decision: Decision
}

export type DecisionOutcome =
  | { applied: true, decision: Decision }
  | { applied: false, problem: DecisionProblem | 'unsupported-kind' | 'already-member' | 'wrong-era' | 'wrong-standing', reason: string }

export type StatementOutcome =
  | { adopted: true, /** The verified decision that produced the statement's generation. */ decision: Decision | undefined }
  | { adopted: false, reason: string, /** A statement this vault already holds, or an older one: no fault. */ stale: boolean }

/** Relocating decisions kept for checking the moved vaults' proofs when they rejoin: the oldest go first. */
export const MAX_KNOWN_RELOCATIONS = 256

/** Every section starts in the first era, in effect from its genesis. */
export const FIRST_ERA: ActiveEra = { era: 1, effectiveFromEpoch: 0 }

export class SectionMembership {
  readonly prefix: string
  #chain: SectionChain
  #elders: string[]
  #generation: number
  #members: Set<string>
  #eraDecision: Decision | null
  /** The section's joins switch (section/rules/split.ts): off after each join, on after a member leaves or moves away. */
  #joinsOn: boolean
  /** Members paused now, each with the signed notice of its pause. */
  #paused: Map<string, PauseNotice>
  /**
   * Names demoted, or that left, by a decision this vault applied, with the age each may rejoin at,
   * the decision and, once it has, the name it rejoined under.
   */
  readonly #removed = new Map<string, { rejoinAge: number, decision: Decision, rejoinedAs?: string }>()
  /** Members moved by a decision this vault applied, by old name, with that decision. */
  readonly #relocated = new Map<string, KnownDecision>()
  #lastRelocations: Relocation[] = []
  /** The handover decided and not yet linked into the chain: the next key, and the elders that hold it. */
  #pendingHandover: PendingHandover | undefined
  #handoverTarget: { state: string, target: HandoverTarget | undefined } | undefined
  /** A Rekey was decided for the current key: the same elders key again (rekey.ts). */
  #rekeyDue = false

  private constructor (prefix: string, chain: SectionChain, elders: string[], generation: number, members: Set<string>, eraDecision: Decision | null, paused: Map<string, PauseNotice>, joinsOn: boolean) {
    this.prefix = prefix
    this.#joinsOn = joinsOn
    this.#chain = chain
    this.#elders = elders
    this.#generation = generation
    this.#members = members
    this.#eraDecision = eraDecision
    this.#paused = paused
  }

  /**
   * The section as a statement describes it, for a vault that knows nothing of it yet: the chain
   * starts at the statement's genesis key, which the elders' signatures vouch for.
   */
  static fromStatement (statement: SectionStatement, members: readonly string[]): { ok: true, membership: SectionMembership } | { ok: false, reason: string } {
    let genesis
    try {
      genesis = publicKeyFromHex(statement.chain.genesisKey)
    } catch (err) {
      return { ok: false, reason: `the statement's genesis key is invalid: ${(err as Error).message}` }
    }
    const checked = checkStatement(genesis, statement, members)
    if (!checked.ok) return checked
    return { ok: true, membership: new SectionMembership(statement.prefix, checked.chain, [...statement.elders], statement.generation, new Set(members), statement.eraDecision, checked.paused, statement.joinsOn) }
  }

  get chain (): SectionChain { return this.#chain }
  get sectionKey (): string { return publicKeyToHex(this.#chain.latestKey) }
  get elders (): readonly string[] { return this.#elders }
  get generation (): number { return this.#generation }
  get members (): ReadonlySet<string> { return this.#members }
  /** The joins switch, as a statement carries it. */
  get joinsOn (): boolean { return this.#joinsOn }
  /** DESIGN §2: whether the section needs storage, so admits a new vault without an adult's report that it is full. */
  get joinsAllowed (): boolean { return joinsAllowed(this.#joinsOn, this.#members.size) }
  /** The decision that activated the current era; null while the section is in the first era. */
  get eraDecision (): Decision | null { return this.#eraDecision }
  get activeEra (): ActiveEra { return this.#eraDecision === null ? FIRST_ERA : activeEraFromDecision(this.#eraDecision) }
  /** The signed pause of a member paused now. */
  pauseOf (name: string): PauseNotice | undefined { return this.#paused.get(name) }
  get pauseDecisions (): Decision[] { return [...this.#paused.values()].map(notice => notice.decision) }
  /** The members the latest decision this vault applied moved out, to rejoin at age + 1. */
  get lastRelocations (): readonly Relocation[] { return this.#lastRelocations }
  /**
   * Why a relocated joiner's proof is refused (section/rules/relocation.ts names each failure), or
   * undefined when it holds: `from` is the connection the request came on, so the new name.
   */
  checkRelocation (from: string, relocation: RelocationProofWire): SectionReceipt | undefined {
    if (relocation.newName !== from) return violation(`a relocation proof for ${relocation.newName.slice(0, 16)}... sent by ${from.slice(0, 16)}...`)
    const knownDecision = this.#relocated.get(relocation.oldName)
    if (knownDecision === undefined) return ignored(`no relocation of ${relocation.oldName.slice(0, 16)}... known to this vault`)
    try {
      verifyRelocationProof(decodeRelocationProof(relocation), { knownDecision, prefix: this.prefix })
    } catch (err) {
      return violation(`relocation proof refused: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`)
    }
    return undefined
  }

  /** The handover decided and waiting for its chain link; until it arrives the old elders stay the elders. */
  get pendingHandover (): PendingHandover | undefined { return this.#pendingHandover }

  /**
   * The handover due now, if one is: the elders the section should have (DESIGN §2: its 7 oldest
   * active members, current elders first on an age tie; a paused member serves nothing, so it is
   * not among them) differ from the elders holding its key, and none is decided yet. Worked out
   * once per generation and key: agendas ask on every proposal they weigh.
   */
  get handoverTarget (): HandoverTarget | undefined {
    const state = `${this.#generation}/${this.#chain.keys.length}`
    if (this.#handoverTarget?.state !== state) this.#handoverTarget = { state, target: this.#dueHandover() }
    return this.#handoverTarget.target
  }

  #dueHandover (): HandoverTarget | undefined {
    if (this.#pendingHandover !== undefined) return undefined
    const active = [...this.#members].filter(name => !this.#paused.has(name))
    const elected = electElders(active.map(nameToBytes), this.#elders.map(nameToBytes)).map(nameToHex)
    const current = new Set(this.#elders)
    if (elected.length === current.size && elected.every(elder => current.has(elder))) {
      return this.#rekeyDue ? { prefix: this.prefix, elected: [...this.#elders], sectionKey: this.sectionKey } : undefined
    }
    return { prefix: this.prefix, elected, sectionKey: this.sectionKey }
  }

  /**
   * Completes the pending handover from a chain (from a chain link, or a statement's chain) that
   * extends this vault's and ends at the decided key: the new elders take over. The reason when it does not.
   */
  takeChain (data: SectionChainData): string | undefined {
    const pending = this.#pendingHandover
    if (pending === undefined) return 'no handover is pending'
    const verified = verifyChain(this.#chain.genesisKey, data)
    if (!verified.ok) return `the handover's chain: ${verified.reason}`
    const { chain } = verified
    const held = this.#chain.toData().links
    const links = chain.toData().links
    if (links.length !== held.length + 1 || held.some((link, i) => link.key !== links[i]?.key)) return 'a chain that does not extend this vault\'s by one link'
    if (publicKeyToHex(chain.latestKey) !== pending.key) return `a chain ending at ${publicKeyToHex(chain.latestKey).slice(0, 16)}..., not the decided key ${pending.key.slice(0, 16)}...`
    this.#chain = chain
    this.#elders = [...pending.elders]
    this.#pendingHandover = undefined
    this.#rekeyDue = false
    return undefined
  }

  /**
   * The Demote or Leave decision that removed `name`, while it has not rejoined: shown to it when it
   * asks to join under that name, so a vault that missed its removal learns it.
   */
  removalOf (name: string): Decision | undefined {
    const removed = this.#removed.get(name)
    return removed?.rejoinedAs === undefined ? removed?.decision : undefined
  }

  /** A decision of this section from any generation, checked against the section chain (a removal notice's). */
  verifyPastDecision (value: unknown): DecisionVerification {
    return verifyDecision(value, this.#chain, { sectionPrefix: this.prefix })
  }

  /** The age a demoted name, or one that left, may rejoin at under a new name. */
  removedRejoinAge (name: string): number | undefined { return this.#removed.get(name)?.rejoinAge }

  /**
   * Why a demoted joiner's proof is refused, or undefined when it holds: the Demote this vault
   * applied let the old name rejoin once, at its rejoin age, under a name its old key signed.
   */
  checkDemotion (from: string, demotion: DemotionProofWire): SectionReceipt | undefined {
    if (demotion.newName !== from) return violation(`a demotion proof for ${demotion.newName.slice(0, 16)}... sent by ${from.slice(0, 16)}...`)
    const demoted = this.#removed.get(demotion.oldName)
    if (demoted === undefined) return ignored(`no demotion or leave of ${demotion.oldName.slice(0, 16)}... known to this vault`)
    if (demoted.rejoinedAs !== undefined) return violation(`the removed name ${demotion.oldName.slice(0, 16)}... already rejoined as ${demoted.rejoinedAs.slice(0, 16)}...`)
    try {
      verifyDemotionProof(decodeDemotionProof(demotion), { rejoinAge: demoted.rejoinAge })
    } catch (err) {
      return violation(`demotion proof refused: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`)
    }
    return undefined
  }

  isMember (name: string): boolean {
    return this.#members.has(name)
  }

  /** Applies the current generation's decision (a join, leave, standing, era or handover), once it verifies against the chain. */
  applyDecision (value: unknown): DecisionOutcome {
    const verified = verifyDecision(value, this.#chain, { generation: this.#generation, sectionPrefix: this.prefix })
    if (!verified.ok) return { applied: false, problem: verified.problem, reason: verified.reason }
    const { decision } = verified
    const { kind, subject } = decision.proposal
    switch (kind) {
      case 'join':
        if (this.#members.has(subject)) return { applied: false, problem: 'already-member', reason: `${subject.slice(0, 16)}... is already a member` }
        this.#members.add(subject)
        this.#proofUsed(decision.proposal.payload, subject)
        // A founder the section expected, joining late, completes the genesis: it brings no join of its own.
        if (decision.proposal.payload.expectedFounder !== true) this.#joinsOn = nextJoinsAllowed(this.#joinsOn, { kind: 'joined' })
        break
      case 'era-activation': {
        let era: ActiveEra
        try {
          era = activeEraFromDecision(decision)
        } catch (err) {
          return { applied: false, problem: 'malformed', reason: (err as Error).message }
        }
        const next = this.activeEra.era + 1
        if (era.era !== next) return { applied: false, problem: 'wrong-era', reason: `an activation of era ${era.era}, but the next era is ${next}` }
        this.#eraDecision = decision
        break
      }
      case 'pause': {
        if (!this.#members.has(subject) || this.#paused.has(subject)) return { applied: false, problem: 'wrong-standing', reason: `a pause of ${subject.slice(0, 16)}..., which is not an active member` }
        let notice: PauseNotice
        try {
          notice = pauseNoticeFromDecision(decision)
        } catch (err) {
          return { applied: false, problem: 'malformed', reason: (err as Error).message }
        }
        this.#paused.set(subject, notice)
        break
      }
      case 'resume':
        if (!this.#paused.delete(subject)) return { applied: false, problem: 'wrong-standing', reason: `a resume of ${subject.slice(0, 16)}..., which is not paused` }
        break
      case 'demote':
      case 'leave':
        if (!this.#members.delete(subject)) return { applied: false, problem: 'wrong-standing', reason: `a ${kind} of ${subject.slice(0, 16)}..., which is not a member` }
        this.#paused.delete(subject)
        this.#removed.set(subject, { rejoinAge: rejoinAge(ageOfHexName(subject)), decision })
        this.#joinsOn = nextJoinsAllowed(this.#joinsOn, { kind: 'left' })
        break
      case 'handover': {
        const elders = decision.proposal.payload.elders
        if (!Array.isArray(elders) || elders.length === 0 || elders.some(elder => !this.#members.has(elder))) {
          return { applied: false, problem: 'malformed', reason: 'a handover whose elders are not all members' }
        }
        this.#pendingHandover = { key: subject, elders, decision }
        break
      }
      case 'rekey':
        if (!this.#elders.includes(subject) || decision.proposal.payload.sectionKey !== this.sectionKey || this.#pendingHandover !== undefined) {
          return { applied: false, problem: 'malformed', reason: 'a rekey of a key other than the current one, or for a vault that is not an elder' }
        }
        this.#rekeyDue = true
        break
      case 'relocate':
        return { applied: false, problem: 'unsupported-kind', reason: 'a relocate decision: the section relocates by the rule after each decision, never by a decision of its own' }
      default: {
        const unknown: never = kind
        return { applied: false, problem: 'unsupported-kind', reason: `an unknown decision kind ${String(unknown)}` }
      }
    }
    this.#generation++
    this.#lastRelocations = this.#relocate(decision)
    if (this.#lastRelocations.length > 0) this.#joinsOn = nextJoinsAllowed(this.#joinsOn, { kind: 'left' })
    return { applied: true, decision }
  }

  /** A relocation or demotion proof admits one new name: a second name its old key signed is refused. */
  #proofUsed (payload: Decision['proposal']['payload'], subject: string): void {
    const { relocatedFrom, demotedFrom } = payload
    if (typeof relocatedFrom === 'string') this.#relocated.delete(relocatedFrom)
    const demoted = typeof demotedFrom === 'string' ? this.#removed.get(demotedFrom) : undefined
    if (demoted !== undefined) demoted.rejoinedAs = subject
  }

  /**
   * The relocation rule after a decision (DESIGN §2): below 14 members nothing moves. A paused
   * member stays where it is: it holds no data it serves. A moved elder is no longer a member, so a
   * handover is due; it stays one of the elders holding the key until the handover's chain link
   * (SectionNode holds its move back till then), so the section keeps its 7 voters.
   */
  #relocate (decision: Decision): Relocation[] {
    const signatures = [hexToBytes(decision.signature)]
    const { kind, subject } = decision.proposal
    const selection = selectRelocations({
      members: [...this.#members].map(nameToBytes),
      signatures,
      joinedThisDecision: kind === 'join' ? [nameToBytes(subject)] : []
    })
    const moves = selection.moves.filter(move => !this.#paused.has(nameToHex(move.oldName)))
    const known: KnownDecision = { signatures, relocated: moves.map(move => move.oldName) }
    for (const move of moves) {
      const name = nameToHex(move.oldName)
      this.#members.delete(name)
      this.#relocated.set(name, known)
      for (const oldest of this.#relocated.keys()) {
        if (this.#relocated.size <= MAX_KNOWN_RELOCATIONS) break
        this.#relocated.delete(oldest)
      }
    }
    return moves
  }

  /** Moves to a newer generation that a supermajority of the elders signed. */
  adoptStatement (statement: SectionStatement, members: readonly string[]): StatementOutcome {
    if (statement.prefix !== this.prefix) return { adopted: false, reason: `a statement for section "${statement.prefix}", not "${this.prefix}"`, stale: false }
    if (statement.generation <= this.#generation) return { adopted: false, reason: `a statement for generation ${statement.generation}, this vault is at ${this.#generation}`, stale: true }
    // The usual case is the next generation: its decision is then checked once, by applyDecision.
    const next = statement.generation === this.#generation + 1 && statement.lastDecision !== null
    const checked = checkStatement(this.#chain.genesisKey, statement, members, { verifyDecision: !next })
    if (!checked.ok) return { adopted: false, reason: checked.reason, stale: false }
    if (next) {
      const outcome = this.applyDecision(statement.lastDecision)
      if (!outcome.applied) return { adopted: false, reason: outcome.reason, stale: false }
    } else {
      // Decisions skipped over: their relocations are not known here, only their outcome in the member list.
      this.#lastRelocations = []
    }
    this.#chain = checked.chain
    this.#elders = [...statement.elders]
    this.#generation = statement.generation
    this.#members = new Set(members)
    this.#eraDecision = statement.eraDecision
    this.#paused = checked.paused
    this.#joinsOn = statement.joinsOn
    // The statement's chain may already hold the key its handover named, or not yet.
    const last = statement.lastDecision
    this.#rekeyDue = last?.proposal.kind === 'rekey' && last.proposal.payload.sectionKey === this.sectionKey
    this.#pendingHandover = last?.proposal.kind === 'handover' && !this.#chain.keys.some(key => publicKeyToHex(key) === last.proposal.subject)
      ? { key: last.proposal.subject, elders: [...(Array.isArray(last.proposal.payload.elders) ? last.proposal.payload.elders : [])], decision: last }
      : undefined
    return { adopted: true, decision: last ?? undefined }
  }
}

/** The statement's chain verified from `genesis`, its member list matching its digest, its decision verified. */
function checkStatement (genesis: G1Point, statement: SectionStatement, members: readonly string[], options: { verifyDecision: boolean } = { verifyDecision: true }): { ok: true, chain: SectionChain, paused: Map<string, PauseNotice> } | { ok: false, reason: string } {
  const chain = verifyChain(genesis, statement.chain)
  if (!chain.ok) return { ok: false, reason: `the statement's section chain: ${chain.reason}` }
  if (membersDigest(members) !== statement.membersDigest) return { ok: false, reason: 'the member list does not match the digest the elders signed' }
  // An elder need not be in the member list: one the section moved or demoted holds its key share
  // until the handover it made due.
  const last = statement.lastDecision
  if (last?.proposal.kind === 'join' && !members.includes(last.proposal.subject)) return { ok: false, reason: 'the statement\'s decision admits a vault missing from its member list' }
  if (last !== null && options.verifyDecision) {
    const verified = verifyDecision(last, chain.chain, { generation: statement.generation - 1, sectionPrefix: statement.prefix })
    if (!verified.ok) return { ok: false, reason: `the statement's decision: ${verified.reason}` }
  }
  const era = statement.eraDecision
  if (era !== null) {
    const verified = verifyDecision(era, chain.chain, { generation: era.proposal.generation, sectionPrefix: statement.prefix })
    if (!verified.ok) return { ok: false, reason: `the statement's era decision: ${verified.reason}` }
    try {
      activeEraFromDecision(verified.decision)
    } catch (err) {
      return { ok: false, reason: `the statement's era decision: ${(err as Error).message}` }
    }
  }
  const paused = new Map<string, PauseNotice>()
  for (const pause of statement.pauseDecisions) {
    const verified = verifyDecision(pause, chain.chain, { generation: pause.proposal.generation, sectionPrefix: statement.prefix })
    if (!verified.ok) return { ok: false, reason: `the statement's pause of ${pause.proposal.subject.slice(0, 16)}...: ${verified.reason}` }
    if (!members.includes(pause.proposal.subject)) return { ok: false, reason: 'the statement pauses a vault missing from its member list' }
    try {
      paused.set(pause.proposal.subject, pauseNoticeFromDecision(verified.decision))
    } catch (err) {
      return { ok: false, reason: `the statement's pause of ${pause.proposal.subject.slice(0, 16)}...: ${(err as Error).message}` }
    }
  }
  return { ok: true, chain: chain.chain, paused }
}

/**
 * What a decision that did not apply says of its sender: late copies, replays and decisions for a
 * generation not reached yet are no fault; one that does not verify is, since the sender vouched for it.
 */
export function decisionReceipt (outcome: Extract<DecisionOutcome, { applied: false }>): SectionReceipt {
  switch (outcome.problem) {
    case 'future-generation':
    case 'stale-generation':
    case 'already-member':
    case 'unsupported-kind':
    case 'wrong-era':
    case 'wrong-standing':
      return ignored(outcome.reason)
    case 'malformed':
    case 'wrong-section':
    case 'unknown-section-key':
    case 'bad-signature':
      return violation(`${outcome.problem}: ${outcome.reason}`)
    default: {
      const unknown: never = outcome.problem
      return violation(`unknown problem ${String(unknown)}`)
    }
  }
}
