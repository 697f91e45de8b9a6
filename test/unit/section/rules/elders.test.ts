import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ELDER_COUNT, electElders, RECOMMENDED_SECTION_SIZE, supermajority } from '../../../../node-core/section/rules/elders.ts'

/** A name with first byte `id` (orders names) and last byte `age`. */
function member (id: number, age: number): Uint8Array {
  const name = new Uint8Array(32)
  name[0] = id
  name[31] = age
  return name
}

function ids (names: readonly Uint8Array[]): number[] {
  return names.map(name => name[0] ?? -1)
}

describe('supermajority', () => {
  it('is 1 + floor(2n/3): 5 of 7', () => {
    assert.equal(supermajority(7), 5)
    assert.deepEqual([1, 2, 3, 4, 5, 6, 8, 9, 10].map(supermajority), [1, 2, 3, 3, 4, 5, 6, 7, 7])
    assert.throws(() => supermajority(-1), RangeError)
    assert.throws(() => supermajority(2.5), RangeError)
  })

  it('sets 7 elders and 14 as the size relocation and splits work from', () => {
    assert.equal(ELDER_COUNT, 7)
    assert.equal(RECOMMENDED_SECTION_SIZE, 14)
  })
})

describe('electElders', () => {
  it('takes the 7 oldest, in rank order', () => {
    const members = [member(1, 5), member(2, 9), member(3, 12), member(4, 6), member(5, 30), member(6, 8), member(7, 10), member(8, 11), member(9, 7), member(10, 5)]
    assert.deepEqual(ids(electElders(members, [])), [5, 3, 8, 7, 2, 6, 9])
  })

  it('on an age tie at the boundary, keeps a current elder before a lower name', () => {
    const members = [
      member(1, 20), member(2, 19), member(3, 18), member(4, 17), member(5, 16), member(6, 15),
      member(10, 7), member(20, 7), member(30, 7)
    ]
    // Without a current elder among the age-7 members, the lowest name (10) wins the last seat.
    assert.deepEqual(ids(electElders(members, [])).at(-1), 10)
    // Member 30 is a current elder: it keeps its seat ahead of the lower names 10 and 20.
    assert.deepEqual(ids(electElders(members, [member(30, 7)])).at(-1), 30)
    // Two current elders tied: the lower name of the two.
    const withTwo = electElders([...members, member(40, 7)], [member(40, 7), member(20, 7)])
    assert.deepEqual(ids(withTwo).at(-1), 20)
  })

  it('ranks age above elder status: an older newcomer displaces a current elder', () => {
    const current = [member(1, 9), member(2, 9), member(3, 9), member(4, 9), member(5, 9), member(6, 9), member(7, 9)]
    const elders = electElders([...current, member(99, 10)], current)
    assert.equal(elders[0]?.[0], 99)
    assert.deepEqual(ids(elders).slice(1), [1, 2, 3, 4, 5, 6])
  })

  it('breaks a tie among non-elders by the lower name, comparing bytes beyond the first', () => {
    const a = member(7, 8)
    const b = member(7, 8)
    b[5] = 1
    const elders = electElders([b, a, member(1, 9)], [], 2)
    assert.deepEqual(elders, [member(1, 9), a])
  })

  it('elects every member of a section smaller than 7, and ignores current elders that are gone', () => {
    const members = [member(1, 5), member(2, 6), member(3, 5)]
    assert.deepEqual(ids(electElders(members, [member(50, 40)])), [2, 1, 3])
  })

  it('is stable: re-electing with the result as current elders changes nothing', () => {
    const members = Array.from({ length: 20 }, (_, i) => member(i, 5 + (i % 3)))
    const first = electElders(members, [])
    assert.deepEqual(electElders(members, first), first)
  })

  it('rejects duplicate members, a bad name or a bad count', () => {
    assert.throws(() => electElders([member(1, 5), member(1, 5)], []), { name: 'RangeError', message: /twice/ })
    assert.throws(() => electElders([new Uint8Array(31)], []), RangeError)
    assert.throws(() => electElders([member(1, 5)], [], 0), RangeError)
  })
})
