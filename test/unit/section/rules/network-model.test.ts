// The 60-vault simulation (issue 3, "done means"): many churns through the network model, every
// decision checked against references written here from the rules (node:crypto SHA3, BigInt
// arithmetic), not against the model's own helpers. VAULT_LONG_SIM=1 runs it ten times longer.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { ageOfName, nameHasPrefix } from '../../../../node-core/engine/identity/name.ts'
import { assertPrefixPartition, prefixOfName, sectionFor } from '../../../../node-core/section/rules/prefix.ts'
import { joinsAllowed } from '../../../../node-core/section/rules/split.ts'
import {
  createNetworkModel, type DecisionRecord, type NetworkModel, type SectionSnapshot
} from '../../../../node-core/section/rules/network-model.ts'

const LONG = process.env.VAULT_LONG_SIM === '1'
const FOUNDER_AGES = Array.from({ length: 60 }, (_, i) => 5 + (i % 16))
/** Joins outpace leaves but only open when storage is needed, so the network grows and splits. */
const WEIGHTS = { join: 0.7, leave: 0.2, storageFull: 0.1 }
/** Each year of age halves a vault's chance of being the one to leave, so old vaults stay. */
const leaveWeightOfAge = (age: number): number => 2 ** (5 - age)
/** Only the deciding section changes in a decision (checked in full each time); all sections every this many events. */
const FULL_CHECK_EVERY = 20
const SIGMAS = 4

const hexCache = new WeakMap<Uint8Array, string>()

/** Names are never mutated once made, so their hex can be cached: the checks compare many. */
function hex (bytes: Uint8Array): string {
  let text = hexCache.get(bytes)
  if (text === undefined) {
    text = Buffer.from(bytes).toString('hex')
    hexCache.set(bytes, text)
  }
  return text
}

function sha3 (...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha3-256')
  for (const part of parts) hash.update(part)
  return new Uint8Array(hash.digest())
}

function big (bytes: Uint8Array): bigint {
  return BigInt(`0x${hex(bytes)}`)
}

// ---- References, from DESIGN §2 -------------------------------------------------------------

function referenceTrailingZeros (id: Uint8Array): number {
  let value = big(id)
  if (value === 0n) return 256
  let zeros = 0
  while ((value & 1n) === 0n) {
    value >>= 1n
    zeros++
  }
  return zeros
}

/** churnId mod 2^A == 0; highest qualifying class only; cap min(3, n - 14); ties by distance to SHA3(churnId). */
function referenceMoves (members: readonly Uint8Array[], signatures: readonly Uint8Array[], joined: readonly Uint8Array[]): string[] {
  if (members.length < 14) return []
  const cap = Math.min(3, members.length - 14)
  const id = sha3(...signatures)
  const zeros = referenceTrailingZeros(id)
  const joinedNames = new Set(joined.map(hex))
  const candidates = members.filter(name => !joinedNames.has(hex(name)) && ageOfName(name) <= zeros)
  if (candidates.length === 0) return []
  const highest = Math.max(...candidates.map(ageOfName))
  const target = big(sha3(id))
  return candidates
    .filter(name => ageOfName(name) === highest)
    .sort((a, b) => ((big(a) ^ target) < (big(b) ^ target) ? -1 : 1))
    .slice(0, cap)
    .map(hex)
}

/** Age first; on a tie current elders first; then the lower name by bytes; the first 7. */
function referenceElders (members: readonly Uint8Array[], current: readonly Uint8Array[]): string[] {
  const elders = new Set(current.map(hex))
  return members
    .map(name => ({ name: hex(name), age: ageOfName(name), elder: elders.has(hex(name)) }))
    .sort((a, b) => {
      if (a.age !== b.age) return b.age - a.age
      if (a.elder !== b.elder) return a.elder ? -1 : 1
      return a.name < b.name ? -1 : 1
    })
    .slice(0, 7)
    .map(entry => entry.name)
}

function halves (prefix: string, members: readonly Uint8Array[]): [number, number] {
  const ones = members.filter(name => nameHasPrefix(name, `${prefix}1`)).length
  return [members.length - ones, ones]
}

function splittable (prefix: string, members: readonly Uint8Array[]): boolean {
  return halves(prefix, members).every(size => size >= 14)
}

