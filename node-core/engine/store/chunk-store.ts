// Content-addressed chunk store on the local disk.
// Durability: a chunk is written to a temp file, fsynced, renamed into place and the directory
// fsynced before the put resolves, so an acknowledged chunk survives a crash or kill -9.
// Integrity: every read re-hashes the bytes; a mismatching file is quarantined, never served.
// A shadow engine's store reads through to a read-only snapshot of the live store (issue 5).
import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { TypedEventEmitter } from 'main-event'
import {
  assertChunkAddress, assertChunkBytes, chunkAddress, ChunkMismatchError, MAX_CHUNK_BYTES
} from './chunk-address.ts'
import { chunkFilePath, chunkFiles, CHUNKS_DIR } from './chunk-layout.ts'
import { readWholeFile } from './read-whole-file.ts'
import type { SnapshotLayer } from './snapshot-layer.ts'
import { syncDirectory } from '../../storage/sync-directory.ts'
import { namedError } from '../../../contract/named-error.ts'

export interface ChunkStoreInit {
  /** The store's own directory (created if missing). */
  dir: string
  /** Most bytes of chunk data the store may hold (the read-only layer's included). */
  capacityBytes: number
  /**
   * A read-only layer read after the store's own chunks (a shadow engine's snapshot of the live
   * store). Its chunks count as held; new chunks are written to `dir` only.
   */
  readOnlyLower?: SnapshotLayer
}

export interface ChunkStoreStats {
  chunks: number
  bytes: number
  capacityBytes: number
  /** True when another chunk of the largest size might not fit. */
  full: boolean
  quarantined: number
}

export interface ChunkStoreEvents {
  'chunk:stored': CustomEvent<{ address: string, size: number }>
  'chunk:quarantined': CustomEvent<{ address: string, reason: string }>
  'store:full': CustomEvent<ChunkStoreStats>
}

export interface PutResult {
  address: string
  /** False when the chunk was already held. */
  added: boolean
}

export class StoreFullError extends namedError('StoreFullError') {}

export class CorruptChunkError extends namedError('CorruptChunkError') {}

export class StoreNotStartedError extends namedError('StoreNotStartedError') {}

export class ChunkStore extends TypedEventEmitter<ChunkStoreEvents> {
  readonly dir: string
  readonly capacityBytes: number
  private readonly lower: SnapshotLayer | undefined
  private readonly index = new Map<string, number>()
  private readonly inFlight = new Map<string, Promise<PutResult>>()
  private storedBytes = 0
  private lowerOnly = { chunks: 0, bytes: 0 }
  private reservedBytes = 0
  private quarantined = 0
  private started = false

  constructor (init: ChunkStoreInit) {
    super()
    if (!Number.isSafeInteger(init.capacityBytes) || init.capacityBytes <= 0) {
      throw new RangeError(`"capacityBytes" expected a positive integer, got ${init.capacityBytes}`)
    }
    this.dir = init.dir
    this.capacityBytes = init.capacityBytes
    this.lower = init.readOnlyLower
  }

  private get chunksDir (): string { return join(this.dir, CHUNKS_DIR) }
  private get tempDir (): string { return join(this.dir, 'tmp') }
  private get quarantineDir (): string { return join(this.dir, 'quarantine') }

  private chunkPath (address: string): string {
    return chunkFilePath(this.chunksDir, address)
  }

  /** Removes temp files a crash left behind and rebuilds the index from the files in place. */
  async start (): Promise<void> {
    await mkdir(this.chunksDir, { recursive: true })
    await rm(this.tempDir, { recursive: true, force: true })
    await mkdir(this.tempDir, { recursive: true })
    await mkdir(this.quarantineDir, { recursive: true })
    this.index.clear()
    this.storedBytes = 0
    for await (const { address, path } of chunkFiles(this.chunksDir)) {
      const info = await stat(path)
      if (!info.isFile()) continue
      this.index.set(address, info.size)
      this.storedBytes += info.size
    }
    this.quarantined = (await readdir(this.quarantineDir)).length
    await this.startLower()
    this.started = true
  }

  /** The lower layer's chunks the store does not hold itself count as held, bytes included. */
  private async startLower (): Promise<void> {
    this.lowerOnly = { chunks: 0, bytes: 0 }
    if (this.lower === undefined) return
    await this.lower.start()
    for (const address of this.lower.addresses()) {
      if (this.index.has(address)) continue
      this.lowerOnly.chunks++
      this.lowerOnly.bytes += this.lower.sizeOf(address) ?? 0
    }
  }

  async stop (): Promise<void> {
    await Promise.allSettled(this.inFlight.values())
    this.started = false
  }

  /**
   * Rebuilds the index from the chunk files in place, for a vault whose chunk folder came back
   * (a drive reconnected): reads of chunks it could not find dropped them from the index.
   */
  async reindex (): Promise<void> {
    await Promise.allSettled(this.inFlight.values())
    const index = new Map<string, number>()
    let bytes = 0
    for await (const { address, path } of chunkFiles(this.chunksDir)) {
      const info = await stat(path)
      if (!info.isFile()) continue
      index.set(address, info.size)
      bytes += info.size
    }
    this.index.clear()
    for (const [address, size] of index) this.index.set(address, size)
    this.storedBytes = bytes
  }

