import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  activeMember, advanceChurn, applyPauseDecision, applyVerdict, DEFAULT_PAUSE_AND_FIX_OPTIONS, GraceExpiredError, graceChurnsFor,
  InvalidPauseDecisionError, InvalidTransitionError, pause, pauseNoticeFromDecision, pauseProposal, probationResult, rejoinAge,
  remove, requestResume, SelfCheckFailedError, verifyPauseNotice, type MemberState, type PauseAndFixOptions
} from '../../../../node-core/section/economy/pause-and-fix.ts'
import { assessDysfunction, EMPTY_DYSFUNCTION, noteFailure } from '../../../../node-core/section/economy/dysfunction.ts'
import { DecisionAccumulator, ElderVoter, type Decision, type Proposal } from '../../../../node-core/section/crypto/decisions.ts'
import { dealSharesAsTrustedDealer, groupPublicKey, type PublicKeySet, type SecretKeyShare } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { seededRandom } from '../crypto/seeded-random.ts'

/** A vault name whose last byte, its age, is `age`. */
function name (age: number): string {
  return 'ab'.repeat(31) + age.toString(16).padStart(2, '0')
}

const options: PauseAndFixOptions = { graceChurns: 60, pauseWindowChurns: 240, maxPausesInWindow: 3 }
const passing = { checks: [{ name: 'disk', passed: true }, { name: 'reachability', passed: true }] }

function expect<S extends MemberState['status']> (state: MemberState, status: S): Extract<MemberState, { status: S }> {
  assert.equal(state.status, status, JSON.stringify(state))
  return state as Extract<MemberState, { status: S }>
}

describe('pause and fix', () => {
  it('pause -> failed self-check refused -> fix -> self-check passes -> probation passes -> active with age intact', () => {
    const start = activeMember(name(12))
    assert.equal(start.age, 12)
    const paused = expect(pause(start, { atChurn: 100, reasons: ['missed-audit x6'] }, options), 'paused')
    assert.deepEqual([paused.pausedAt, paused.deadline, paused.reasons], [100, 160, ['missed-audit x6']])
    assert.throws(
      () => requestResume(paused, { atChurn: 110, selfCheck: { checks: [{ name: 'disk', passed: false, detail: 'data disk not mounted' }, { name: 'reachability', passed: true }] } }),
      (err: unknown) => err instanceof SelfCheckFailedError && err.name === 'SelfCheckFailedError' && err.failing.join() === 'disk: data disk not mounted'
    )
    assert.throws(() => requestResume(paused, { atChurn: 110, selfCheck: { checks: [] } }), SelfCheckFailedError, 'a self-check that checked nothing does not pass')
    const requested = expect(requestResume(paused, { atChurn: 130, selfCheck: passing }), 'resume-requested')
    assert.equal(requested.requestedAt, 130)
    // Waiting on the elders' audit, the vault is not demoted when the deadline passes.
    assert.equal(advanceChurn(requested, 200), requested)
    const resumed = expect(probationResult(requested, { atChurn: 200, passed: true }, options), 'active')
    assert.equal(resumed.age, 12)
    assert.deepEqual(resumed.pauses, [100])
  })

  it('a failed probation audit pauses again with a new deadline', () => {
    const requested = requestResume(pause(activeMember(name(9)), { atChurn: 10, reasons: ['wrong-data x2'] }, options), { atChurn: 20, selfCheck: passing })
    const again = expect(probationResult(requested, { atChurn: 22, passed: false, reasons: ['chunk 01ab... not returned'] }, options), 'paused')
    assert.deepEqual([again.pausedAt, again.deadline, again.pauses], [22, 82, [10, 22]])
    assert.deepEqual(again.reasons, ['probation audit failed', 'chunk 01ab... not returned'])
  })

  it('demotes at half its age when the grace period expires, and refuses a late resume', () => {
    const paused = pause(activeMember(name(12)), { atChurn: 100, reasons: ['unresponsive x6'] }, options)
    assert.equal(advanceChurn(paused, 159), paused)
    assert.throws(() => requestResume(paused, { atChurn: 160, selfCheck: passing }), GraceExpiredError)
    assert.deepEqual(advanceChurn(paused, 160), { status: 'demoted', member: name(12), age: 12, rejoinAge: 6, reason: 'grace-expired', at: 160 })
    // RFC 0045 halves the age; never below the age of a new vault, 5.
    assert.deepEqual([rejoinAge(255), rejoinAge(13), rejoinAge(9), rejoinAge(5)], [127, 6, 5, 5])
  })

  it('demotes on the third pause within the window, not on a third spread beyond it', () => {
    let state: MemberState = activeMember(name(20))
    for (const churn of [10, 50]) {
      state = requestResume(pause(state, { atChurn: churn, reasons: ['missed-audit x6'] }, options), { atChurn: churn + 1, selfCheck: passing })
      state = probationResult(state, { atChurn: churn + 2, passed: true }, options)
    }
    const third = pause(state, { atChurn: 200, reasons: ['missed-audit x6'] }, options)
    assert.deepEqual(third, { status: 'demoted', member: name(20), age: 20, rejoinAge: 10, reason: 'paused-too-often', at: 200 })
    // The pause at churn 10 is outside the window (240) by churn 251: only two count.
    assert.equal(pause(state, { atChurn: 251, reasons: ['missed-audit x6'] }, options).status, 'paused')
  })

  it('removes at once on equivocation, from any live state, with no rejoin age', () => {
    const verdict = assessDysfunction(noteFailure(EMPTY_DYSFUNCTION, { kind: 'equivocation', churn: 7 }), 7)
    const paused = pause(activeMember(name(30)), { atChurn: 5, reasons: ['missed-audit x6'] }, options)
    for (const state of [activeMember(name(30)), paused]) {
      assert.deepEqual(applyVerdict(state, verdict, 7, options), { status: 'removed', member: name(30), age: 30, reason: 'proven misbehaviour: equivocation', at: 7 })
    }
    assert.throws(() => remove(remove(paused, { atChurn: 7, reason: 'x' }), { atChurn: 8, reason: 'x' }), InvalidTransitionError)
  })

  it('pauses on a pause-due verdict and refuses transitions from the wrong state', () => {
    let tracker = EMPTY_DYSFUNCTION
    for (let churn = 1; churn <= 6; churn++) tracker = noteFailure(tracker, { kind: 'missed-audit', churn })
    const paused = expect(applyVerdict(activeMember(name(8)), assessDysfunction(tracker, 6), 6, options), 'paused')
    assert.deepEqual(paused.reasons, ['missed-audit x6'])
    assert.throws(() => pause(paused, { atChurn: 7, reasons: [] }, options), InvalidTransitionError)
    assert.throws(() => probationResult(paused, { atChurn: 7, passed: true }, options), InvalidTransitionError)
    assert.throws(() => requestResume(activeMember(name(8)), { atChurn: 7, selfCheck: passing }), InvalidTransitionError)
  })

  it('derives the default grace from 6 hours of churn', () => {
    assert.equal(graceChurnsFor(6, 10), 60)
    assert.equal(graceChurnsFor(6, 2.5), 15)
    assert.equal(DEFAULT_PAUSE_AND_FIX_OPTIONS.graceChurns, 60)
    assert.throws(() => graceChurnsFor(0, 10), RangeError)
  })
})

