// One shadow run (DESIGN §3.4, issue 5 deliver 2): snapshot the live store, start baseline and
// candidate side by side in sandboxes on it, feed both the same workload, read back their state,
// and judge. The live vault is never paused and never written: the snapshot is links to its
// immutable chunk files, and every engine writes only in its own temporary directory.
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IsolationLayer, ShadowVerdict } from '../../../contract/upgrade.ts'
import type { EngineStatus } from '../../engine/rpc/engine-rpc.ts'
import { chunkAddress } from '../../engine/store/chunk-address.ts'
import { chunkFilePath, CHUNKS_DIR } from '../../engine/store/chunk-layout.ts'
import { DEFAULT_CAPACITY_BYTES } from '../../engine/vault.ts'
import { probeIsolation, type OptionalLayer } from '../sandbox/isolation.ts'
import type { ResourceBudgets } from '../sandbox/watchdog.ts'
import type { EngineObservation, RequestRecord } from '../verdict/observations.ts'
import { judgeShadowRun } from '../verdict/shadow-verdict.ts'
import type { VerdictTolerances } from '../verdict/tolerances.ts'
import { keptState } from './kept-state.ts'
import { SHADOW_NICENESS, ShadowEngine } from './shadow-engine.ts'
import { replayToBoth, type ReplayResult, type ServingEngine } from './shadow-replay.ts'
import type { RunnableEngine, ShadowRunOptions } from './shadow-runner.ts'
import { ShadowWorkload } from './shadow-workload.ts'
import { copyVaultState, snapshotStore } from './store-snapshot.ts'

export interface ShadowRunnerInit {
  /** Where each run's temporary directory goes (snapshot and both engines' data); the system's by default. */
  tempDir?: string
  /** Per engine. Memory 512 MiB by default; CPU time one minute plus twice the run's duration. */
  budgets?: Partial<ResourceBudgets>
  /** An engine not ready this long after its start hangs. */
  startupTimeoutMs?: number
  /** A request unanswered this long is a hang. */
  requestTimeoutMs?: number
  /**
   * Run the shadow engines at the lowest priority, so the live vault comes first (the default).
   * Off, they compete with everything else as equals: steadier figures on a machine busy with other
   * work, at the live vault's expense.
   */
  lowPriority?: boolean
  /** Requests in flight at once, each to both engines. */
  concurrency?: number
  /** The shadow engines' storage cap (the snapshot counts towards it). */
  capacityBytes?: number
  tolerances?: Partial<VerdictTolerances>
  /** The seed of each run's synthetic workload; random by default. */
  seed?: () => bigint
  now?: () => number
  monotonic?: () => number
  /** Isolation layers to force off, with the reason reported (tests; a machine where one misbehaves). */
  disableLayers?: Partial<Record<OptionalLayer, string>>
}

export const DEFAULT_SHADOW_MEMORY_BYTES = 512 * 1024 * 1024
export const DEFAULT_STARTUP_TIMEOUT_MS = 60_000
export const DEFAULT_SHADOW_REQUEST_TIMEOUT_MS = 10_000
export const DEFAULT_SHADOW_CONCURRENCY = 1

/** Generous, since both engines start (and compile their sources) inside it, but finite. */
export function defaultBudgets (durationMs: number): ResourceBudgets {
  return { memoryBytes: DEFAULT_SHADOW_MEMORY_BYTES, cpuMs: 60_000 + 2 * durationMs }
}

type Role = 'baseline' | 'candidate'

/** An engine of the run as the replay sees it: it serves while it is up. */
function serving (engine: ShadowEngine): ServingEngine {
  return {
    serve: async params => await engine.request('serve', params),
    get gone () { return engine.fault !== undefined }
  }
}

function observe (role: RunnableEngine, engine: ShadowEngine | undefined, requests: RequestRecord[], durationMs: number): EngineObservation {
  const fault = engine?.fault
  const usage = engine?.usage() ?? { cpuMs: 0, peakRssBytes: 0 }
  return {
    engineVersion: role.engineVersion,
    requests,
    cpuMs: usage.cpuMs,
    peakRssBytes: Math.round(usage.peakRssBytes),
    durationMs,
    crash: fault?.kind === 'crash' ? fault.crash : null,
    hang: fault?.kind === 'hang',
    overBudget: fault?.kind === 'over-budget' ? fault.budget : null,
    egress: engine?.attempts() ?? []
  }
}

/** The status after the run, or the one it reported when ready when it can no longer answer. */
async function finalStatus (engine: ShadowEngine): Promise<EngineStatus | undefined> {
  if (engine.fault === undefined) {
    try {
      return await engine.request('status', {})
    } catch {
      // Fall back to what it said when ready.
    }
  }
  return engine.readyStatus
}

