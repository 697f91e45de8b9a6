// Shadow-run observations for verdict tests: a seeded replay both engines answered alike, which
// each test then spoils in one way.
import assert from 'node:assert/strict'
import { ShadowVerdictSchema, type IsolationLayer, type ShadowOperation, type ShadowVerdict } from '../../../../contract/upgrade.ts'
import { createPrng } from '../../../../node-core/section/rules/prng.ts'
import type { EngineObservation, RequestRecord, ShadowObservations } from '../../../../node-core/upgrade/verdict/observations.ts'

export const STARTED_AT = Date.UTC(2025, 2, 1, 12, 0, 0)
export const OPERATIONS: readonly ShadowOperation[] = ['get', 'put', 'audit']
/** Requests per operation: enough for the normal approximation, few enough to read. */
export const PER_OPERATION = 60

export const ALL_LAYERS_ACTIVE: IsolationLayer[] = [
  { layer: 'network-namespace', active: true, detail: 'private network namespace (unshare --net)' },
  { layer: 'permission-model', active: true, detail: 'node --permission' },
  { layer: 'egress-monitor', active: true, detail: 'sockets, DNS and HTTP recorded and blocked' },
  { layer: 'environment-allow-list', active: true, detail: '6 variables passed' },
  { layer: 'resource-budgets', active: true, detail: '512 MiB, 60 s of CPU' }
]

/** Typical latency per operation, ms, before noise. */
const BASE_LATENCY: Record<ShadowOperation, number> = { get: 2, put: 5, audit: 8 }

/**
 * One engine's answers to the replay: gets, puts and audits in turn, each with a latency of the
 * operation's base plus exponential noise of mean 10% of the base from `seed`, times `slowdown`.
 */
export function replay (seed: number, slowdown: Partial<Record<ShadowOperation, number>> = {}): RequestRecord[] {
  const prng = createPrng(seed)
  const records: RequestRecord[] = []
  for (let i = 0; i < PER_OPERATION * OPERATIONS.length; i++) {
    const operation = OPERATIONS[i % OPERATIONS.length] ?? 'get'
    const noise = -Math.log(1 - prng.nextFloat()) * 0.1 * BASE_LATENCY[operation]
    records.push({ operation, latencyMs: (BASE_LATENCY[operation] + noise) * (slowdown[operation] ?? 1), ok: true, digest: `response-${i}` })
  }
  return records
}

export function engineObservation (engineVersion: string, seed: number, overrides: Partial<EngineObservation> = {}): EngineObservation {
  return {
    engineVersion,
    requests: replay(seed),
    cpuMs: 1200,
    peakRssBytes: 200 * 1024 * 1024,
    durationMs: 6000,
    crash: null,
    hang: false,
    overBudget: null,
    egress: [],
    ...overrides
  }
}

/** Two runs of equally good engines; pass overrides for the candidate to spoil it. */
export function observations (candidate: Partial<EngineObservation> = {}, rest: Partial<Omit<ShadowObservations, 'candidate'>> = {}): ShadowObservations {
  return {
    baseline: engineObservation('1.4.0', 1),
    candidate: engineObservation('1.5.0', 2, candidate),
    state: [
      { field: 'identity', baseline: '12D3KooWBaseline', candidate: '12D3KooWBaseline' },
      { field: 'age', baseline: '7', candidate: '7' },
      { field: 'settings', baseline: '{"capacity":1073741824}', candidate: '{"capacity":1073741824}' },
      { field: 'ports', baseline: '41000', candidate: '41000' },
      { field: 'earnings', baseline: '0xfeed', candidate: '0xfeed' }
    ],
    isolation: ALL_LAYERS_ACTIVE,
    startedAt: STARTED_AT,
    ...rest
  }
}

/** The verdict parses with the contract's schema, as everything the owner sees must. */
export function assertContractShape (verdict: ShadowVerdict): ShadowVerdict {
  assert.deepEqual(ShadowVerdictSchema.parse(verdict), verdict)
  return verdict
}

export function codes (verdict: ShadowVerdict): string[] {
  return verdict.reasons.map(reason => `${reason.severity}:${reason.code}`)
}
