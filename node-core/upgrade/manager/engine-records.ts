// Where each engine the manager knows of lives on disk, turned into what the shadow runner and the
// switch start: the engine shipped inside the app, or a bundle installed under the data directory.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ENGINE_VERSION } from '../../engine/version.ts'
import type { RunnableEngine } from '../shadow/shadow-runner.ts'
import type { EngineRecord, UpgradeState } from './upgrade-state.ts'

/** The app's own checkout (or unpacked app): node-core/, contract/, node_modules/, package-lock.json. */
export const APP_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
/**
 * The built-in engine's entry, relative to the app root. The same path as build-engine.ts's
 * ENGINE_ENTRY_POINT, which is not imported: that module loads the TypeScript parser, a build tool.
 */
export const BUILT_IN_ENTRY_POINT = 'node-core/engine/engine-main.ts'
/** Installed bundles, each in a directory named by its SHA-256, under the data directory. */
export const ENGINES_DIR = 'engines'

export interface EngineLocations {
  dataDir: string
  appRoot: string
}

export function installDirectory (dataDir: string, bundleSha256: string): string {
  return join(dataDir, ENGINES_DIR, bundleSha256)
}

export function runnableEngine (record: EngineRecord, locations: EngineLocations): RunnableEngine {
  switch (record.kind) {
    case 'built-in':
      return { engineVersion: ENGINE_VERSION, bundleSha256: null, rootDir: locations.appRoot, entry: join(locations.appRoot, ...BUILT_IN_ENTRY_POINT.split('/')) }
    case 'installed': {
      const rootDir = installDirectory(locations.dataDir, record.bundleSha256)
      return { engineVersion: record.engineVersion, bundleSha256: record.bundleSha256, rootDir, entry: join(rootDir, ...record.entryPoint.split('/')) }
    }
    default: {
      const unknownRecord: never = record
      throw new RangeError(`unknown engine record ${JSON.stringify(unknownRecord)}`)
    }
  }
}

/** What the owner sees of an engine: its version and the bundle it came from. */
export function engineView (record: EngineRecord): { engineVersion: string, bundleSha256: string | null } {
  return record.kind === 'built-in'
    ? { engineVersion: ENGINE_VERSION, bundleSha256: null }
    : { engineVersion: record.engineVersion, bundleSha256: record.bundleSha256 }
}

/** The engines the switch starts from: the live one, and the one a rollback returns to with its backup. */
export function liveEngines (state: UpgradeState, locations: EngineLocations): { current: RunnableEngine, previous?: { engine: RunnableEngine, backupDir: string } } {
  const current = runnableEngine(state.current, locations)
  if (state.previous === null || state.previousBackupDir === null) return { current }
  return { current, previous: { engine: runnableEngine(state.previous, locations), backupDir: state.previousBackupDir } }
}
