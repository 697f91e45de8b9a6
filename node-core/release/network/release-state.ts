// What a live vault keeps of the releases it followed (DESIGN §3.1-3.3), in its data dir so a
// restart cannot be rolled back: the TUF client directory (`release-tuf/`: the trusted root after
// every rotation, and the timestamp, snapshot and targets tuf-js last trusted, which hold its
// version floors), the highest release pointer version accepted with that pointer, and the check
// of the release it names (`release-state.json`). Verified bundles go to `releases/`.
//
// The root in the trust config only seeds the TUF directory: a root that tuf-js has since rotated
// past is never replaced by an older one. A config root with a higher version than the one kept
// is the owner's explicit new pin and replaces it.
import { rename } from 'node:fs/promises'
import { join } from 'node:path'
import { Metadata, type Root } from '@tufjs/models'
import { z } from 'zod'
import { ReleaseCheckSchema, type ReleaseCheck } from '../../../contract/host-api.ts'
import { namedError } from '../../../contract/named-error.ts'
import { readJsonFile, writeJsonFile } from '../../storage/json-file.ts'
import { parseRoot } from '../metadata.ts'
import { trustRoot, type ReleaseTrust } from '../release-trust.ts'
import { TRUSTED_ROOT_FILE } from '../verify-release.ts'
import { SignedReleasePointerSchema, verifyReleasePointer, type SignedReleasePointer } from './release-pointer.ts'

export const RELEASE_STATE_FILE = 'release-state.json'
/** The TUF client's metadata directory, relative to the vault's data dir. */
export const RELEASE_TUF_DIR = 'release-tuf'
/** Verified bundles, as `<sha256>.tar.gz`, relative to the vault's data dir. */
export const RELEASES_DIR = 'releases'
export const BUNDLE_SUFFIX = '.tar.gz'

/** A verified bundle's place: `<releasesDir>/<sha256>.tar.gz`. */
export function releaseBundlePath (releasesDir: string, sha256: string): string {
  return join(releasesDir, `${sha256}${BUNDLE_SUFFIX}`)
}

const ReleaseStateSchema = z.object({
  version: z.literal(1),
  /** The highest release pointer version accepted; 0 before any. A lower one is a rollback. */
  lastPointerVersion: z.number().int().nonnegative(),
  /** That pointer, so a restarted vault can offer it to its peers again. */
  pointer: SignedReleasePointerSchema.nullable(),
  /** The check of the release that pointer names; null until it finished. */
  check: ReleaseCheckSchema.nullable()
}).strict()
type ReleaseStateFile = z.infer<typeof ReleaseStateSchema>

class UnreadableReleaseStateError extends namedError('UnreadableReleaseStateError') {}

const EMPTY: ReleaseStateFile = { version: 1, lastPointerVersion: 0, pointer: null, check: null }

/** A root as tuf-js loads one, for readJsonFile: what parseRoot refuses is a schema issue. */
const RootFileSchema = z.unknown().transform((value, context) => {
  try {
    return parseRoot(value)
  } catch (err) {
    context.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) })
    return z.NEVER
  }
})

class UnreadableRootError extends namedError('UnreadableRootError') {}

/** The root kept in the TUF directory; undefined when there is none, a problem when it cannot be read. */
async function readRoot (path: string): Promise<Metadata<Root> | undefined | { problem: string }> {
  try {
    return await readJsonFile(path, RootFileSchema, problem => new UnreadableRootError(problem))
  } catch (err) {
    if (err instanceof UnreadableRootError) return { problem: err.message }
    throw err
  }
}

export class ReleaseStateStore {
  readonly dataDir: string
  readonly tufDir: string
  readonly releasesDir: string
  /** What opening found wrong and repaired, for the owner's event log. */
  readonly problems: readonly string[]
  #root: Root
  #state: ReleaseStateFile
  /** Writes go one after another: each leaves the file as the state was when it was asked for. */
  #saving: Promise<void> = Promise.resolve()

