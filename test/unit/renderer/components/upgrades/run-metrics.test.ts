import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compareMetric, formatMilliseconds, formatRate, metricRows } from '../../../../../renderer/src/components/upgrades/run-metrics.ts'
import { sampleMetrics } from '../../helpers/sample-upgrade.ts'

describe('formatMilliseconds and formatRate', () => {
  it('keep about three significant digits and switch to seconds from 1000 ms', () => {
    assert.equal(formatMilliseconds(0.424), '0.42 ms')
    assert.equal(formatMilliseconds(4.25), '4.25 ms')
    assert.equal(formatMilliseconds(42.46), '42.5 ms')
    assert.equal(formatMilliseconds(120.4), '120 ms')
    assert.equal(formatMilliseconds(1500), '1.5 s')
    assert.equal(formatMilliseconds(61_234), '61 s')
    assert.equal(formatRate(12.345), '12.3/s')
    assert.equal(formatRate(250.4), '250/s')
    assert.throws(() => formatMilliseconds(-1), RangeError)
    assert.throws(() => formatRate(Number.NaN), RangeError)
  })
})

describe('compareMetric', () => {
  it('says better or worse in words, by the direction that is good for the measure', () => {
    assert.deepEqual(compareMetric(100, 150, 'lower'), { change: '+50% (worse)', assessment: 'worse' })
    assert.deepEqual(compareMetric(100, 80, 'lower'), { change: '−20% (better)', assessment: 'better' })
    assert.deepEqual(compareMetric(40, 30, 'higher'), { change: '−25% (worse)', assessment: 'worse' })
  })

  it('reads a change within the tolerance as about the same', () => {
    assert.deepEqual(compareMetric(100, 104, 'lower'), { change: '+4% (about the same)', assessment: 'same' })
    assert.deepEqual(compareMetric(1000, 1001, 'lower'), { change: '±0% (about the same)', assessment: 'same' })
    assert.deepEqual(compareMetric(7, 7, 'lower'), { change: 'same', assessment: 'same' })
  })

  it('counts bad things exactly: one more error is worse, whatever the baseline', () => {
    assert.deepEqual(compareMetric(0, 2, 'lower', true), { change: '+2 (worse)', assessment: 'worse' })
    assert.deepEqual(compareMetric(1000, 1001, 'lower', true), { change: '+1 (worse)', assessment: 'worse' })
  })

  it('shows an amount with its unit when the baseline is zero, and does not judge informative rows', () => {
    assert.deepEqual(compareMetric(0, 5, 'lower', false, formatMilliseconds), { change: '+5 ms (worse)', assessment: 'worse' })
    assert.deepEqual(compareMetric(1200, 1100, null, true), { change: '−100', assessment: 'neutral' })
    assert.deepEqual(compareMetric(1200, 1200, null, true), { change: 'same', assessment: 'neutral' })
  })
})

describe('metricRows', () => {
  it('lists every measure side by side, latency per operation and quantile', () => {
    const rows = metricRows(sampleMetrics(), sampleMetrics({ engineVersion: '1.5.0', peakRssBytes: 180 * 1024 ** 2, errors: 3 }))
    assert.deepEqual(rows.map((row) => row.id), [
      'requests', 'errors', 'mismatches', 'throughput',
      'latency-get-p50', 'latency-get-p95', 'latency-put-p50', 'latency-put-p95',
      'cpu', 'memory'
    ])
    const memory = rows.find((row) => row.id === 'memory')
    assert.deepEqual(memory, { id: 'memory', label: 'Peak memory', baseline: '120 MiB', candidate: '180 MiB', change: '+50% (worse)', assessment: 'worse' })
    assert.equal(rows.find((row) => row.id === 'errors')?.change, '+3 (worse)')
    assert.equal(rows.find((row) => row.id === 'latency-get-p95')?.baseline, '8 ms')
  })

  it('marks an operation only one engine measured as not comparable', () => {
    const rows = metricRows(sampleMetrics(), sampleMetrics({ latency: [{ operation: 'audit', count: 5, p50: 30, p95: 90 }] }))
    const getP50 = rows.find((row) => row.id === 'latency-get-p50')
    assert.deepEqual(getP50, { id: 'latency-get-p50', label: 'Get latency p50', baseline: '2 ms', candidate: 'not measured', change: 'not comparable', assessment: 'unknown' })
    assert.equal(rows.find((row) => row.id === 'latency-audit-p95')?.candidate, '90 ms')
  })
})
