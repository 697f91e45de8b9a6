import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { formatShadowReport, MAX_LISTED_ATTEMPTS } from '../../../../node-core/upgrade/verdict/format-report.ts'
import { judgeShadowRun } from '../../../../node-core/upgrade/verdict/shadow-verdict.ts'
import { ALL_LAYERS_ACTIVE, observations, replay, STARTED_AT } from './observation-fixtures.ts'

function section (report: string, title: string): string[] {
  const lines = report.split('\n')
  const start = lines.indexOf(title)
  assert.ok(start !== -1, `no section ${title}`)
  const end = lines.indexOf('', start)
  return lines.slice(start + 1, end === -1 ? undefined : end)
}

describe('formatShadowReport', () => {
  const isolation = ALL_LAYERS_ACTIVE.map(layer => layer.layer === 'network-namespace' ? { ...layer, active: false, detail: 'unshare --net: Operation not permitted' } : layer)
  const failing = judgeShadowRun(observations({
    requests: replay(2, { get: 2 }),
    egress: [
      { kind: 'net', target: '127.0.0.1:4444', allowed: false, at: STARTED_AT + 1234 },
      { kind: 'fs-write', target: '/tmp/shadow/engine-dir/x', allowed: true, at: STARTED_AT + 2000 }
    ]
  }, { isolation }))
  const report = formatShadowReport(failing)

  it('opens with what was tested, when, and the result in words', () => {
    assert.deepEqual(report.split('\n').slice(0, 4), [
      'Shadow test of 1.5.0 against 1.4.0',
      'Started 2025-03-01 12:00:00 UTC, ran 6.0 s.',
      '',
      'FAIL: the candidate will not be installed.'
    ])
    assert.match(formatShadowReport(judgeShadowRun(observations())), /^PASS: the candidate is at least as good as the current version\.$/m)
    assert.match(formatShadowReport(judgeShadowRun(observations({ cpuMs: 1800 }))), /^MARGINAL: .*needs your approval\.$/m)
  })

  it('gives every reason with its severity', () => {
    const reasons = section(report, 'Reasons')
    assert.deepEqual(reasons.map(line => line.slice(0, 13)), ['  [critical] ', '  [critical] '])
    assert.equal(reasons[0], '  [critical] The candidate tried to connect to 127.0.0.1:4444, which its release does not allow: it was blocked.')
    assert.match(reasons[1] ?? '', /Gets were 2\.\d× slower/)
  })

  it('sets the figures side by side, right-aligned under each engine', () => {
    const figures = section(report, 'Figures')
    assert.match(figures[0] ?? '', /^\s+current 1\.4\.0\s+candidate 1\.5\.0$/)
    assert.match(figures.find(line => line.includes('requests')) ?? '', /^ {2}requests\s+180\s+180$/)
    assert.match(figures.find(line => line.includes('get latency')) ?? '', /^ {2}get latency p50 \/ p95\s+2\.\d ms \/ 2\.\d ms\s+4\.\d ms \/ \d\.\d ms$/)
    assert.match(figures.find(line => line.includes('peak memory')) ?? '', /200 MiB\s+200 MiB$/)
    const widths = new Set(figures.map(line => line.length))
    assert.equal(widths.size, 1, 'every row ends in the same column')
  })

  it('shows which isolation layers held on this machine, and why one did not', () => {
    const layers = section(report, 'Isolation on this machine')
    assert.equal(layers.length, 5)
    assert.match(layers[0] ?? '', /^ {2}INACTIVE\s+network-namespace\s+unshare --net: Operation not permitted$/)
    assert.match(layers[1] ?? '', /^ {2}active\s+permission-model/)
  })

  it('lists every attempt to reach outside, allowed or not, with its time into the run', () => {
    assert.deepEqual(section(report, 'Attempts to reach outside (candidate)').map(line => line.trim().split(/\s{2,}/)), [
      ['+1.2 s', 'NOT ALLOWED', 'net', '127.0.0.1:4444'],
      ['+2.0 s', 'allowed', 'fs-write', '/tmp/shadow/engine-dir/x']
    ])
    assert.deepEqual(section(formatShadowReport(judgeShadowRun(observations())), 'Attempts to reach outside (candidate)'), ['  none'])
  })

  it('sums up attempts past the first fifty', () => {
    const many = Array.from({ length: MAX_LISTED_ATTEMPTS + 7 }, (_, i) => ({ kind: 'dns' as const, target: `n${i}.example`, allowed: false, at: STARTED_AT + i }))
    const lines = section(formatShadowReport(judgeShadowRun(observations({ egress: many }))), 'Attempts to reach outside (candidate)')
    assert.equal(lines.length, MAX_LISTED_ATTEMPTS + 1)
    assert.equal(lines.at(-1), '  ... and 7 more')
  })
})
