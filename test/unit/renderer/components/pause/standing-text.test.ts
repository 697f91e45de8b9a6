import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { rejoinAge } from '../../../../../node-core/section/economy/pause-and-fix.ts'
import {
  checkLabel, deadlineCountdown, describeCost, describeDemotion, describeSelfCheck, fixSteps, reconnectOffer, rejoinAgeOf, selfCheckFixes
} from '../../../../../renderer/src/components/pause/standing-text.ts'
import { SAMPLE_SELF_CHECK_FAILED, SAMPLE_SELF_CHECK_PASSED, sampleStanding } from '../../../../helpers/sample-status.ts'

const FIXES = SAMPLE_SELF_CHECK_FAILED.checks.flatMap((check) => check.fix === undefined ? [] : [check.fix])
const PAUSE = { reasons: ['missed-audit x6'], pausedAt: 40, deadline: 100 }

describe('rejoinAgeOf', () => {
  it('is node-core\'s rule for every age: half, rounded down, never below 5', () => {
    for (let age = 0; age <= 255; age++) assert.equal(rejoinAgeOf(age), rejoinAge(age), `age ${age}`)
    assert.deepEqual([5, 11, 12, 13, 40].map(rejoinAgeOf), [5, 5, 6, 6, 20])
    assert.throws(() => rejoinAgeOf(256), RangeError)
  })
})

describe('what is wrong and what it costs', () => {
  it('names the age at risk and the age it would rejoin at', () => {
    const cost = describeCost(13)
    assert.match(cost, /^Not earning/)
    assert.match(cost, /Age 13 is at risk/)
    assert.match(cost, /rejoins at age 6\.$/)
  })

  it('says a demoted vault was removed, with the engine\'s rejoin age or the rule\'s', () => {
    assert.match(describeDemotion(sampleStanding({ state: 'demoted', rejoinAge: 9 }), 18), /removed this vault.*may rejoin at age 9;/)
    assert.match(describeDemotion(sampleStanding({ state: 'demoted', rejoinAge: null }), 18), /may rejoin at age 9;/)
  })
})

describe('the steps to fix it', () => {
  it('are the failed checks\' fixes in order, then run again and Reconnect', () => {
    assert.deepEqual(selfCheckFixes(SAMPLE_SELF_CHECK_FAILED), FIXES)
    // Checks that could not run for one cause (the chunk folder is gone) share its fix: listed once.
    const shared = { ...SAMPLE_SELF_CHECK_FAILED, checks: SAMPLE_SELF_CHECK_FAILED.checks.map(check => check.passed ? check : { ...check, fix: 'Reconnect the drive.' }) }
    assert.deepEqual(selfCheckFixes(shared), ['Reconnect the drive.'])
    const steps = fixSteps(SAMPLE_SELF_CHECK_FAILED)
    assert.equal(steps.source, 'self-check')
    assert.deepEqual(steps.steps.slice(0, 2), FIXES)
    assert.equal(steps.steps[2], 'Run the self-check again.')
    assert.match(steps.steps.at(-1) ?? '', /press Reconnect/)
  })

  it('are generic ones before a self-check, and only Reconnect once it passed', () => {
    const generic = fixSteps(null)
    assert.equal(generic.source, 'generic')
    assert.match(generic.steps.join(' '), /drive .* connected/)
    assert.match(generic.steps.join(' '), /Run the self-check/)
    assert.match(generic.steps.at(-1) ?? '', /press Reconnect/)
    assert.deepEqual(fixSteps(SAMPLE_SELF_CHECK_PASSED), { source: 'ready', steps: ['The self-check passed: press Reconnect to ask the elders to resume this vault.'] })
  })
})

describe('the self-check in words', () => {
  it('labels each check Passed or Failed and sums them up', () => {
    assert.deepEqual(SAMPLE_SELF_CHECK_FAILED.checks.map(checkLabel), ['Passed', 'Failed', 'Passed', 'Passed', 'Passed', 'Failed'])
    assert.equal(describeSelfCheck(SAMPLE_SELF_CHECK_FAILED), '2 of 6 checks failed.')
    assert.equal(describeSelfCheck(SAMPLE_SELF_CHECK_PASSED), 'All 6 checks passed.')
    assert.equal(describeSelfCheck(null), 'Not run yet since the pause.')
  })
})

describe('reconnectOffer', () => {
  it('is enabled only for a paused vault whose last self-check passed', () => {
    assert.equal(reconnectOffer(sampleStanding({ selfCheck: SAMPLE_SELF_CHECK_PASSED })).enabled, true)
    const none = reconnectOffer(sampleStanding())
    assert.deepEqual([none.enabled, /Run the self-check first/.test(none.hint)], [false, true])
    const failed = reconnectOffer(sampleStanding({ selfCheck: SAMPLE_SELF_CHECK_FAILED }))
    assert.deepEqual([failed.enabled, /Fix the failed checks/.test(failed.hint)], [false, true])
    const requested = reconnectOffer(sampleStanding({ state: 'resume-requested', selfCheck: SAMPLE_SELF_CHECK_PASSED }))
    assert.deepEqual(requested, { enabled: false, hint: 'Resume requested, waiting for the elders\' probation audit.' })
    assert.equal(reconnectOffer(sampleStanding({ state: 'active', pause: null })).enabled, false)
    assert.equal(reconnectOffer(sampleStanding({ state: 'demoted', rejoinAge: 6, selfCheck: SAMPLE_SELF_CHECK_PASSED })).enabled, false)
  })
})

describe('deadlineCountdown', () => {
  const deadlineAt = 1_700_000_000_000

  it('counts the churns left, and the time left when the engine estimates it', () => {
    assert.deepEqual(deadlineCountdown(PAUSE, 58, deadlineAt, deadlineAt - (3 * 3600 + 25 * 60 + 7) * 1000), {
      churnsLeft: 42,
      churnsText: '42 churns left',
      timeText: 'about 3 h 25 min at the section\'s recent churn rate'
    })
    assert.equal(deadlineCountdown(PAUSE, 99, deadlineAt, deadlineAt - 45_500).timeText, 'about 45 s at the section\'s recent churn rate')
    assert.equal(deadlineCountdown(PAUSE, 99, null, 0).churnsText, '1 churn left')
    assert.equal(deadlineCountdown(PAUSE, 99, null, 0).timeText, null)
  })

  it('ticks down with the clock, and never below zero', () => {
    const at = (now: number): string | null => deadlineCountdown(PAUSE, 58, deadlineAt, now).timeText
    assert.notEqual(at(deadlineAt - 61_000), at(deadlineAt - 59_000))
    assert.equal(at(deadlineAt), 'due now, at the section\'s recent churn rate')
    assert.equal(at(deadlineAt + 5000), 'due now, at the section\'s recent churn rate')
    const late = deadlineCountdown(PAUSE, 120, deadlineAt, deadlineAt)
    assert.deepEqual([late.churnsLeft, late.churnsText], [0, 'No churns left: demotion is due at the next one'])
  })
})
