import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { nameWith } from '../../../helpers/names.ts'
import {
  assertPrefixPartition, bitOfName, childPrefixes, prefixMatches, prefixOfName, sectionFor, withPrefix
} from '../../../../node-core/section/rules/prefix.ts'
import { createPrng } from '../../../../node-core/section/rules/prng.ts'

describe('bitOfName and prefixOfName', () => {
  const name = nameWith([0b1010_0110, 0b1100_0000])

  it('read bits from the most significant bit of byte 0', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(i => bitOfName(name, i)), [1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0])
    assert.equal(bitOfName(nameWith([], 0xff), 255), 1)
    assert.equal(prefixOfName(name, 0), '')
    assert.equal(prefixOfName(name, 10), '1010011011')
    assert.equal(prefixOfName(nameWith([], 0xff), 64), '1'.repeat(64))
  })

  it('reject an index or length out of range', () => {
    assert.throws(() => bitOfName(name, 256), RangeError)
    assert.throws(() => bitOfName(name, -1), RangeError)
    assert.throws(() => prefixOfName(name, 65), RangeError)
    assert.throws(() => prefixOfName(new Uint8Array(31), 1), RangeError)
  })
})

describe('prefixMatches', () => {
  it('matches the leading bits and validates its inputs', () => {
    const name = nameWith([0b0110_0000])
    assert.equal(prefixMatches('', name), true)
    assert.equal(prefixMatches('011', name), true)
    assert.equal(prefixMatches('010', name), false)
    assert.throws(() => prefixMatches('01x', name), RangeError)
    assert.throws(() => prefixMatches('0', new Uint8Array(3)), RangeError)
  })
})

describe('childPrefixes', () => {
  it('appends 0 and then 1', () => {
    assert.deepEqual(childPrefixes(''), ['0', '1'])
    assert.deepEqual(childPrefixes('101'), ['1010', '1011'])
  })

  it('refuses to split a 64-bit prefix', () => {
    assert.throws(() => childPrefixes('0'.repeat(64)), RangeError)
  })
})

describe('withPrefix', () => {
  it('sets and clears exactly the leading bits, leaving the rest and the input untouched', () => {
    const bytes = nameWith([0b0101_0101, 0b1111_1111], 0x33)
    const out = withPrefix(bytes, '1010011011')
    assert.equal(prefixOfName(out, 10), '1010011011')
    assert.equal((out[1] ?? 0) & 0b0011_1111, 0b0011_1111)
    assert.deepEqual(out.subarray(2), bytes.subarray(2))
    assert.equal(bytes[0], 0b0101_0101)
  })

  it('gives every random name the prefix (property over the PRNG)', () => {
    const prng = createPrng(3)
    for (let i = 0; i < 200; i++) {
      const prefix = prefixOfName(prng.bytes(32), prng.nextInt(65))
      const name = withPrefix(prng.bytes(32), prefix)
      assert.equal(prefixMatches(prefix, name), true, prefix)
    }
  })
})

describe('sectionFor', () => {
  const prefixes = ['00', '01', '10', '110', '111']

  it('finds the one section of a partition whose prefix matches', () => {
    assert.equal(sectionFor(nameWith([0b0000_0000]), prefixes), '00')
    assert.equal(sectionFor(nameWith([0b0111_1111]), prefixes), '01')
    assert.equal(sectionFor(nameWith([0b1011_1111]), prefixes), '10')
    assert.equal(sectionFor(nameWith([0b1100_0000]), prefixes), '110')
    assert.equal(sectionFor(nameWith([0b1110_0000]), prefixes), '111')
    assert.equal(sectionFor(nameWith([0xff]), ['']), '')
  })

  it('prefers the longest of overlapping prefixes', () => {
    assert.equal(sectionFor(nameWith([0b1100_0000]), ['', '1', '11', '0']), '11')
  })

  it('throws NoSectionError when nothing matches', () => {
    assert.throws(() => sectionFor(nameWith([0b1000_0000]), ['0', '11']), { name: 'NoSectionError' })
    assert.throws(() => sectionFor(nameWith([0]), []), { name: 'NoSectionError' })
  })

  it('agrees with the prefix check for random names (property over the PRNG)', () => {
    const prng = createPrng(4)
    for (let i = 0; i < 500; i++) {
      const name = prng.bytes(32)
      const section = sectionFor(name, prefixes)
      assert.equal(prefixes.filter(prefix => prefixMatches(prefix, name)).length, 1)
      assert.equal(prefixMatches(section, name), true)
    }
  })
})

describe('assertPrefixPartition', () => {
  it('accepts disjoint prefixes that cover the XOR space', () => {
    for (const partition of [[''], ['0', '1'], ['00', '01', '10', '110', '111'], ['1', '01', '001', '000']]) {
      assert.doesNotThrow(() => { assertPrefixPartition(partition) }, JSON.stringify(partition))
    }
  })

  it('rejects overlaps, duplicates and gaps', () => {
    assert.throws(() => { assertPrefixPartition(['0', '01', '1']) }, { name: 'PrefixPartitionError', message: /"0" overlaps "01"/ })
    assert.throws(() => { assertPrefixPartition(['0', '0', '1']) }, { name: 'PrefixPartitionError' })
    assert.throws(() => { assertPrefixPartition(['00', '1']) }, { name: 'PrefixPartitionError', message: /do not cover/ })
    assert.throws(() => { assertPrefixPartition([]) }, { name: 'PrefixPartitionError' })
    assert.throws(() => { assertPrefixPartition(['', '0']) }, { name: 'PrefixPartitionError' })
  })
})