async function readSnapshotChunk (snapshotDir: string, address: string): Promise<Uint8Array | undefined> {
  try {
    const bytes = Uint8Array.from(await readFile(chunkFilePath(join(snapshotDir, CHUNKS_DIR), address)))
    return chunkAddress(bytes) === address ? bytes : undefined
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

export async function runShadow (init: ShadowRunnerInit, options: ShadowRunOptions): Promise<ShadowVerdict> {
  const { signal } = options
  signal?.throwIfAborted()
  const now = init.now ?? Date.now
  const monotonic = init.monotonic ?? (() => performance.now())
  const budgets = { ...defaultBudgets(options.durationMs), ...init.budgets }
  const runDir = await mkdtemp(join(init.tempDir ?? tmpdir(), 'vault-shadow-'))
  const engines: Partial<Record<Role, ShadowEngine>> = {}
  const stopAll = async (): Promise<void> => { await Promise.allSettled(Object.values(engines).map(async engine => { await engine.stop() })) }
  const onAbort = (): void => { void stopAll() }
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    options.onProgress?.(0)
    // Without the permission model nothing stops an engine writing to a file it can read, and a
    // hard link is the live chunk itself: then the snapshot is a copy.
    const probe = await probeIsolation(init.disableLayers === undefined ? {} : { disable: init.disableLayers })
    const snapshot = await snapshotStore(options.liveDataDir, join(runDir, 'snapshot'), {
      copy: !probe.permissionModel.available,
      ...(signal === undefined ? {} : { signal })
    })
    const startedAt = now()
    const start = async (role: Role): Promise<void> => {
      const workDir = join(runDir, role)
      await mkdir(workDir, { recursive: true })
      await copyVaultState(options.liveDataDir, workDir)
      signal?.throwIfAborted()
      engines[role] = await ShadowEngine.start({
        engine: options[role],
        workDir,
        snapshotDir: snapshot.dir,
        capacityBytes: init.capacityBytes ?? DEFAULT_CAPACITY_BYTES,
        budgets,
        allowedHosts: options.allowedHosts,
        startupTimeoutMs: init.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
        requestTimeoutMs: init.requestTimeoutMs ?? DEFAULT_SHADOW_REQUEST_TIMEOUT_MS,
        lowPriority: init.lowPriority ?? true,
        ...(init.disableLayers === undefined ? {} : { disableLayers: init.disableLayers })
      })
    }
    const started = await Promise.allSettled([start('baseline'), start('candidate')])
    for (const result of started) if (result.status === 'rejected') throw result.reason
    const { baseline, candidate } = engines
    if (baseline === undefined || candidate === undefined) throw new TypeError('both engines started but one is missing')

    const ready = await Promise.allSettled([baseline.ready(), candidate.ready()])
    signal?.throwIfAborted()
    let replay: ReplayResult = { baseline: [], candidate: [], baselineDurationMs: 0, candidateDurationMs: 0 }
    if (ready.every(result => result.status === 'fulfilled')) {
      const workload = new ShadowWorkload({
        trace: options.trace,
        snapshotAddresses: snapshot.addresses,
        readSnapshotChunk: async address => await readSnapshotChunk(snapshot.dir, address),
        addressOf: chunkAddress,
        seed: (init.seed ?? (() => randomBytes(8).readBigUInt64BE()))()
      })
      replay = await replayToBoth({
        baseline: serving(baseline),
        candidate: serving(candidate),
        workload,
        durationMs: options.durationMs,
        concurrency: init.concurrency ?? DEFAULT_SHADOW_CONCURRENCY,
        monotonic,
        ...(signal === undefined ? {} : { signal }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress })
      })
    }
    signal?.throwIfAborted()
    const [baselineStatus, candidateStatus] = await Promise.all([finalStatus(baseline), finalStatus(candidate)])
    await stopAll()
    signal?.throwIfAborted()
    const priority = baseline.lowPriority && candidate.lowPriority
      ? `; both run at the lowest priority (nice ${SHADOW_NICENESS}), so the live vault comes first`
      : `; they run at normal priority${init.lowPriority === false ? '' : ' (it could not be lowered)'}, competing with the live vault for the CPU`
    const isolation: IsolationLayer[] = candidate.isolation.map(layer => layer.layer === 'resource-budgets' ? { ...layer, detail: layer.detail + priority } : layer)
    const verdict = judgeShadowRun({
      baseline: observe(options.baseline, baseline, replay.baseline, replay.baselineDurationMs),
      candidate: observe(options.candidate, candidate, replay.candidate, replay.candidateDurationMs),
      state: baselineStatus === undefined || candidateStatus === undefined ? [] : keptState(baselineStatus, candidateStatus),
      isolation,
      startedAt
    }, init.tolerances)
    options.onProgress?.(1)
    return verdict
  } finally {
    signal?.removeEventListener('abort', onAbort)
    await stopAll()
    await rm(runDir, { recursive: true, force: true })
  }
}
