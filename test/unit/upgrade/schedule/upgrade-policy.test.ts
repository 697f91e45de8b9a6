import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { UpgradePolicy, VerdictResult } from '../../../../contract/upgrade.ts'
import { DAY_MS, deferChoices, deferToDate, nextUpgradeAction, WEEK_MS, type CandidateState, type UpgradeAction } from '../../../../node-core/upgrade/schedule/upgrade-policy.ts'

function untyped<T> (value: unknown): T {
  return value as T
}

const NOW = Date.UTC(2025, 2, 10, 9, 30)
const HOUR = 3_600_000

function candidate (state: Partial<Omit<CandidateState, 'verdict'>> & { verdict?: VerdictResult | null } = {}): CandidateState {
  const { verdict = 'pass', ...rest } = state
  return { engineVersion: '1.5.0', eligibleAt: NOW + HOUR, approved: false, deferredUntil: null, deadline: null, ...rest, verdict: verdict === null ? null : { result: verdict } }
}

function decide (policy: UpgradePolicy, state: CandidateState, now = NOW, failedVersions: string[] = []): UpgradeAction {
  return nextUpgradeAction({ policy, candidate: state, failedVersions, now })
}

function kind (action: UpgradeAction): string {
  return action.kind === 'wait' && action.until !== undefined ? `wait until ${(action.until - NOW) / HOUR} h` : action.kind
}

describe('nextUpgradeAction: what always holds', () => {
  it('blocks a version that failed here before, whatever the policy and approval', () => {
    for (const policy of ['automatic', 'ask', 'manual'] as const) {
      const action = decide(policy, candidate({ approved: true, eligibleAt: NOW - HOUR }), NOW, ['1.5.0'])
      assert.deepEqual(action, { kind: 'blocked', why: '1.5.0 failed on this vault before (a shadow test or the health window after a switch), so it is not installed again.' })
    }
  })

  it('waits for the shadow test, and blocks a failed one', () => {
    assert.deepEqual(decide('automatic', candidate({ verdict: null })), { kind: 'wait', why: 'The shadow test of 1.5.0 has not finished yet.' })
    assert.deepEqual(decide('manual', candidate({ verdict: 'fail', approved: true })), { kind: 'blocked', why: '1.5.0 failed its shadow test, so it will not be installed.' })
  })

  it('over every combination: no switch without its conditions, no wait past the deadline', () => {
    const times = [null, NOW - 2 * HOUR, NOW, NOW + HOUR, NOW + 5 * HOUR]
    for (const policy of ['automatic', 'ask', 'manual'] as const) {
      for (const verdict of ['pass', 'marginal', 'fail', null] as const) {
        for (const approved of [false, true]) {
          for (const eligibleAt of times) {
            for (const deferredUntil of times) {
              for (const deadline of times) {
                const state = candidate({ verdict, approved, eligibleAt, deferredUntil, deadline })
                const action = decide(policy, state)
                const label = JSON.stringify({ policy, ...state, action })
                assert.ok(action.why.length > 10 && action.why.endsWith('.'), label)
                const deadlinePassed = deadline !== null && deadline <= NOW
                if (action.kind === 'switch') {
                  assert.ok(verdict === 'pass' || verdict === 'marginal', label)
                  assert.ok(verdict === 'pass' || approved, `marginal switched without approval: ${label}`)
                  assert.ok(policy !== 'manual' || approved, `manual switched without approval: ${label}`)
                  assert.ok(approved || policy === 'automatic' || deadlinePassed, `ask switched without approval: ${label}`)
                  assert.ok(deferredUntil === null || deferredUntil <= NOW || deadlinePassed, `switched during a deferral: ${label}`)
                  assert.ok(policy === 'manual' || (eligibleAt !== null && eligibleAt <= NOW) || deadlinePassed, `switched before its turn: ${label}`)
                }
                if (action.kind === 'wait' && action.until !== undefined) {
                  assert.ok(action.until > NOW, label)
                  assert.ok(deadline === null || action.until <= deadline, `waits past the deadline: ${label}`)
                }
                if (verdict === 'fail') assert.equal(action.kind, 'blocked', label)
              }
            }
          }
        }
      }
    }
  })
})

