import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, generateKeyPairSync } from 'node:crypto'
import { publicKeyFromSeed, rawPrivateSeed } from '../../../../node-core/engine/identity/ed25519-raw.ts'
import { grindKey, type GroundKey } from '../../../../node-core/engine/identity/grind.ts'
import { ageOfName, nameHasPrefix } from '../../../../node-core/engine/identity/name.ts'
import { churnId, SIGNATURE_BYTES, trailingZeroBits } from '../../../../node-core/section/rules/churn.ts'
import { prefixOfName, sectionFor } from '../../../../node-core/section/rules/prefix.ts'
import { createPrng, type Prng } from '../../../../node-core/section/rules/prng.ts'
import {
  createRelocationProof, decodeRelocationProof, encodeRelocationProof, grindRelocatedKey, MAX_RELOCATIONS_PER_CHURN,
  relocationGrindPrefix, selectRelocations, verifyRelocationProof, type RelocationProof
} from '../../../../node-core/section/rules/relocation.ts'

function sha3 (...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha3-256')
  for (const part of parts) hash.update(part)
  return new Uint8Array(hash.digest())
}

function big (bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`)
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/** A decision's signatures whose churn ID has exactly `zeros` trailing zero bits. */
function signaturesWithZeros (prng: Prng, zeros: number, count = 1): Uint8Array[] {
  for (;;) {
    const signatures = Array.from({ length: count }, () => prng.bytes(SIGNATURE_BYTES))
    if (trailingZeroBits(churnId(signatures)) === zeros) return signatures
  }
}

function members (prng: Prng, ages: readonly number[]): Uint8Array[] {
  return ages.map(age => {
    const name = prng.bytes(32)
    name[31] = age
    return name
  })
}

function names (list: ReadonlyArray<{ oldName: Uint8Array }>): string[] {
  return list.map(move => hex(move.oldName))
}

function byDistanceTo (target: Uint8Array, list: readonly Uint8Array[]): string[] {
  const t = big(target)
  return [...list].sort((a, b) => ((big(a) ^ t) < (big(b) ^ t) ? -1 : 1)).map(hex)
}

describe('selectRelocations', () => {
  const prng = createPrng(21)

  it('moves nothing below 14 members, even when every member qualifies', () => {
    const selection = selectRelocations({ members: members(prng, new Array(13).fill(5)), signatures: signaturesWithZeros(prng, 9), joinedThisDecision: [] })
    assert.equal(selection.cap, 0)
    assert.deepEqual(selection.moves, [])
  })

  it('caps moves at min(3, members - 14): 0, 1, 2, 3, 3 for 14, 15, 16, 17 and 30 members', () => {
    const signatures = signaturesWithZeros(prng, 6)
    const moved = [14, 15, 16, 17, 30].map(size => {
      const selection = selectRelocations({ members: members(prng, new Array(size).fill(5)), signatures, joinedThisDecision: [] })
      assert.equal(selection.cap, Math.min(MAX_RELOCATIONS_PER_CHURN, size - 14))
      return selection.moves.length
    })
    assert.deepEqual(moved, [0, 1, 2, 3, 3])
  })

  it('moves only the highest qualifying class: not the older class the churn misses, not the younger one', () => {
    const signatures = signaturesWithZeros(prng, 6)
    const section = members(prng, [7, 7, 6, 6, 6, 6, 6, ...new Array(13).fill(5)])
    const selection = selectRelocations({ members: section, signatures, joinedThisDecision: [] })
    assert.equal(selection.highestQualifyingAge, 6)
    assert.equal(selection.moves.length, 3)
    assert.ok(selection.moves.every(move => move.oldAge === 6 && ageOfName(move.oldName) === 6))
  })

  it('does not fall back to a younger class when the highest has fewer members than the cap', () => {
    const signatures = signaturesWithZeros(prng, 6)
    const section = members(prng, [6, ...new Array(19).fill(5)])
    const selection = selectRelocations({ members: section, signatures, joinedThisDecision: [] })
    assert.equal(selection.cap, 3)
    assert.deepEqual(names(selection.moves), [hex(section[0] ?? new Uint8Array())])
  })

  it('moves nobody when no member qualifies', () => {
    const selection = selectRelocations({ members: members(prng, new Array(20).fill(5)), signatures: signaturesWithZeros(prng, 4), joinedThisDecision: [] })
    assert.equal(selection.highestQualifyingAge, undefined)
    assert.deepEqual(selection.moves, [])
  })

  it('breaks ties by XOR distance to SHA3-256(churn ID), which here picks others than distance to the churn ID would', () => {
    const section = members(prng, new Array(20).fill(5))
    // Find a churn where the two tie-breaks disagree, so the test tells them apart.
    let signatures: Uint8Array[]
    let expected: string[]
    for (;;) {
      signatures = signaturesWithZeros(prng, 5)
      const id = churnId(signatures)
      expected = byDistanceTo(sha3(id), section).slice(0, 3)
      if (byDistanceTo(id, section).slice(0, 3).join() !== expected.join()) break
    }
    const selection = selectRelocations({ members: section, signatures, joinedThisDecision: [] })
    assert.deepEqual(names(selection.moves), expected)
  })

  it('never relocates a vault that joined in this decision, and does not let it set the class', () => {
    const signatures = signaturesWithZeros(prng, 6)
    const section = members(prng, [6, ...new Array(19).fill(5)])
    const [joiner] = section
    assert.ok(joiner !== undefined)
    const withJoiner = selectRelocations({ members: section, signatures, joinedThisDecision: [joiner] })
    assert.equal(withJoiner.highestQualifyingAge, 5)
    assert.equal(withJoiner.moves.length, 3)
    assert.ok(!names(withJoiner.moves).includes(hex(joiner)))
    // The same churn without the join would move the age-6 vault alone.
    assert.deepEqual(names(selectRelocations({ members: section, signatures, joinedThisDecision: [] }).moves), [hex(joiner)])
  })

  it('gives each move its destination SHA3-256(oldName || signatures) and age + 1', () => {
    const signatures = signaturesWithZeros(prng, 8, 2)
    const selection = selectRelocations({ members: members(prng, [8, 8, ...new Array(14).fill(6)]), signatures, joinedThisDecision: [] })
    assert.equal(selection.moves.length, 2)
    assert.deepEqual(selection.churnId, sha3(...signatures))
    for (const move of selection.moves) {
      assert.deepEqual(move.destination, sha3(move.oldName, ...signatures))
      assert.equal(move.newAge, 9)
    }
  })

  it('rejects a member listed twice', () => {
    const section = members(prng, new Array(15).fill(5))
    assert.throws(() => selectRelocations({ members: [...section, Uint8Array.from(section[0] ?? [])], signatures: signaturesWithZeros(prng, 0), joinedThisDecision: [] }), { name: 'RangeError', message: /twice/ })
  })
})

describe('relocationGrindPrefix', () => {
  it('is the section prefix plus 3 bits of the destination, at most 64 bits', () => {
    const destination = new Uint8Array(32).fill(0b1011_0110)
    assert.equal(relocationGrindPrefix(destination, '10'), '10110')
    assert.equal(relocationGrindPrefix(destination, ''), '101')
    assert.equal(relocationGrindPrefix(destination, prefixOfName(destination, 63)).length, 64)
    assert.throws(() => relocationGrindPrefix(destination, '0'), RangeError)
  })
})

describe('relocation proof', () => {
  const prng = createPrng(22)
  const prefixes = ['00', '01', '10', '11']
  const oldAge = 5
  let oldKey: GroundKey
  let decision: Uint8Array[]
  let destinationPrefix: string
  let newKey: GroundKey
  let wrongAgeKey: GroundKey
  let wrongPrefixKey: GroundKey
  let valid: RelocationProof

  before(async () => {
    oldKey = await grindKey({ prefix: '', age: oldAge, workers: 2 })
    decision = signaturesWithZeros(prng, 5, 2)
    const selection = selectRelocations({ members: [oldKey.name, ...members(prng, new Array(14).fill(4))], signatures: decision, joinedThisDecision: [] })
    const [move] = selection.moves
    assert.ok(move !== undefined && hex(move.oldName) === hex(oldKey.name))
    destinationPrefix = sectionFor(move.destination, prefixes)
    const otherPrefix = `${destinationPrefix[0] === '0' ? '1' : '0'}${destinationPrefix.slice(1)}`
    ;[newKey, wrongAgeKey, wrongPrefixKey] = await Promise.all([
      grindRelocatedKey(move, prefixes, { workers: 1 }),
      grindKey({ prefix: destinationPrefix, age: oldAge + 2, workers: 1 }),
      grindKey({ prefix: otherPrefix, age: oldAge + 1, workers: 1 })
    ])
    valid = createRelocationProof({ oldSeed: oldKey.seed, newName: newKey.name, decisionSignatures: decision })
  })

  const context = (): Parameters<typeof verifyRelocationProof>[1] => ({ knownDecision: { signatures: decision, relocated: [oldKey.name] }, prefix: destinationPrefix })

  it('grinds the new key in the destination prefix plus 3 bits, with age + 1', () => {
    assert.deepEqual(publicKeyFromSeed(newKey.seed), newKey.name)
    assert.equal(ageOfName(newKey.name), oldAge + 1)
    const destination = sha3(oldKey.name, ...decision)
    assert.equal(prefixOfName(newKey.name, destinationPrefix.length + 3), prefixOfName(destination, destinationPrefix.length + 3))
  })

  it('verifies a valid proof, also after a round trip through its JSON wire form', () => {
    assert.doesNotThrow(() => { verifyRelocationProof(valid, context()) })
    const json = JSON.parse(JSON.stringify(encodeRelocationProof(valid))) as unknown
    const decoded = decodeRelocationProof(json)
    assert.deepEqual(decoded, valid)
    assert.doesNotThrow(() => { verifyRelocationProof(decoded, context()) })
  })

  it('rejects a forged old-key signature: a flipped bit, or another key signing', () => {
    const flipped = Uint8Array.from(valid.oldKeySignature)
    flipped[10] = (flipped[10] ?? 0) ^ 0x01
    assert.throws(() => { verifyRelocationProof({ ...valid, oldKeySignature: flipped }, context()) }, { name: 'RelocationSignatureError' })
    const attacker = rawPrivateSeed(generateKeyPairSync('ed25519').privateKey)
    const forged = createRelocationProof({ oldSeed: attacker, newName: newKey.name, decisionSignatures: decision })
    assert.throws(() => { verifyRelocationProof({ ...forged, oldName: oldKey.name }, context()) }, { name: 'RelocationSignatureError', message: /did not sign/ })
  })

  it('rejects a new name with the wrong age byte, or a proof that misstates the age', () => {
    const wrongAge = createRelocationProof({ oldSeed: oldKey.seed, newName: wrongAgeKey.name, decisionSignatures: decision })
    assert.throws(() => { verifyRelocationProof(wrongAge, context()) }, { name: 'RelocationAgeError', message: /age byte is 7 .*relocates with age 6/ })
    assert.throws(() => { verifyRelocationProof({ ...valid, newAge: 7 }, context()) }, { name: 'RelocationAgeError', message: /the proof says 7/ })
  })

  it('rejects a new name outside the destination prefix, and a destination that is not this section', () => {
    const wrongPrefix = createRelocationProof({ oldSeed: oldKey.seed, newName: wrongPrefixKey.name, decisionSignatures: decision })
    assert.ok(!nameHasPrefix(wrongPrefixKey.name, destinationPrefix))
    assert.throws(() => { verifyRelocationProof(wrongPrefix, context()) }, { name: 'RelocationDestinationError', message: /does not have the destination prefix/ })
    const otherSection = prefixes.find(prefix => prefix !== destinationPrefix) ?? ''
    assert.throws(() => { verifyRelocationProof(valid, { ...context(), prefix: otherSection }) }, { name: 'RelocationDestinationError', message: /is not in section/ })
  })

  it('rejects a proof for another decision, a decision that did not relocate the vault, and one whose churn does not qualify its age', () => {
    const other = signaturesWithZeros(prng, 6, 2)
    const forOther = createRelocationProof({ oldSeed: oldKey.seed, newName: newKey.name, decisionSignatures: other })
    assert.throws(() => { verifyRelocationProof(forOther, context()) }, { name: 'RelocationDecisionError', message: /another decision/ })
    assert.throws(() => { verifyRelocationProof(valid, { ...context(), knownDecision: { signatures: decision, relocated: [wrongAgeKey.name] } }) }, { name: 'RelocationDecisionError', message: /did not relocate/ })
    const young = signaturesWithZeros(prng, 4, 2)
    const unqualified = createRelocationProof({ oldSeed: oldKey.seed, newName: newKey.name, decisionSignatures: young })
    assert.throws(() => { verifyRelocationProof(unqualified, { ...context(), knownDecision: { signatures: young, relocated: [oldKey.name] } }) }, { name: 'RelocationDecisionError', message: /does not qualify age 5/ })
  })

  it('rejects malformed proofs from the wire or from memory', () => {
    const json = encodeRelocationProof(valid)
    assert.throws(() => decodeRelocationProof({ ...json, newName: json.newName.slice(2) }), { name: 'RelocationProofMalformedError' })
    assert.throws(() => decodeRelocationProof({ ...json, oldName: json.oldName.toUpperCase() }), { name: 'RelocationProofMalformedError' })
    assert.throws(() => decodeRelocationProof({ ...json, decisionSignatures: [] }), { name: 'RelocationProofMalformedError' })
    assert.throws(() => decodeRelocationProof({ ...json, extra: 1 }), { name: 'RelocationProofMalformedError' })
    assert.throws(() => decodeRelocationProof('proof'), { name: 'RelocationProofMalformedError' })
    assert.throws(() => { verifyRelocationProof({ ...valid, oldKeySignature: valid.oldKeySignature.subarray(1) }, context()) }, { name: 'RelocationProofMalformedError' })
  })
})
