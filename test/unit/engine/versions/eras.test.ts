import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  ActiveEraGuard, activeEraFromDecision, electableMembers, electCurrentElders, eraActivationProposal, eraActivationReady,
  EraNotReadyError, UnsupportedEraError, type MemberEraSupport
} from '../../../../node-core/engine/versions/eras.ts'
import type { Decision } from '../../../../node-core/section/crypto/decisions.ts'
import { electElders } from '../../../../node-core/section/rules/elders.ts'

/** A section of `total` members, the first seven its elders; `support` of them (elders first, or not) back era 2. */
function section (total: number, supportingMembers: number, supportingElders: number): { members: MemberEraSupport[], elders: string[] } {
  const names = Array.from({ length: total }, (_, i) => i.toString(16).padStart(64, '0'))
  const elders = names.slice(0, 7)
  const supporting = new Set([...elders.slice(0, supportingElders), ...names.slice(7, 7 + supportingMembers - supportingElders)])
  assert.equal(supporting.size, supportingMembers, 'test section built as asked')
  return { members: names.map(name => ({ name, supportsEras: supporting.has(name) ? [1, 2] : [1] })), elders }
}

describe('eraActivationReady', () => {
  it('is ready at exactly 80% of members and 5 of 7 elders', () => {
    const result = eraActivationReady({ era: 2, ...section(20, 16, 5) })
    assert.equal(result.ready, true, result.reason)
    assert.equal(result.supportingMembers, 16)
    assert.equal(result.supportingElders, 5)
    // 80% of sizes where 0.8 * n is not exact in floating point
    for (const [total, supporting] of [[15, 12], [35, 28], [10, 8], [45, 36]] as const) {
      assert.equal(eraActivationReady({ era: 2, ...section(total, supporting, 5) }).ready, true, `${supporting}/${total}`)
    }
  })

  it('is not ready at 79% of members, even with every elder', () => {
    const result = eraActivationReady({ era: 2, ...section(100, 79, 7) })
    assert.equal(result.ready, false)
    assert.match(result.reason, /79 of 100 members \(79\.0%\).*members need at least 80%/)
    assert.equal(eraActivationReady({ era: 2, ...section(100, 80, 7) }).ready, true)
  })

  it('is not ready with 4 of 7 elders, even with every other member', () => {
    const result = eraActivationReady({ era: 2, ...section(20, 17, 4) })
    assert.equal(result.ready, false)
    assert.match(result.reason, /4 of 7 elders.*elders need at least 5/)
    assert.doesNotMatch(result.reason, /members need/)
  })

  it('counts support for the era asked, not for any era', () => {
    assert.equal(eraActivationReady({ era: 3, ...section(20, 20, 7) }).ready, false)
    assert.equal(eraActivationReady({ era: 1, ...section(20, 0, 0) }).ready, true)
  })

  it('refuses elders that are not members, duplicate members, bad eras and bad thresholds', () => {
    const { members, elders } = section(10, 10, 7)
    assert.throws(() => eraActivationReady({ era: 2, members, elders: [...elders, 'f'.repeat(64)] }), /not a member/)
    assert.throws(() => eraActivationReady({ era: 2, members: [...members, ...members.slice(0, 1)], elders }), /twice/)
    assert.throws(() => eraActivationReady({ era: 0, members, elders }), RangeError)
    assert.throws(() => eraActivationReady({ era: 1.5, members, elders }), TypeError)
    assert.throws(() => eraActivationReady({ era: 2, members, elders, threshold: { members: 1.2, elders: 5 } }), RangeError)
    assert.equal(eraActivationReady({ era: 2, members: [], elders: [] }).ready, false)
  })
})