describe('nextUpgradeAction: automatic', () => {
  it('switches a passing version at its turn in the rollout', () => {
    assert.deepEqual(decide('automatic', candidate()), {
      kind: 'wait',
      until: NOW + HOUR,
      why: '1.5.0 passed its shadow test; its turn in the rollout comes at 2025-03-10 10:30 UTC, so vaults do not all restart at once.'
    })
    assert.deepEqual(decide('automatic', candidate(), NOW + HOUR), { kind: 'switch', why: '1.5.0 passed its shadow test, and its turn in the rollout has come.' })
  })

  it('asks the owner about a marginal version, then keeps to the schedule once approved', () => {
    assert.deepEqual(decide('automatic', candidate({ verdict: 'marginal' })), { kind: 'ask-owner', why: "1.5.0's shadow test was marginal: it needs your approval before it is installed." })
    assert.equal(kind(decide('automatic', candidate({ verdict: 'marginal', approved: true }))), 'wait until 1 h')
    assert.equal(decide('automatic', candidate({ verdict: 'marginal', approved: true }), NOW + HOUR).kind, 'switch')
  })

  it('waits without a time while the schedule is unknown, unless a deadline sets one', () => {
    assert.deepEqual(decide('automatic', candidate({ eligibleAt: null })), { kind: 'wait', why: '1.5.0 passed its shadow test; its time in the rollout is not known yet.' })
    assert.equal(kind(decide('automatic', candidate({ eligibleAt: null, deadline: NOW + 3 * HOUR }))), 'wait until 3 h')
  })
})

describe('nextUpgradeAction: ask', () => {
  it('asks before and after the version\'s turn until the owner approves', () => {
    assert.deepEqual(decide('ask', candidate()), { kind: 'ask-owner', why: '1.5.0 passed its shadow test: approve it, or defer it by a day, a week or to a date.' })
    assert.equal(decide('ask', candidate(), NOW + 2 * HOUR).kind, 'ask-owner')
  })

  it('after approval waits for the version\'s turn, unless the deadline comes first', () => {
    assert.deepEqual(decide('ask', candidate({ approved: true })), {
      kind: 'wait',
      until: NOW + HOUR,
      why: 'You approved 1.5.0; its turn in the rollout comes at 2025-03-10 10:30 UTC, so vaults do not all restart at once.'
    })
    assert.deepEqual(decide('ask', candidate({ approved: true }), NOW + HOUR), { kind: 'switch', why: 'You approved 1.5.0, and its turn in the rollout has come.' })
    const early = candidate({ approved: true, eligibleAt: NOW + 5 * HOUR, deadline: NOW + 2 * HOUR })
    assert.deepEqual(decide('ask', early), {
      kind: 'wait',
      until: NOW + 2 * HOUR,
      why: 'You approved 1.5.0; the active era requires it by 2025-03-10 11:30 UTC, before its turn in the rollout, so it switches then.'
    })
    assert.deepEqual(decide('ask', early, NOW + 2 * HOUR), { kind: 'switch', why: 'You approved 1.5.0, and the active era requires it now.' })
  })

  it('switches a passing version at the deadline without approval, but never a marginal one', () => {
    const due = { deadline: NOW - HOUR, eligibleAt: NOW + HOUR }
    assert.deepEqual(decide('ask', candidate(due)), {
      kind: 'switch',
      why: 'The active era requires 1.5.0 since 2025-03-10 08:30 UTC, and it passed its shadow test: it cannot be deferred any longer.'
    })
    assert.deepEqual(decide('ask', candidate({ ...due, verdict: 'marginal' })), {
      kind: 'ask-owner',
      why: "1.5.0's shadow test was marginal: it needs your approval before it is installed. The active era requires it by 2025-03-10 08:30 UTC."
    })
  })
})

describe('nextUpgradeAction: manual', () => {
  it('waits quietly for approval, then switches at once', () => {
    assert.deepEqual(decide('manual', candidate()), { kind: 'wait', why: 'Your policy is manual: 1.5.0 passed its shadow test and switches when you approve it.' })
    assert.deepEqual(decide('manual', candidate({ verdict: 'marginal' })), { kind: 'wait', why: "Your policy is manual, and 1.5.0's shadow test was marginal: it switches only if you approve it." })
    assert.deepEqual(decide('manual', candidate({ approved: true, eligibleAt: NOW + 5 * HOUR })), { kind: 'switch', why: 'You approved 1.5.0.' })
  })

  it('asks once the era requires the version', () => {
    assert.deepEqual(decide('manual', candidate({ deadline: NOW })), {
      kind: 'ask-owner',
      why: 'The active era requires 1.5.0 since 2025-03-10 09:30 UTC: approve it to keep this vault in the network.'
    })
  })
})

