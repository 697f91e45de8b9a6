// How the host puts upgrades together (issue 5): the state on disk decides which engine the
// supervisor starts, the switch takes over from there, and the manager drives both with the
// shadow runner. An installed engine that has gone missing from disk is never started: the
// engine shipped with the app runs instead, and the owner is told.
import { access } from 'node:fs/promises'
import type { EngineSupervisor } from '../../host/engine-supervisor.ts'
import { createShadowRunner, type ShadowRunner } from '../shadow/shadow-runner.ts'
import { EngineSwitcher } from '../switch/engine-switcher.ts'
import { systemClock } from './clock.ts'
import { APP_ROOT, engineView, installDirectory, liveEngines, runnableEngine, type EngineLocations } from './engine-records.ts'
import type { LiveEras } from './manager-components.ts'
import { EngineReleaseSource } from './release-candidates.ts'
import { UpgradeManager } from './upgrade-manager.ts'
import { BUILT_IN_ENGINE, loadUpgradeState, saveUpgradeState, type EngineRecord, type LoadedUpgradeState, type UpgradeState } from './upgrade-state.ts'

export interface HostUpgradesInit {
  /** The host's data directory: upgrades.json and engines/ live here. */
  dataDir: string
  /** The live engine's data directory (EngineConfig.dataDir). */
  liveDataDir: string
  supervisor: EngineSupervisor
  now: () => number
  /** Leave the supervisor's engine as it was given (a test's engine) instead of the one upgrades.json names. */
  keepSupervisorEngine?: boolean
  shadowRunner?: ShadowRunner
  healthWindowMs?: number
  releaseShadowSeconds?: number
  appRoot?: string
  /** The engine follows releases (it was given a release trust): take its verified ones as candidates. */
  followReleases?: boolean
}

export interface HostUpgrades {
  manager: UpgradeManager
  /** Starts scheduling; call once the live engine runs, so a due switch has an engine to drain. */
  start(): Promise<void>
  stop(): Promise<void>
}

async function installed (record: EngineRecord | null, locations: EngineLocations): Promise<boolean> {
  if (record === null || record.kind === 'built-in') return true
  return await access(runnableEngine(record, locations).entry).then(() => true, () => false)
}

/** upgrades.json, with every installed engine it names checked to be on disk still. */
export async function loadStartupState (locations: EngineLocations, now: () => number): Promise<LoadedUpgradeState> {
  const loaded = await loadUpgradeState(locations.dataDir, now)
  let state: UpgradeState = loaded.state
  const problems = loaded.problem === undefined ? [] : [loaded.problem]
  const missing = (record: EngineRecord): string => {
    const view = engineView(record)
    return `${view.engineVersion} is missing from ${installDirectory(locations.dataDir, view.bundleSha256 ?? '')}`
  }
  if (!await installed(state.current, locations)) {
    problems.push(`the engine this vault ran, ${missing(state.current)}; the engine shipped with the app runs instead`)
    state = { ...state, current: BUILT_IN_ENGINE, previous: null, previousBackupDir: null }
  }
  if (!await installed(state.previous, locations)) state = { ...state, previous: null, previousBackupDir: null }
  if (state.candidate !== null && !await installed(state.candidate.engine, locations)) {
    problems.push(`the candidate ${missing(state.candidate.engine)}; test it again`)
    state = { ...state, candidate: null }
  }
  if (state !== loaded.state) await saveUpgradeState(locations.dataDir, state)
  return problems.length === 0 ? { state } : { state, problem: problems.join('; ') }
}

function liveEras (supervisor: EngineSupervisor): LiveEras | null {
  const versions = supervisor.lastStatus?.versions
  return versions === undefined ? null : { active: versions.activeEra, supported: [...versions.supportedEras] }
}

export async function prepareHostUpgrades (init: HostUpgradesInit): Promise<HostUpgrades> {
  const locations = { dataDir: init.dataDir, appRoot: init.appRoot ?? APP_ROOT }
  const loaded = await loadStartupState(locations, init.now)
  const engines = liveEngines(loaded.state, locations)
  if (init.keepSupervisorEngine !== true) init.supervisor.setEngine({ entry: engines.current.entry, rootDir: engines.current.rootDir })
  const switcher = new EngineSwitcher({ supervisor: init.supervisor }, {
    dataDir: init.liveDataDir,
    current: engines.current,
    ...(engines.previous === undefined ? {} : { previous: engines.previous }),
    ...(init.healthWindowMs === undefined ? {} : { healthWindowMs: init.healthWindowMs }),
    now: init.now
  })
  const supervisor = init.supervisor
  const manager = new UpgradeManager({ dataDir: init.dataDir, appRoot: locations.appRoot, loaded, ...(init.releaseShadowSeconds === undefined ? {} : { releaseShadowSeconds: init.releaseShadowSeconds }) }, {
    shadowRunner: init.shadowRunner ?? createShadowRunner(),
    switcher,
    liveEngine: {
      dataDir: init.liveDataDir,
      name: () => supervisor.lastStatus?.name ?? '',
      trace: async () => (await supervisor.request('trace')).entries,
      latestRelease: () => supervisor.lastStatus?.versions.latestRelease ?? null,
      eras: () => liveEras(supervisor)
    },
    ...(init.followReleases === true ? { releaseSource: new EngineReleaseSource({ liveDataDir: init.liveDataDir, eras: () => liveEras(supervisor), now: init.now }) } : {}),
    clock: { now: init.now, setTimer: systemClock.setTimer }
  })
  const onStatus = (): void => { manager.noticeReleases() }
  return {
    manager,
    start: async () => {
      await manager.start()
      supervisor.addEventListener('engine:status', onStatus)
    },
    stop: async () => {
      supervisor.removeEventListener('engine:status', onStatus)
      await manager.stop()
      await switcher.stop()
    }
  }
}
