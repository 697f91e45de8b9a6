import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { quantile, runMetrics } from '../../../../node-core/upgrade/verdict/run-metrics.ts'
import { engineObservation } from './observation-fixtures.ts'

describe('quantile', () => {
  it("matches R 4.2.2's default (type 7)", () => {
    // quantile(c(1, 2, 3, 4), c(0.5, 0.95)) → 2.50 3.85; quantile(c(10, 1, 7), c(0.5, 0.95)) → 7.0 9.7
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5)
    assert.ok(Math.abs(quantile([1, 2, 3, 4], 0.95) - 3.85) < 1e-12)
    assert.equal(quantile([1, 7, 10], 0.5), 7)
    assert.ok(Math.abs(quantile([1, 7, 10], 0.95) - 9.7) < 1e-12)
    assert.deepEqual([quantile([5], 0), quantile([5], 1), quantile([1, 3], 0), quantile([1, 3], 1)], [5, 5, 1, 3])
  })

  it('refuses no values or a q outside [0, 1]', () => {
    assert.throws(() => quantile([], 0.5), { name: 'RangeError' })
    assert.throws(() => quantile([1], 1.5), { name: 'RangeError' })
  })
})

describe('runMetrics', () => {
  it('counts requests and errors, measures answered ones only, and lists the operations asked for in a fixed order', () => {
    const engine = engineObservation('1.0.0', 1, {
      requests: [
        { operation: 'put', latencyMs: 4, ok: true, digest: 'a' },
        { operation: 'get', latencyMs: 1, ok: true, digest: 'b' },
        { operation: 'get', latencyMs: 3, ok: true, digest: 'c' },
        { operation: 'get', latencyMs: 500, ok: false, digest: 'timeout' }
      ],
      durationMs: 2000
    })
    assert.deepEqual(runMetrics(engine, 1, new Set(['put', 'get', 'audit'])), {
      engineVersion: '1.0.0',
      requests: 4,
      errors: 1,
      mismatches: 1,
      throughputPerSecond: 1.5,
      latency: [
        { operation: 'get', count: 2, p50: 2, p95: 2.9 },
        { operation: 'put', count: 1, p50: 4, p95: 4 },
        { operation: 'audit', count: 0, p50: 0, p95: 0 }
      ],
      cpuMs: 1200,
      peakRssBytes: 200 * 1024 * 1024
    })
  })

  it('reports no throughput for a run that took no time', () => {
    assert.equal(runMetrics(engineObservation('1.0.0', 1, { durationMs: 0 }), 0, new Set()).throughputPerSecond, 0)
  })
})
