// Upgrade states for the renderer's tests, parsed through the contract so a fixture that
// drifts from the schema fails loudly.
import {
  RunMetricsSchema, UpgradeCandidateSchema, UpgradeStatusSchema,
  type RunMetrics, type UpgradeCandidate, type UpgradeStatus
} from '../../../../contract/upgrade.ts'

export const NOW = 1_800_000_000_000
export const HOUR = 3_600_000

export function sampleMetrics (overrides: Partial<RunMetrics> = {}): RunMetrics {
  return RunMetricsSchema.parse({
    engineVersion: '1.4.0',
    requests: 1200,
    errors: 0,
    mismatches: 0,
    throughputPerSecond: 40,
    latency: [
      { operation: 'get', count: 800, p50: 2, p95: 8 },
      { operation: 'put', count: 300, p50: 5, p95: 20 }
    ],
    cpuMs: 4000,
    peakRssBytes: 120 * 1024 ** 2,
    ...overrides
  })
}

export function sampleCandidate (overrides: Partial<UpgradeCandidate> = {}): UpgradeCandidate {
  return UpgradeCandidateSchema.parse({
    engineVersion: '1.5.0',
    bundleSha256: 'ab'.repeat(32),
    verification: { kind: 'release', verified: true, reasons: [], signedBy: ['release key 1', 'release key 2'], attestedBy: ['builder-a', 'builder-b'] },
    shadow: { state: 'done', progress: 1, startedAt: NOW - 2 * HOUR },
    verdict: {
      result: 'pass',
      reasons: [{ code: 'as-good', severity: 'info', message: 'The candidate did at least as well on every measure.' }],
      baseline: sampleMetrics(),
      candidate: sampleMetrics({ engineVersion: '1.5.0' }),
      egress: [],
      isolation: [{ layer: 'network-namespace', active: true, detail: 'unshare --net' }],
      startedAt: NOW - 2 * HOUR,
      durationMs: 600_000
    },
    eligibleAt: NOW + 3 * HOUR,
    deferredUntil: null,
    deadline: null,
    approved: false,
    ...overrides
  })
}

export function sampleUpgrade (overrides: Partial<UpgradeStatus> = {}): UpgradeStatus {
  return UpgradeStatusSchema.parse({
    policy: 'ask',
    current: { engineVersion: '1.4.0', bundleSha256: null },
    previous: null,
    candidate: sampleCandidate(),
    switching: null,
    failedVersions: [],
    history: [],
    ...overrides
  })
}

/** The sample candidate's verdict with another result (and the reasons that go with it). */
export function withVerdict (result: 'pass' | 'marginal' | 'fail', candidate: UpgradeCandidate = sampleCandidate()): UpgradeCandidate {
  const verdict = candidate.verdict
  if (verdict === null) throw new Error('the sample candidate has no verdict')
  const reasons = {
    pass: verdict.reasons,
    marginal: [{ code: 'slower' as const, severity: 'warning' as const, message: 'Gets were 12% slower.' }],
    fail: [{ code: 'egress' as const, severity: 'critical' as const, message: 'It tried to reach 203.0.113.9:443.' }]
  }[result]
  return { ...candidate, verdict: { ...verdict, result, reasons } }
}
