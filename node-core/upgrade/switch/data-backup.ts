// The backup a switch takes before a new engine touches the live data (DESIGN §3.7): every file of
// the vault's data directory except the chunk files, which are content-addressed and never
// rewritten in place, so a migration cannot change one without changing its name. What is left
// is small (identity, settings, store metadata, data-format markers), so the copy is cheap enough
// to sit inside the switch's downtime. A restore puts the directory back exactly: files the new
// version added outside the chunks are removed, and every byte is checked against the manifest.
import { createHash } from 'node:crypto'
import { chmod, lstat, mkdir, open, readdir, readFile, readlink, rename, rm, symlink } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { readJsonFile, writeJsonFile } from '../../storage/json-file.ts'
import { syncDirectory } from '../../storage/sync-directory.ts'

/** Where ChunkStore keeps chunk files, relative to the vault's data dir (vault.ts: `store`, chunk-store.ts: `chunks`). */
export const CHUNK_FILES_DIR = join('store', 'chunks')
export const BACKUP_MANIFEST = 'backup.json'
const BACKUP_FILES = 'files'

const BackupEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dir'), path: z.string(), mode: z.number().int() }).strict(),
  z.object({ kind: z.literal('file'), path: z.string(), mode: z.number().int(), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  z.object({ kind: z.literal('symlink'), path: z.string(), target: z.string() }).strict()
])
export type BackupEntry = z.infer<typeof BackupEntrySchema>

export const BackupManifestSchema = z.object({
  version: z.literal(1),
  createdAt: z.number().int().nonnegative(),
  /** Paths relative to the data dir, '/'-separated; parents before children. */
  entries: z.array(BackupEntrySchema)
}).strict()
export type BackupManifest = z.infer<typeof BackupManifestSchema>

export interface DataBackup {
  dir: string
  manifest: BackupManifest
}

export class BackupError extends namedError('BackupError') {}
export class BackupDamagedError extends namedError('BackupDamagedError') {}

/** A directory name for a backup taken at `at`: sortable, and valid on every file system. */
export function backupName (at: number): string {
  return new Date(at).toISOString().replace(/:/g, '-')
}

interface Walked { path: string, absolute: string }

/** Relative paths use '/' in the manifest, whatever the platform. */
function toManifestPath (path: string): string {
  return path.split(sep).join('/')
}

function fromManifestPath (path: string): string {
  const parts = path.split('/')
  if (parts.some(part => part === '' || part === '.' || part === '..')) throw new BackupDamagedError(`"backup path" expected a relative path inside the data dir, got ${JSON.stringify(path)}`)
  return join(...parts)
}

/** Whether `path` (relative) is, or lies under, one of `roots`. */
function under (path: string, roots: string[]): boolean {
  return roots.some(root => path === root || path.startsWith(root + sep))
}

/** Whether `path` (relative) is an ancestor of one of `roots`, so must be kept while they are. */
function holds (path: string, roots: string[]): boolean {
  return roots.some(root => root.startsWith(path + sep))
}

/** Data-dir-relative paths a backup and a restore leave alone: the chunks and the backups themselves. */
function leftAlone (dataDir: string, backupsDir: string): string[] {
  const backups = relative(dataDir, backupsDir)
  const inside = backups !== '' && !backups.startsWith('..') && !backups.startsWith(sep)
  return inside ? [CHUNK_FILES_DIR, backups] : [CHUNK_FILES_DIR]
}

async function walk (root: string, dir: string, skip: string[], visit: (entry: Walked, kind: 'dir' | 'file' | 'symlink' | 'other') => Promise<boolean>): Promise<void> {
  const names = (await readdir(dir)).sort()
  for (const name of names) {
    const absolute = join(dir, name)
    const path = relative(root, absolute)
    if (under(path, skip)) continue
    const stats = await lstat(absolute)
    const kind = stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : stats.isSymbolicLink() ? 'symlink' : 'other'
    const descend = await visit({ path, absolute }, kind)
    if (kind === 'dir' && descend) await walk(root, absolute, skip, visit)
  }
}

async function writeSynced (path: string, bytes: Uint8Array, mode: number): Promise<void> {
  const file = await open(path, 'w', mode)
  try {
    await file.writeFile(bytes)
    await file.chmod(mode)
    await file.sync()
  } finally {
    await file.close()
  }
}

