// Section prefixes (DESIGN §2; reference §3, RFC 0037): bit strings, most significant bit first,
// '' for the whole network. The sections' prefixes are disjoint and cover the XOR space, so every
// 32-byte name falls in exactly one section. Sections split; they never merge.
import { assertName, assertPrefix, nameHasPrefix, NAME_BYTES } from '../../engine/identity/name.ts'
import { namedError } from '../../../contract/named-error.ts'

/** assertPrefix's limit: a prefix is at most 64 bits. */
export const MAX_PREFIX_BITS = 64

export class NoSectionError extends namedError('NoSectionError') {}
export class PrefixPartitionError extends namedError('PrefixPartitionError') {}

/** Bit `index` of a name, counting from the most significant bit of byte 0. */
export function bitOfName (name: Uint8Array, index: number): 0 | 1 {
  assertName(name)
  if (!Number.isInteger(index) || index < 0 || index >= NAME_BYTES * 8) throw new RangeError(`"index" expected an integer from 0 to ${NAME_BYTES * 8 - 1}, got ${index}`)
  return ((name[index >> 3] ?? 0) >> (7 - (index & 7))) & 1 ? 1 : 0
}

export function prefixMatches (prefix: string, name: Uint8Array): boolean {
  assertPrefix(prefix)
  assertName(name)
  return nameHasPrefix(name, prefix)
}

/** The first `bits` bits of a name as a prefix. */
export function prefixOfName (name: Uint8Array, bits: number): string {
  assertName(name)
  if (!Number.isInteger(bits) || bits < 0 || bits > MAX_PREFIX_BITS) throw new RangeError(`"bits" expected an integer from 0 to ${MAX_PREFIX_BITS}, got ${bits}`)
  let prefix = ''
  for (let i = 0; i < bits; i++) prefix += String(bitOfName(name, i))
  return prefix
}

/** The two halves a section splits into, by the bit after its prefix. */
export function childPrefixes (prefix: string): [string, string] {
  assertPrefix(prefix)
  if (prefix.length >= MAX_PREFIX_BITS) throw new RangeError(`"prefix" of ${MAX_PREFIX_BITS} bits cannot split further`)
  return [`${prefix}0`, `${prefix}1`]
}

/** A copy of `bytes` whose leading bits are `prefix`: how the model stands in for key grinding. */
export function withPrefix (bytes: Uint8Array, prefix: string): Uint8Array {
  assertName(bytes)
  assertPrefix(prefix)
  const out = Uint8Array.from(bytes)
  for (let bit = 0; bit < prefix.length; bit++) {
    const mask = 1 << (7 - (bit & 7))
    const index = bit >> 3
    const byte = out[index] ?? 0
    out[index] = prefix[bit] === '1' ? byte | mask : byte & ~mask
  }
  return out
}

/**
 * The section a name belongs to: the prefix that matches it. Among a valid partition exactly one
 * matches; were prefixes to overlap, the longest (most specific) wins, as the 2022 prefix map did.
 */
export function sectionFor (name: Uint8Array, prefixes: Iterable<string>): string {
  assertName(name)
  let best: string | undefined
  for (const prefix of prefixes) {
    assertPrefix(prefix)
    if (nameHasPrefix(name, prefix) && (best === undefined || prefix.length > best.length)) best = prefix
  }
  if (best === undefined) throw new NoSectionError(`no section prefix matches name ${Buffer.from(name).toString('hex')}`)
  return best
}

/**
 * Checks that the prefixes are the sections of one network: none is a prefix of another and
 * together they cover the XOR space (the sum of 2^-length over them is exactly 1).
 */
export function assertPrefixPartition (prefixes: readonly string[]): void {
  const sorted = [...prefixes].sort()
  let covered = 0n
  for (const [i, prefix] of sorted.entries()) {
    assertPrefix(prefix)
    const next = sorted[i + 1]
    // In lexicographic order a prefix sorts directly before the prefixes it is a prefix of.
    if (next !== undefined && next.startsWith(prefix)) throw new PrefixPartitionError(`prefix "${prefix}" overlaps "${next}"`)
    covered += 1n << BigInt(MAX_PREFIX_BITS - prefix.length)
  }
  if (covered !== 1n << BigInt(MAX_PREFIX_BITS)) throw new PrefixPartitionError(`prefixes ${JSON.stringify(sorted)} do not cover the whole XOR space`)
}
