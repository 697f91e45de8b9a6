// What an elder proposes for a reward epoch and what it agrees to sign (DESIGN §2 "Earnings";
// issue 3 deliver 5). Held and served data means: this elder's latest audit of the adult passed (a
// storage proof is both holding the chunk and serving the proof). Elders are not adults: they hold
// no audited data. An elder signs a record only if it pays out no more than it saw paid in and not
// yet paid out, names only active adult members at their age (their name's last byte) that its own
// audits did not find failing, and gives each exactly the 2^age split of the pool among them.
import { NoEligibleAdultsError, splitRewardPool, type UnsignedRewardRecord } from '../../section/economy/reward-record.ts'
import { REWARD_LEDGER_EPOCHS } from './constants.ts'
import { ageOfHexName } from './known-vaults.ts'
import type { RewardLedger } from './reward-ledger.ts'
import type { SectionMembership } from './section-membership.ts'

/** What the rewards need of the section: who is a member, an elder, paused, and the chain records verify against. */
export type RewardsMembership = Pick<SectionMembership, 'prefix' | 'chain' | 'elders' | 'members' | 'isMember' | 'pauseOf'>

export interface RewardView {
  membership: RewardsMembership
  ledger: RewardLedger
  /** Whether this elder's latest audit of each member passed. */
  audits: ReadonlyMap<string, boolean>
  currentEpoch: number
}

/** The record this elder proposes for `epoch`, or undefined when there is nothing to pay or nobody to pay it to. */
export function proposeRewardRecord (view: RewardView, epoch: number): UnsignedRewardRecord | undefined {
  const { membership, ledger, audits } = view
  const pool = ledger.available({ paidUpTo: epoch, except: epoch })
  if (pool === 0) return undefined
  const adults = [...membership.members]
    .filter(name => !membership.elders.includes(name) && membership.pauseOf(name) === undefined && audits.get(name) === true)
    .map(name => ({ name, age: ageOfHexName(name), held: true, served: true }))
  try {
    return { sectionPrefix: membership.prefix, epoch, pool, shares: splitRewardPool({ pool, adults }) }
  } catch (err) {
    // Nobody earns: the pool stays unpaid and carries over to the next epoch.
    if (err instanceof NoEligibleAdultsError) return undefined
    throw err
  }
}

/** Why this elder would not sign `record`; undefined when it agrees with its content. */
export function rewardObjection (view: RewardView, record: UnsignedRewardRecord): string | undefined {
  const { membership, ledger, audits, currentEpoch: current } = view
  if (record.sectionPrefix !== membership.prefix) return `a record for section "${record.sectionPrefix}"`
  if (record.epoch >= current) return `epoch ${record.epoch} has not ended (now ${current})`
  if (record.epoch < current - REWARD_LEDGER_EPOCHS) return `epoch ${record.epoch} is too old (now ${current})`
  if (ledger.isSettled(record.epoch)) return `epoch ${record.epoch} is already signed`
  const available = ledger.available({ except: record.epoch })
  if (record.pool > available) return `it pays out ${record.pool}, but this elder saw only ${available} paid in and not yet paid out`
  for (const share of record.shares) {
    const who = `vault ${share.name.slice(0, 16)}...`
    if (!membership.isMember(share.name)) return `${who} is not a member`
    if (membership.elders.includes(share.name)) return `${who} is an elder, not an adult`
    if (membership.pauseOf(share.name) !== undefined) return `${who} is paused`
    if (share.age !== ageOfHexName(share.name)) return `${who} is listed at age ${share.age}, not its age ${ageOfHexName(share.name)}`
    if (audits.get(share.name) === false) return `${who} failed this elder's latest audit`
  }
  let expected: ReturnType<typeof splitRewardPool>
  try {
    expected = splitRewardPool({ pool: record.pool, adults: record.shares.map(s => ({ name: s.name, age: s.age, held: true, served: true })) })
  } catch (err) {
    return `its shares cannot be split: ${(err as Error).message}`
  }
  const listed = [...record.shares].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  if (JSON.stringify(listed) !== JSON.stringify(expected)) return `its amounts are not the 2^age split of ${record.pool} among the adults it names`
  return undefined
}
