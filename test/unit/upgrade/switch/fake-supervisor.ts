// An engine supervisor without processes, for the switcher's unit tests: each engine (by entry)
// follows a script, starts and stops move a fake clock, and events are dispatched by the test.
import { TypedEventEmitter } from 'main-event'
import type { EgressAttempt } from '../../../../contract/upgrade.ts'
import type { EngineStatus } from '../../../../node-core/engine/rpc/engine-rpc.ts'
import type { EngineLocation, EngineProcessState, EngineSupervisorEvents } from '../../../../node-core/host/engine-supervisor.ts'
import type { SwitchableSupervisor } from '../../../../node-core/upgrade/switch/engine-switcher.ts'
import type { RunnableEngine } from '../../../../node-core/upgrade/shadow/shadow-runner.ts'

export const VAULT_NAME = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

export function engineStatus (overrides: { name?: string, age?: number, chunks?: number, engineVersion?: string } = {}): EngineStatus {
  return {
    name: overrides.name ?? VAULT_NAME,
    age: overrides.age ?? 7,
    engineVersion: overrides.engineVersion ?? '1.0.0',
    protocols: [],
    peers: 3,
    listenAddrs: [],
    paused: false,
    store: { chunks: overrides.chunks ?? 10, bytes: 1000, capacityBytes: 1_000_000, full: false, quarantined: 0 },
    versions: { supportedEras: [1], activeEra: 1, eraNotice: null, followsReleases: false, peers: [], latestRelease: null, upgradeRequired: null },
    ageHistory: []
  }
}

export function runnable (engineVersion: string): RunnableEngine {
  return { engineVersion, bundleSha256: null, rootDir: `/engines/${engineVersion}`, entry: `/engines/${engineVersion}/node-core/engine/engine-main.ts` }
}

export interface EngineScript {
  /** What the engine reports when ready; a string makes its start fail with that message. */
  ready: EngineStatus | string
  /** Run at start, before ready: what the engine does to its data. */
  onStart?: () => Promise<void>
  /** Never becomes ready. */
  hangs?: boolean
  /** Dies while loading its code, before it could be started. */
  failsToLoad?: boolean
}

export class FakeSupervisor extends TypedEventEmitter<EngineSupervisorEvents> implements SwitchableSupervisor {
  state: EngineProcessState = 'running'
  location: EngineLocation
  readonly calls: string[] = []
  clock = 1_000_000
  readonly scripts = new Map<string, EngineScript>()
  /** Fake time a start and a stop take. */
  startMs = 700
  stopMs = 100
  /** True once an engine scripted to hang has started hanging. */
  hanging = false

  constructor (live: RunnableEngine, script: EngineScript) {
    super()
    this.location = { entry: live.entry, rootDir: live.rootDir }
    this.scripts.set(live.entry, script)
  }

  readonly now = (): number => this.clock

  get running (): string { return this.location.entry }

  setEngine (location: EngineLocation): void {
    this.calls.push(`setEngine ${location.entry}`)
    this.location = location
  }

  async prepare (location: EngineLocation): Promise<void> {
    this.calls.push(`prepare ${location.entry}`)
    const script = this.scripts.get(location.entry)
    if (script?.failsToLoad === true) throw new Error('the engine exited while loading')
  }

  async start (): Promise<EngineStatus> {
    this.calls.push(`start ${this.location.entry}`)
    const script = this.scripts.get(this.location.entry)
    if (script === undefined) throw new Error(`no script for ${this.location.entry}`)
    this.state = 'starting'
    await script.onStart?.()
    if (script.hangs === true) {
      this.hanging = true
      return await new Promise<EngineStatus>(() => {})
    }
    this.clock += this.startMs
    if (typeof script.ready === 'string') {
      this.state = 'restarting'
      throw new Error(script.ready)
    }
    this.state = 'running'
    return script.ready
  }

  async stop (options: { keepStandby?: boolean } = {}): Promise<void> {
    this.calls.push(options.keepStandby === true ? 'stop (standby kept)' : 'stop')
    this.clock += this.stopMs
    this.state = 'stopped'
  }

  async request (method: 'status' | 'pause'): Promise<EngineStatus> {
    this.calls.push(method)
    if (this.state !== 'running') throw new Error('the engine is not running')
    const script = this.scripts.get(this.location.entry)
    if (script === undefined || typeof script.ready === 'string') throw new Error('no status')
    return script.ready
  }

  egress (attempt: Partial<EgressAttempt> = {}, entry = this.location.entry): void {
    const detail = { attempt: { kind: 'net' as const, target: '127.0.0.1:9', allowed: false, at: this.clock, ...attempt }, entry }
    this.dispatchEvent(new CustomEvent('engine:egress', { detail }))
  }

  exit (code: number | null, signal: string | null = null): void {
    this.state = 'restarting'
    this.dispatchEvent(new CustomEvent('engine:exit', { detail: { code, signal, restartInMs: 100 } }))
  }

  status (status: EngineStatus): void {
    this.dispatchEvent(new CustomEvent('engine:status', { detail: status }))
  }
}
