// Elders (DESIGN §2; reference §2, §4): the 7 oldest members run the section. The ordering is the
// 2022 `elder_candidates`: higher age first; on an age tie current elders first, so the elder set
// (and its DKG) does not churn between equals; then the lower name by byte order.
import { ageOfName, assertName } from '../../engine/identity/name.ts'

export const ELDER_COUNT = 7
/** 2 x elders: relocation needs more members than this; a split needs this many on each side. */
export const RECOMMENDED_SECTION_SIZE = 2 * ELDER_COUNT

/** Votes needed out of n: 1 + floor(2n/3), 5 of 7 (reference §2); also the BLS threshold + 1. */
export function supermajority (n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`"n" expected a non-negative integer, got ${n}`)
  return 1 + Math.floor((2 * n) / 3)
}

function hex (name: Uint8Array): string {
  return Buffer.from(name).toString('hex')
}

/**
 * The elders the section should have: its first `count` members by elder rank, in rank order.
 * `currentElders` only breaks age ties; names in it that are no longer members (they left or were
 * relocated) are ignored.
 */
export function electElders (members: readonly Uint8Array[], currentElders: readonly Uint8Array[], count = ELDER_COUNT): Uint8Array[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`"count" expected a positive integer, got ${count}`)
  const seen = new Set<string>()
  for (const name of members) {
    assertName(name)
    const key = hex(name)
    if (seen.has(key)) throw new RangeError(`"members" lists ${key} twice`)
    seen.add(key)
  }
  for (const name of currentElders) assertName(name)
  const current = new Set(currentElders.map(hex))
  return members
    .map(name => ({ name, age: ageOfName(name), elder: current.has(hex(name)) }))
    .sort((a, b) => (b.age - a.age) || (Number(b.elder) - Number(a.elder)) || Buffer.compare(a.name, b.name))
    .slice(0, count)
    .map(ranked => ranked.name)
}
