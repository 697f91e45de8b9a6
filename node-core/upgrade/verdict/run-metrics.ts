// The figures the owner sees side by side for baseline and candidate (contract RunMetrics).
import { ShadowOperationSchema, type RunMetrics, type ShadowOperation } from '../../../contract/upgrade.ts'
import type { EngineObservation, RequestRecord } from './observations.ts'

/**
 * The q-quantile of ascending values, interpolating between neighbours (Hyndman & Fan's type 7,
 * R's default), so the 0.5-quantile is the usual median.
 */
export function quantile (sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('"sorted" expected at least one value, got none')
  if (!(q >= 0 && q <= 1)) throw new RangeError(`"q" expected a number from 0 to 1, got ${q}`)
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const low = sorted[below] ?? 0
  const high = sorted[Math.min(below + 1, sorted.length - 1)] ?? low
  return low + (high - low) * (position - below)
}

/** The latencies of the requests an engine answered, per operation, ascending. */
export function answeredLatencies (requests: readonly RequestRecord[]): Map<ShadowOperation, number[]> {
  const byOperation = new Map<ShadowOperation, number[]>()
  for (const request of requests) {
    if (!request.ok) continue
    const list = byOperation.get(request.operation) ?? []
    list.push(request.latencyMs)
    byOperation.set(request.operation, list)
  }
  for (const list of byOperation.values()) list.sort((a, b) => a - b)
  return byOperation
}

/** Answered requests per second of the engine's wall time; 0 when no time passed. */
export function throughputPerSecond (engine: EngineObservation): number {
  if (engine.durationMs === 0) return 0
  return engine.requests.filter(request => request.ok).length / (engine.durationMs / 1000)
}

/**
 * `mismatches` is the number of requests both answered with different responses, counted for
 * both engines alike; `operations` lists every operation either engine saw, so the rows align.
 */
export function runMetrics (engine: EngineObservation, mismatches: number, operations: ReadonlySet<ShadowOperation>): RunMetrics {
  const latencies = answeredLatencies(engine.requests)
  return {
    engineVersion: engine.engineVersion,
    requests: engine.requests.length,
    errors: engine.requests.filter(request => !request.ok).length,
    mismatches,
    throughputPerSecond: throughputPerSecond(engine),
    latency: ShadowOperationSchema.options.filter(operation => operations.has(operation)).map(operation => {
      const sorted = latencies.get(operation) ?? []
      return {
        operation,
        count: sorted.length,
        p50: sorted.length === 0 ? 0 : quantile(sorted, 0.5),
        p95: sorted.length === 0 ? 0 : quantile(sorted, 0.95)
      }
    }),
    cpuMs: engine.cpuMs,
    peakRssBytes: engine.peakRssBytes
  }
}
