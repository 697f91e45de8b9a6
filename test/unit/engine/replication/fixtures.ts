// Deterministic names and sections for the replication tests: names are SHA-256 of a label, so
// every run places every chunk the same way.
import { createHash } from 'node:crypto'
import { xorDistance } from '../../../../node-core/engine/identity/name.ts'
import type { SectionView } from '../../../../node-core/engine/replication/holder-order.ts'
import { nameToBytes } from '../../../../node-core/engine/section/known-vaults.ts'

export function nameOf (label: string): string {
  return createHash('sha256').update(`name:${label}`).digest('hex')
}

export function addressOf (label: string): string {
  return createHash('sha256').update(`chunk:${label}`).digest('hex')
}

export function view (members: string[], elders: string[] = [], paused: string[] = [], generation = 0): SectionView {
  return { members, elders, paused: new Set(paused), generation }
}

/** `names` nearest first to `address`, computed with xorDistance directly. */
export function nearest (address: string, names: readonly string[]): string[] {
  const target = nameToBytes(address)
  return [...names].sort((a, b) => {
    const da = xorDistance(target, nameToBytes(a))
    const db = xorDistance(target, nameToBytes(b))
    return da < db ? -1 : da > db ? 1 : 0
  })
}