  has (address: string): boolean {
    return this.index.has(address) || this.lower?.has(address) === true
  }

  /** The addresses of the store's own chunks (not the read-only layer's). */
  addresses (): IterableIterator<string> {
    return this.index.keys()
  }

  private get heldBytes (): number {
    return this.storedBytes + this.lowerOnly.bytes
  }

  stats (): ChunkStoreStats {
    return {
      chunks: this.index.size + this.lowerOnly.chunks,
      bytes: this.heldBytes,
      capacityBytes: this.capacityBytes,
      full: this.heldBytes + this.reservedBytes + MAX_CHUNK_BYTES > this.capacityBytes,
      quarantined: this.quarantined
    }
  }

  /**
   * Stores a chunk. When `expectedAddress` is given the content must hash to it
   * (a peer's put names the address it claims). Resolves only once the chunk is durable.
   */
  async put (bytes: Uint8Array, expectedAddress?: string): Promise<PutResult> {
    this.assertStarted()
    assertChunkBytes(bytes)
    const address = chunkAddress(bytes)
    if (expectedAddress !== undefined && expectedAddress !== address) {
      throw new ChunkMismatchError(`chunk bytes hash to ${address}, not to the claimed address ${expectedAddress}`)
    }
    if (this.has(address)) return { address, added: false }
    const pending = this.inFlight.get(address)
    if (pending !== undefined) {
      await pending
      return { address, added: false }
    }

    if (this.heldBytes + this.reservedBytes + bytes.length > this.capacityBytes) {
      const stats = this.stats()
      this.emit('store:full', stats)
      throw new StoreFullError(`store is full: ${stats.bytes} of ${stats.capacityBytes} bytes used, cannot add ${bytes.length} more`)
    }
    const write = this.writeDurably(address, bytes)
    this.inFlight.set(address, write)
    try {
      return await write
    } finally {
      this.inFlight.delete(address)
    }
  }

  private async writeDurably (address: string, bytes: Uint8Array): Promise<PutResult> {
    this.reservedBytes += bytes.length
    const temp = join(this.tempDir, `${address}.${randomBytes(6).toString('hex')}`)
    try {
      const file = await open(temp, 'wx', 0o600)
      try {
        await file.writeFile(bytes)
        await file.sync()
      } finally {
        await file.close()
      }
      const shardDir = join(this.chunksDir, address.slice(0, 2))
      // Not recursive: a chunk folder that went away (its drive unplugged) is not made again
      // elsewhere, where the chunks would be lost once the drive is back.
      await mkdir(shardDir).catch((err: unknown) => { if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err })
      await rename(temp, this.chunkPath(address))
      await syncDirectory(shardDir)
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    } finally {
      this.reservedBytes -= bytes.length
    }
    this.index.set(address, bytes.length)
    this.storedBytes += bytes.length
    this.emit('chunk:stored', { address, size: bytes.length })
    return { address, added: true }
  }

  /**
   * Reads a chunk and checks its hash. Undefined when not held; a file whose bytes do not match
   * its address is moved to quarantine and a CorruptChunkError thrown, so it is never served.
   * A corrupt chunk of the read-only layer throws too, and is left where it is.
   */
  async get (address: string): Promise<Uint8Array | undefined> {
    this.assertStarted()
    assertChunkAddress(address)
    if (!this.index.has(address)) return await this.lower?.get(address)
    let bytes: Uint8Array
    try {
      bytes = await readWholeFile(this.chunkPath(address), this.index.get(address) ?? 0)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      this.forget(address)
      return undefined
    }
    const actual = chunkAddress(bytes)
    if (actual !== address) {
      await this.quarantine(address, `content hashes to ${actual}`)
      throw new CorruptChunkError(`chunk ${address} on disk is corrupt (${bytes.length} bytes hash to ${actual}); it was quarantined`)
    }
    return bytes
  }

  private async quarantine (address: string, reason: string): Promise<void> {
    // Concurrent readers of one corrupt chunk: only the first moves it (forget runs before any await).
    if (!this.index.has(address)) return
    this.forget(address)
    await rename(this.chunkPath(address), join(this.quarantineDir, `${address}.${Date.now()}`)).catch(async () => {
      await rm(this.chunkPath(address), { force: true })
    })
    this.quarantined++
    this.emit('chunk:quarantined', { address, reason })
  }

  private forget (address: string): void {
    const size = this.index.get(address)
    if (size === undefined) return
    this.index.delete(address)
    this.storedBytes -= size
  }

  private assertStarted (): void {
    if (!this.started) throw new StoreNotStartedError('the chunk store is not started')
  }

  private emit<K extends keyof ChunkStoreEvents> (type: K, detail: ChunkStoreEvents[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
