import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SectionStatus, VaultState } from '../../../../../contract/host-api.ts'
import { createPrng, type Prng } from '../../../../../node-core/section/rules/prng.ts'
import { SIGNATURE_BYTES } from '../../../../../node-core/section/rules/churn.ts'
import { selectRelocations } from '../../../../../node-core/section/rules/relocation.ts'
import { relocationCap, relocationChance, relocationOutlook } from '../../../../../renderer/src/components/vault/relocation-outlook.ts'
import { SAMPLE_NAME, sampleStatus } from '../../../../helpers/sample-status.ts'

/** An active section in which this vault (SAMPLE_NAME) has `age` and the others `otherAges`, listed oldest first; checked against the contract. */
function activeSection (age: number, otherAges: readonly number[], overrides: Partial<SectionStatus> = {}): SectionStatus {
  const members = [{ name: SAMPLE_NAME, age }, ...otherAges.map((other, i) => ({ name: `peer-${i}`, age: other }))]
    .sort((a, b) => b.age - a.age)
  const base = sampleStatus().section
  if (base === null) throw new TypeError('the sample status has no section')
  const section = sampleStatus({
    section: {
      ...base,
      phase: 'active',
      prefix: '',
      sectionKey: 'a'.repeat(96),
      elders: members.slice(0, 7),
      members,
      memberCount: members.length,
      isElder: members.slice(0, 7).some(member => member.name === SAMPLE_NAME),
      isMember: true,
      generation: 3,
      ...overrides
    }
  }).section
  if (section === null) throw new TypeError('the section did not survive the contract')
  return section
}

function outlookOf (age: number, section: SectionStatus | null, state: VaultState = 'active') {
  return relocationOutlook(sampleStatus({ age, section, state }))
}

function estimate (age: number, section: SectionStatus) {
  const outlook = outlookOf(age, section)
  assert.equal(outlook.kind, 'estimate')
  return outlook
}

describe('relocationCap', () => {
  it('is min(3, members - 14), and 0 up to 14 members (DESIGN §2)', () => {
    assert.deepEqual([0, 1, 13, 14, 15, 16, 17, 18, 64].map(relocationCap), [0, 0, 0, 0, 1, 2, 3, 3, 3])
  })

  it('rejects a count that is not one', () => {
    assert.throws(() => relocationCap(-1), RangeError)
    assert.throws(() => relocationCap(2.5), RangeError)
  })
})

describe('relocationChance', () => {
  it('is 2^-age - 2^-next older age, times the share of its class the cap moves', () => {
    // Class of 4 at age 5, next older class 6, cap 1 (15 members).
    assert.equal(relocationChance(5, [5, 5, 5, 6, 6, 6, 7, 8, 9, 10, 11, 12, 13, 14], 15), (2 ** -5 - 2 ** -6) / 4)
    // The cap (3 at 20 members) covers the whole class of 2.
    assert.equal(relocationChance(6, [6, 7, ...new Array<number>(17).fill(5)], 20), 2 ** -6 - 2 ** -7)
  })

  it('is 2^-age times the cap\'s share for the oldest class, with nothing older to outrank it', () => {
    assert.equal(relocationChance(8, [8, 8, ...new Array<number>(13).fill(6)], 16), 2 ** -8 * 2 / 3)
  })

  it('is 0 while the section is too small to relocate anyone', () => {
    assert.equal(relocationChance(5, new Array<number>(13).fill(6), 14), 0)
  })

  it('rejects ages outside one byte and a count below the ages given', () => {
    assert.throws(() => relocationChance(256, [], 15), RangeError)
    assert.throws(() => relocationChance(5, [-1], 15), RangeError)
    assert.throws(() => relocationChance(5, [6, 7], 2), RangeError)
  })
})