describe('nextUpgradeAction: deferral', () => {
  it('waits until the deferred time, then carries on as the policy says', () => {
    const deferred = candidate({ deferredUntil: NOW + DAY_MS })
    assert.deepEqual(decide('ask', deferred), { kind: 'wait', until: NOW + DAY_MS, why: 'You deferred 1.5.0 until 2025-03-11 09:30 UTC.' })
    assert.equal(decide('automatic', { ...deferred, eligibleAt: NOW - HOUR }).kind, 'wait')
    assert.equal(decide('ask', deferred, NOW + DAY_MS).kind, 'ask-owner')
    assert.equal(decide('automatic', deferred, NOW + DAY_MS).kind, 'switch')
  })

  it('never past the deadline: the wait stops there, and says so', () => {
    const deferred = candidate({ approved: true, deferredUntil: NOW + WEEK_MS, deadline: NOW + DAY_MS })
    assert.deepEqual(decide('ask', deferred), {
      kind: 'wait',
      until: NOW + DAY_MS,
      why: 'You deferred 1.5.0 to 2025-03-17 09:30 UTC, but the active era requires it by 2025-03-11 09:30 UTC: it waits until then.'
    })
    assert.deepEqual(decide('ask', deferred, NOW + DAY_MS), { kind: 'switch', why: 'You approved 1.5.0, and its turn in the rollout has come.' })
  })
})

describe('nextUpgradeAction: inputs', () => {
  it('refuses an unknown policy and times that are not whole milliseconds', () => {
    assert.throws(() => decide(untyped('sometimes'), candidate()), { name: 'RangeError', message: '"policy" expected one of automatic, ask, manual, got sometimes' })
    assert.throws(() => decide('ask', candidate(), NOW + 0.5), { name: 'RangeError' })
    assert.throws(() => decide('ask', candidate({ deadline: untyped('tomorrow') })), { name: 'TypeError', message: '"candidate.deadline" expected milliseconds since 1970 as an integer, got string' })
    assert.throws(() => nextUpgradeAction({ policy: 'ask', candidate: candidate(), failedVersions: untyped('1.5.0'), now: NOW }), { name: 'TypeError' })
  })
})

describe('deferChoices', () => {
  it('offers a day and a week', () => {
    assert.deepEqual(deferChoices(NOW, null), [
      { kind: 'day', until: NOW + DAY_MS, clampedToDeadline: false },
      { kind: 'week', until: NOW + WEEK_MS, clampedToDeadline: false }
    ])
  })

  it('stops a preset at the deadline, and offers nothing once it has come', () => {
    assert.deepEqual(deferChoices(NOW, NOW + 3 * DAY_MS), [
      { kind: 'day', until: NOW + DAY_MS, clampedToDeadline: false },
      { kind: 'week', until: NOW + 3 * DAY_MS, clampedToDeadline: true }
    ])
    assert.deepEqual(deferChoices(NOW, NOW + DAY_MS).map(choice => choice.clampedToDeadline), [false, true])
    assert.deepEqual(deferChoices(NOW, NOW), [])
  })
})

describe('deferToDate', () => {
  it('takes a future date up to and including the deadline', () => {
    assert.equal(deferToDate(NOW + 1, NOW, null), NOW + 1)
    assert.equal(deferToDate(NOW + DAY_MS, NOW, NOW + DAY_MS), NOW + DAY_MS)
  })

  it('refuses a date that has passed, or one after the deadline, each with its own error', () => {
    assert.throws(() => deferToDate(NOW, NOW, null), { name: 'DeferToPastError', message: '2025-03-10 09:30 UTC has passed: pick a time in the future to defer to.' })
    assert.throws(() => deferToDate(NOW + DAY_MS + 1, NOW, NOW + DAY_MS), {
      name: 'DeferPastDeadlineError',
      message: 'The active era requires this version by 2025-03-11 09:30 UTC: pick a time no later than that.'
    })
    assert.throws(() => deferToDate(untyped('2025-03-12'), NOW, null), { name: 'TypeError' })
  })
})
