// The maintainers' release repository (DESIGN §3.1): TUF metadata for the four top-level roles,
// each with its keys and a threshold, built and signed with @tufjs/models. Signing is offline and
// piecemeal (each maintainer adds a signature to the repository directory with their own key
// file); `publishRelease` refuses until every threshold is met, then re-signs the online roles
// (snapshot, timestamp) and writes the directory layout tuf-js reads with consistent snapshots.
//
// <dir>/repository.json       expiries; consistent snapshots
// <dir>/metadata/N.root.json  the whole root chain (the last one may still be collecting signatures)
// <dir>/metadata/{targets,snapshot,timestamp}.json
// <dir>/bundles/<name>        the target files
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { MetaFile, Metadata, Snapshot, TargetFile, Targets, Timestamp, type Key, type Root } from '@tufjs/models'
import { z } from 'zod'
import { namedError } from '../../contract/named-error.ts'
import { chunkAddress } from '../engine/store/chunk-address.ts'
import { writeJsonFile } from '../storage/json-file.ts'
import { AttestationMismatchError, type Attestation } from './attestations.ts'
import { generateReleaseKey, keyIdOf, tufKey, tufSigner, writeKeyFile, type PublicReleaseKey, type ReleaseKey } from './keys.ts'
import {
  buildRoot, expiresAt, parseRoot, parseSnapshot, parseTargets, parseTimestamp, revokedKeyids, serializeMetadata, TARGET_NAME, TOP_ROLES,
  TUF_SPEC_VERSION, validSigners, type RoleKeys, type TopRole
} from './metadata.ts'
import { TargetCustomSchema, type ReleaseDescriptionInput } from './release-custom.ts'

const DAY = 24 * 60 * 60
/** Seconds. The timestamp must be re-signed (re-published) within its expiry: that bounds a freeze. */
export const DEFAULT_EXPIRIES: Record<TopRole, number> = { root: 365 * DAY, targets: 90 * DAY, snapshot: 30 * DAY, timestamp: 7 * DAY }
export const MAX_KEYS_PER_ROLE = 32

const RepositoryConfigSchema = z.object({
  version: z.literal(1),
  consistentSnapshot: z.literal(true),
  expiries: z.object({ root: z.number().int().positive(), targets: z.number().int().positive(), snapshot: z.number().int().positive(), timestamp: z.number().int().positive() }).strict()
}).strict()
export type RepositoryConfig = z.infer<typeof RepositoryConfigSchema>

export class RepositoryExistsError extends namedError('RepositoryExistsError') {}
export class RepositoryFormatError extends namedError('RepositoryFormatError') {}
export class NotARoleKeyError extends namedError('NotARoleKeyError') {}
export class ThresholdNotMetError extends namedError('ThresholdNotMetError') {}
export class RotationError extends namedError('RotationError') {}
export class TargetExistsError extends namedError('TargetExistsError') {}
export class ExpiredRoleError extends namedError('ExpiredRoleError') {}

export interface Repository {
  dir: string
  config: RepositoryConfig
  /** roots[i] is version i + 1. */
  roots: Array<Metadata<Root>>
  targets: Metadata<Targets>
  snapshot: Metadata<Snapshot>
  timestamp: Metadata<Timestamp>
}

export interface RoleSpec { n: number, k: number }

const configPath = (dir: string): string => join(dir, 'repository.json')
const metadataDir = (dir: string): string => join(dir, 'metadata')
export const bundlePath = (repo: Repository, name: string): string => join(repo.dir, 'bundles', name)

export function latestRoot (repo: Repository): Metadata<Root> {
  const root = repo.roots.at(-1)
  if (root === undefined) throw new RepositoryFormatError(`${repo.dir} has no root metadata`)
  return root
}

export interface ThresholdStatus { role: TopRole, version: number, signers: string[], threshold: number, satisfied: boolean, detail: string }

