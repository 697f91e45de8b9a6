// How many churns until the network relocates this vault (issue 3, deliver 7), from the relocation
// rule of DESIGN §2 as node-core/section/rules/relocation.ts implements it (the renderer may not
// import node-core, so the rule's numbers are restated here and a unit test checks this module
// against the real rule by Monte Carlo):
//   - a member of age A qualifies when the churn ID has at least A trailing zero bits (2^-A);
//   - only the highest qualifying age class moves, joiners of the decision excluded;
//   - at most min(3, members - 14) move, nothing below 14 members;
//   - within the class, the nearest by XOR distance to SHA3(churn ID) move first.
// Assumptions: churn ID bits are uniform (SHA3 of unique threshold signatures); the membership stays
// as listed; names are uniform apart from their age byte, so this vault is equally likely to hold
// any rank in its class's tie-break (for one fixed set of names the real chance varies around it).
// Each churn is then an independent trial with chance p, so the expected number is 1/p.
import type { SectionStatus, VaultState } from '../../../../contract/host-api.ts'
import { whyNoSection } from '../section/section-text.ts'

/** DESIGN §2: nothing moves in a section of fewer members (2022 `RECOMMENDED_SECTION_SIZE`). */
export const RELOCATION_MIN_MEMBERS = 14
/** DESIGN §2: relocations per churn are at most min(3, members - 14). */
export const MAX_RELOCATIONS_PER_CHURN = 3

export type OutlookGap =
  /** The engine runs no section (a shadow engine, or one older than the section protocol). */
  | { reason: 'no-section' }
  /** The engine is not running (starting, restarting, failed or stopped): it reports no section. */
  | { reason: 'not-running' }
  | { reason: 'not-active', phase: Exclude<SectionStatus['phase'], 'active'> }
  /** The section is active but has not admitted this vault yet. */
  | { reason: 'not-member' }
  /** The cap min(3, members - 14) is 0: the section must grow to `needed` members first. */
  | { reason: 'too-few-members', memberCount: number, needed: number }

export type RelocationOutlook =
  | {
    kind: 'estimate'
    /** The chance that one churn relocates this vault. */
    perChurn: number
    /** 1 / perChurn. */
    expectedChurns: number
    /**
     * True when the member list was cut short (MAX_STATUS_MEMBERS) and unlisted members could share
     * this vault's age or lie between it and the next older class: both only lower the chance, so
     * the estimate is then a lower bound on the churns.
     */
    atLeast: boolean
  }
  | { kind: 'unavailable', gap: OutlookGap }

/** min(3, members - 14), and 0 below 14 members. */
export function relocationCap (memberCount: number): number {
  if (!Number.isInteger(memberCount) || memberCount < 0) throw new RangeError(`"memberCount" expected a non-negative integer, got ${memberCount}`)
  return Math.max(0, Math.min(MAX_RELOCATIONS_PER_CHURN, memberCount - RELOCATION_MIN_MEMBERS))
}

/**
 * The per-churn chance that a vault of `age` is relocated, given the other members' ages and the
 * section's size: P(its class is the highest qualifying) × P(it is within the cap in its class).
 * Its class is the highest qualifying when the churn ID has at least `age` trailing zero bits and
 * fewer than the next older member's age: 2^-age − 2^-next.
 */
export function relocationChance (age: number, otherAges: readonly number[], memberCount: number): number {
  for (const value of [age, ...otherAges]) {
    if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`"age" expected an integer 0..255, got ${value}`)
  }
  if (memberCount < otherAges.length + 1) throw new RangeError(`"memberCount" expected at least ${otherAges.length + 1}, got ${memberCount}`)
  const cap = relocationCap(memberCount)
  if (cap === 0) return 0
  const older = otherAges.filter(other => other > age)
  const classHighest = 2 ** -age - (older.length === 0 ? 0 : 2 ** -Math.min(...older))
  const classSize = 1 + otherAges.filter(other => other === age).length
  return classHighest * Math.min(cap, classSize) / classSize
}

/** The outlook for this vault from its status: an estimate, or why there is none. */
export function relocationOutlook (status: { name: string, age: number, state: VaultState, section: SectionStatus | null }): RelocationOutlook {
  const { section } = status
  if (section === null) return { kind: 'unavailable', gap: { reason: whyNoSection(status.state) } }
  if (section.phase !== 'active') return { kind: 'unavailable', gap: { reason: 'not-active', phase: section.phase } }
  if (!section.isMember) return { kind: 'unavailable', gap: { reason: 'not-member' } }
  if (relocationCap(section.memberCount) === 0) {
    return { kind: 'unavailable', gap: { reason: 'too-few-members', memberCount: section.memberCount, needed: RELOCATION_MIN_MEMBERS + 1 } }
  }
  // This vault's age is its own name's last byte: status.age, whatever the list says.
  const otherAges = section.members.filter(member => member.name !== status.name).map(member => member.age)
  const perChurn = relocationChance(status.age, otherAges, Math.max(section.memberCount, otherAges.length + 1))
  // Unlisted members are the youngest (the list is oldest first): they matter only at or above this age.
  const truncated = section.memberCount > section.members.length
  const youngestListed = Math.min(...section.members.map(member => member.age))
  const atLeast = truncated && youngestListed >= status.age
  return { kind: 'estimate', perChurn, expectedChurns: 1 / perChurn, atLeast }
}
