import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { nameWith } from '../../../helpers/names.ts'
import {
  ageOfName, assertAge, assertName, assertPrefix, nameHasPrefix, NAME_BYTES, xorDistance
} from '../../../../node-core/engine/identity/name.ts'

/** Lets a test pass a value of the wrong kind through the typed signature, as untyped callers could. */
function untyped<T> (value: unknown): T {
  return value as T
}

describe('ageOfName', () => {
  it('is the last byte of the name', () => {
    assert.equal(ageOfName(nameWith([0xff, 0xee], 0)), 0)
    const name = nameWith([1, 2, 3], 9)
    name[NAME_BYTES - 1] = 5
    assert.equal(ageOfName(name), 5)
    name[NAME_BYTES - 1] = 255
    assert.equal(ageOfName(name), 255)
  })

  it('rejects a name that is not 32 bytes', () => {
    assert.throws(() => ageOfName(new Uint8Array(31)), RangeError)
    assert.throws(() => ageOfName(new Uint8Array(33)), RangeError)
  })
})

describe('nameHasPrefix', () => {
  // 0b1010_0110 0b1100_0000 ...
  const name = nameWith([0b1010_0110, 0b1100_0000])

  it('matches the empty prefix for every name', () => {
    assert.equal(nameHasPrefix(name, ''), true)
    assert.equal(nameHasPrefix(nameWith([], 0xff), ''), true)
  })

  it('compares single bits from the most significant', () => {
    assert.equal(nameHasPrefix(name, '1'), true)
    assert.equal(nameHasPrefix(name, '0'), false)
    assert.equal(nameHasPrefix(name, '10'), true)
    assert.equal(nameHasPrefix(name, '11'), false)
  })

  it('matches a 4-bit prefix and rejects each single-bit change of it', () => {
    assert.equal(nameHasPrefix(name, '1010'), true)
    for (const wrong of ['0010', '1110', '1000', '1011']) {
      assert.equal(nameHasPrefix(name, wrong), false, wrong)
    }
  })

  it('matches a whole first byte', () => {
    assert.equal(nameHasPrefix(name, '10100110'), true)
    assert.equal(nameHasPrefix(name, '10100111'), false)
  })

  it('carries a 9-bit prefix across the byte boundary', () => {
    assert.equal(nameHasPrefix(name, '101001101'), true)
    assert.equal(nameHasPrefix(name, '101001100'), false)
    assert.equal(nameHasPrefix(name, '1010011011'), true)
    assert.equal(nameHasPrefix(name, '1010011010'), false)
  })

  it('reads bit 9 of a name whose second byte is 0x80 but not of one whose second byte is 0x7f', () => {
    assert.equal(nameHasPrefix(nameWith([0x00, 0x80]), '000000001'), true)
    assert.equal(nameHasPrefix(nameWith([0x00, 0x7f]), '000000001'), false)
    assert.equal(nameHasPrefix(nameWith([0x00, 0x7f]), '0000000001111111'), true)
  })

  it('matches a 64-bit prefix only when all 8 leading bytes agree', () => {
    const bytes = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67]
    const prefix = bytes.map(byte => byte.toString(2).padStart(8, '0')).join('')
    assert.equal(nameHasPrefix(nameWith(bytes), prefix), true)
    assert.equal(nameHasPrefix(nameWith([...bytes.slice(0, 7), 0x66]), prefix), false)
  })
})

describe('assertName', () => {
  it('accepts a 32-byte Uint8Array', () => {
    assert.doesNotThrow(() => { assertName(new Uint8Array(NAME_BYTES)) })
  })

  it('throws TypeError for a value that is not a Uint8Array', () => {
    assert.throws(() => { assertName(untyped('a'.repeat(32))) }, {
      name: 'TypeError',
      message: '"name" expected Uint8Array of 32 bytes, got string'
    })
    assert.throws(() => { assertName(untyped(Array.from({ length: 32 }, () => 0))) }, TypeError)
  })

  it('throws RangeError for the wrong length, naming the length', () => {
    assert.throws(() => { assertName(new Uint8Array(31)) }, {
      name: 'RangeError',
      message: '"name" expected Uint8Array of 32 bytes, got 31 bytes'
    })
    assert.throws(() => { assertName(new Uint8Array(0)) }, { name: 'RangeError', message: /got 0 bytes$/ })
  })
})

