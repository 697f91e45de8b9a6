// How a store lays out its chunks on disk: `chunks/<first two hex digits>/<address>`. One place
// for the live store, a shadow engine's read-only snapshot layer and the snapshot the upgrade
// runner links from the live store.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { CHUNK_ADDRESS_PATTERN } from './chunk-address.ts'

export const CHUNKS_DIR = 'chunks'

const SHARD_PATTERN = /^[0-9a-f]{2}$/

export function chunkFilePath (chunksDir: string, address: string): string {
  return join(chunksDir, address.slice(0, 2), address)
}

/**
 * Every file under `chunksDir` named as a chunk in its own shard, shard by shard. Anything else
 * (temp files, strays) is passed over; a directory that is missing, or vanishes meanwhile, has none.
 */
export async function * chunkFiles (chunksDir: string): AsyncGenerator<{ address: string, path: string }> {
  for (const shard of await readdirIfPresent(chunksDir)) {
    if (!SHARD_PATTERN.test(shard)) continue
    for (const file of await readdirIfPresent(join(chunksDir, shard))) {
      if (CHUNK_ADDRESS_PATTERN.test(file) && file.startsWith(shard)) yield { address: file, path: join(chunksDir, shard, file) }
    }
  }
}

async function readdirIfPresent (dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}
