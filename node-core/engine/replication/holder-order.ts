// Which members of the section hold a chunk (issue 3 deliver 4; DESIGN §2 "data copies": each chunk
// on the 4 closest non-full adults by XOR distance, re-replicated on churn). Pure: the section is a
// SectionView, names are hex ed25519 keys, so every vault of the section computes the same order.
//
// Elders and storage. DESIGN §2 names adults (members that are not elders) as the holders, and in
// a grown section (split at 2 x 14 members, so at least 7 adults) they are. The local network has
// about 10 vaults of which 7 are elders, leaving 3 adults: fewer than 4 copies. So elders come
// AFTER every active adult in the order: they hold data only while the section has fewer than 4
// active, non-full adults, and a section that grows past that moves new chunks to adults alone
// (what elders already hold is kept, never deleted). Paused members receive no data (DESIGN §2
// "Pause"); they come last, only so that one holding a chunk nobody active holds still passes it on.
import { xorDistance } from '../identity/name.ts'
import { nameToBytes } from '../section/known-vaults.ts'

/** The section as placement needs it: who is a member, who is an elder, who is paused. */
export interface SectionView {
  /** Every member by name (hex), paused ones included. */
  members: readonly string[]
  elders: readonly string[]
  paused: ReadonlySet<string>
  generation: number
}

/** What SectionMembership holds, as a view: a snapshot, so a later decision does not change it underfoot. */
export function sectionViewOf (membership: {
  members: ReadonlySet<string>
  elders: readonly string[]
  generation: number
  pauseOf(name: string): unknown
}): SectionView {
  const members = [...membership.members]
  return {
    members,
    elders: [...membership.elders],
    paused: new Set(members.filter(name => membership.pauseOf(name) !== undefined)),
    generation: membership.generation
  }
}

/** Two views place every chunk alike when they have the same members, elders and pauses. */
export function placementKey (view: SectionView): string {
  const sorted = (names: Iterable<string>): string => [...names].sort().join(',')
  return `${sorted(view.members)}|${sorted(view.elders)}|${sorted(view.paused)}`
}

function byDistance (address: Uint8Array, names: readonly string[]): string[] {
  return names
    .map(name => ({ name, distance: xorDistance(address, nameToBytes(name)) }))
    .sort((a, b) => (a.distance < b.distance ? -1 : a.distance > b.distance ? 1 : a.name < b.name ? -1 : 1))
    .map(entry => entry.name)
}

/**
 * Every member in the order it is asked to hold a chunk: active adults nearest first, then active
 * elders nearest first, then paused members nearest first.
 */
export function holderOrder (address: Uint8Array, view: SectionView): string[] {
  const elders = new Set(view.elders)
  const active = view.members.filter(name => !view.paused.has(name))
  return [
    ...byDistance(address, active.filter(name => !elders.has(name))),
    ...byDistance(address, active.filter(name => elders.has(name))),
    ...byDistance(address, view.members.filter(name => view.paused.has(name)))
  ]
}

/** The members that may receive the chunk, in order: the first `copies` of them that are not full hold it. */
export function storageOrder (address: Uint8Array, view: SectionView): string[] {
  return holderOrder(address, view).filter(name => !view.paused.has(name))
}

/**
 * What a vault holding a chunk does after a churn. Rule (so that not every holder pushes the same
 * chunk): the holder that comes FIRST in holderOrder is the one that sees the chunk onto its
 * holders. A vault asks the members before it (`ask`, in order) whether they hold the chunk; the
 * first that does is that holder, and this vault does nothing more. When none does, this vault
 * walks `storage` and pushes the chunk to each of the first `copies` non-full members lacking it.
 * A vault that is not a member of the section does not push: it is not in the order the others
 * ask in, so it could never tell whether a member already pushes.
 */
export type ReplicationPlan =
  | { kind: 'not-a-member' }
  | { kind: 'check', ask: string[], storage: string[] }

export function replicationPlan (address: Uint8Array, view: SectionView, self: string): ReplicationPlan {
  const order = holderOrder(address, view)
  const position = order.indexOf(self)
  if (position === -1) return { kind: 'not-a-member' }
  return { kind: 'check', ask: order.slice(0, position), storage: order.filter(name => !view.paused.has(name)) }
}
