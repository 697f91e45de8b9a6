// The network model's statistics (issue 3, "done means"): per age class, how often the class was
// present, qualified, was the highest qualifying class, and moved; and how many moves each churn made.
import { ageOfName } from '../../engine/identity/name.ts'
import { trailingZeroBits } from './churn.ts'
import type { RelocationSelection } from './relocation.ts'

export type RefusalReason = 'joins-disallowed' | 'wrong-age' | 'already-member' | 'no-adult-to-report'

export interface AgeClassStats {
  /** Decisions where the section had an eligible (not just joined) member of this age. */
  exposures: number
  /** Of those, the decisions whose churn ID qualified this age: expected 2^-age of them. */
  qualified: number
  /** Of those, the decisions where it was the highest qualifying class of a section of >= 14. */
  highest: number
  /** Eligible members of this age summed over decisions whose cap allowed a move. */
  memberExposures: number
  /** The squares of those per-decision counts summed: a class qualifies or not as a whole. */
  memberExposureSquares: number
  /** Members of this age relocated. */
  moved: number
}

export interface NetworkStats {
  decisions: number
  joins: number
  leaves: number
  refused: Record<RefusalReason, number>
  relocations: number
  splits: number
  /** movesPerChurn[k]: decisions that relocated k members. */
  movesPerChurn: number[]
  /** Indexed by age, 0 to 255. */
  ageClasses: AgeClassStats[]
}

export function emptyNetworkStats (): NetworkStats {
  return {
    decisions: 0,
    joins: 0,
    leaves: 0,
    refused: { 'joins-disallowed': 0, 'wrong-age': 0, 'already-member': 0, 'no-adult-to-report': 0 },
    relocations: 0,
    splits: 0,
    movesPerChurn: [],
    ageClasses: Array.from({ length: 256 }, () => ({ exposures: 0, qualified: 0, highest: 0, memberExposures: 0, memberExposureSquares: 0, moved: 0 }))
  }
}

/** Counts one decision: its members after the join or leave, its joiners, and what it relocated. */
export function recordDecisionStats (stats: NetworkStats, members: readonly Uint8Array[], joined: readonly Uint8Array[], selection: RelocationSelection): void {
  const joinedNames = new Set(joined.map(name => Buffer.from(name).toString('hex')))
  const eligibleByAge = new Map<number, number>()
  for (const name of members) {
    if (joinedNames.size > 0 && joinedNames.has(Buffer.from(name).toString('hex'))) continue
    const age = ageOfName(name)
    eligibleByAge.set(age, (eligibleByAge.get(age) ?? 0) + 1)
  }
  const zeros = trailingZeroBits(selection.churnId)
  for (const [age, count] of eligibleByAge) {
    const ageClass = stats.ageClasses[age]
    if (ageClass === undefined) continue
    ageClass.exposures++
    if (zeros >= age) ageClass.qualified++
    if (age === selection.highestQualifyingAge) ageClass.highest++
    if (selection.cap > 0) {
      ageClass.memberExposures += count
      ageClass.memberExposureSquares += count * count
    }
  }
  for (const move of selection.moves) {
    const ageClass = stats.ageClasses[move.oldAge]
    if (ageClass !== undefined) ageClass.moved++
  }
  const moves = selection.moves.length
  stats.relocations += moves
  while (stats.movesPerChurn.length <= moves) stats.movesPerChurn.push(0)
  stats.movesPerChurn[moves] = (stats.movesPerChurn[moves] ?? 0) + 1
}