describe('assertPrefix', () => {
  it('accepts up to 64 bits of 0s and 1s', () => {
    for (const prefix of ['', '0', '1', '1010', '1'.repeat(64)]) {
      assert.doesNotThrow(() => { assertPrefix(prefix) }, prefix)
    }
  })

  it('throws TypeError for a value that is not a string', () => {
    assert.throws(() => { assertPrefix(untyped(1010)) }, {
      name: 'TypeError',
      message: '"prefix" expected a string of 0s and 1s, got number'
    })
  })

  it('throws RangeError for other characters or more than 64 bits, quoting the prefix', () => {
    assert.throws(() => { assertPrefix('10a1') }, {
      name: 'RangeError',
      message: '"prefix" expected up to 64 bits of 0s and 1s, got "10a1"'
    })
    assert.throws(() => { assertPrefix('1'.repeat(65)) }, RangeError)
    assert.throws(() => { assertPrefix('10 ') }, RangeError)
    assert.throws(() => { assertPrefix('2') }, RangeError)
  })
})

describe('assertAge', () => {
  it('accepts the integers 0 to 255', () => {
    for (const age of [0, 5, 255]) assert.doesNotThrow(() => { assertAge(age) })
  })

  it('throws TypeError for a value that is not an integer', () => {
    assert.throws(() => { assertAge(untyped('5')) }, {
      name: 'TypeError',
      message: '"age" expected an integer from 0 to 255, got 5'
    })
  })

  it('throws RangeError for an integer out of range', () => {
    assert.throws(() => { assertAge(256) }, {
      name: 'RangeError',
      message: '"age" expected an integer from 0 to 255, got 256'
    })
    assert.throws(() => { assertAge(-1) }, RangeError)
  })
})

describe('xorDistance', () => {
  const a = nameWith([0x12, 0x34], 0xa5)
  const b = nameWith([0x92, 0x30], 0x5a)

  it('is zero between a name and itself', () => {
    assert.equal(xorDistance(a, a), 0n)
    assert.equal(xorDistance(b, Uint8Array.from(b)), 0n)
  })

  it('is symmetric', () => {
    assert.equal(xorDistance(a, b), xorDistance(b, a))
    assert.notEqual(xorDistance(a, b), 0n)
  })

  it('is the XOR of the names read as a big-endian 256-bit integer', () => {
    const zero = new Uint8Array(NAME_BYTES)
    const lastBit = nameWith([])
    lastBit[NAME_BYTES - 1] = 1
    assert.equal(xorDistance(zero, lastBit), 1n)
    assert.equal(xorDistance(zero, nameWith([0x80])), 1n << 255n)
    assert.equal(xorDistance(zero, nameWith([], 0xff)), (1n << 256n) - 1n)
    assert.equal(xorDistance(nameWith([0xf0]), nameWith([0x0f])), 0xffn << 248n)
  })

  it('orders names by their highest differing bit', () => {
    const target = new Uint8Array(NAME_BYTES)
    const differsInFirstBit = nameWith([0x80])
    const differsInSecondByte = nameWith([0x00, 0xff], 0xff)
    const differsInLastByte = nameWith([])
    differsInLastByte[NAME_BYTES - 1] = 0xff
    const byDistance = [differsInFirstBit, differsInLastByte, differsInSecondByte]
      .sort((x, y) => (xorDistance(target, x) < xorDistance(target, y) ? -1 : 1))
    assert.deepEqual(byDistance, [differsInLastByte, differsInSecondByte, differsInFirstBit])
  })

  it('composes: d(a, c) = d(a, b) xor d(b, c)', () => {
    const c = nameWith([0x01, 0xff], 0x33)
    assert.equal(xorDistance(a, c), xorDistance(a, b) ^ xorDistance(b, c))
  })
})