// ---- Checks -------------------------------------------------------------------------------

interface Tally {
  /** Per age: all decisions (the same count for every age), and how many qualified the age. */
  churns: number[]
  qualifiedChurns: number[]
  /** Per age: decisions with an eligible member of that age, and how many qualified it. */
  exposures: number[]
  qualified: number[]
  moved: number[]
  /** Per age: eligible members summed (and their squares) over decisions that could move one. */
  memberExposures: number[]
  memberExposureSquares: number[]
  maxMoves: number
  splits: number
  relocations: number
}

function newTally (): Tally {
  const zeros = (): number[] => new Array<number>(256).fill(0)
  return { churns: zeros(), qualifiedChurns: zeros(), exposures: zeros(), qualified: zeros(), moved: zeros(), memberExposures: zeros(), memberExposureSquares: zeros(), maxMoves: 0, splits: 0, relocations: 0 }
}

function add (list: number[], index: number, amount: number): void {
  list[index] = (list[index] ?? 0) + amount
}

/** One decision against the rules: relocation selection and cap, destinations, elders, split, joins flag. */
function checkDecision (decision: DecisionRecord, arrivals: Map<string, Uint8Array>, tally: Tally): void {
  const where = `decision ${decision.index} (${decision.kind} in "${decision.prefix}")`
  const { members, signatures, joinedThisDecision, selection } = decision
  assert.equal(signatures.length, 1)
  assert.equal(signatures[0]?.length, 96)
  assert.deepEqual(joinedThisDecision.map(hex), decision.kind === 'left' ? [] : [hex(decision.subject)], where)
  assert.equal(members.some(name => hex(name) === hex(decision.subject)), decision.kind !== 'left', where)
  assert.ok(members.every(name => nameHasPrefix(name, decision.prefix)), where)

  // Relocation: exactly the reference's choice, never more than the cap.
  const moves = selection.moves.map(move => hex(move.oldName))
  assert.deepEqual(moves, referenceMoves(members, signatures, joinedThisDecision), where)
  assert.ok(moves.length <= Math.max(0, Math.min(3, members.length - 14)), where)
  for (const [i, move] of selection.moves.entries()) {
    assert.equal(move.newAge, Math.min(ageOfName(move.oldName) + 1, 255), where)
    assert.deepEqual(move.destination, sha3(move.oldName, ...signatures), where)
    assert.ok(nameHasPrefix(move.destination, decision.destinationPrefixes[i] ?? 'x'), where)
    arrivals.set(hex(move.oldName), move.destination)
  }
  if (decision.kind === 'relocated-in') {
    const from = decision.relocatedFrom
    assert.ok(from !== undefined, where)
    const destination = arrivals.get(hex(from))
    assert.ok(destination !== undefined, `${where}: arrival without a move`)
    arrivals.delete(hex(from))
    assert.equal(ageOfName(decision.subject), Math.min(ageOfName(from) + 1, 255), where)
    // The new key's name: the destination section's prefix plus 3 bits of the destination address.
    assert.ok(nameHasPrefix(decision.subject, prefixOfName(destination, Math.min(decision.prefix.length + 3, 64))), where)
  } else {
    assert.equal(decision.relocatedFrom, undefined, where)
  }

  // Split exactly when both halves have >= 14, then elders: the 7 oldest by the rule, with the
  // deciding section's elders (before the decision) first on ties, in each resulting section.
  const remaining = members.filter(name => !moves.includes(hex(name)))
  if (decision.splits.length === 0) {
    assert.equal(decision.after.length, 1, where)
    assert.equal(decision.after[0]?.prefix, decision.prefix, where)
    assert.ok(!splittable(decision.prefix, remaining), `${where}: both halves >= 14 but no split`)
  } else {
    assert.equal(decision.splits[0]?.parent, decision.prefix, where)
    assert.ok(splittable(decision.prefix, remaining), where)
    for (const split of decision.splits) assert.ok(split.sizes.every(size => size >= 14), `${where}: split ${JSON.stringify(split)}`)
    tally.splits += decision.splits.length
  }
  assert.deepEqual(decision.after.flatMap(section => section.members.map(hex)).sort(), remaining.map(hex).sort(), where)
  for (const section of decision.after) {
    assert.ok(!splittable(section.prefix, section.members), where)
    assert.deepEqual(section.elders.map(hex), referenceElders(section.members, decision.eldersBefore), `${where}: elders of "${section.prefix}"`)
    // Every join switches joins off; a leave or a relocation away switches them on.
    assert.equal(section.joinsAllowed, decision.kind === 'left' || moves.length > 0, where)
  }

  // The statistics, tallied here from the records.
  const zeros = referenceTrailingZeros(sha3(...signatures))
  for (let age = 0; age < 256; age++) {
    add(tally.churns, age, 1)
    if (zeros >= age) add(tally.qualifiedChurns, age, 1)
  }
  const joined = new Set(joinedThisDecision.map(hex))
  const eligible = new Map<number, number>()
  for (const name of members) {
    if (!joined.has(hex(name))) eligible.set(ageOfName(name), (eligible.get(ageOfName(name)) ?? 0) + 1)
  }
  for (const [age, count] of eligible) {
    add(tally.exposures, age, 1)
    if (zeros >= age) add(tally.qualified, age, 1)
    if (members.length > 14) {
      add(tally.memberExposures, age, count)
      add(tally.memberExposureSquares, age, count * count)
    }
  }
  for (const move of selection.moves) add(tally.moved, ageOfName(move.oldName), 1)
  tally.maxMoves = Math.max(tally.maxMoves, moves.length)
  tally.relocations += moves.length
}

