// Sections for the Section card's tests: this vault (SAMPLE_NAME) among others, listed oldest first.
import type { SectionStatus } from '../../../../../contract/host-api.ts'
import { SAMPLE_NAME, sampleStatus } from '../../../../helpers/sample-status.ts'

/** A PeerId-shaped name that is not this vault's. */
export function peer (i: number): string {
  return `12D3KooWPeer${String(i).padStart(4, '0')}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`
}

/** Vaults with these ages, this vault the one with `selfAge` (listed after older and equal peers). */
export function vaults (selfAge: number, otherAges: readonly number[]): SectionStatus['members'] {
  return [...otherAges.map((age, i) => ({ name: peer(i), age })), { name: SAMPLE_NAME, age: selfAge }]
    .sort((a, b) => b.age - a.age)
}

/** A section checked against the contract (through sampleStatus), from the sample's active one-vault section. */
export function section (overrides: Partial<SectionStatus>): SectionStatus {
  const base = sampleStatus().section
  if (base === null) throw new TypeError('the sample status has no section')
  const parsed = sampleStatus({ section: { ...base, ...overrides } }).section
  if (parsed === null) throw new TypeError('the section did not survive the contract')
  return parsed
}

export function forming (selfAge: number, otherAges: readonly number[]): SectionStatus {
  const members = vaults(selfAge, otherAges)
  return section({ phase: 'forming', sectionKey: null, elders: [], members, memberCount: members.length, isElder: false, isMember: false, generation: 0 })
}

export function active (selfAge: number, otherAges: readonly number[], overrides: Partial<SectionStatus> = {}): SectionStatus {
  const members = vaults(selfAge, otherAges)
  const elders = members.slice(0, 7)
  return section({
    phase: 'active',
    elders,
    members,
    memberCount: members.length,
    isElder: elders.some(elder => elder.name === SAMPLE_NAME),
    isMember: true,
    generation: 4,
    ...overrides
  })
}