interface Section { set: PublicKeySet, shares: SecretKeyShare[] }

function section (seed: string): Section {
  const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom(seed) })
  return { set: dealt.publicKeySet, shares: dealt.secretKeyShares }
}

async function decide (s: Section, proposal: Proposal): Promise<Decision> {
  const accumulator = new DecisionAccumulator({ publicKeySet: s.set, elders: 7 })
  for (const index of [1, 2, 3, 4, 5]) {
    const voter = new ElderVoter({ secretKeyShare: s.shares[index - 1] ?? assert.fail(), publicKeySet: s.set })
    const result = accumulator.add(await voter.vote(proposal))
    if (result.status === 'decided') return result.decision
  }
  return assert.fail('no decision from 5 votes')
}

describe('signed pause notice', () => {
  const ours = section('pause/ours')
  const known = [groupPublicKey(ours.set)]
  const member = name(12)
  const proposal = pauseProposal({ member, generation: 40, sectionPrefix: '0', reasons: ['missed-audit x6: chunk 3f2a... not returned', 'outdated-version x1'], pausedAt: 100, deadline: 160 })

  it('is produced from the Pause decision, verifies under the section key, and refuses tampering or forgery', async () => {
    const decision = await decide(ours, proposal)
    const notice = pauseNoticeFromDecision(decision)
    assert.deepEqual(notice.reasons, ['missed-audit x6: chunk 3f2a... not returned', 'outdated-version x1'])
    assert.equal(notice.costs, 'not earning; age at risk: resume before churn 160 to keep age 12, or be demoted and rejoin at age 6')
    assert.equal(notice.steps.length, 3)
    assert.match(notice.steps[1] ?? '', /Upgrade the vault/)
    assert.equal(notice.deadlineChurn, 160)
    assert.deepEqual(verifyPauseNotice(notice, known), { ok: true, notice })

    const later = verifyPauseNotice({ ...notice, deadlineChurn: 1000 }, known)
    assert.deepEqual(later, { ok: false, reason: 'the notice\'s deadlineChurn differs from the signed decision' })
    const rewritten = verifyPauseNotice({ ...notice, decision: { ...decision, proposal: { ...proposal, payload: { ...proposal.payload, deadline: 1000 } } } }, known)
    assert.match(rewritten.ok ? '' : rewritten.reason, /does not verify/)
    const forged = await decide(section('pause/impostor'), proposal)
    const foreign = verifyPauseNotice(pauseNoticeFromDecision(forged), known)
    assert.match(foreign.ok ? '' : foreign.reason, /not a known key of this section/)

    const paused = expect(applyPauseDecision(activeMember(member), decision, known, options), 'paused')
    assert.deepEqual([paused.pausedAt, paused.deadline, paused.reasons], [100, 160, notice.reasons])
    assert.throws(() => applyPauseDecision(activeMember(member), forged, known, options), InvalidPauseDecisionError)
    assert.throws(() => applyPauseDecision(activeMember(name(13)), decision, known, options), /not abab/)
  })
})