/** The whole network between events: a partition of sections, no member twice, elders, no split pending. */
function checkNetwork (sections: readonly SectionSnapshot[]): void {
  assertPrefixPartition(sections.map(section => section.prefix))
  const seen = new Set<string>()
  for (const section of sections) {
    for (const name of section.members) {
      assert.ok(nameHasPrefix(name, section.prefix))
      assert.ok(!seen.has(hex(name)), 'a vault in two places')
      seen.add(hex(name))
    }
    // As a set: which of two tied elders ranks first depends on who was elder before.
    assert.deepEqual(section.elders.map(hex).sort(), referenceElders(section.members, section.elders).sort(), `elders of "${section.prefix}"`)
    assert.ok(!splittable(section.prefix, section.members), `"${section.prefix}" left splittable`)
  }
}

/** Runs `decisions` decisions of random churn, checking everything; returns the tally. */
function simulate (seed: number, decisions: number): { model: NetworkModel, tally: Tally } {
  const model = createNetworkModel({ seed, founderAges: FOUNDER_AGES, weights: WEIGHTS, leaveWeightOfAge })
  const tally = newTally()
  let events = 0
  checkNetwork(model.sectionSnapshots())
  let expectedMembers = FOUNDER_AGES.length
  while (model.stats.decisions < decisions) {
    // Most events are joins refused while joins are off; far more than this means the network stalled.
    assert.ok(events < 50 * decisions, `the network stalled at ${model.memberCount()} members after ${events} events`)
    const event = model.randomEvent()
    const joining = event.kind === 'join' ? model.section(sectionFor(event.name, model.prefixes())) : undefined
    const allowed = joining === undefined ? undefined : joinsAllowed(joining.joinsAllowed, joining.members.length)
    const result = model.apply(event)
    switch (event.kind) {
      case 'join': {
        assert.equal(result.accepted, allowed, 'a join is accepted exactly when its section allows joins')
        if (result.accepted) expectedMembers++
        break
      }
      case 'leave':
        assert.equal(result.accepted, true)
        expectedMembers--
        break
      case 'storage-full':
        if (result.accepted) assert.equal(model.section(event.prefix)?.joinsAllowed, true)
        break
    }
    const arrivals = new Map<string, Uint8Array>()
    for (const decision of result.decisions) checkDecision(decision, arrivals, tally)
    assert.equal(arrivals.size, 0, 'every relocated vault arrived before the event settled')
    assert.equal(model.memberCount(), expectedMembers, 'joins and leaves change membership; relocations conserve it')
    if (++events % FULL_CHECK_EVERY === 0) checkNetwork(model.sectionSnapshots())
  }
  checkNetwork(model.sectionSnapshots())
  return { model, tally }
}

/**
 * Binomial bound: the class of age A qualifies on k of n churns with |k - n 2^-A| <= 4 sqrt(n p (1 - p)),
 * for every age class with enough samples (n p >= 10). Returns the ages tested.
 */