function sha256 (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * Copies everything in `dataDir` but the chunk files into `<backupsDir>/<time>/`, fsynced, and
 * writes the manifest last: a backup without one is incomplete and is never restored from.
 */
export async function backupData (dataDir: string, backupsDir: string, at: number): Promise<DataBackup> {
  const skip = leftAlone(dataDir, backupsDir)
  let dir = join(backupsDir, backupName(at))
  for (let n = 1; await lstat(dir).then(() => true, () => false); n++) dir = join(backupsDir, `${backupName(at)}-${n}`)
  const files = join(dir, BACKUP_FILES)
  await mkdir(files, { recursive: true, mode: 0o700 })
  const entries: BackupEntry[] = []
  const copiedDirs = new Set<string>([files])
  await walk(dataDir, dataDir, skip, async ({ path, absolute }, kind) => {
    const target = join(files, path)
    const manifestPath = toManifestPath(path)
    switch (kind) {
      case 'dir':
        entries.push({ kind: 'dir', path: manifestPath, mode: (await lstat(absolute)).mode & 0o7777 })
        await mkdir(target, { mode: 0o700 })
        copiedDirs.add(target)
        return true
      case 'file': {
        const bytes = await readFile(absolute)
        const mode = (await lstat(absolute)).mode & 0o7777
        await writeSynced(target, bytes, 0o600)
        entries.push({ kind: 'file', path: manifestPath, mode, size: bytes.length, sha256: sha256(bytes) })
        return false
      }
      case 'symlink': {
        const link = await readlink(absolute)
        await symlink(link, target)
        entries.push({ kind: 'symlink', path: manifestPath, target: link })
        return false
      }
      case 'other':
        throw new BackupError(`${absolute} is neither a file, a directory nor a link: it cannot be backed up`)
      default: {
        const unknownKind: never = kind
        throw new TypeError(`unknown entry kind ${String(unknownKind)}`)
      }
    }
  })
  for (const copied of copiedDirs) await syncDirectory(copied)
  const manifest: BackupManifest = { version: 1, createdAt: at, entries }
  await writeJsonFile(join(dir, BACKUP_MANIFEST), manifest)
  await syncDirectory(backupsDir)
  return { dir, manifest }
}

/** Reads a backup taken earlier (after an app restart); undefined when it never completed. */
export async function readBackup (dir: string): Promise<DataBackup | undefined> {
  const manifest = await readJsonFile(join(dir, BACKUP_MANIFEST), BackupManifestSchema, problem => new BackupDamagedError(`the backup manifest in ${dir} ${problem}`))
  return manifest === undefined ? undefined : { dir, manifest }
}

/**
 * Puts `dataDir` back as it was when `backup` was taken, chunk files aside. The backup is checked
 * against its manifest first, so a damaged one throws before anything in the data dir changes.
 */
export async function restoreData (dataDir: string, backupsDir: string, backup: DataBackup): Promise<void> {
  const files = join(backup.dir, BACKUP_FILES)
  const contents = new Map<string, Uint8Array>()
  for (const entry of backup.manifest.entries) {
    if (entry.kind !== 'file') continue
    const bytes = await readFile(join(files, fromManifestPath(entry.path))).catch((err: unknown) => {
      throw new BackupDamagedError(`the backup in ${backup.dir} lacks ${entry.path}: ${err instanceof Error ? err.message : String(err)}`)
    })
    if (bytes.length !== entry.size || sha256(bytes) !== entry.sha256) throw new BackupDamagedError(`${entry.path} in the backup ${backup.dir} no longer matches its manifest`)
    contents.set(entry.path, bytes)
  }

  const skip = leftAlone(dataDir, backupsDir)
  const wanted = new Map(backup.manifest.entries.map(entry => [fromManifestPath(entry.path), entry]))
  const touchedDirs = new Set<string>([dataDir])
  // Remove what the backup does not hold (or holds as another kind), keeping the chunks' ancestors.
  await walk(dataDir, dataDir, skip, async ({ path, absolute }, kind) => {
    const entry = wanted.get(path)
    if (entry?.kind === kind) return kind === 'dir'
    if (kind === 'dir' && holds(path, skip)) return true
    await rm(absolute, { recursive: true, force: true })
    touchedDirs.add(dirname(absolute))
    return false
  })
  for (const entry of backup.manifest.entries) {
    const absolute = join(dataDir, fromManifestPath(entry.path))
    switch (entry.kind) {
      case 'dir':
        await mkdir(absolute, { recursive: true })
        touchedDirs.add(dirname(absolute))
        break
      case 'file': {
        const bytes = contents.get(entry.path)
        if (bytes === undefined) throw new BackupDamagedError(`${entry.path} was not read from the backup`)
        const temp = `${absolute}.restore-${process.pid}`
        await writeSynced(temp, bytes, entry.mode)
        await rename(temp, absolute)
        touchedDirs.add(dirname(absolute))
        break
      }
      case 'symlink':
        await rm(absolute, { force: true })
        await symlink(entry.target, absolute)
        touchedDirs.add(dirname(absolute))
        break
      default: {
        const unknownEntry: never = entry
        throw new TypeError(`unknown backup entry ${JSON.stringify(unknownEntry)}`)
      }
    }
  }
  for (const entry of backup.manifest.entries) {
    if (entry.kind === 'dir') await chmod(join(dataDir, fromManifestPath(entry.path)), entry.mode)
  }
  for (const dir of touchedDirs) await syncDirectory(dir)
}

/** Removes all but the newest `keep` complete backups (by name, which sorts by time). */
export async function pruneBackups (backupsDir: string, keep: number, protect: string[] = []): Promise<string[]> {
  const names = (await readdir(backupsDir).catch(() => [])).sort()
  const removed: string[] = []
  for (const name of names.slice(0, Math.max(0, names.length - keep))) {
    const dir = join(backupsDir, name)
    if (protect.includes(dir)) continue
    await rm(dir, { recursive: true, force: true })
    removed.push(dir)
  }
  return removed
}
