// What a vault's age means for its owner (DESIGN §2, after RFC 0045): a new vault starts at age 5
// and earns nothing until its first relocation; from age 6 rewards are weighted by 2^age, so
// each relocation (age + 1) doubles the vault's share.
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