/** Whether a role's current metadata meets its threshold; root N+1 needs root N's threshold as well. */
export function thresholdStatus (repo: Repository, role: TopRole): ThresholdStatus {
  const root = latestRoot(repo)
  const metadata = role === 'root' ? root : repo[role]
  const threshold = root.signed.roles[role]?.threshold ?? Infinity
  const signers = validSigners(root.signed, role, metadata)
  let satisfied = signers.length >= threshold
  let detail = `${role} v${metadata.signed.version}: ${signers.length} of ${threshold} required signatures`
  const previous = repo.roots.at(-2)
  if (role === 'root' && previous !== undefined) {
    const previousSigners = validSigners(previous.signed, 'root', root)
    const previousThreshold = previous.signed.roles.root?.threshold ?? Infinity
    satisfied &&= previousSigners.length >= previousThreshold
    detail += `, and ${previousSigners.length} of ${previousThreshold} from root v${previous.signed.version}'s keys`
  }
  return { role, version: metadata.signed.version, signers, threshold, satisfied, detail }
}

function assertRoleSpec (role: TopRole, spec: RoleSpec): void {
  if (!Number.isInteger(spec.n) || spec.n < 1 || spec.n > MAX_KEYS_PER_ROLE) throw new RangeError(`"${role}.n" expected a whole number from 1 to ${MAX_KEYS_PER_ROLE}, got ${spec.n}`)
  if (!Number.isInteger(spec.k) || spec.k < 1 || spec.k > spec.n) throw new RangeError(`"${role}.k" expected a whole number from 1 to ${spec.n}, got ${spec.k}`)
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}

