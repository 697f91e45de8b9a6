// A live vault following releases (DESIGN §3.1-3.3): each newer pointer the gossip accepts is kept
// at once (release-state.ts), then the release it names is fetched as chunks from peers
// (NetworkReleaseSource) and checked by verifyRelease (tuf-js, then the pinned builders). A
// verified bundle is kept as `releases/<sha256>.tar.gz`, put there by one rename; the check,
// verified or rejected with its code, is kept too and shown in the engine's status. One check
// runs at a time; a pointer heard during a check is checked next, older ones are skipped.
import { mkdir, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { TypedEventEmitter } from 'main-event'
import type { ReleaseCheck, VersionsStatus } from '../../../contract/host-api.ts'
import { syncDirectory } from '../../storage/sync-directory.ts'
import type { PinnedBuilders } from '../attestations.ts'
import { verifyRelease, type ReleaseLimits, type ReleaseVerdict } from '../verify-release.ts'
import { NetworkReleaseSource } from './network-source.ts'
import type { FetchChunk } from './release-files.ts'
import type { ReleaseGossipEvents } from './release-gossip.ts'
import type { SignedReleasePointer } from './release-pointer.ts'
import { BUNDLE_SUFFIX, releaseBundlePath, type ReleaseStateStore } from './release-state.ts'

/**
 * After a check that found the release's chunks unavailable (not yet on the vaults it asked, or
 * those peers not yet known), it is tried again this long after, then the next; then it rests
 * until a newer pointer comes.
 */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000]
const INCOMING_DIR = '.incoming'

export type LatestRelease = NonNullable<VersionsStatus['latestRelease']>

export interface ReleaseFollowerComponents {
  gossip: { addEventListener: (type: 'release:pointer', listener: (event: ReleaseGossipEvents['release:pointer']) => void) => void, removeEventListener: (type: 'release:pointer', listener: (event: ReleaseGossipEvents['release:pointer']) => void) => void }
  fetchChunk: FetchChunk
  state: ReleaseStateStore
  now: () => number
}

export interface ReleaseFollowerInit {
  pinnedBuilders: PinnedBuilders
  limits?: Partial<ReleaseLimits>
  retryDelaysMs?: readonly number[]
}

export interface ReleaseFollowerEvents {
  'release:checking': CustomEvent<{ pointerVersion: number }>
  'release:checked': CustomEvent<{ pointerVersion: number, check: ReleaseCheck }>
  /** The pointer or a check could not be kept on disk; the check still shows until a restart. */
  'release:error': CustomEvent<Error>
}

const asError = (err: unknown): Error => err instanceof Error ? err : new Error(String(err))
const isUnavailable = (check: ReleaseCheck): boolean => check.verdict === 'rejected' && check.code === 'unavailable'

export class ReleaseFollower extends TypedEventEmitter<ReleaseFollowerEvents> {
  readonly #components: ReleaseFollowerComponents
  readonly #init: ReleaseFollowerInit
  readonly #retryDelaysMs: readonly number[]
  #wanted: SignedReleasePointer | undefined
  #running: Promise<void> | undefined
  #abort: AbortController | undefined
  #retryTimer: NodeJS.Timeout | undefined
  #retries = 0
  #started = false
  readonly #onPointer = (event: ReleaseGossipEvents['release:pointer']): void => { this.#follow(event.detail.pointer) }

  constructor (components: ReleaseFollowerComponents, init: ReleaseFollowerInit) {
    super()
    this.#components = components
    this.#init = init
    this.#retryDelaysMs = init.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
  }

