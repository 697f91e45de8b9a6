// Shared set-up for the release tests: a repository with deterministic keys (seeded from labels),
// three builders of whom two must agree, a publication directory a client reads as its mirror,
// and the client's trusted directory holding the pinned root.
import { createHash } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Metadata, TargetFile, Targets } from '@tufjs/models'
import { createAttestation, type Attestation, type PinnedBuilders } from '../../../node-core/release/attestations.ts'
import { releaseKeyFromSeed, type ReleaseKey } from '../../../node-core/release/keys.ts'
import type { ReleaseDescriptionInput } from '../../../node-core/release/release-custom.ts'
import { DirectorySource, type ReleaseSource } from '../../../node-core/release/release-source.ts'
import { ReleaseTrustSchema, type ReleaseTrust } from '../../../node-core/release/release-trust.ts'
import { expiresAt, TUF_SPEC_VERSION, type TopRole } from '../../../node-core/release/metadata.ts'
import { addTarget, bundlePath, initRepository, publishRelease, signRole, type Repository, type RoleSpec } from '../../../node-core/release/repository.ts'
import { verifyRelease, type ReleaseVerdict } from '../../../node-core/release/verify-release.ts'

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex')

/** 32 bytes from a label: the same keys on every run, different for every label. */
export function seedFrom (label: string): Uint8Array {
  return Uint8Array.from(createHash('sha256').update(`release-test-seed:${label}`).digest())
}

export function seededRandom (tag: string): () => Uint8Array {
  let counter = 0
  return () => seedFrom(`${tag}:${counter++}`)
}

export function bundleBytes (label: string, length = 4096): Buffer {
  const blocks: Buffer[] = []
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(createHash('sha256').update(`${label}:${i}`).digest())
  return Buffer.concat(blocks).subarray(0, length)
}

export function description (engineVersion: string): ReleaseDescriptionInput {
  return {
    engineVersion,
    protocols: [{ id: '/vault/chunk', version: '1.0.0' }],
    eras: [1],
    dataFormatVersion: 1,
    rollout: { seed: sha256Hex(`rollout ${engineVersion}`), start: '2026-01-01T00:00:00Z', durationSeconds: 7 * 24 * 3600 }
  }
}

export const DEFAULT_ROLES: Record<TopRole, RoleSpec> = { root: { n: 3, k: 2 }, targets: { n: 3, k: 2 }, snapshot: { n: 1, k: 1 }, timestamp: { n: 1, k: 1 } }

export interface Fixture {
  dir: string
  repo: Repository
  keys: Record<TopRole, ReleaseKey[]>
  onlineKeys: ReleaseKey[]
  builders: ReleaseKey[]
  pinned: PinnedBuilders
  /** The publication a client reads (its mirror). */
  outDir: string
  /** The client's trusted TUF directory. */
  clientDir: string
  /** The clock the repository signs with; tuf-js itself reads the system clock (verify-release.ts). */
  now: Date
  cleanup: () => Promise<void>
}

export async function createFixture (options: { roles?: Record<TopRole, RoleSpec>, now?: Date } = {}): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'vault-release-test-'))
  // Whole seconds, as TUF expiries are.
  const now = options.now ?? new Date(Math.floor(Date.now() / 1000) * 1000)
  const { repository, keys } = await initRepository({
    dir: join(dir, 'repo'), keysDir: join(dir, 'keys'), roles: options.roles ?? DEFAULT_ROLES, now: () => now, randomSeed: seededRandom('maintainers')
  })
  const builders = ['alice', 'bob', 'carol'].map(name => releaseKeyFromSeed(seedFrom(`builder ${name}`), `builder ${name}`))
  const outDir = join(dir, 'publication')
  const clientDir = join(dir, 'client')
  const fixture: Fixture = {
    dir, repo: repository, keys, onlineKeys: [...keys.snapshot, ...keys.timestamp], builders,
    pinned: { threshold: 2, keys: builders }, outDir, clientDir, now,
    cleanup: async () => { await rm(dir, { recursive: true, force: true }) }
  }
  await publish(fixture)
  await mkdir(clientDir, { recursive: true })
  await copyFile(join(outDir, '1.root.json'), join(clientDir, 'root.json'))
  return fixture
}

export function attest (bytes: Uint8Array, engineVersion: string, builders: readonly ReleaseKey[]): Attestation[] {
  const bundleSha256 = createHash('sha256').update(bytes).digest('hex')
  return builders.map(key => createAttestation({ bundleSha256, engineVersion, key }))
}

/** The maintainers' path: add the bundle with its attestations, then k targets keys sign. */
export async function stageRelease (fixture: Fixture, engineVersion: string, options: { bytes?: Buffer, attestations?: Attestation[], signers?: ReleaseKey[] } = {}): Promise<string> {
  const bytes = options.bytes ?? bundleBytes(`engine ${engineVersion}`)
  const file = join(fixture.dir, `vault-engine-${engineVersion}.tar`)
  await writeFile(file, bytes)
  await addTarget(fixture.repo, {
    bundlePath: file, release: description(engineVersion),
    attestations: options.attestations ?? attest(bytes, engineVersion, fixture.builders.slice(0, 2)),
    now: () => fixture.now
  })
  signRole(fixture.repo, 'targets', options.signers ?? fixture.keys.targets.slice(0, 2))
  return `vault-engine-${engineVersion}.tar`
}

export async function publish (fixture: Fixture, outDir = fixture.outDir): Promise<void> {
  await publishRelease(fixture.repo, { outDir, keys: fixture.onlineKeys, now: () => fixture.now })
}

/**
 * An attacker's target: put straight into a new targets version without the maintainers' checks
 * (an attacker who holds targets keys writes whatever custom fields they like).
 */
export async function addTargetUnchecked (fixture: Fixture, name: string, bytes: Buffer, custom: Record<string, unknown>): Promise<void> {
  await writeFile(bundlePath(fixture.repo, name), bytes)
  const current = fixture.repo.targets.signed
  const target = TargetFile.fromJSON(name, { length: bytes.length, hashes: { sha256: createHash('sha256').update(bytes).digest('hex') }, custom: JSON.parse(JSON.stringify(custom)) })
  fixture.repo.targets = new Metadata(new Targets({
    version: current.version + 1, specVersion: TUF_SPEC_VERSION, expires: expiresAt(fixture.now, 90 * 24 * 3600),
    targets: { ...current.targets, [name]: target }
  }))
}

export async function verify (fixture: Fixture, options: { source?: ReleaseSource, now?: Date, downloadDir?: string, target?: string, pinned?: PinnedBuilders } = {}): Promise<ReleaseVerdict> {
  return await verifyRelease({
    trustedDir: fixture.clientDir,
    source: options.source ?? new DirectorySource(fixture.outDir),
    pinnedBuilders: options.pinned ?? fixture.pinned,
    now: () => options.now ?? fixture.now,
    downloadDir: options.downloadDir,
    target: options.target
  })
}

/** The release trust a live vault is given for this fixture: its first root and its pinned builders. */
export async function trustFor (fixture: Fixture): Promise<ReleaseTrust> {
  const root = await readJson(join(fixture.outDir, '1.root.json'))
  return ReleaseTrustSchema.parse({ version: 1, root, builders: { threshold: fixture.pinned.threshold, keys: fixture.pinned.keys.map(key => ({ keyid: key.keyid, public: key.public, label: key.label })) } })
}

export async function readJson (path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'))
}
