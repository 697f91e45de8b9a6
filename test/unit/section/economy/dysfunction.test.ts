import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  assessDysfunction, DEFAULT_DYSFUNCTION_OPTIONS, EMPTY_DYSFUNCTION, formatReason, noteFailure,
  type DysfunctionOptions, type DysfunctionState, type FailureEvent
} from '../../../../node-core/section/economy/dysfunction.ts'

function feed (events: readonly FailureEvent[], options: DysfunctionOptions = DEFAULT_DYSFUNCTION_OPTIONS): DysfunctionState {
  return events.reduce((state, event) => noteFailure(state, event, options), EMPTY_DYSFUNCTION)
}

describe('dysfunction tracker', () => {
  it('stays ok below the threshold and is pause-due at it, with the reasons worst first', () => {
    const five = feed([1, 2, 3, 4, 5].map(churn => ({ kind: 'missed-audit' as const, churn })))
    assert.deepEqual(assessDysfunction(five, 5), { action: 'ok', score: 5 })
    const six = noteFailure(five, { kind: 'wrong-data', churn: 6, detail: 'chunk 3f2a... hashed wrong' })
    const verdict = assessDysfunction(six, 6)
    assert.equal(verdict.action, 'pause-due')
    assert.equal(verdict.action === 'pause-due' ? verdict.score : 0, 8)
    const reasons = verdict.action === 'pause-due' ? verdict.reasons : []
    assert.deepEqual(reasons.map(r => [r.kind, r.count, r.score]), [['missed-audit', 5, 5], ['wrong-data', 1, 3]])
    assert.equal(formatReason(reasons[1] ?? assert.fail()), 'wrong-data x1: chunk 3f2a... hashed wrong')
  })

  it('words a reason with each distinct detail once', () => {
    const repeated = { kind: 'missed-audit' as const, count: 4, score: 4, details: ['chunk a missing', 'chunk a missing', 'chunk b missing', 'chunk a missing'] }
    assert.equal(formatReason(repeated), 'missed-audit x4: chunk a missing; chunk b missing')
  })

  it('weighs kinds by the options: two wrong answers reach the default threshold, two outdated reports do not', () => {
    assert.equal(assessDysfunction(feed([{ kind: 'wrong-data', churn: 1 }, { kind: 'wrong-data', churn: 2 }]), 2).action, 'pause-due')
    assert.equal(assessDysfunction(feed([{ kind: 'outdated-version', churn: 1 }, { kind: 'outdated-version', churn: 2 }]), 2).action, 'ok')
    const strict: DysfunctionOptions = { ...DEFAULT_DYSFUNCTION_OPTIONS, weights: { ...DEFAULT_DYSFUNCTION_OPTIONS.weights, 'outdated-version': 3 } }
    assert.equal(assessDysfunction(feed([{ kind: 'outdated-version', churn: 1 }, { kind: 'outdated-version', churn: 2 }], strict), 2, strict).action, 'pause-due')
  })

  it('forgets failures older than the window', () => {
    const options: DysfunctionOptions = { ...DEFAULT_DYSFUNCTION_OPTIONS, windowChurns: 10 }
    const state = feed([{ kind: 'wrong-data', churn: 1 }, { kind: 'wrong-data', churn: 12 }], options)
    assert.equal(state.failures.length, 1, 'the failure at churn 1 dropped out when churn 12 was noted')
    assert.deepEqual(assessDysfunction(state, 12, options), { action: 'ok', score: 3 })
    assert.deepEqual(assessDysfunction(feed([{ kind: 'wrong-data', churn: 3 }, { kind: 'wrong-data', churn: 12 }], options), 12, options).action, 'pause-due')
    assert.deepEqual(assessDysfunction(state, 30, options), { action: 'ok', score: 0 })
  })

  it('removes at once on proven misbehaviour, however clean the rest, and never forgets it', () => {
    for (const kind of ['equivocation', 'invalid-signature'] as const) {
      const state = feed([{ kind, churn: 4, detail: 'two votes for generation 9' }])
      const verdict = assessDysfunction(state, 4)
      assert.equal(verdict.action, 'remove-now', kind)
      assert.deepEqual(verdict.action === 'remove-now' ? verdict.reasons.map(r => r.kind) : [], [kind])
      assert.equal(assessDysfunction(state, 4000).action, 'remove-now')
    }
  })

  it('refuses events out of order, unknown kinds and bad options', () => {
    const state = feed([{ kind: 'unresponsive', churn: 9 }])
    assert.throws(() => noteFailure(state, { kind: 'unresponsive', churn: 8 }), RangeError)
    assert.throws(() => noteFailure(state, { kind: 'late' as 'unresponsive', churn: 10 }), RangeError)
    assert.throws(() => assessDysfunction(state, 10, { ...DEFAULT_DYSFUNCTION_OPTIONS, threshold: 0 }), RangeError)
  })
})