  /** A kept pointer whose check never finished (the vault stopped during it) or found nothing to fetch is checked again. */
  start (): void {
    if (this.#started) return
    this.#started = true
    this.#components.gossip.addEventListener('release:pointer', this.#onPointer)
    const { pointer, check } = this.#components.state
    if (pointer !== undefined && (check === null || isUnavailable(check))) this.#wanted = pointer
    this.#kick()
  }

  async stop (): Promise<void> {
    this.#started = false
    this.#components.gossip.removeEventListener('release:pointer', this.#onPointer)
    clearTimeout(this.#retryTimer)
    this.#wanted = undefined
    this.#abort?.abort(new Error('the vault is stopping'))
    await this.#running
  }

  /** The latest pointer and the check of its release, as the engine's status reports them. */
  latestRelease (): LatestRelease | null {
    const { pointer, check } = this.#components.state
    if (pointer === undefined) return null
    return { pointerVersion: pointer.pointer.version, indexAddress: pointer.pointer.indexAddress, publishedAt: pointer.pointer.publishedAt, check }
  }

  /** Resolves once no check runs or waits to run (a retry timer may still be set). */
  async idle (): Promise<void> {
    while (this.#running !== undefined) await this.#running
  }

  #follow (pointer: SignedReleasePointer): void {
    if (!this.#started) return
    clearTimeout(this.#retryTimer)
    this.#retries = 0
    this.#wanted = pointer
    // Kept at once, before its release is fetched: a restart cannot go back below it.
    this.#components.state.accept(pointer).catch(err => { this.dispatchEvent(new CustomEvent('release:error', { detail: asError(err) })) })
    this.#kick()
  }

  #kick (): void {
    if (this.#running !== undefined || this.#wanted === undefined) return
    this.#running = this.#drain().finally(() => { this.#running = undefined })
  }

  async #drain (): Promise<void> {
    for (let pointer = this.#wanted; pointer !== undefined && this.#started; pointer = this.#wanted) {
      this.#wanted = undefined
      await this.#checkPointer(pointer)
    }
  }

  async #checkPointer (pointer: SignedReleasePointer): Promise<void> {
    const { state } = this.#components
    const version = pointer.pointer.version
    this.dispatchEvent(new CustomEvent('release:checking', { detail: { pointerVersion: version } }))
    const controller = new AbortController()
    this.#abort = controller
    let check: ReleaseCheck
    try {
      check = await this.#verify(pointer, controller.signal)
    } catch (err) {
      if (controller.signal.aborted) return
      check = { verdict: 'rejected', checkedAt: this.#components.now(), code: 'error', reasons: [`the release could not be checked: ${asError(err).message}`] }
    } finally {
      this.#abort = undefined
      await state.reloadRoot().catch(() => {})
    }
    // A newer pointer arrived meanwhile: this result is about a release no longer the latest.
    if (state.pointer?.pointer.version !== version) return
    try {
      await state.checked(version, check)
    } catch (err) {
      this.dispatchEvent(new CustomEvent('release:error', { detail: asError(err) }))
    }
    this.dispatchEvent(new CustomEvent('release:checked', { detail: { pointerVersion: version, check } }))
    if (isUnavailable(check)) this.#retryLater(pointer)
  }

  #retryLater (pointer: SignedReleasePointer): void {
    const delay = this.#retryDelaysMs[this.#retries]
    if (delay === undefined || !this.#started) return
    this.#retries++
    this.#retryTimer = setTimeout(() => {
      if (this.#wanted !== undefined || this.#components.state.pointer?.pointer.version !== pointer.pointer.version) return
      this.#wanted = pointer
      this.#kick()
    }, delay)
    this.#retryTimer.unref()
  }

  async #verify (pointer: SignedReleasePointer, signal: AbortSignal): Promise<ReleaseCheck> {
    const { state, fetchChunk, now } = this.#components
    const incoming = join(state.releasesDir, INCOMING_DIR)
    const source = new NetworkReleaseSource({ indexAddress: pointer.pointer.indexAddress, fetchChunk })
    try {
      const verdict: ReleaseVerdict = await verifyRelease({
        trustedDir: state.tufDir,
        source,
        pinnedBuilders: this.#init.pinnedBuilders,
        downloadDir: incoming,
        now: () => new Date(now()),
        signal,
        ...(this.#init.limits === undefined ? {} : { limits: this.#init.limits })
      })
      if (verdict.verdict === 'rejected') return { verdict: 'rejected', checkedAt: now(), code: verdict.code, reasons: verdict.reasons }
      const { release } = verdict
      if (verdict.bundlePath === undefined) throw new Error('the verified bundle was not kept')
      const bundlePath = await this.#keep(verdict.bundlePath, release.sha256)
      return {
        verdict: 'verified',
        checkedAt: now(),
        engineVersion: release.engineVersion,
        bundleSha256: release.sha256,
        bundlePath,
        rootVersion: release.rootVersion,
        rootSignedBy: release.rootSignedBy,
        signedBy: release.signedBy,
        attestedBy: release.attestedBy,
        rollout: release.custom.rollout,
        egress: { allowedHosts: [...release.custom.egress.allowedHosts] },
        eras: [...release.custom.eras]
      }
    } finally {
      await rm(incoming, { recursive: true, force: true })
    }
  }

  /** Moves the verified bundle to its place in one rename, then drops bundles of older releases. */
  async #keep (downloaded: string, sha256: string): Promise<string> {
    const { releasesDir } = this.#components.state
    await mkdir(releasesDir, { recursive: true, mode: 0o700 })
    const path = releaseBundlePath(releasesDir, sha256)
    await rename(downloaded, path)
    await syncDirectory(releasesDir)
    for (const name of await readdir(releasesDir)) {
      if (name.endsWith(BUNDLE_SUFFIX) && name !== `${sha256}${BUNDLE_SUFFIX}`) await rm(join(releasesDir, name), { force: true })
    }
    return path
  }
}

/** One line for the owner's event log. */
export function describeReleaseCheck (pointerVersion: number, check: ReleaseCheck): string {
  switch (check.verdict) {
    case 'verified':
      return `release ${check.engineVersion} (pointer v${pointerVersion}) verified: signed by ${check.signedBy.length} targets key(s) under root v${check.rootVersion}, attested by ${check.attestedBy.length} pinned builder(s); bundle ${check.bundleSha256.slice(0, 12)}… kept`
    case 'rejected':
      return `release pointer v${pointerVersion} rejected (${check.code}): ${check.reasons[0] ?? ''}`
    default: {
      const unknownCheck: never = check
      return `release pointer v${pointerVersion}: ${JSON.stringify(unknownCheck)}`
    }
  }
}