describe('relocationOutlook', () => {
  const fifteen = [5, 5, 5, 6, 6, 6, 7, 8, 9, 10, 11, 12, 13, 14]

  it('estimates 1/p churns for an active member, from its own age and the others\' listed ages', () => {
    const outlook = estimate(5, activeSection(5, fifteen))
    assert.equal(outlook.perChurn, (2 ** -5 - 2 ** -6) / 4)
    assert.equal(outlook.expectedChurns, 256)
    assert.equal(outlook.atLeast, false)
  })

  it('says why there is no estimate: no section, engine not running, not active, not a member, too few members', () => {
    assert.deepEqual(outlookOf(5, null), { kind: 'unavailable', gap: { reason: 'no-section' } })
    assert.deepEqual(outlookOf(5, null, 'paused'), { kind: 'unavailable', gap: { reason: 'no-section' } })
    for (const state of ['starting', 'restarting', 'failed', 'stopped'] as const) {
      assert.deepEqual(outlookOf(5, null, state), { kind: 'unavailable', gap: { reason: 'not-running' } })
    }
    for (const phase of ['forming', 'keying', 'confirming'] as const) {
      assert.deepEqual(outlookOf(5, activeSection(5, fifteen, { phase, elders: [], isElder: false, isMember: false })), { kind: 'unavailable', gap: { reason: 'not-active', phase } })
    }
    assert.deepEqual(outlookOf(5, activeSection(5, fifteen, { isMember: false })), { kind: 'unavailable', gap: { reason: 'not-member' } })
    assert.deepEqual(outlookOf(5, activeSection(5, fifteen.slice(1))), { kind: 'unavailable', gap: { reason: 'too-few-members', memberCount: 14, needed: 15 } })
  })

  it('is a lower bound when unlisted members could share this vault\'s class', () => {
    const section = activeSection(5, fifteen, { memberCount: 40 })
    const outlook = estimate(5, section)
    assert.equal(outlook.atLeast, true)
    // The cap follows the full count: 3 of the listed class of 4.
    assert.equal(outlook.perChurn, (2 ** -5 - 2 ** -6) * 3 / 4)
  })

  it('is exact when every unlisted member is younger than this vault', () => {
    const outlook = estimate(10, activeSection(10, [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22], { memberCount: 40 }))
    assert.equal(outlook.atLeast, false)
    assert.equal(outlook.perChurn, 2 ** -10 - 2 ** -11)
  })

  it('counts this vault once when it is not in the truncated list', () => {
    const listed = activeSection(6, [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], { memberCount: 30 })
    const section = { ...listed, members: listed.members.filter(member => member.name !== SAMPLE_NAME) }
    const outlook = estimate(5, section)
    assert.equal(outlook.atLeast, true)
    assert.equal(outlook.perChurn, 2 ** -5 - 2 ** -6)
  })
})

// The estimate against the real rule (node-core/section/rules/relocation.ts), by Monte Carlo under
// the module's assumptions: every trial draws a fresh decision signature (so a uniform churn ID)
// and fresh names for the given ages (so a uniform tie-break rank), and counts how often the real
// selection moves this vault. Tolerance: 4.5 binomial standard deviations around the estimate,
// which the seeded runs meet and the nearby wrong rules (no class tie-break, no cap, 2^-age alone)
// miss by far more.
function relocatedShare (prng: Prng, age: number, otherAges: readonly number[], trials: number): number {
  let moved = 0
  for (let trial = 0; trial < trials; trial++) {
    const named = (memberAge: number): Uint8Array => {
      const name = prng.bytes(32)
      name[31] = memberAge
      return name
    }
    const self = named(age)
    const members = [self, ...otherAges.map(named)]
    const selection = selectRelocations({ members, signatures: [prng.bytes(SIGNATURE_BYTES)], joinedThisDecision: [] })
    if (selection.moves.some(move => Buffer.compare(move.oldName, self) === 0)) moved++
  }
  return moved
}

describe('relocationOutlook against the real relocation rule', () => {
  const scenarios = [
    { title: 'a class of 4 under a cap of 1, with an older class above', age: 5, others: [5, 5, 5, 6, 6, 6, 7, 8, 9, 10, 11, 12, 13, 14], seed: 1 },
    { title: 'a class of 2 under a cap of 3', age: 6, others: [6, 7, ...new Array<number>(17).fill(5)], seed: 2 },
    { title: 'the oldest class, of 3 under a cap of 2', age: 8, others: [8, 8, ...new Array<number>(13).fill(6)], seed: 3 }
  ]
  for (const { title, age, others, seed } of scenarios) {
    it(`matches the relocation frequency of node-core's selectRelocations: ${title}`, () => {
      const { perChurn } = estimate(age, activeSection(age, others))
      const trials = 60_000
      const moved = relocatedShare(createPrng(seed), age, others, trials)
      const expected = perChurn * trials
      const tolerance = 4.5 * Math.sqrt(trials * perChurn * (1 - perChurn))
      assert.ok(Math.abs(moved - expected) <= tolerance, `moved ${moved} times in ${trials} churns; the estimate says ${expected.toFixed(1)} ± ${tolerance.toFixed(1)}`)
    })
  }
})
