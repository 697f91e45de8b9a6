// What a vault's age means for its owner (DESIGN §2, after RFC 0045): a new vault starts at age 5
// and earns nothing until its first relocation; from age 6 rewards are weighted by 2^age, so
// each relocation (age + 1) doubles the vault's share.
import { formatCount } from '../../format/bytes.ts'
import type { OutlookGap, RelocationOutlook } from './relocation-outlook.ts'

export const NEW_VAULT_AGE = 5
export const FIRST_EARNING_AGE = 6

export type AgeSummary =
  | { stage: 'newcomer', headline: string, detail: string }
  /** `relativeWeight`: 2^age against an age-6 vault's 2^6. */
  | { stage: 'earning', headline: string, relativeWeight: number, detail: string }

export function summarizeAge (age: number): AgeSummary {
  if (!Number.isInteger(age) || age < 0 || age > 255) throw new RangeError(`"age" expected an integer 0..255, got ${age}`)
  if (age < FIRST_EARNING_AGE) {
    return {
      stage: 'newcomer',
      headline: 'Newcomer: not earning yet',
      detail: `Rewards start at age ${FIRST_EARNING_AGE}, after the network first relocates this vault.`
    }
  }
  return {
    stage: 'earning',
    headline: 'Earning rewards',
    relativeWeight: 2 ** (age - FIRST_EARNING_AGE),
    detail: 'Each relocation adds one to the age and doubles the reward weight.'
  }
}

/** DESIGN §2 "Decisions and churn": one line for the owner. */
export const CHURN_EXPLAINED = 'A churn is one membership decision of the section: a vault joins, leaves, is relocated, paused or resumed.'

const LARGE = [[1e12, 'trillion'], [1e9, 'billion'], [1e6, 'million']] as const

/** An expected count as "about" reads it: 2 significant digits, words for millions, a floor past a trillion. */
export function approximateCount (count: number): string {
  if (!(count >= 1) || count === Infinity) throw new RangeError(`"count" expected a finite number >= 1, got ${count}`)
  if (count < 100) return String(Math.round(count))
  const rounded = Number(count.toPrecision(2))
  if (rounded >= 1e15) return 'more than a thousand trillion'
  for (const [size, word] of LARGE) if (rounded >= size) return `${formatCount(rounded / size)} ${word}`
  return formatCount(rounded)
}

export type OutlookText = { kind: RelocationOutlook['kind'], headline: string, detail: string, note: string | null }

function gapText (gap: OutlookGap): string {
  switch (gap.reason) {
    case 'no-section': return 'This engine runs no section (a shadow engine, or one older than the section protocol), so relocation cannot be estimated.'
    case 'not-running': return 'The engine is not running, so it reports no section to estimate from.'
    case 'not-active': return gap.phase === 'forming'
      ? 'The section is still forming; relocations start once it has its key and elders.'
      : 'The elders are still creating the section key; relocations start once the section is active.'
    case 'not-member': return 'This vault is waiting for the section to admit it; relocations apply to members only.'
    case 'too-few-members': return `The section has ${formatCount(gap.memberCount)} members; it relocates at most min(3, members − 14) per churn, so none until it has ${gap.needed} members.`
    default: {
      const unreachable: never = gap
      throw new TypeError(`unknown outlook gap ${String(unreachable)}`)
    }
  }
}

/** The age card's line on the next relocation (issue 3, deliver 7). */
export function describeRelocationOutlook (outlook: RelocationOutlook): OutlookText {
  if (outlook.kind === 'unavailable') return { kind: outlook.kind, headline: 'No relocation estimate yet', detail: gapText(outlook.gap), note: null }
  const churns = approximateCount(outlook.expectedChurns)
  return {
    kind: outlook.kind,
    headline: `Next relocation in about ${churns} ${churns === '1' ? 'churn' : 'churns'}${outlook.atLeast ? ' or more' : ''}`,
    detail: CHURN_EXPLAINED,
    note: 'An average, assuming the section keeps its present members and ages: the churn ID is random, so the next relocation may come much sooner or much later.'
  }
}
