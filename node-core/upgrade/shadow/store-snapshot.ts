// A read-only snapshot of the live store for a shadow run (DESIGN §3.4). Chunks are immutable and
// land by temp file and rename (chunk-store.ts), so hard links of the files in place are a
// consistent snapshot taken while the live vault keeps serving, costing no copy and no pause.
import { copyFile, link, mkdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { namedError } from '../../../contract/named-error.ts'
import { chunkFilePath, chunkFiles, CHUNKS_DIR } from '../../engine/store/chunk-layout.ts'
import { IDENTITY_FILE } from '../../engine/identity/identity-file.ts'
import { SETTINGS_FILE } from '../../host/settings.ts'

/** The live store's directory under the engine's data dir (vault.ts). */
export const STORE_DIR = 'store'

export interface StoreSnapshot {
  /** The snapshot's store directory, laid out as the live store's (chunks/<shard>/<address>). */
  dir: string
  addresses: string[]
  bytes: number
  /** 'link' when hard-linked; 'copy' when asked, or when the snapshot sits on another filesystem than the store. */
  method: 'link' | 'copy'
}

export interface SnapshotOptions {
  signal?: AbortSignal
  /**
   * Copy the chunk files instead of linking them. A link is the live file itself: only an engine
   * that cannot write to it (the permission model) may be given one.
   */
  copy?: boolean
}

export class LiveIdentityMissingError extends namedError('LiveIdentityMissingError') {}

/**
 * Links every chunk file of `liveDataDir/store` into `snapshotDir` (copying when asked or when the
 * two are on different filesystems). Temp files, quarantined chunks and anything not named as a
 * chunk are left out; a chunk removed meanwhile (quarantined by the live vault) is skipped.
 */
export async function snapshotStore (liveDataDir: string, snapshotDir: string, options: SnapshotOptions = {}): Promise<StoreSnapshot> {
  const { signal } = options
  signal?.throwIfAborted()
  const liveChunks = join(liveDataDir, STORE_DIR, CHUNKS_DIR)
  const snapshot: StoreSnapshot = { dir: snapshotDir, addresses: [], bytes: 0, method: options.copy === true ? 'copy' : 'link' }
  await mkdir(join(snapshotDir, CHUNKS_DIR), { recursive: true })
  const shardsMade = new Set<string>()
  for await (const { address, path } of chunkFiles(liveChunks)) {
    signal?.throwIfAborted()
    const to = chunkFilePath(join(snapshotDir, CHUNKS_DIR), address)
    const shard = dirname(to)
    if (!shardsMade.has(shard)) {
      await mkdir(shard, { recursive: true })
      shardsMade.add(shard)
    }
    const size = await linkOrCopy(path, to, snapshot)
    if (size === undefined) continue
    snapshot.addresses.push(address)
    snapshot.bytes += size
  }
  return snapshot
}

async function linkOrCopy (from: string, to: string, snapshot: StoreSnapshot): Promise<number | undefined> {
  try {
    const info = await stat(from)
    if (!info.isFile()) return undefined
    if (snapshot.method === 'link') {
      try {
        await link(from, to)
        return info.size
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
        snapshot.method = 'copy'
      }
    }
    await copyFile(from, to)
    return info.size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * Copies the live vault's identity (and its settings, when it has a file of them) into an engine's
 * data dir, so baseline and candidate start as the live vault, under its name and age. Copies,
 * never links: an engine may rewrite its own files, never the live vault's.
 */
export async function copyVaultState (liveDataDir: string, engineDataDir: string): Promise<void> {
  await mkdir(engineDataDir, { recursive: true })
  try {
    await copyFile(join(liveDataDir, IDENTITY_FILE), join(engineDataDir, IDENTITY_FILE))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    throw new LiveIdentityMissingError(`the live vault has no ${IDENTITY_FILE} in ${liveDataDir}: there is no identity to shadow-test against`)
  }
  try {
    await copyFile(join(liveDataDir, SETTINGS_FILE), join(engineDataDir, SETTINGS_FILE))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}
