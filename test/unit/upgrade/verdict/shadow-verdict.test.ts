import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPrng } from '../../../../node-core/section/rules/prng.ts'
import { judgeShadowRun } from '../../../../node-core/upgrade/verdict/shadow-verdict.ts'
import { ALL_LAYERS_ACTIVE, assertContractShape, engineObservation, observations, PER_OPERATION, replay, STARTED_AT } from './observation-fixtures.ts'

function untyped<T> (value: unknown): T {
  return value as T
}

describe('judgeShadowRun', () => {
  it('passes an equally good candidate, saying so, with both engines\' figures and the isolation report', () => {
    const verdict = assertContractShape(judgeShadowRun(observations()))
    assert.equal(verdict.result, 'pass')
    assert.deepEqual(verdict.reasons.map(reason => [reason.code, reason.severity]), [['as-good', 'info']])
    assert.match(verdict.reasons[0]?.message ?? '', /^The candidate did as well as the current version/)
    assert.equal(verdict.baseline.engineVersion, '1.4.0')
    assert.equal(verdict.candidate.engineVersion, '1.5.0')
    assert.equal(verdict.candidate.requests, 3 * PER_OPERATION)
    assert.deepEqual(verdict.candidate.latency.map(entry => [entry.operation, entry.count]), [['get', 60], ['put', 60], ['audit', 60]])
    assert.ok(Math.abs((verdict.candidate.latency[0]?.p50 ?? 0) - 2.14) < 0.1)
    assert.deepEqual(verdict.isolation, ALL_LAYERS_ACTIVE)
    assert.equal(verdict.startedAt, STARTED_AT)
    assert.equal(verdict.durationMs, 6000)
  })

  it('passes a candidate identical to the baseline, run after run', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const input = observations({ requests: replay(seed + 100) })
      input.baseline = engineObservation('1.4.0', seed)
      assert.equal(judgeShadowRun(input).result, 'pass', `seed ${seed}`)
    }
  })

  it('takes the longer of the two engines\' durations as the run\'s', () => {
    assert.equal(judgeShadowRun(observations({ durationMs: 6100 })).durationMs, 6100)
  })

  it('fails on a critical finding whatever else is fine, and keeps every finding', () => {
    const verdict = judgeShadowRun(observations({ peakRssBytes: 340 * 1024 * 1024, egress: [{ kind: 'dns', target: 'x.example', allowed: false, at: STARTED_AT }] }))
    assert.equal(verdict.result, 'fail')
    assert.deepEqual(verdict.reasons.map(reason => reason.code), ['egress', 'more-memory'])
  })

  it('always produces a verdict the contract accepts, however the run went', () => {
    const prng = createPrng(5)
    for (let trial = 0; trial < 40; trial++) {
      const input = observations({
        requests: replay(trial + 10, { get: 1 + prng.nextInt(3), put: 1 + prng.nextFloat() }).map(record => prng.nextInt(20) === 0 ? { ...record, ok: false } : record),
        cpuMs: prng.nextInt(5000),
        peakRssBytes: prng.nextInt(800 * 1024 * 1024),
        durationMs: 1 + prng.nextInt(12_000),
        crash: prng.nextInt(5) === 0 ? { exitCode: 1, signal: null } : null,
        egress: prng.nextInt(3) === 0 ? [{ kind: 'net', target: '127.0.0.1:9', allowed: prng.nextInt(2) === 0, at: STARTED_AT }] : []
      })
      const verdict = assertContractShape(judgeShadowRun(input))
      assert.equal(verdict.result === 'fail', verdict.reasons.some(reason => reason.severity === 'critical'))
    }
  })

  it('refuses observations that do not parse, naming the field', () => {
    const input = observations()
    assert.throws(() => judgeShadowRun(untyped({ ...input, startedAt: -1 })), { name: 'InvalidObservationsError', message: /startedAt/ })
    assert.throws(() => judgeShadowRun(untyped({ ...input, candidate: { ...input.candidate, requests: [{ operation: 'delete', latencyMs: 1, ok: true, digest: '' }] } })), {
      name: 'InvalidObservationsError',
      message: /candidate\.requests\[0\]\.operation/
    })
  })

  it('refuses tolerances that contradict each other', () => {
    assert.throws(() => judgeShadowRun(observations(), { memoryFailRatio: 1.2 }), { name: 'RangeError', message: /memoryFailRatio must be at least memoryMarginalRatio/ })
    assert.throws(() => judgeShadowRun(observations(), { confidence: 1 }), { name: 'RangeError' })
  })
})