async function readMetadataFile<T> (path: string, parse: (json: unknown) => T): Promise<T> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new RepositoryFormatError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`)
  }
  try {
    return parse(json)
  } catch (err) {
    throw new RepositoryFormatError(`${path} is not valid metadata: ${err instanceof Error ? err.message : String(err)}`)
  }
}

const roleKeysOf = (keys: readonly ReleaseKey[], threshold: number): RoleKeys => ({ keyids: keys.map(key => key.keyid), threshold })

/** Creates the repository and its keys: n fresh keys per role, written as owner-only files. */
export async function initRepository (options: {
  dir: string
  keysDir: string
  roles: Record<TopRole, RoleSpec>
  /** Seconds per role; defaults in DEFAULT_EXPIRIES. */
  expiries?: Partial<Record<TopRole, number>>
  now?: () => Date
  randomSeed?: () => Uint8Array
}): Promise<{ repository: Repository, keys: Record<TopRole, ReleaseKey[]>, keyFiles: string[] }> {
  for (const role of TOP_ROLES) assertRoleSpec(role, options.roles[role])
  const parsedConfig = RepositoryConfigSchema.safeParse({ version: 1, consistentSnapshot: true, expiries: { ...DEFAULT_EXPIRIES, ...options.expiries } })
  if (!parsedConfig.success) throw new RangeError(`"expiries" expected whole positive seconds per role: ${z.prettifyError(parsedConfig.error)}`)
  const config = parsedConfig.data
  if (await exists(configPath(options.dir))) throw new RepositoryExistsError(`${options.dir} already holds a release repository`)
  const labels = TOP_ROLES.flatMap(role => Array.from({ length: options.roles[role].n }, (_, i) => ({ role, label: `${role}-${i + 1}` })))
  for (const { label } of labels) {
    if (await exists(join(options.keysDir, `${label}.json`))) throw new RepositoryExistsError(`${join(options.keysDir, `${label}.json`)} already exists; choose an empty keys directory`)
  }
  const now = (options.now ?? (() => new Date()))()
  const keys: Record<TopRole, ReleaseKey[]> = { root: [], targets: [], snapshot: [], timestamp: [] }
  for (const { role, label } of labels) keys[role].push(generateReleaseKey(label, options.randomSeed))
  const root = buildRoot({
    version: 1,
    expires: expiresAt(now, config.expiries.root),
    keys: TOP_ROLES.flatMap(role => keys[role].map(key => tufKey(key.public))),
    roles: { root: roleKeysOf(keys.root, options.roles.root.k), targets: roleKeysOf(keys.targets, options.roles.targets.k), snapshot: roleKeysOf(keys.snapshot, options.roles.snapshot.k), timestamp: roleKeysOf(keys.timestamp, options.roles.timestamp.k) },
    revoked: {}
  })
  const repository: Repository = {
    dir: options.dir,
    config,
    roots: [new Metadata(root)],
    targets: new Metadata(new Targets({ version: 1, specVersion: TUF_SPEC_VERSION, expires: expiresAt(now, config.expiries.targets) })),
    // Version 0 placeholders: updateOnlineRoles makes version 1 of each.
    snapshot: new Metadata(new Snapshot({ version: 0, specVersion: TUF_SPEC_VERSION, expires: expiresAt(now, 0), meta: {} })),
    timestamp: new Metadata(new Timestamp({ version: 0, specVersion: TUF_SPEC_VERSION, expires: expiresAt(now, 0) }))
  }
  for (const key of keys.root) latestRoot(repository).sign(tufSigner(key))
  for (const key of keys.targets) repository.targets.sign(tufSigner(key))
  updateOnlineRoles(repository, [...keys.snapshot, ...keys.timestamp], now)
  const keyFiles: string[] = []
  for (const role of TOP_ROLES) {
    for (const key of keys[role]) {
      const file = join(options.keysDir, `${key.label}.json`)
      await writeKeyFile(file, key)
      keyFiles.push(file)
    }
  }
  await writeJsonFile(configPath(options.dir), config)
  await saveRepository(repository)
  return { repository, keys, keyFiles }
}

export async function loadRepository (dir: string): Promise<Repository> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(configPath(dir), 'utf8'))
  } catch {
    throw new RepositoryFormatError(`${dir} is not a release repository (${configPath(dir)} is missing or unreadable); create one with: vault release init`)
  }
  const config = RepositoryConfigSchema.safeParse(json)
  if (!config.success) throw new RepositoryFormatError(`${configPath(dir)} is malformed: ${z.prettifyError(config.error)}`)
  const names = await readdir(metadataDir(dir))
  const rootVersions = names.flatMap(name => /^([1-9]\d*)\.root\.json$/.exec(name)?.[1] ?? []).map(Number).sort((a, b) => a - b)
  if (rootVersions.length === 0 || rootVersions.some((version, index) => version !== index + 1)) {
    throw new RepositoryFormatError(`${metadataDir(dir)} must hold 1.root.json, 2.root.json, ... without gaps; found ${rootVersions.join(', ') || 'none'}`)
  }
  const roots: Array<Metadata<Root>> = []
  for (const version of rootVersions) {
    const root = await readMetadataFile(join(metadataDir(dir), `${version}.root.json`), parseRoot)
    if (root.signed.version !== version) throw new RepositoryFormatError(`${version}.root.json holds root version ${root.signed.version}`)
    roots.push(root)
  }
  return {
    dir,
    config: config.data,
    roots,
    targets: await readMetadataFile(join(metadataDir(dir), 'targets.json'), parseTargets),
    snapshot: await readMetadataFile(join(metadataDir(dir), 'snapshot.json'), parseSnapshot),
    timestamp: await readMetadataFile(join(metadataDir(dir), 'timestamp.json'), parseTimestamp)
  }
}

export async function saveRepository (repo: Repository): Promise<void> {
  for (const root of repo.roots) await writeJsonFile(join(metadataDir(repo.dir), `${root.signed.version}.root.json`), root.toJSON())
  await writeJsonFile(join(metadataDir(repo.dir), 'targets.json'), repo.targets.toJSON())
  await writeJsonFile(join(metadataDir(repo.dir), 'snapshot.json'), repo.snapshot.toJSON())
  await writeJsonFile(join(metadataDir(repo.dir), 'timestamp.json'), repo.timestamp.toJSON())
}

export interface RoleChange {
  add?: PublicReleaseKey[]
  /** Keyids to take out of the role: they are revoked for it from the new root on. */
  remove?: string[]
  threshold?: number
}

/**
 * Stages root N+1 (unsigned): the role changes applied, removed keys recorded as revoked. It is
 * trusted once signed by a threshold of root N's keys and a threshold of its own (TUF spec §
 * "Update the root role"), so a removed key can still help retire itself but never counts again.
 */
export function rotateRoot (repo: Repository, options: { changes: Partial<Record<TopRole, RoleChange>>, now?: () => Date }): Metadata<Root> {
  const status = thresholdStatus(repo, 'root')
  if (!status.satisfied) throw new RotationError(`root v${status.version} is not fully signed yet (${status.detail}); sign it before rotating again`)
  const previous = latestRoot(repo).signed
  const now = (options.now ?? (() => new Date()))()
  const keys: Record<string, Key> = { ...previous.keys }
  const revoked = revokedKeyids(previous)
  const roles: Record<TopRole, RoleKeys> = { root: { keyids: [], threshold: 1 }, targets: { keyids: [], threshold: 1 }, snapshot: { keyids: [], threshold: 1 }, timestamp: { keyids: [], threshold: 1 } }
  for (const role of TOP_ROLES) {
    const change = options.changes[role] ?? {}
    const removed = change.remove ?? []
    const current = previous.roles[role]?.keyIDs ?? []
    for (const keyid of removed) {
      if (!current.includes(keyid)) throw new RotationError(`cannot remove ${keyid.slice(0, 12)}: it is not a ${role} key of root v${previous.version}`)
    }
    const added = (change.add ?? []).map(key => tufKey(key.public))
    if (new Set(added.map(key => key.keyID)).size !== added.length) throw new RotationError(`the same key is added to ${role} twice`)
    for (const key of added) {
      if (current.includes(key.keyID) && !removed.includes(key.keyID)) throw new RotationError(`${key.keyID.slice(0, 12)} is already a ${role} key`)
      keys[key.keyID] = key
    }
    const keyids = [...current.filter(keyid => !removed.includes(keyid)), ...added.map(key => key.keyID)]
    const threshold = change.threshold ?? previous.roles[role]?.threshold ?? 1
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > keyids.length) {
      throw new RotationError(`${role} would have ${keyids.length} key(s) and threshold ${threshold}; the threshold must be from 1 to the number of keys`)
    }
    roles[role] = { keyids, threshold }
    const nowRevoked = [...new Set([...(revoked[role] ?? []), ...removed])].filter(keyid => !keyids.includes(keyid)).sort()
    if (nowRevoked.length > 0) revoked[role] = nowRevoked
    else delete revoked[role]
  }
  const used = new Set(TOP_ROLES.flatMap(role => roles[role].keyids))
  const root = new Metadata(buildRoot({
    version: previous.version + 1,
    expires: expiresAt(now, repo.config.expiries.root),
    keys: Object.values(keys).filter(key => used.has(key.keyID)),
    roles,
    revoked
  }))
  repo.roots.push(root)
  return root
}

/** Adds signatures to a role's current metadata; keys that cannot count for the role are refused. */
export function signRole (repo: Repository, role: TopRole, keys: readonly ReleaseKey[]): ThresholdStatus {
  const root = latestRoot(repo)
  const allowed = new Set(root.signed.roles[role]?.keyIDs ?? [])
  // Root N+1 also needs root N's threshold, so root N's root keys may sign it.
  if (role === 'root') for (const keyid of repo.roots.at(-2)?.signed.roles.root?.keyIDs ?? []) allowed.add(keyid)
  for (const key of keys) {
    if (!allowed.has(key.keyid)) throw new NotARoleKeyError(`key ${key.keyid.slice(0, 12)} (${key.label}) is not a ${role} key of root v${root.signed.version}`)
  }
  const metadata = role === 'root' ? root : repo[role]
  for (const key of keys) metadata.sign(tufSigner(key))
  return thresholdStatus(repo, role)
}

/** A new version of a role with a fresh expiry and no signatures, for its keys to sign again. */
export function renewRole (repo: Repository, role: 'root' | 'targets', now: Date = new Date()): void {
  if (role === 'root') {
    rotateRoot(repo, { changes: {}, now: () => now })
    return
  }
  const current = repo.targets.signed
  repo.targets = new Metadata(new Targets({ version: current.version + 1, specVersion: TUF_SPEC_VERSION, expires: expiresAt(now, repo.config.expiries.targets), targets: current.targets }))
}

/**
 * Stages a new targets version with the bundle as target `name`; its custom fields are the release
 * description and the builders' attestations. Target names are immutable: a new release needs a
 * new name. The new version is unsigned until the targets keys sign it.
 */
export async function addTarget (repo: Repository, options: {
  bundlePath: string
  name?: string
  release: ReleaseDescriptionInput
  attestations: readonly Attestation[]
  now?: () => Date
}): Promise<TargetFile> {
  const name = options.name ?? basename(options.bundlePath)
  if (!TARGET_NAME.test(name)) throw new RangeError(`"name" expected letters, digits, ".", "_" or "-" (at most 128, no path), got "${name.slice(0, 80)}"`)
  if (repo.targets.signed.targets[name] !== undefined) throw new TargetExistsError(`target ${name} already exists; a release needs a new name`)
  const custom = TargetCustomSchema.parse({ ...options.release, attestations: options.attestations })
  const bytes = await readFile(options.bundlePath)
  const sha256 = chunkAddress(bytes)
  for (const attestation of custom.attestations) {
    if (attestation.bundleSha256 !== sha256 || attestation.engineVersion !== custom.engineVersion) {
      throw new AttestationMismatchError(`the attestation of builder ${attestation.builder.slice(0, 12)} is for ${attestation.engineVersion} ${attestation.bundleSha256.slice(0, 12)}…, not this bundle (${custom.engineVersion} ${sha256.slice(0, 12)}…)`)
    }
  }
  const target = new TargetFile({ path: name, length: bytes.length, hashes: { sha256 }, unrecognizedFields: { custom } })
  await mkdir(join(repo.dir, 'bundles'), { recursive: true, mode: 0o700 })
  await copyFile(options.bundlePath, bundlePath(repo, name))
  const now = (options.now ?? (() => new Date()))()
  const current = repo.targets.signed
  repo.targets = new Metadata(new Targets({
    version: current.version + 1, specVersion: TUF_SPEC_VERSION, expires: expiresAt(now, repo.config.expiries.targets),
    targets: { ...current.targets, [name]: target }
  }))
  return target
}

function keysForRole (root: Root, role: TopRole, keys: readonly ReleaseKey[]): ReleaseKey[] {
  const allowed = new Set(root.roles[role]?.keyIDs ?? [])
  return keys.filter(key => allowed.has(key.keyid))
}

function assertThreshold (repo: Repository, role: TopRole): void {
  const status = thresholdStatus(repo, role)
  if (!status.satisfied) throw new ThresholdNotMetError(`${status.detail}; sign with: vault release sign --role ${role} --key FILE`)
}

/**
 * Re-signs the online roles with the keys given: a new snapshot when targets changed, or when the
 * snapshot would expire before the new timestamp, and always a new timestamp that pins the
 * snapshot's version, length and SHA-256 (so a mirror can neither mix snapshots nor pad them).
 */
export function updateOnlineRoles (repo: Repository, keys: readonly ReleaseKey[], now: Date): void {
  const root = latestRoot(repo).signed
  for (const key of keys) {
    if (!(root.roles.snapshot?.keyIDs.includes(key.keyid) ?? false) && !(root.roles.timestamp?.keyIDs.includes(key.keyid) ?? false)) {
      throw new NotARoleKeyError(`key ${key.keyid.slice(0, 12)} (${key.label}) is neither a snapshot nor a timestamp key of root v${root.version}`)
    }
  }
  const timestampExpires = expiresAt(now, repo.config.expiries.timestamp)
  const snapshot = repo.snapshot.signed
  const snapshotStale = snapshot.meta['targets.json']?.version !== repo.targets.signed.version ||
    new Date(snapshot.expires) < new Date(timestampExpires) || !thresholdStatus(repo, 'snapshot').satisfied
  if (snapshotStale) {
    repo.snapshot = new Metadata(new Snapshot({
      version: snapshot.version + 1, specVersion: TUF_SPEC_VERSION, expires: expiresAt(now, repo.config.expiries.snapshot),
      meta: { 'targets.json': new MetaFile({ version: repo.targets.signed.version }) }
    }))
    for (const key of keysForRole(root, 'snapshot', keys)) repo.snapshot.sign(tufSigner(key))
    assertThreshold(repo, 'snapshot')
  }
  const snapshotBytes = serializeMetadata(repo.snapshot)
  repo.timestamp = new Metadata(new Timestamp({
    version: repo.timestamp.signed.version + 1, specVersion: TUF_SPEC_VERSION, expires: timestampExpires,
    snapshotMeta: new MetaFile({ version: repo.snapshot.signed.version, length: snapshotBytes.length, hashes: { sha256: chunkAddress(snapshotBytes) } })
  }))
  for (const key of keysForRole(root, 'timestamp', keys)) repo.timestamp.sign(tufSigner(key))
  assertThreshold(repo, 'timestamp')
}

/** Every root in the chain and the targets role meet their thresholds, and nothing has expired. */
export function assertPublishable (repo: Repository, now: Date): void {
  for (let index = 0; index < repo.roots.length; index++) {
    const root = repo.roots[index]
    if (root === undefined) continue
    const view: Repository = { ...repo, roots: repo.roots.slice(0, index + 1) }
    assertThreshold(view, 'root')
    for (const key of Object.values(root.signed.keys)) {
      if (keyIdOf(key) !== key.keyID) throw new RepositoryFormatError(`root v${root.signed.version} lists a key under ${key.keyID.slice(0, 12)}, which is not its keyid`)
    }
  }
  assertThreshold(repo, 'targets')
  for (const [role, metadata] of [['root', latestRoot(repo)], ['targets', repo.targets]] as const) {
    if (metadata.signed.isExpired(now)) throw new ExpiredRoleError(`${role} v${metadata.signed.version} expired at ${metadata.signed.expires}; renew it with: vault release sign --role ${role} --renew --key FILE`)
  }
}

/**
 * Writes what clients fetch, in tuf-js's layout with consistent snapshots: N.root.json for every
 * root, V.targets.json, V.snapshot.json, targets/<sha256>.<name>, and timestamp.json last, so a
 * reader never finds a timestamp naming a snapshot that is not there yet. No checks: see
 * publishRelease.
 */
export async function writePublication (repo: Repository, outDir: string): Promise<string[]> {
  await mkdir(join(outDir, 'targets'), { recursive: true })
  const written: string[] = []
  for (const [name, target] of Object.entries(repo.targets.signed.targets)) {
    const file = `targets/${target.hashes.sha256 ?? ''}.${name}`
    await copyFile(bundlePath(repo, name), join(outDir, file))
    written.push(file)
  }
  const files: Array<[string, Metadata<Root | Targets | Snapshot | Timestamp>]> = [
    ...repo.roots.map(root => [`${root.signed.version}.root.json`, root] as [string, Metadata<Root>]),
    [`${repo.targets.signed.version}.targets.json`, repo.targets],
    [`${repo.snapshot.signed.version}.snapshot.json`, repo.snapshot],
    ['timestamp.json', repo.timestamp]
  ]
  for (const [name, metadata] of files) {
    await writeJsonFile(join(outDir, name), metadata.toJSON())
    written.push(name)
  }
  return written
}

/**
 * Publishes the repository into `outDir`: checks the thresholds, re-signs snapshot and timestamp
 * with the online keys given, saves the repository (so versions are never reused), then writes
 * the files. Putting them into the network as chunks is a later step that reads this directory.
 */
export async function publishRelease (repo: Repository, options: { outDir: string, keys: readonly ReleaseKey[], now?: () => Date }): Promise<{ files: string[], timestampVersion: number }> {
  const now = (options.now ?? (() => new Date()))()
  assertPublishable(repo, now)
  updateOnlineRoles(repo, options.keys, now)
  await saveRepository(repo)
  const files = await writePublication(repo, options.outDir)
  return { files, timestampVersion: repo.timestamp.signed.version }
}
