import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { judgeShadowRun } from '../../../../node-core/upgrade/verdict/shadow-verdict.ts'
import { DEFAULT_VERDICT_TOLERANCES } from '../../../../node-core/upgrade/verdict/tolerances.ts'
import { assertContractShape, codes, observations, replay } from './observation-fixtures.ts'

const MIB = 1024 * 1024
// A figure with one decimal and a unit, as the messages print them.
const MS = String.raw`\d+\.\d ms`

describe('judgeShadowRun: latency', () => {
  it('fails a candidate twice as slow, with the medians and the 98% interval of the difference', () => {
    const verdict = assertContractShape(judgeShadowRun(observations({ requests: replay(2, { get: 2 }) })))
    assert.equal(verdict.result, 'fail')
    assert.deepEqual(codes(verdict), ['critical:slower'])
    assert.match(verdict.reasons[0]?.message ?? '', new RegExp(`^Gets were 2\\.\\d× slower \\(median ${MS} against ${MS}; 98% interval of the difference ${MS} to ${MS}\\)\\. That fails the test\\.$`))
  })

  it('calls a candidate 30% slower marginal: significant, past the tolerance, short of failing', () => {
    const verdict = judgeShadowRun(observations({ requests: replay(2, { put: 1.3, audit: 1.3 }) }))
    assert.equal(verdict.result, 'marginal')
    assert.deepEqual(codes(verdict), ['warning:slower', 'warning:slower'])
    assert.match(verdict.reasons[0]?.message ?? '', /^Puts were 1\.3× slower .* On its own, that needs your approval before switching\.$/)
    assert.match(verdict.reasons[1]?.message ?? '', /^Audits were 1\.3× slower/)
  })

  it('passes a shift within the effect-size tolerance, however significant', () => {
    // 5% slower audits: 0.4 ms on 8 ms, under 10% of the median but plainly detectable.
    const verdict = judgeShadowRun(observations({ requests: replay(2, { audit: 1.05 }) }))
    assert.equal(verdict.result, 'pass')
    assert.deepEqual(codes(verdict), ['info:as-good'])
    // With no tolerance beyond the floor, the same shift is a finding: the test saw it.
    const strict = judgeShadowRun(observations({ requests: replay(2, { audit: 1.05 }) }), { latencyShiftFraction: 0, latencyShiftFloorMs: 0 })
    assert.deepEqual(codes(strict), ['warning:slower'])
  })

  it('never flags a faster candidate', () => {
    assert.equal(judgeShadowRun(observations({ requests: replay(2, { get: 0.5, put: 0.5, audit: 0.5 }) })).result, 'pass')
  })

  it('follows the tolerances it is given', () => {
    const lenient = judgeShadowRun(observations({ requests: replay(2, { get: 2 }) }), { latencyFailRatio: 3 })
    assert.deepEqual(codes(lenient), ['warning:slower'])
  })

  it('notes operations too few to judge, and still passes', () => {
    const verdict = judgeShadowRun(observations({ requests: replay(2) }), { minLatencySamples: 61 })
    assert.equal(verdict.result, 'pass')
    assert.deepEqual(codes(verdict), ['info:as-good', 'info:slower', 'info:slower', 'info:slower'])
    assert.equal(verdict.reasons[1]?.message, 'Gets were too few to judge their speed (60 answered by the current version, 60 by the candidate; at least 61 each are needed).')
  })
})

describe('judgeShadowRun: throughput, CPU and memory', () => {
  it('grades lower throughput: under 90% marginal, under 60% fail', () => {
    const marginal = judgeShadowRun(observations({ durationMs: 7500 }))
    assert.deepEqual(codes(marginal), ['warning:lower-throughput'])
    assert.equal(marginal.reasons[0]?.message, 'The candidate served 24.0 requests per second against 30.0 for the current version (80%). On its own, that needs your approval before switching.')
    assert.deepEqual(codes(judgeShadowRun(observations({ durationMs: 12_000 }))), ['critical:lower-throughput'])
    assert.equal(judgeShadowRun(observations({ durationMs: 6500 })).result, 'pass')
  })

  it('grades CPU time: over 1.3× marginal, over 2× fail, and ignores differences under the floor', () => {
    const marginal = judgeShadowRun(observations({ cpuMs: 1800 }))
    assert.deepEqual(marginal.reasons, [{
      code: 'more-cpu',
      severity: 'warning',
      message: 'The candidate used 1.5× the CPU time of the current version (1.8 s against 1.2 s). On its own, that needs your approval before switching.'
    }])
    assert.deepEqual(codes(judgeShadowRun(observations({ cpuMs: 3000 }))), ['critical:more-cpu'])
    const tiny = observations({ cpuMs: 90 })
    tiny.baseline.cpuMs = 30
    assert.equal(judgeShadowRun(tiny).result, 'pass')
  })

  it('grades peak memory: over 1.5× marginal, over 2× fail', () => {
    const marginal = judgeShadowRun(observations({ peakRssBytes: 340 * MIB }))
    assert.deepEqual(marginal.reasons, [{
      code: 'more-memory',
      severity: 'warning',
      message: "The candidate's memory peaked at 1.7× the current version's (340 MiB against 200 MiB). On its own, that needs your approval before switching."
    }])
    assert.deepEqual(codes(judgeShadowRun(observations({ peakRssBytes: 450 * MIB }))), ['critical:more-memory'])
    assert.equal(judgeShadowRun(observations({ peakRssBytes: 290 * MIB })).result, 'pass')
  })

  it('lists critical findings first, then warnings', () => {
    const verdict = judgeShadowRun(observations({ peakRssBytes: 340 * MIB, cpuMs: 3000, requests: replay(2, { put: 1.3 }) }))
    assert.deepEqual(codes(verdict), ['critical:more-cpu', 'warning:slower', 'warning:more-memory'])
    assert.equal(verdict.result, 'fail')
  })

  it('uses the documented defaults', () => {
    assert.equal(DEFAULT_VERDICT_TOLERANCES.confidence, 0.98)
    assert.equal(DEFAULT_VERDICT_TOLERANCES.latencyFailRatio, 1.5)
    assert.ok(Object.isFrozen(DEFAULT_VERDICT_TOLERANCES))
  })
})