function assertQualificationRates (trials: readonly number[], hits: readonly number[], what: string): number[] {
  const tested: number[] = []
  for (let age = 1; age < 256; age++) {
    const n = trials[age] ?? 0
    const p = 2 ** -age
    if (n * p < 10) continue
    const k = hits[age] ?? 0
    const tolerance = SIGMAS * Math.sqrt(n * p * (1 - p))
    assert.ok(Math.abs(k - n * p) <= tolerance, `${what}, age ${age}: qualified in ${k} of ${n} churns, expected ${(n * p).toFixed(1)} +- ${tolerance.toFixed(1)}`)
    tested.push(age)
  }
  return tested
}

/**
 * A member moves only on a churn that qualifies its age, so its move rate is at most 2^-age: the
 * moves of a class stay under the qualifying member-churns' bound. A class qualifies as a whole,
 * so the variance is p (1 - p) times the sum of squared per-decision counts.
 */
function assertMoveRates (tally: Tally): void {
  for (let age = 0; age < 256; age++) {
    const exposures = tally.memberExposures[age] ?? 0
    const p = 2 ** -age
    if (exposures * p < 10) continue
    const bound = exposures * p + SIGMAS * Math.sqrt(p * (1 - p) * (tally.memberExposureSquares[age] ?? 0))
    assert.ok((tally.moved[age] ?? 0) <= bound, `age ${age}: ${tally.moved[age]} moves in ${exposures} member-churns, bound ${bound.toFixed(1)}`)
  }
}

describe('network model: the 60-vault simulation', () => {
  it(`keeps every rule over ${LONG ? '200 000' : '20 000'} decisions from 60 founders of ages 5 to 20 (seed 1)`, () => {
    const { model, tally } = simulate(1, LONG ? 200_000 : 20_000)
    // Every churn, every age: 20 000 churns give enough samples for ages 1 to 10.
    const everyChurn = assertQualificationRates(tally.churns, tally.qualifiedChurns, 'all churns')
    assert.ok(everyChurn.length >= 10, everyChurn.join(', '))
    // The churns of sections holding an eligible vault of the age: the classes present often enough.
    const present = assertQualificationRates(tally.exposures, tally.qualified, 'churns with the class present')
    assert.ok(present.length >= 4 && present.includes(5), present.join(', '))
    assertMoveRates(tally)
    // The model's own statistics agree with the tally taken from its decisions.
    for (let age = 0; age < 256; age++) {
      const stats = model.stats.ageClasses[age]
      assert.ok(stats !== undefined)
      assert.deepEqual(
        [stats.exposures, stats.qualified, stats.moved, stats.memberExposures, stats.memberExposureSquares],
        [tally.exposures[age], tally.qualified[age], tally.moved[age], tally.memberExposures[age], tally.memberExposureSquares[age]],
        `age ${age}`
      )
    }
    // The run exercised what it claims to: relocations up to the cap, splits, refused joins.
    assert.equal(tally.maxMoves, 3)
    assert.equal(model.stats.movesPerChurn.length, 4)
    assert.equal(model.stats.relocations, tally.relocations)
    assert.ok(tally.relocations >= 100, `${tally.relocations} relocations`)
    assert.ok(tally.splits >= 5, `${tally.splits} splits after genesis`)
    assert.ok(model.stats.refused['joins-disallowed'] > 0)
    assert.ok(model.memberCount() >= 60, `${model.memberCount()} members`)
  })

  for (const seed of [2, 3, 4]) {
    it(`keeps every rule with seed ${seed}`, () => {
      const { tally } = simulate(seed, LONG ? 50_000 : 4_000)
      assert.ok(assertQualificationRates(tally.churns, tally.qualifiedChurns, 'all churns').length >= 7)
      assert.ok(assertQualificationRates(tally.exposures, tally.qualified, 'churns with the class present').length >= 2)
      assertMoveRates(tally)
      assert.ok(tally.relocations > 0 && tally.splits > 0, `${tally.relocations} relocations, ${tally.splits} splits`)
    })
  }
})

