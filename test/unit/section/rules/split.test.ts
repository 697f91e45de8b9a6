import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { FULL_STORAGE_LEVEL, joinsAllowed, MIN_STORING_SECTION_SIZE, nextJoinsAllowed, splitHalves, splitIfReady, type JoinsEvent } from '../../../../node-core/section/rules/split.ts'
import { storageLevel } from '../../../../node-core/engine/section/storage-reports.ts'

/** `zeros` names with first byte `zeroByte`, then `ones` with first byte `oneByte`; distinct by byte 1. */
function membersSplitting (zeros: number, ones: number, zeroByte = 0b0000_0000, oneByte = 0b1000_0000): Uint8Array[] {
  const names: Uint8Array[] = []
  for (let i = 0; i < zeros + ones; i++) {
    const name = new Uint8Array(32)
    name[0] = i < zeros ? zeroByte : oneByte
    name[1] = i
    name[31] = 5
    names.push(name)
  }
  return names
}

function untyped<T> (value: unknown): T {
  return value as T
}

describe('splitIfReady', () => {
  it('splits at exactly 14 and 14', () => {
    const halves = splitIfReady({ prefix: '', members: membersSplitting(14, 14) })
    assert.ok(halves !== undefined)
    assert.deepEqual(halves.map(half => half.prefix), ['0', '1'])
    assert.deepEqual(halves.map(half => half.members.length), [14, 14])
    assert.ok(halves[0].members.every(name => (name[0] ?? 0) < 0x80))
    assert.ok(halves[1].members.every(name => (name[0] ?? 0) >= 0x80))
  })

  it('does not split at 13 and 15, nor 15 and 13, though 28 members would allow two of 14', () => {
    assert.equal(splitIfReady({ prefix: '', members: membersSplitting(13, 15) }), undefined)
    assert.equal(splitIfReady({ prefix: '', members: membersSplitting(15, 13) }), undefined)
  })

  it('does not split a large section with one small half, and splits an uneven one with both halves >= 14', () => {
    assert.equal(splitIfReady({ prefix: '', members: membersSplitting(13, 60) }), undefined)
    assert.deepEqual(splitIfReady({ prefix: '', members: membersSplitting(14, 40) })?.map(half => half.members.length), [14, 40])
  })

  it('splits by the bit after the prefix, not the first bit', () => {
    // Prefix '1': members all start with 1; bit 1 decides (0b10... vs 0b11...).
    const members = membersSplitting(14, 14, 0b1000_0000, 0b1100_0000)
    assert.equal(splitIfReady({ prefix: '', members }), undefined)
    const halves = splitIfReady({ prefix: '1', members })
    assert.deepEqual(halves?.map(half => half.prefix), ['10', '11'])
    assert.deepEqual(halves?.map(half => half.members.length), [14, 14])
  })

  it('keeps every member in exactly one half', () => {
    const members = membersSplitting(9, 20)
    const [zero, one] = splitHalves({ prefix: '', members })
    assert.equal(zero.members.length + one.members.length, members.length)
    assert.deepEqual(new Set([...zero.members, ...one.members]), new Set(members))
  })

  it('never splits a 64-bit prefix', () => {
    assert.equal(splitIfReady({ prefix: '0'.repeat(64), members: membersSplitting(14, 14) }), undefined)
  })
})

describe('nextJoinsAllowed', () => {
  it('switches joins off on every join, whatever they were', () => {
    assert.equal(nextJoinsAllowed(true, { kind: 'joined' }), false)
    assert.equal(nextJoinsAllowed(false, { kind: 'joined' }), false)
  })

  it('switches them on when a member leaves', () => {
    assert.equal(nextJoinsAllowed(false, { kind: 'left' }), true)
    assert.equal(nextJoinsAllowed(true, { kind: 'left' }), true)
  })

  it('switches them on when an adult reports >= 90 % full, and leaves them as they were below', () => {
    assert.equal(FULL_STORAGE_LEVEL, 9)
    assert.equal(nextJoinsAllowed(false, { kind: 'storage-level', level: 9 }), true)
    assert.equal(nextJoinsAllowed(false, { kind: 'storage-level', level: 10 }), true)
    assert.equal(nextJoinsAllowed(false, { kind: 'storage-level', level: 8 }), false)
    assert.equal(nextJoinsAllowed(true, { kind: 'storage-level', level: 0 }), true)
  })

  it('follows a sequence: join, join refused, leave, join, full report, join', () => {
    const events: JoinsEvent[] = [{ kind: 'joined' }, { kind: 'left' }, { kind: 'joined' }, { kind: 'storage-level', level: 9 }, { kind: 'joined' }]
    const states: boolean[] = []
    let allowed = true
    for (const event of events) {
      allowed = nextJoinsAllowed(allowed, event)
      states.push(allowed)
    }
    assert.deepEqual(states, [false, true, false, true, false])
  })

  it('rejects a storage level outside 0 to 10 and an unknown event', () => {
    assert.throws(() => nextJoinsAllowed(false, { kind: 'storage-level', level: 11 }), RangeError)
    assert.throws(() => nextJoinsAllowed(false, { kind: 'storage-level', level: 9.5 }), RangeError)
    assert.throws(() => nextJoinsAllowed(false, untyped({ kind: 'paused' })), TypeError)
  })
})

describe('joinsAllowed', () => {
  it('admits while the switch is on, or while the section is too small to keep 4 copies beside its 7 elders', () => {
    assert.equal(MIN_STORING_SECTION_SIZE, 11)
    assert.equal(joinsAllowed(true, 30), true)
    assert.equal(joinsAllowed(false, 10), true)
    assert.equal(joinsAllowed(false, 11), false)
  })
})

describe('storageLevel', () => {
  it('counts a store\'s fill in tenths, rounded down, and a store with no room for a chunk as full', () => {
    assert.equal(storageLevel({ bytes: 0, capacityBytes: 1000, full: false }), 0)
    assert.equal(storageLevel({ bytes: 899, capacityBytes: 1000, full: false }), 8)
    assert.equal(storageLevel({ bytes: 900, capacityBytes: 1000, full: false }), 9)
    assert.equal(storageLevel({ bytes: 500, capacityBytes: 1000, full: true }), 10)
  })
})
