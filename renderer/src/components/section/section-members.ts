// The rows of the Section card's two tables (issue 3, deliver 7): the elders in key-share order and
// the members oldest first, each by PeerId and age, with this vault marked.
import type { SectionStatus } from '../../../../contract/host-api.ts'
import { shortenVaultName } from '../../format/vault-name.ts'
import { ELDER_COUNT } from './section-text.ts'

export interface ElderRow {
  /** The elder's key share index: 1 to 7, in the order the status lists them. */
  index: number
  name: string
  shortName: string
  age: number
  isSelf: boolean
}

/**
 * 'elder' and 'adult' once the section is active; before that the list holds the vaults known so
 * far, and 'oldest' marks the 7 that would be elders.
 */
export type MemberRole = 'elder' | 'adult' | 'oldest' | 'known'

export interface MemberRow {
  name: string
  shortName: string
  age: number
  role: MemberRole
  isSelf: boolean
}

export interface MemberList {
  /** Members once active; the vaults known so far while the section forms. */
  kind: 'members' | 'known'
  rows: MemberRow[]
  /** Members counted but not listed (the status lists at most the oldest 64). */
  more: number
}

export function elderRows (section: Pick<SectionStatus, 'elders'>, self: string): ElderRow[] {
  return section.elders.map((elder, i) => ({
    index: i + 1,
    name: elder.name,
    shortName: shortenVaultName(elder.name),
    age: elder.age,
    isSelf: elder.name === self
  }))
}

export function memberList (section: SectionStatus, self: string): MemberList {
  const active = section.phase === 'active'
  const elders = new Set(section.elders.map(elder => elder.name))
  // Until 7 are known there is no set of 7 oldest to single out.
  const enough = section.memberCount >= ELDER_COUNT
  const rows = section.members.map((member, i): MemberRow => ({
    name: member.name,
    shortName: shortenVaultName(member.name),
    age: member.age,
    role: active ? (elders.has(member.name) ? 'elder' : 'adult') : (enough && i < ELDER_COUNT ? 'oldest' : 'known'),
    isSelf: member.name === self
  }))
  return { kind: active ? 'members' : 'known', rows, more: Math.max(0, section.memberCount - section.members.length) }
}

export function roleLabel (role: MemberRole): string {
  switch (role) {
    case 'elder': return 'Elder'
    case 'adult': return 'Adult'
    case 'oldest': return 'Elder to be'
    case 'known': return 'Known vault'
    default: {
      const unreachable: never = role
      throw new TypeError(`unknown member role ${String(unreachable)}`)
    }
  }
}
