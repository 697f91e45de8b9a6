// What the upgrade manager keeps on disk (`<dataDir>/upgrades.json`): the owner's policy, the live
// and previous engines, the candidate with its verdict, the versions that failed, and the history
// (DESIGN §3.6-3.7). Written atomically after every change, so a crash loses nothing; a file that
// cannot be read is moved aside with a notice and the defaults are used, as settings are.
import { rename } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { UpgradeCandidateSchema, UpgradeHistoryEntrySchema, UpgradePolicySchema, type UpgradeHistoryEntry } from '../../../contract/upgrade.ts'
import { RolloutSchema } from '../../release/release-custom.ts'
import { assertSafeTarPath } from '../../release/bundle/tar.ts'
import { readJsonFile, writeJsonFile } from '../../storage/json-file.ts'

export const UPGRADE_STATE_FILE = 'upgrades.json'
/** Enough for the owner to see months of upgrades; older entries add nothing to a decision. */
export const HISTORY_LIMIT = 100

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/)
const RelativePathSchema = z.string().refine(path => {
  try {
    assertSafeTarPath(path)
    return true
  } catch {
    return false
  }
}, { message: 'expected a relative path inside the install directory' })

/**
 * An engine the vault can run. The built-in one is resolved against the running app each time
 * (an app update brings a new one); an installed one lives in `<dataDir>/engines/<sha256>/`.
 */
export const EngineRecordSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('built-in') }).strict(),
  z.object({
    kind: z.literal('installed'),
    engineVersion: z.string().min(1),
    bundleSha256: Sha256Schema,
    /** The manifest's entry point, relative to the install directory. */
    entryPoint: RelativePathSchema
  }).strict()
])
export type EngineRecord = z.infer<typeof EngineRecordSchema>

export const BUILT_IN_ENGINE: EngineRecord = { kind: 'built-in' }

/** The candidate as the owner sees it, plus what the manager needs to run and schedule it. */
export const CandidateRecordSchema = z.object({
  view: UpgradeCandidateSchema,
  engine: EngineRecordSchema,
  /** The signed rollout parameters of a release; null for a development candidate. */
  rollout: RolloutSchema.nullable(),
  /** Hosts its release allows it to reach (its signed egress policy). */
  allowedHosts: z.array(z.string())
}).strict()
export type CandidateRecord = z.infer<typeof CandidateRecordSchema>

export const UpgradeStateSchema = z.object({
  version: z.literal(1),
  policy: UpgradePolicySchema,
  current: EngineRecordSchema,
  previous: EngineRecordSchema.nullable(),
  /** The backup of the live data taken at the last switch: what a rollback to `previous` restores. */
  previousBackupDir: z.string().min(1).nullable(),
  candidate: CandidateRecordSchema.nullable(),
  failedVersions: z.array(z.string()),
  /** Newest first, at most HISTORY_LIMIT. */
  history: z.array(UpgradeHistoryEntrySchema).max(HISTORY_LIMIT)
}).strict()
export type UpgradeState = z.infer<typeof UpgradeStateSchema>

export const DEFAULT_UPGRADE_STATE: UpgradeState = {
  version: 1,
  policy: 'ask',
  current: BUILT_IN_ENGINE,
  previous: null,
  previousBackupDir: null,
  candidate: null,
  failedVersions: [],
  history: []
}

class UnreadableUpgradeStateError extends namedError('UnreadableUpgradeStateError') {}

export interface LoadedUpgradeState {
  state: UpgradeState
  /** Set when the file was unreadable and was moved aside. */
  problem?: string
}

export async function loadUpgradeState (dataDir: string, now: () => number = Date.now): Promise<LoadedUpgradeState> {
  const path = join(dataDir, UPGRADE_STATE_FILE)
  let state: UpgradeState | undefined
  try {
    state = await readJsonFile(path, UpgradeStateSchema, problem => new UnreadableUpgradeStateError(problem))
  } catch (err) {
    if (!(err instanceof UnreadableUpgradeStateError)) throw err
    const aside = `${path}.unreadable-${now()}`
    await rename(path, aside)
    return { state: DEFAULT_UPGRADE_STATE, problem: `${path} could not be read (${err.message.split('\n')[0] ?? ''}) and was moved to ${aside}; upgrade history and policy start afresh` }
  }
  return { state: state ?? DEFAULT_UPGRADE_STATE }
}

export async function saveUpgradeState (dataDir: string, state: UpgradeState): Promise<void> {
  await writeJsonFile(join(dataDir, UPGRADE_STATE_FILE), UpgradeStateSchema.parse(state))
}

/** The state with `entry` first in its history, the oldest entries dropped past the limit. */
export function withHistory (state: UpgradeState, entry: UpgradeHistoryEntry): UpgradeState {
  return { ...state, history: [entry, ...state.history].slice(0, HISTORY_LIMIT) }
}

/** The state with `version` remembered as failed (DESIGN §3.7: never retried automatically). */
export function withFailedVersion (state: UpgradeState, version: string): UpgradeState {
  return state.failedVersions.includes(version) ? state : { ...state, failedVersions: [...state.failedVersions, version] }
}