describe('network model', () => {
  it('founds the genesis section with one vault per listed age and splits it by the rule at once', () => {
    const model = createNetworkModel({ seed: 5, founderAges: FOUNDER_AGES })
    const sections = model.sectionSnapshots()
    checkNetwork(sections)
    assert.ok(sections.length >= 2, 'a genesis of 60 has two halves of >= 14 on almost every seed')
    assert.deepEqual(sections.flatMap(section => section.members.map(ageOfName)).sort((a, b) => a - b), [...FOUNDER_AGES].sort((a, b) => a - b))
    assert.equal(model.stats.splits, sections.length - 1)
  })

  it('is deterministic: the same seed gives the same decisions, another seed others', () => {
    const run = (seed: number): string[] => {
      const model = createNetworkModel({ seed, founderAges: FOUNDER_AGES })
      const ids: string[] = []
      for (let step = 0; ids.length < 300 && step < 10_000; step++) {
        for (const decision of model.step().decisions) ids.push(hex(decision.selection.churnId))
      }
      assert.ok(ids.length >= 300, `${ids.length} decisions in 10 000 events`)
      return ids
    }
    assert.deepEqual(run(6), run(6))
    assert.notDeepEqual(run(7), run(6))
  })

  it('in a network of one section relocates back into it, and the age still grows', () => {
    const model = createNetworkModel({ seed: 8, founderAges: Array.from({ length: 20 }, (_, i) => 5 + (i % 4)) })
    let arrivals = 0
    for (let i = 0; i < 3_000; i++) {
      // A leave, a full report (a relocation's arrival may have switched joins off) and a join
      // keep 20 members: never two halves of 14.
      const members = model.sectionSnapshots()[0]?.members ?? []
      const leaver = members[i % members.length]
      assert.ok(leaver !== undefined)
      const decisions = [...model.apply({ kind: 'leave', name: leaver }).decisions]
      assert.equal(model.apply({ kind: 'storage-full', prefix: '' }).accepted, true)
      const join = model.apply({ kind: 'join', name: model.newVaultName() })
      assert.equal(join.accepted, true)
      decisions.push(...join.decisions)
      for (const decision of decisions) {
        assert.deepEqual(decision.destinationPrefixes, decision.selection.moves.map(() => ''))
        if (decision.kind !== 'relocated-in' || decision.relocatedFrom === undefined) continue
        arrivals++
        assert.equal(decision.prefix, '')
        assert.equal(ageOfName(decision.subject), ageOfName(decision.relocatedFrom) + 1)
      }
      assert.deepEqual(model.prefixes(), [''])
      assert.equal(model.memberCount(), 20)
    }
    assert.ok(arrivals >= 10, `${arrivals} relocations`)
  })

  it('refuses a join while joins are off, a wrong age, and a member joining twice', () => {
    const model = createNetworkModel({ seed: 9, founderAges: new Array<number>(10).fill(6) })
    const first = model.newVaultName()
    assert.equal(model.apply({ kind: 'join', name: first }).accepted, true)
    assert.deepEqual(model.apply({ kind: 'join', name: model.newVaultName() }), { accepted: false, reason: 'joins-disallowed', decisions: [] })
    const old = model.newVaultName()
    old[31] = 9
    assert.deepEqual(model.apply({ kind: 'join', name: old }), { accepted: false, reason: 'wrong-age', decisions: [] })
    assert.deepEqual(model.apply({ kind: 'storage-full', prefix: '' }), { accepted: true, decisions: [] })
    assert.deepEqual(model.apply({ kind: 'join', name: first }), { accepted: false, reason: 'already-member', decisions: [] })
    assert.equal(model.apply({ kind: 'join', name: model.newVaultName() }).accepted, true)
    assert.equal(model.memberCount(), 12)
    assert.throws(() => model.apply({ kind: 'leave', name: old }), RangeError)
    assert.throws(() => model.apply({ kind: 'storage-full', prefix: '1' }), RangeError)
  })

  it('rejects bad options', () => {
    assert.throws(() => createNetworkModel({ seed: 1, founderAges: [] }), RangeError)
    assert.throws(() => createNetworkModel({ seed: 1, founderAges: [5], weights: { join: -1 } }), RangeError)
    assert.throws(() => createNetworkModel({ seed: 1, founderAges: [5], weights: { join: 0, leave: 0, storageFull: 0 } }), RangeError)
    assert.throws(() => createNetworkModel({ seed: 1, founderAges: [256] }), RangeError)
  })
})
