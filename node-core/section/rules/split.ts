// Section growth (DESIGN §2; reference §3, §7): a section splits when both halves by the next prefix
// bit would have at least 14 members, and it admits new vaults only while it needs storage.
import { assertName } from '../../engine/identity/name.ts'
import { ELDER_COUNT, RECOMMENDED_SECTION_SIZE } from './elders.ts'
import { bitOfName, childPrefixes, MAX_PREFIX_BITS } from './prefix.ts'

export interface SectionMembers {
  prefix: string
  members: readonly Uint8Array[]
}

/** The two halves by the bit after the prefix: members whose bit is 0, then those whose bit is 1. */
export function splitHalves (section: SectionMembers): [SectionMembers, SectionMembers] {
  const [zeroPrefix, onePrefix] = childPrefixes(section.prefix)
  const zero: Uint8Array[] = []
  const one: Uint8Array[] = []
  for (const name of section.members) {
    assertName(name)
    if (bitOfName(name, section.prefix.length) === 0) zero.push(name)
    else one.push(name)
  }
  return [{ prefix: zeroPrefix, members: zero }, { prefix: onePrefix, members: one }]
}

/**
 * DESIGN §2: the two child sections when both halves have >= 14 members (2022
 * `get_split_info`), else undefined. A 64-bit prefix is as long as prefixes go and never splits.
 */
export function splitIfReady (section: SectionMembers): [SectionMembers, SectionMembers] | undefined {
  if (section.prefix.length >= MAX_PREFIX_BITS) return undefined
  const halves = splitHalves(section)
  return halves.every(half => half.members.length >= RECOMMENDED_SECTION_SIZE) ? halves : undefined
}

/** An adult's storage report counts in 10 % steps; level 9 (>= 90 %) is "full" (2022 `capacity.rs`). */
export const FULL_STORAGE_LEVEL = 9

export type JoinsEvent =
  /** A vault joined, new or relocated: the storage it brings meets the need. */
  | { kind: 'joined' }
  /** A member left the section, or was relocated away from it. */
  | { kind: 'left' }
  /** An adult reported its storage level, 0 to 10 tenths full. */
  | { kind: 'storage-level', level: number }

/** DESIGN §2: each chunk is kept on this many adults. */
export const DATA_COPIES = 4

/**
 * Members a section needs before it can keep every chunk on DATA_COPIES adults beside its elders:
 * a smaller section needs storage whatever its switch says.
 */
export const MIN_STORING_SECTION_SIZE = ELDER_COUNT + DATA_COPIES

/**
 * DESIGN §2: whether the section needs storage, so admits a new vault: its joins switch is on
 * (nextJoinsAllowed), or it is too small to hold its data at all.
 */
export function joinsAllowed (switchedOn: boolean, members: number): boolean {
  return switchedOn || members < MIN_STORING_SECTION_SIZE
}

/**
 * DESIGN §2: the joins switch. Every join switches it off; a member leaving, or an adult
 * reporting it is >= 90 % full, switches it on. (The 2022 code kept joins always on in the genesis
 * section; DESIGN makes no such exception, beyond a section too small to store: joinsAllowed.)
 */
export function nextJoinsAllowed (allowed: boolean, event: JoinsEvent): boolean {
  switch (event.kind) {
    case 'joined':
      return false
    case 'left':
      return true
    case 'storage-level':
      if (!Number.isInteger(event.level) || event.level < 0 || event.level > 10) throw new RangeError(`"level" expected an integer from 0 to 10, got ${event.level}`)
      return event.level >= FULL_STORAGE_LEVEL ? true : allowed
    default: {
      const unknown: never = event
      throw new TypeError(`unknown joins event ${JSON.stringify(unknown)}`)
    }
  }
}
