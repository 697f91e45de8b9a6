// Benchmark (b): grinding a key for a 4-bit section prefix and age 5, median of 20 runs, beside
// the baseline of generating the expected number of keys (16 * 256) on one thread in this process.
import { generateKeyPairSync } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { grindKey } from '../node-core/engine/identity/grind.ts'
import { median } from './stats.ts'

const RUNS = Number(process.env.BENCH_GRIND_RUNS ?? 20)
const PREFIX = '1011'
const AGE = 5
const EXPECTED_KEYS = 2 ** PREFIX.length * 256

export async function measureGrinding (): Promise<{ medianMs: number, p90Ms: number, baselineMs: number }> {
  const started = performance.now()
  for (let i = 0; i < EXPECTED_KEYS; i++) generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' })
  const baselineMs = performance.now() - started
  const times: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now()
    await grindKey({ prefix: PREFIX, age: AGE })
    times.push(performance.now() - t0)
  }
  const sorted = [...times].sort((a, b) => a - b)
  return { medianMs: median(times), p90Ms: sorted[Math.floor(sorted.length * 0.9)] ?? 0, baselineMs }
}

if (import.meta.main) {
  const result = await measureGrinding()
  console.log(`  key grinding, prefix ${PREFIX.length} bits + age ${AGE} (${availableParallelism()} worker threads), ${RUNS} runs:`)
  console.log(`    median ${result.medianMs.toFixed(0)} ms, p90 ${result.p90Ms.toFixed(0)} ms`)
  console.log(`    baseline: ${EXPECTED_KEYS} keys on one thread ${result.baselineMs.toFixed(0)} ms   ratio median/baseline ${(result.medianMs / result.baselineMs).toFixed(2)}`)
}