  private constructor (dataDir: string, root: Root, state: ReleaseStateFile, problems: string[]) {
    this.dataDir = dataDir
    this.tufDir = join(dataDir, RELEASE_TUF_DIR)
    this.releasesDir = join(dataDir, RELEASES_DIR)
    this.#root = root
    this.#state = state
    this.problems = problems
  }

  /** Seeds the TUF directory from the trust config when it has no newer root, and reads the kept state. */
  static async open (options: { dataDir: string, trust: ReleaseTrust, now: () => number }): Promise<ReleaseStateStore> {
    const problems: string[] = []
    const tufRoot = join(options.dataDir, RELEASE_TUF_DIR, TRUSTED_ROOT_FILE)
    const pinned = trustRoot(options.trust)
    const kept = await readRoot(tufRoot)
    // An unreadable root falls back to the pinned one: the chain from there is still verified.
    if (kept !== undefined && 'problem' in kept) problems.push(`the trusted release root ${tufRoot} could not be read (${kept.problem}); starting again from the pinned root v${pinned.signed.version}`)
    let root = pinned
    if (kept instanceof Metadata && kept.signed.version >= pinned.signed.version) root = kept
    else await writeJsonFile(tufRoot, options.trust.root)
    const path = join(options.dataDir, RELEASE_STATE_FILE)
    let state = EMPTY
    try {
      state = await readJsonFile(path, ReleaseStateSchema, problem => new UnreadableReleaseStateError(`${path} ${problem}`)) ?? EMPTY
    } catch (err) {
      if (!(err instanceof UnreadableReleaseStateError)) throw err
      const aside = `${path}.unreadable-${options.now()}`
      await rename(path, aside)
      problems.push(`${err.message.split('\n')[0] ?? ''}; moved to ${aside}. The next release pointer heard is checked afresh (tuf-js still refuses metadata older than it trusts)`)
    }
    if (state.pointer !== null) {
      try {
        verifyReleasePointer(state.pointer, root.signed)
      } catch (err) {
        // Kept on disk by this vault, so only a rotation (new timestamp keys) or tampering gets here.
        problems.push(`the release pointer v${state.pointer.pointer.version} kept from before no longer verifies (${err instanceof Error ? err.message : String(err)}); it is not offered to peers`)
        state = { ...state, pointer: null, check: null }
      }
    }
    return new ReleaseStateStore(options.dataDir, root.signed, state, problems)
  }

  /** The root the vault trusts now: the pointer's signatures are checked against its timestamp keys. */
  get root (): Root { return this.#root }
  get lastPointerVersion (): number { return this.#state.lastPointerVersion }
  get pointer (): SignedReleasePointer | undefined { return this.#state.pointer ?? undefined }
  get check (): ReleaseCheck | null { return this.#state.check }

  /** A newer pointer accepted (the gossip checked it): kept at once, before its release is checked. */
  async accept (pointer: SignedReleasePointer): Promise<void> {
    await this.#save({ version: 1, lastPointerVersion: Math.max(this.#state.lastPointerVersion, pointer.pointer.version), pointer, check: null })
  }

  /** The check of the current pointer's release, kept only while that pointer is still the latest. */
  async checked (pointerVersion: number, check: ReleaseCheck): Promise<void> {
    if (this.#state.pointer?.pointer.version !== pointerVersion) return
    await this.#save({ ...this.#state, check })
  }

  /** After a check: tuf-js may have followed a root rotation, even when the check then failed. */
  async reloadRoot (): Promise<void> {
    const root = await readRoot(join(this.tufDir, TRUSTED_ROOT_FILE))
    if (root instanceof Metadata && root.signed.version >= this.#root.version) this.#root = root.signed
  }

  /** The state changes at once; the returned promise settles when it is on disk. */
  async #save (state: ReleaseStateFile): Promise<void> {
    this.#state = ReleaseStateSchema.parse(state)
    const saved = this.#saving.then(async () => { await writeJsonFile(join(this.dataDir, RELEASE_STATE_FILE), state) })
    this.#saving = saved.catch(() => {})
    await saved
  }
}
