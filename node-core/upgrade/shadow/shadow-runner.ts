// The shadow run's interface (DESIGN §3.4): what the upgrade manager asks of it and what it gets
// back. The manager depends only on this, so it can be tested with a runner of its own.
import type { ShadowVerdict } from '../../../contract/upgrade.ts'
import { runShadow, type ShadowRunnerInit } from './run-shadow.ts'

export type { ShadowRunnerInit } from './run-shadow.ts'

/** An engine the runner can start: a directory holding its sources and node_modules, and its entry. */
export interface RunnableEngine {
  engineVersion: string
  /** SHA-256 of the bundle it came from; null for the engine shipped inside the app. */
  bundleSha256: string | null
  /** The root the entry and node_modules live under (an unpacked bundle, or the app itself). */
  rootDir: string
  /** Absolute path of the engine's entry point (node-core/engine/engine-main.ts under rootDir). */
  entry: string
}

/** One request the live vault served, as the engine's `trace` RPC reports it. */
export interface TracedRequest {
  at: number
  op: 'get' | 'put' | 'has'
  address: string
}

export interface ShadowRunOptions {
  baseline: RunnableEngine
  candidate: RunnableEngine
  /** The live engine's data directory: identity, settings and the chunk store to snapshot. */
  liveDataDir: string
  /** Recent requests of the live vault, replayed to both engines. */
  trace: TracedRequest[]
  durationMs: number
  /** Hosts the candidate's release allows it to reach (its signed egress policy). */
  allowedHosts: string[]
  signal?: AbortSignal
  /** Called with the fraction done, 0 to 1. */
  onProgress?: (fraction: number) => void
}

export interface ShadowRunner {
  run(options: ShadowRunOptions): Promise<ShadowVerdict>
}

/** The runner the host uses: sandboxed engines on a snapshot of the live store (run-shadow.ts). */
export function createShadowRunner (init: ShadowRunnerInit = {}): ShadowRunner {
  return { run: async options => await runShadow(init, options) }
}
