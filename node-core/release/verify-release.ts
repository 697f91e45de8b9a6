// The client's check of a release (DESIGN §3.1-3.3), in the order TUF's client workflow and the
// build quorum need: tuf-js refreshes the metadata (root rotation, thresholds, expiry, version
// monotonicity against the trusted directory, snapshot consistency, size caps), downloads the
// target (length and hash), then k pinned builders must attest the bundle's SHA-256. Any failure
// gives a verdict of `rejected` that names the attack, never a half-trusted bundle.
//
// Time: tuf-js 6 fixes its reference time to `new Date()` when the Updater is created, with no
// hook. So the injected clock is checked as well, after the refresh, on every trusted role:
// metadata must be unexpired by both clocks.
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Metadata, Root, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models'
import { Updater } from 'tuf-js'
import { namedError } from '../../contract/named-error.ts'
import { chunkAddress } from '../engine/store/chunk-address.ts'
import { verifyAttestations, type PinnedBuilders } from './attestations.ts'
import { compareEngineVersions, TargetCustomSchema, type TargetCustom } from './release-custom.ts'
import { METADATA_BASE_URL, SourceFetcher, TARGETS_BASE_URL, type ReleaseSource } from './release-source.ts'
import { duplicatedKeys, parseRoot, parseSnapshot, parseTargets, parseTimestamp, TARGET_NAME, validSigners } from './metadata.ts'
import { classifyRejection, type RejectionCode } from './rejection.ts'

export type { RejectionCode } from './rejection.ts'

export interface ReleaseLimits {
  rootMaxBytes: number
  timestampMaxBytes: number
  snapshotMaxBytes: number
  targetsMaxBytes: number
  bundleMaxBytes: number
}

/** tuf-js's own caps for metadata (config.ts), and a cap on the bundle whatever its metadata says. */
export const DEFAULT_RELEASE_LIMITS: ReleaseLimits = {
  rootMaxBytes: 512_000,
  timestampMaxBytes: 16_384,
  snapshotMaxBytes: 2_000_000,
  targetsMaxBytes: 5_000_000,
  bundleMaxBytes: 256 * 1024 * 1024
}

export interface VerifiedRelease {
  target: string
  engineVersion: string
  sha256: string
  length: number
  rootVersion: number
  targetsVersion: number
  /** Root keys whose signatures on the trusted root (after any rotation) verify under it. */
  rootSignedBy: string[]
  /** Targets keys whose signatures verified under the trusted root. */
  signedBy: string[]
  /** Pinned builders whose attestations matched. */
  attestedBy: string[]
  custom: TargetCustom
}

export type ReleaseVerdict =
  | { verdict: 'verified', reasons: [], release: VerifiedRelease, bundlePath?: string }
  | { verdict: 'rejected', code: RejectionCode, reasons: string[] }

export class TrustedRootError extends namedError('TrustedRootError') {}
/** A rejection found by our own checks, already explained. */
class Rejection extends namedError('Rejection') {
  readonly code: RejectionCode

  constructor (code: RejectionCode, message: string) {
    super(message)
    this.code = code
  }
}

const reject = (code: RejectionCode, message: string): Rejection => new Rejection(code, message)

export const TRUSTED_ROOT_FILE = 'root.json'

async function readTrusted<T> (trustedDir: string, name: string, parse: (json: unknown) => T): Promise<T> {
  return parse(JSON.parse(await readFile(join(trustedDir, name), 'utf8')))
}

interface TrustedSet { root: Metadata<Root>, timestamp: Metadata<Timestamp>, snapshot: Metadata<Snapshot>, targets: Metadata<Targets> }

/** What tuf-js verified and persisted during the refresh. */
async function readTrustedSet (trustedDir: string): Promise<TrustedSet> {
  return {
    root: await readTrusted(trustedDir, 'root.json', parseRoot),
    timestamp: await readTrusted(trustedDir, 'timestamp.json', parseTimestamp),
    snapshot: await readTrusted(trustedDir, 'snapshot.json', parseSnapshot),
    targets: await readTrusted(trustedDir, 'targets.json', parseTargets)
  }
}

function assertFresh (trusted: TrustedSet, now: Date): void {
  const roles: Array<[string, Metadata<Root | Timestamp | Snapshot | Targets>]> = [['root', trusted.root], ['timestamp', trusted.timestamp], ['snapshot', trusted.snapshot], ['targets', trusted.targets]]
  for (const [role, metadata] of roles) {
    if (metadata.signed.isExpired(now)) throw reject('frozen', `frozen metadata: ${role} v${metadata.signed.version} expired at ${metadata.signed.expires} (now ${now.toISOString()})`)
  }
}

/** TUF counts each keyid once; one key listed under two keyids in a root would still count twice. */
function assertDistinctKeys (roots: ReadonlyArray<Metadata<Root>>): void {
  for (const root of roots) {
    const duplicated = duplicatedKeys(root.signed)
    if (duplicated.length > 0) throw reject('same-key-twice', `the same key counted twice: root v${root.signed.version} lists one public key under keyids ${duplicated.map(id => id.slice(0, 12)).join(' and ')}`)
  }
}

/** The named target, or the one with the highest engine version. */
function chooseTarget (targets: Targets, name: string | undefined): string {
  if (name !== undefined) return name
  let best: { name: string, version: string } | undefined
  for (const [path, target] of Object.entries(targets.targets)) {
    const custom = TargetCustomSchema.safeParse(target.custom)
    if (!custom.success) continue
    if (best === undefined || compareEngineVersions(custom.data.engineVersion, best.version) > 0) best = { name: path, version: custom.data.engineVersion }
  }
  if (best === undefined) throw reject('no-release', `targets v${targets.version} lists no engine release`)
  return best.name
}