describe('eraActivationProposal', () => {
  const base = { era: 2, generation: 41, sectionPrefix: '01', currentEpoch: 41, ...section(20, 16, 5) }

  it('proposes the era effective from a later epoch, as a valid era-activation proposal', () => {
    const proposal = eraActivationProposal({ ...base, delay: 3 })
    assert.deepEqual(proposal, { kind: 'era-activation', subject: 'era-2', generation: 41, sectionPrefix: '01', payload: { era: 2, effectiveFromEpoch: 44 } })
    assert.equal(eraActivationProposal(base).payload.effectiveFromEpoch, 42, 'default delay is one epoch')
  })

  it('refuses a delay of zero epochs and a proposal while the thresholds do not hold', () => {
    assert.throws(() => eraActivationProposal({ ...base, delay: 0 }), RangeError)
    assert.throws(() => eraActivationProposal({ ...base, ...section(20, 15, 5) }), (err: Error) => err.name === EraNotReadyError.NAME && /15 of 20/.test(err.message))
  })

  it('reads the active era back from the decision', () => {
    const proposal = eraActivationProposal({ ...base, delay: 2 })
    const decision: Decision = { proposal, sectionKey: 'a'.repeat(96), signature: 'b'.repeat(192) }
    assert.deepEqual(activeEraFromDecision(decision), { era: 2, effectiveFromEpoch: 43 })
    assert.throws(() => activeEraFromDecision({ ...decision, proposal: { ...proposal, subject: 'era-3' } }), /does not name era 2/)
    assert.throws(() => activeEraFromDecision({ ...decision, proposal: { ...proposal, payload: { era: 2 } } }), RangeError)
    assert.throws(() => activeEraFromDecision({ ...decision, proposal: { ...proposal, kind: 'join' } }), /expected an era-activation/)
  })
})

describe('ActiveEraGuard', () => {
  it('throws UnsupportedEraError only once an unsupported era is in effect', () => {
    const guard = new ActiveEraGuard({ era: 2, effectiveFromEpoch: 10 }, [1])
    assert.doesNotThrow(() => { guard.check(9) })
    assert.throws(() => { guard.check(10) }, (err: Error) =>
      err.name === UnsupportedEraError.NAME &&
      err.message === 'upgrade required: this vault supports eras [1] but era 2 is active since epoch 10')
    assert.throws(() => { guard.check(11) }, UnsupportedEraError)
  })

  it('never throws for a supported era', () => {
    const guard = new ActiveEraGuard({ era: 2, effectiveFromEpoch: 10 }, [1, 2])
    for (const epoch of [0, 10, 1000]) assert.doesNotThrow(() => { guard.check(epoch) })
    assert.equal(guard.notice(10), undefined)
    assert.doesNotThrow(() => { new ActiveEraGuard({ era: 1, effectiveFromEpoch: 0 }).check(5) }, 'this release supports era 1')
  })

  it('warns before the era takes effect and explains, once it has, what is wrong, what it costs and how to fix it', () => {
    const guard = new ActiveEraGuard({ era: 2, effectiveFromEpoch: 10 }, [1])
    const before = guard.notice(8)
    assert.equal(before?.level, 'warning')
    assert.match(before?.text ?? '', /era 2 from epoch 10 \(now 8\)/)
    const after = guard.notice(10)
    assert.equal(after?.level, 'error')
    assert.match(after?.text ?? '', /supports eras \[1\], but era 2 is active since epoch 10/)
    assert.match(after?.text ?? '', /earns nothing/)
    assert.match(after?.text ?? '', /Install the latest release/)
  })

  it('refuses more than two supported eras (a release supports at most two)', () => {
    assert.throws(() => new ActiveEraGuard({ era: 2, effectiveFromEpoch: 1 }, [1, 2, 3]), RangeError)
    assert.throws(() => new ActiveEraGuard({ era: 2, effectiveFromEpoch: 1 }, []), RangeError)
    assert.throws(() => new ActiveEraGuard({ era: 2, effectiveFromEpoch: -1 }, [1]), RangeError)
  })
})

describe('electableMembers', () => {
  it('leaves outdated members out of the elder election', () => {
    const members = Array.from({ length: 9 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7 + 1) & 0xff))
    // The two members the election would rank first are the outdated ones.
    const outdated = new Set(electElders(members, []).slice(0, 2))
    const isOutdated = (name: Uint8Array): boolean => outdated.has(name)
    const electable = electableMembers(members, isOutdated)
    assert.equal(electable.length, 7)
    for (const name of outdated) assert.equal(electable.includes(name), false)
    const elders = electCurrentElders(members, [], isOutdated)
    assert.deepEqual(elders, electElders(electable, []))
    for (const name of outdated) assert.equal(elders.includes(name), false)
    assert.deepEqual(electCurrentElders(members, [], () => false), electElders(members, []))
  })
})
