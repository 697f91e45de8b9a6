// A maintainer's last publishing step (DESIGN §3.3): the publication directory that publishRelease
// wrote goes into the network as chunks, and a release pointer signed by the timestamp keys tells
// the vaults where its index is. Chunks are stored before the pointer is announced, and the index
// after everything it names, so no vault hears of a release it cannot fetch yet.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ReleaseKey } from '../keys.ts'
import { parseTimestamp } from '../metadata.ts'
import { chunkRelease, readReleaseDirectory } from './release-files.ts'
import { signReleasePointer, type SignedReleasePointer } from './release-pointer.ts'

/** How a publisher stores one chunk on the vaults that should hold it; `Vault.storeChunk` is one. */
export type StoreChunk = (bytes: Uint8Array, options: { signal?: AbortSignal }) => Promise<unknown>

export interface PublishedToNetwork {
  pointer: SignedReleasePointer
  indexAddress: string
  chunks: number
  files: number
}

const STORE_CONCURRENCY = 4

export async function publishReleaseToNetwork (options: {
  /** What publishRelease wrote (`vault release publish --out DIR`). */
  releaseDir: string
  storeChunk: StoreChunk
  /** Keys of the root's timestamp role, at least its threshold. */
  timestampKeys: readonly ReleaseKey[]
  /** The pointer's version; by default the timestamp's, which the repository never reuses. */
  version?: number
  now?: () => Date
  /** Where the pointer goes next, e.g. this vault's ReleaseGossip. */
  announce?: (pointer: SignedReleasePointer) => Promise<void>
  signal?: AbortSignal
}): Promise<PublishedToNetwork> {
  const now = (options.now ?? (() => new Date()))()
  const timestamp = parseTimestamp(JSON.parse(await readFile(join(options.releaseDir, 'timestamp.json'), 'utf8')))
  const files = await readReleaseDirectory(options.releaseDir)
  const { indexAddress, chunks } = chunkRelease(files)
  const storeOptions = options.signal === undefined ? {} : { signal: options.signal }
  const body = chunks.slice(0, -1)
  for (let start = 0; start < body.length; start += STORE_CONCURRENCY) {
    options.signal?.throwIfAborted()
    await Promise.all(body.slice(start, start + STORE_CONCURRENCY).map(async chunk => { await options.storeChunk(chunk, storeOptions) }))
  }
  const index = chunks.at(-1)
  if (index !== undefined) await options.storeChunk(index, storeOptions)
  const pointer = signReleasePointer({
    version: options.version ?? timestamp.signed.version,
    indexAddress,
    timestampVersion: timestamp.signed.version,
    publishedAt: now.toISOString()
  }, options.timestampKeys)
  if (options.announce !== undefined) await options.announce(pointer)
  return { pointer, indexAddress, chunks: chunks.length, files: files.length }
}
