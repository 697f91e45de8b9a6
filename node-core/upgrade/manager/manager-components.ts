// What the upgrade manager is given (STYLE: a service declares its components and its init), the
// events it sends, and its defaults.
import type { VersionsStatus } from '../../../contract/host-api.ts'
import type { UpgradeCandidate, UpgradeStatus } from '../../../contract/upgrade.ts'
import type { Rollout } from '../schedule/rollout.ts'
import type { ShadowRunner, TracedRequest } from '../shadow/shadow-runner.ts'
import type { Switcher } from '../switch/switcher.ts'
import type { Clock } from './clock.ts'
import type { LoadedUpgradeState } from './upgrade-state.ts'

/** How long `vault upgrade shadow` runs when no duration is given. */
export const DEFAULT_SHADOW_SECONDS = 60
export const NO_RELEASE_SOURCE = 'no release source is configured on this vault (start it with --release-trust FILE to follow signed releases); test a local bundle with vault upgrade shadow --candidate PATH'
export const DEVELOPMENT_VERIFICATION: UpgradeCandidate['verification'] = {
  kind: 'development',
  verified: false,
  reasons: ['a local bundle run by the owner\'s explicit choice, not a signed release'],
  signedBy: [],
  attestedBy: []
}

export type LatestRelease = NonNullable<VersionsStatus['latestRelease']>

/** What the manager needs of the live vault. */
export interface LiveEngine {
  /** The live engine's data directory, which the shadow run snapshots. */
  readonly dataDir: string
  /** The vault's name (its place in a rollout); '' until the engine has reported it. */
  name(): string
  /** Recent requests the live vault served (the engine's `trace` RPC). */
  trace(): Promise<TracedRequest[]>
  /** The newest release heard through gossip, with the engine's check of it, if any. */
  latestRelease(): LatestRelease | null
  /** The network's active era and the eras the live engine supports; null until it has reported them. */
  eras(): LiveEras | null
}

export interface LiveEras { active: number, supported: number[] }

/** A release heard through gossip, verified (TUF and attestations, DESIGN §3.1-3.2) and fetched. */
export interface ReleaseCandidate {
  bundlePath: string
  sha256: string
  engineVersion: string
  signedBy: string[]
  attestedBy: string[]
  rollout: Rollout
  allowedHosts: string[]
  /** When the active era requires this version, if it does. */
  deadline: number | null
}

export interface ReleaseCandidateSource {
  /** The release `latest` names, ready to install; only for a release whose check is verified. */
  fetchVerified(latest: LatestRelease, signal?: AbortSignal): Promise<ReleaseCandidate>
}

export interface UpgradeManagerComponents {
  shadowRunner: ShadowRunner
  switcher: Switcher
  liveEngine: LiveEngine
  /** Absent when the host has no release trust (vault start --release-trust FILE). */
  releaseSource?: ReleaseCandidateSource
  clock?: Clock
  /** Values in [0, 1): the rollout's jitter. */
  random?: () => number
}

export interface UpgradeManagerInit {
  dataDir: string
  /** The app's root: the built-in engine, node_modules and package-lock.json. */
  appRoot?: string
  /** The state as the host already loaded it (to start the live engine); read from disk otherwise. */
  loaded?: LoadedUpgradeState
  /** How long a release's shadow run lasts; DEFAULT_SHADOW_SECONDS unless given. */
  releaseShadowSeconds?: number
}

export interface UpgradeActivity { at: number, kind: string, message: string }

export interface UpgradeManagerEvents {
  'upgrade:status': CustomEvent<UpgradeStatus>
  'upgrade:activity': CustomEvent<UpgradeActivity>
}