export async function verifyRelease (options: {
  /** The client's TUF state: root.json (pinned at install) and what earlier refreshes persisted. */
  trustedDir: string
  source: ReleaseSource
  pinnedBuilders: PinnedBuilders
  /** A target name; by default the release with the highest engine version. */
  target?: string
  /** Where the verified bundle is kept, as <downloadDir>/<target>; without it, it is deleted. */
  downloadDir?: string
  now?: () => Date
  limits?: Partial<ReleaseLimits>
  signal?: AbortSignal
}): Promise<ReleaseVerdict> {
  const limits = { ...DEFAULT_RELEASE_LIMITS, ...options.limits }
  const now = (options.now ?? (() => new Date()))()
  let initialRoot: Metadata<Root>
  try {
    initialRoot = await readTrusted(options.trustedDir, TRUSTED_ROOT_FILE, parseRoot)
  } catch (err) {
    throw new TrustedRootError(`no usable trusted root in ${options.trustedDir} (${err instanceof Error ? err.message : String(err)}); install the pinned 1.root.json there as ${TRUSTED_ROOT_FILE}`)
  }
  if (options.downloadDir !== undefined) await mkdir(options.downloadDir, { recursive: true, mode: 0o700 })
  const workDir = await mkdtemp(join(options.downloadDir ?? tmpdir(), '.vault-release-verify-'))
  const fetcher = new SourceFetcher({ source: options.source, workDir, signal: options.signal, defaultMaxBytes: limits.targetsMaxBytes })
  let phase: 'refresh' | 'download' = 'refresh'
  try {
    const updater = new Updater({
      metadataDir: options.trustedDir,
      metadataBaseUrl: METADATA_BASE_URL,
      targetBaseUrl: TARGETS_BASE_URL,
      targetDir: workDir,
      fetcher,
      config: {
        rootMaxLength: limits.rootMaxBytes,
        timestampMaxLength: limits.timestampMaxBytes,
        snapshotMaxLength: limits.snapshotMaxBytes,
        targetsMaxLength: limits.targetsMaxBytes,
        prefixTargetsWithHash: true
      }
    })
    await updater.refresh()
    options.signal?.throwIfAborted()
    const trusted = await readTrustedSet(options.trustedDir)
    assertFresh(trusted, now)
    // Every root this refresh trusted: the pinned one and each rotation it followed.
    const rotations = fetcher.fetchedMetadata.filter(file => /^\d+\.root\.json$/.test(file.name))
    assertDistinctKeys([initialRoot, ...rotations.map(file => parseRoot(JSON.parse(Buffer.from(file.bytes).toString('utf8'))))])
    const name = chooseTarget(trusted.targets.signed, options.target)
    // The name becomes a file name in downloadDir: signed or not, it must not be a path.
    if (!TARGET_NAME.test(name)) throw reject('malformed', `target name "${name.slice(0, 80)}" is not a plain file name`)
    const info: TargetFile | undefined = await updater.getTargetInfo(name)
    if (info === undefined) throw reject('no-release', `targets v${trusted.targets.signed.version} has no target ${name}`)
    const custom = TargetCustomSchema.safeParse(info.custom)
    if (!custom.success) throw reject('malformed', `the signed custom fields of ${name} are malformed: ${custom.error.issues.map(issue => issue.path.join('.')).join(', ')}`)
    const signedSha256 = info.hashes.sha256
    if (signedSha256 === undefined) throw reject('malformed', `the targets metadata gives ${name} no SHA-256`)
    if (info.length > limits.bundleMaxBytes) throw reject('oversized', `oversized download: ${name} is signed as ${info.length} bytes, more than this client's cap of ${limits.bundleMaxBytes}`)
    phase = 'download'
    const downloaded = await updater.downloadTarget(info, join(workDir, 'bundle'))
    options.signal?.throwIfAborted()
    const sha256 = chunkAddress(await readFile(downloaded))
    if (sha256 !== signedSha256) throw reject('bundle-hash-mismatch', `the bundle's SHA-256 ${sha256.slice(0, 12)}… differs from the signed ${signedSha256.slice(0, 12)}…`)
    const attestedBy = verifyAttestations({ attestations: custom.data.attestations, bundleSha256: sha256, engineVersion: custom.data.engineVersion, pinned: options.pinnedBuilders })
    const release: VerifiedRelease = {
      target: name,
      engineVersion: custom.data.engineVersion,
      sha256,
      length: info.length,
      rootVersion: trusted.root.signed.version,
      targetsVersion: trusted.targets.signed.version,
      rootSignedBy: validSigners(trusted.root.signed, 'root', trusted.root).sort(),
      signedBy: validSigners(trusted.root.signed, 'targets', trusted.targets).sort(),
      attestedBy,
      custom: custom.data
    }
    if (options.downloadDir === undefined) return { verdict: 'verified', reasons: [], release }
    const bundlePath = join(options.downloadDir, name)
    await rename(downloaded, bundlePath)
    return { verdict: 'verified', reasons: [], release, bundlePath }
  } catch (err) {
    if (options.signal?.aborted === true) throw err
    if (err instanceof Rejection) return { verdict: 'rejected', code: err.code, reasons: [err.message] }
    const { code, reason } = await classifyRejection(err, { phase, fetched: fetcher.fetchedMetadata, trustedDir: options.trustedDir })
    const detail = err instanceof Error ? err.message : String(err)
    return { verdict: 'rejected', code, reasons: reason === detail ? [reason] : [reason, `tuf-js: ${detail}`] }
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}
