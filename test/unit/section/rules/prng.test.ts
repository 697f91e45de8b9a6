import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPrng, Prng, splitmix64 } from '../../../../node-core/section/rules/prng.ts'

function untyped<T> (value: unknown): T {
  return value as T
}

describe('splitmix64', () => {
  it('gives the published first outputs for state 0 (Vigna, https://prng.di.unimi.it/splitmix64.c)', () => {
    let state = 0n
    const outputs: bigint[] = []
    for (let i = 0; i < 4; i++) {
      const step = splitmix64(state)
      state = step.state
      outputs.push(step.output)
    }
    assert.deepEqual(outputs, [0xe220a8397b1dcdafn, 0x6e789e6aa1b965f4n, 0x06c45d188009454fn, 0xf88bb8a8724c81ecn])
  })
})

describe('Prng (xoshiro128**)', () => {
  it('matches the C reference outputs and states (edorfaus/xoshiro-6502 test-rom/testdata.asm, generated with prng.di.unimi.it/xoshiro128starstar.c)', () => {
    const prng = Prng.fromState([0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0])
    const expected: Array<[number, [number, number, number, number]]> = [
      [0xf1391922, [0x72410269, 0xef382c52, 0x2e43bec7, 0x62432f20]],
      [0x6fe53806, [0xff3a011b, 0xb33a90fc, 0x2c5a18ae, 0xd81b946b]],
      [0xa5be2840, [0x941b058c, 0x605a8949, 0xa641e1b5, 0x0824bb59]],
      [0xf510ee70, [0xfc65379c, 0x52006d70, 0x87487639, 0xf1908343]]
    ]
    for (const [value, state] of expected) {
      assert.equal(prng.nextUint32(), value)
      assert.deepEqual(prng.state(), state)
    }
  })

  it('is seeded with two splitmix64 outputs, low word first', () => {
    assert.deepEqual(createPrng(0).state(), [0x7b1dcdaf, 0xe220a839, 0xa1b965f4, 0x6e789e6a])
    assert.deepEqual(createPrng(0n).state(), createPrng(0).state())
  })

  it('repeats a stream for the same seed and diverges for the next seed', () => {
    const a = createPrng(42)
    const b = createPrng(42)
    const c = createPrng(43)
    const streamA = Array.from({ length: 16 }, () => a.nextUint32())
    assert.deepEqual(Array.from({ length: 16 }, () => b.nextUint32()), streamA)
    const streamC = Array.from({ length: 16 }, () => c.nextUint32())
    assert.equal(streamC.filter((value, i) => value === streamA[i]).length, 0)
  })

  it('draws nextInt uniformly over [0, bound): every value, each within 4 standard deviations', () => {
    const prng = createPrng(7)
    const bound = 10
    const draws = 100_000
    const counts = new Array<number>(bound).fill(0)
    for (let i = 0; i < draws; i++) {
      const value = prng.nextInt(bound)
      assert.ok(Number.isInteger(value) && value >= 0 && value < bound, String(value))
      counts[value] = (counts[value] ?? 0) + 1
    }
    const mean = draws / bound
    const tolerance = 4 * Math.sqrt(draws * (1 / bound) * (1 - 1 / bound))
    for (const count of counts) assert.ok(Math.abs(count - mean) <= tolerance, `count ${count}, mean ${mean}, tolerance ${tolerance.toFixed(1)}`)
    assert.equal(createPrng(1).nextInt(1), 0)
  })

  it('draws floats in [0, 1) with mean 1/2 within 4 standard deviations', () => {
    const prng = createPrng(8)
    const draws = 50_000
    let sum = 0
    for (let i = 0; i < draws; i++) {
      const value = prng.nextFloat()
      assert.ok(value >= 0 && value < 1)
      sum += value
    }
    // Uniform [0, 1) has variance 1/12.
    assert.ok(Math.abs(sum / draws - 0.5) <= 4 * Math.sqrt(1 / 12 / draws), String(sum / draws))
  })

  it('fills bytes from successive words, little-endian, for any length', () => {
    const words = createPrng(9)
    const bytes = createPrng(9).bytes(6)
    const first = words.nextUint32()
    const second = words.nextUint32()
    assert.deepEqual([...bytes], [first & 0xff, (first >>> 8) & 0xff, (first >>> 16) & 0xff, first >>> 24, second & 0xff, (second >>> 8) & 0xff])
    assert.equal(createPrng(9).bytes(0).length, 0)
    assert.equal(createPrng(9).bytes(96).length, 96)
  })

  it('picks every item of a list and refuses an empty one', () => {
    const prng = createPrng(10)
    const seen = new Set(Array.from({ length: 200 }, () => prng.pick(['a', 'b', 'c'])))
    assert.deepEqual([...seen].sort(), ['a', 'b', 'c'])
    assert.throws(() => prng.pick([]), RangeError)
  })

  it('rejects bad seeds, states and bounds', () => {
    assert.throws(() => createPrng(-1), RangeError)
    assert.throws(() => createPrng(1n << 64n), RangeError)
    assert.throws(() => createPrng(1.5), TypeError)
    assert.throws(() => createPrng(untyped('1')), TypeError)
    assert.throws(() => Prng.fromState([0, 0, 0, 0]), { name: 'RangeError', message: /all zeros/ })
    assert.throws(() => Prng.fromState([2 ** 32, 0, 0, 1]), RangeError)
    const prng = createPrng(1)
    assert.throws(() => prng.nextInt(0), RangeError)
    assert.throws(() => prng.nextInt(2 ** 32 + 1), RangeError)
    assert.throws(() => prng.nextInt(2.5), TypeError)
    assert.throws(() => prng.bytes(-1), RangeError)
  })
})
