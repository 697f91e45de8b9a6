// The read-only lower layer of a shadow engine's store (issue 5, deliver 1): a snapshot of the live
// store, laid out as the live store lays out its chunks (`chunks/<first two hex>/<address>`). It is
// only ever read: never written, renamed or quarantined into, so it may be shared by baseline and
// candidate, hard-linked to the live files, or readable only. A corrupt snapshot chunk fails the
// one request that read it.
import { access, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { assertChunkAddress, chunkAddress } from './chunk-address.ts'
import { chunkFilePath, chunkFiles, CHUNKS_DIR } from './chunk-layout.ts'
import { CorruptChunkError } from './chunk-store.ts'
import { readWholeFile } from './read-whole-file.ts'
import { namedError } from '../../../contract/named-error.ts'

export class SnapshotMissingError extends namedError('SnapshotMissingError') {}

export class SnapshotLayer {
  /** The snapshot of the live store's directory (it holds `chunks/`). */
  readonly dir: string
  private readonly index = new Map<string, number>()
  private totalBytes = 0

  constructor (init: { dir: string }) {
    this.dir = init.dir
  }

  private get chunksDir (): string { return join(this.dir, CHUNKS_DIR) }

  private chunkPath (address: string): string {
    return chunkFilePath(this.chunksDir, address)
  }

  /** Indexes the snapshot's chunk files; reads directories and sizes, nothing else. */
  async start (): Promise<void> {
    try {
      await access(this.chunksDir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      throw new SnapshotMissingError(`snapshot ${this.dir} has no chunks directory: expected a copy of the live store's directory`)
    }
    this.index.clear()
    this.totalBytes = 0
    for await (const { address, path } of chunkFiles(this.chunksDir)) {
      const info = await stat(path)
      if (!info.isFile()) continue
      this.index.set(address, info.size)
      this.totalBytes += info.size
    }
  }

  get chunks (): number { return this.index.size }
  get bytes (): number { return this.totalBytes }

  has (address: string): boolean {
    return this.index.has(address)
  }

  sizeOf (address: string): number | undefined {
    return this.index.get(address)
  }

  addresses (): IterableIterator<string> {
    return this.index.keys()
  }

  /** Reads a chunk and checks its hash; undefined when the snapshot does not hold it. */
  async get (address: string): Promise<Uint8Array | undefined> {
    assertChunkAddress(address)
    const size = this.index.get(address)
    if (size === undefined) return undefined
    let bytes: Uint8Array
    try {
      bytes = await readWholeFile(this.chunkPath(address), size)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    const actual = chunkAddress(bytes)
    if (actual !== address) {
      throw new CorruptChunkError(`chunk ${address} in the read-only snapshot is corrupt (${bytes.length} bytes hash to ${actual}); the snapshot is left as it is`)
    }
    return bytes
  }
}
