// Releases as upgrade candidates (issue 5 on issue 4's release trust). The live engine follows
// releases itself: it hears the pointer, fetches the release from peers, verifies it (tuf-js and
// the pinned builders) and keeps the bundle as `<its data dir>/releases/<sha256>.tar.gz`
// (release-follower.ts). The host takes the engine's verified check as it is, like the rest of
// the engine's status; install-bundle.ts then holds the bundle to the SHA-256 the check names.
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import type { ReleaseCheck } from '../../../contract/host-api.ts'
import { namedError } from '../../../contract/named-error.ts'
import { releaseBundlePath, RELEASES_DIR } from '../../release/network/release-state.ts'
import { compareEngineVersions } from '../../release/release-custom.ts'
import { DAY_MS } from '../schedule/upgrade-policy.ts'
import type { LatestRelease, LiveEras, ReleaseCandidate, ReleaseCandidateSource } from './manager-components.ts'

/**
 * DESIGN §3.6, "a deadline applies when the active era requires the version": once the network
 * has activated an era the live engine does not support, the release that brings it may be
 * deferred at most this long from when the vault takes it as candidate. A week matches the
 * longest ordinary deferral, and the owner is never pushed sooner than that.
 */
export const ERA_UPGRADE_GRACE_MS = 7 * DAY_MS

export type VerifiedCheck = Extract<ReleaseCheck, { verdict: 'verified' }>

export class ReleaseNotVerifiedError extends namedError('ReleaseNotVerifiedError') {}
export class ReleaseBundleMissingError extends namedError('ReleaseBundleMissingError') {}

/** What decides whether the latest release may become the candidate. */
export interface CandidateContext {
  currentVersion: string
  failedVersions: readonly string[]
  /** The candidate now, if any: a release already under test or tested is not taken again. */
  candidate: { bundleSha256: string, tested: boolean } | null
}

/**
 * Why the latest release is not a candidate, in words for the owner; undefined when it is one.
 * Only a verified release newer than the live engine qualifies, never a rejected or older one.
 */
export function releaseRefusal (latest: LatestRelease | null, context: CandidateContext): string | undefined {
  if (latest === null) return 'no release has been heard on the network yet; nothing to test'
  const check = latest.check
  if (check === null) return `release pointer v${latest.pointerVersion} was heard; the engine is still fetching and verifying its release`
  switch (check.verdict) {
    case 'rejected':
      return `the release of pointer v${latest.pointerVersion} was rejected (${check.code}): ${check.reasons[0] ?? ''}; it is never a candidate`
    case 'verified':
      break
    default: {
      const unknownCheck: never = check
      return `unknown release check ${JSON.stringify(unknownCheck)}`
    }
  }
  const order = compareEngineVersions(check.engineVersion, context.currentVersion)
  if (order === 0) return `${check.engineVersion} is the newest release and already runs; nothing to do`
  if (order < 0) return `the newest release, ${check.engineVersion}, is older than the running ${context.currentVersion}; it is never a candidate`
  if (context.failedVersions.includes(check.engineVersion)) return `${check.engineVersion} failed on this vault before, so it is not tested again automatically`
  if (context.candidate?.bundleSha256 === check.bundleSha256 && context.candidate.tested) return `${check.engineVersion} is already the candidate`
  return undefined
}

/** The verified check of the latest release, or undefined. */
export function verifiedCheck (latest: LatestRelease | null): VerifiedCheck | undefined {
  const check = latest?.check
  return check?.verdict === 'verified' ? check : undefined
}

/**
 * The deadline a release brings: now plus the grace when the network's active era is one the
 * live engine lacks and the release supports; otherwise none.
 */
export function eraDeadline (releaseEras: readonly number[], live: LiveEras | null, now: number): number | null {
  if (live === null) return null
  const required = !live.supported.includes(live.active) && releaseEras.includes(live.active)
  return required ? now + ERA_UPGRADE_GRACE_MS : null
}

/** The live engine's verified releases, as candidates the manager installs from the engine's data dir. */
export class EngineReleaseSource implements ReleaseCandidateSource {
  readonly #liveDataDir: string
  readonly #eras: () => LiveEras | null
  readonly #now: () => number

  constructor (options: { liveDataDir: string, eras: () => LiveEras | null, now: () => number }) {
    this.#liveDataDir = options.liveDataDir
    this.#eras = options.eras
    this.#now = options.now
  }

  async fetchVerified (latest: LatestRelease): Promise<ReleaseCandidate> {
    const check = verifiedCheck(latest)
    if (check === undefined) throw new ReleaseNotVerifiedError(`the release of pointer v${latest.pointerVersion} is not verified`)
    // The path is the host's own, from the hash: only the engine's releases directory is read.
    const bundlePath = releaseBundlePath(join(this.#liveDataDir, RELEASES_DIR), check.bundleSha256)
    await access(bundlePath).catch(() => {
      throw new ReleaseBundleMissingError(`the verified bundle of ${check.engineVersion} is missing from ${bundlePath}; the engine fetches it again when it hears of a newer release`)
    })
    return {
      bundlePath,
      sha256: check.bundleSha256,
      engineVersion: check.engineVersion,
      signedBy: [...check.signedBy],
      attestedBy: [...check.attestedBy],
      rollout: check.rollout,
      allowedHosts: [...check.egress.allowedHosts],
      deadline: eraDeadline(check.eras, this.#eras(), this.#now())
    }
  }
}
