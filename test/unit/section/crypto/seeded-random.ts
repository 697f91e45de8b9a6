// Deterministic randomness for tests: SHA-256 in counter mode over a seed, so a failing run can
// be replayed exactly. Never for keys outside tests.
import { sha256 } from '@noble/hashes/sha2.js'
import type { Random } from '../../../../node-core/section/crypto/scalar.ts'

export function seededRandom (seed: string): Random {
  let counter = 0
  return (bytes) => {
    const out = new Uint8Array(bytes)
    for (let filled = 0; filled < bytes; filled += 32) {
      const block = sha256(new TextEncoder().encode(`${seed}/${counter++}`))
      out.set(block.subarray(0, Math.min(32, bytes - filled)), filled)
    }
    return out
  }
}

/** Every subset of `size` elements of `items`, in lexicographic order. */
export function subsets<T> (items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]]
  const result: T[][] = []
  items.forEach((item, i) => {
    for (const rest of subsets(items.slice(i + 1), size - 1)) result.push([item, ...rest])
  })
  return result
}
