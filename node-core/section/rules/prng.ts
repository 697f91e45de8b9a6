// A tiny seeded PRNG for the network model and its tests: xoshiro128** (Blackman and Vigna,
// https://prng.di.unimi.it/xoshiro128starstar.c), seeded through splitmix64 as its authors
// recommend. Not for keys, nonces or anything an adversary may predict: that is node:crypto's job.

const UINT64_MASK = (1n << 64n) - 1n

/** One step of splitmix64 (https://prng.di.unimi.it/splitmix64.c): the next state and output. */
export function splitmix64 (state: bigint): { state: bigint, output: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & UINT64_MASK
  let z = next
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & UINT64_MASK
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & UINT64_MASK
  return { state: next, output: z ^ (z >> 31n) }
}

function rotl (x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}

export class Prng {
  private readonly s: Uint32Array

  /** The raw xoshiro128** state, four 32-bit words; all zero is the one state it never leaves. */
  static fromState (state: readonly [number, number, number, number]): Prng {
    for (const word of state) {
      if (!Number.isInteger(word) || word < 0 || word > 0xffffffff) throw new RangeError(`"state" expected four 32-bit unsigned integers, got ${String(word)}`)
    }
    if (state.every(word => word === 0)) throw new RangeError('"state" expected a non-zero xoshiro128** state, got all zeros')
    return new Prng(Uint32Array.from(state))
  }

  private constructor (state: Uint32Array) {
    this.s = state
  }

  /** A copy of the current state, to log a run or restart it. */
  state (): [number, number, number, number] {
    return [this.s[0] ?? 0, this.s[1] ?? 0, this.s[2] ?? 0, this.s[3] ?? 0]
  }

  nextUint32 (): number {
    const s = this.s
    const s0 = s[0] ?? 0
    const s1 = s[1] ?? 0
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0
    const t = (s1 << 9) >>> 0
    const s2 = ((s[2] ?? 0) ^ s0) >>> 0
    const s3 = ((s[3] ?? 0) ^ s1) >>> 0
    s[1] = s1 ^ s2
    s[0] = s0 ^ s3
    s[2] = s2 ^ t
    s[3] = rotl(s3, 11)
    return result
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat (): number {
    const high = this.nextUint32() >>> 5
    const low = this.nextUint32() >>> 6
    return (high * 67108864 + low) / 9007199254740992
  }

  /** Uniform integer in [0, bound), without modulo bias (rejection of the uneven top range). */
  nextInt (bound: number): number {
    if (!Number.isInteger(bound)) throw new TypeError(`"bound" expected an integer from 1 to 2^32, got ${bound}`)
    if (bound < 1 || bound > 0x100000000) throw new RangeError(`"bound" expected an integer from 1 to 2^32, got ${bound}`)
    const limit = 0x100000000 - (0x100000000 % bound)
    for (;;) {
      const value = this.nextUint32()
      if (value < limit) return value % bound
    }
  }

  bytes (length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`"length" expected a non-negative integer, got ${length}`)
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i += 4) {
      const word = this.nextUint32()
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff
    }
    return out
  }

  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('"items" expected a non-empty array')
    // In range by construction; the cast only drops the `| undefined` of indexed access.
    return items[this.nextInt(items.length)] as T
  }
}

/**
 * A generator seeded from a 64-bit integer: two splitmix64 outputs, low 32-bit word first, make
 * the four state words, so nearby seeds give unrelated streams and no seed gives the zero state.
 */
export function createPrng (seed: number | bigint): Prng {
  if (typeof seed !== 'bigint' && !Number.isSafeInteger(seed)) throw new TypeError(`"seed" expected a safe integer or a bigint, got ${seed}`)
  const value = BigInt(seed)
  if (value < 0n || value > UINT64_MASK) throw new RangeError(`"seed" expected an integer from 0 to 2^64 - 1, got ${value}`)
  const first = splitmix64(value)
  const second = splitmix64(first.state)
  const words: [number, number, number, number] = [
    Number(first.output & 0xffffffffn), Number(first.output >> 32n),
    Number(second.output & 0xffffffffn), Number(second.output >> 32n)
  ]
  // splitmix64 is a bijection of its state, so two consecutive outputs are never both zero.
  return Prng.fromState(words)
}
