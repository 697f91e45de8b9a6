// Where a client fetches release files from (DESIGN §3.3): a `ReleaseSource` hands back the bytes
// of one named file, never more than the caller's cap. Sources are untrusted: everything they
// return is checked by TUF and the attestations. `DirectorySource` reads a local folder (a
// mirror's copy, or what the network's chunk store assembled); the network-backed source comes
// later behind the same interface. `SourceFetcher` is the tuf-js fetcher over a source.
import { mkdtemp, open, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import { BaseFetcher } from 'tuf-js'
import { DownloadHTTPError } from 'tuf-js/dist/error.js'
import { namedError } from '../../contract/named-error.ts'

export interface ReleaseSource {
  /** The file's bytes; at most `maxBytes`, else ReleaseTooLargeError; ReleaseFileNotFoundError when absent. */
  fetch (name: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array>
}

export class ReleaseFileNotFoundError extends namedError('ReleaseFileNotFoundError') {}
export class ReleaseTooLargeError extends namedError('ReleaseTooLargeError') {}
export class ReleaseNameError extends namedError('ReleaseNameError') {}

/** What a publication holds: `N.root.json`, `timestamp.json`, `V.snapshot.json`, `targets/<sha256>.<name>`... */
const RELEASE_FILE_NAME = /^(targets\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/

export function assertReleaseFileName (name: string): void {
  if (typeof name !== 'string') throw new TypeError(`"name" expected a release file name, got ${typeof name}`)
  if (!RELEASE_FILE_NAME.test(name) || name.includes('..')) throw new ReleaseNameError(`"name" expected a release file name such as 1.root.json or targets/<sha256>.<name>, got "${name.slice(0, 80)}"`)
}

export class DirectorySource implements ReleaseSource {
  readonly dir: string

  constructor (dir: string) {
    this.dir = resolve(dir)
  }

  async fetch (name: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
    assertReleaseFileName(name)
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`"maxBytes" expected a whole number of at least 0, got ${maxBytes}`)
    signal?.throwIfAborted()
    const path = join(this.dir, name)
    if (!path.startsWith(this.dir + sep)) throw new ReleaseNameError(`"name" leaves the directory: "${name}"`)
    let handle: FileHandle
    try {
      handle = await open(path, 'r')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ReleaseFileNotFoundError(`${name} is not in ${this.dir}`)
      throw err
    }
    try {
      const { size } = await handle.stat()
      // Refused before reading: a cap protects memory, not just the verdict (TUF: endless data).
      if (size > maxBytes) throw new ReleaseTooLargeError(`${name} is ${size} bytes, more than the ${maxBytes} allowed`)
      const bytes = new Uint8Array(size)
      let offset = 0
      while (offset < size) {
        signal?.throwIfAborted()
        const { bytesRead } = await handle.read(bytes, offset, size - offset, offset)
        if (bytesRead === 0) break
        offset += bytesRead
      }
      return offset === size ? bytes : bytes.subarray(0, offset)
    } finally {
      await handle.close()
    }
  }
}

export const METADATA_BASE_URL = 'vault-release://metadata/'
export const TARGETS_BASE_URL = 'vault-release://targets/'

export interface FetchedFile { name: string, bytes: Uint8Array }

/**
 * tuf-js's fetcher over a ReleaseSource. Both download paths pass tuf-js's size cap on to the
 * source and check it again here; a missing file becomes the 404 that ends tuf-js's search for
 * newer roots. Metadata it fetched is kept, so a rejection can say which signature failed.
 */
export class SourceFetcher extends BaseFetcher {
  readonly fetchedMetadata: FetchedFile[] = []
  readonly #source: ReleaseSource
  readonly #workDir: string
  readonly #signal: AbortSignal | undefined
  readonly #defaultMaxBytes: number

  constructor (options: { source: ReleaseSource, workDir: string, signal?: AbortSignal, defaultMaxBytes: number }) {
    super()
    this.#source = options.source
    this.#workDir = options.workDir
    this.#signal = options.signal
    this.#defaultMaxBytes = options.defaultMaxBytes
  }

  static nameOf (url: string): string {
    if (url.startsWith(METADATA_BASE_URL)) return decodeURIComponent(url.slice(METADATA_BASE_URL.length))
    if (url.startsWith(TARGETS_BASE_URL)) return `targets/${decodeURIComponent(url.slice(TARGETS_BASE_URL.length))}`
    throw new ReleaseNameError(`not a release URL: "${url.slice(0, 80)}"`)
  }

  async #get (url: string, maxBytes: number): Promise<Uint8Array> {
    const name = SourceFetcher.nameOf(url)
    let bytes: Uint8Array
    try {
      bytes = await this.#source.fetch(name, maxBytes, this.#signal)
    } catch (err) {
      if (err instanceof ReleaseFileNotFoundError) throw new DownloadHTTPError(err.message, 404)
      throw err
    }
    // Never trust a source to have honoured the cap.
    if (bytes.length > maxBytes) throw new ReleaseTooLargeError(`${name} is ${bytes.length} bytes, more than the ${maxBytes} allowed`)
    if (name.endsWith('.json') && !name.startsWith('targets/')) this.fetchedMetadata.push({ name, bytes })
    return bytes
  }

  override async fetch (url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const bytes = await this.#get(url, this.#defaultMaxBytes)
    return new Blob([Uint8Array.from(bytes)]).stream()
  }

  override async downloadBytes (url: string, maxLength: number): Promise<Buffer> {
    return Buffer.from(await this.#get(url, maxLength))
  }

  override async downloadFile<T> (url: string, maxLength: number, handler: (file: string) => Promise<T>): Promise<T> {
    const bytes = await this.#get(url, maxLength)
    const dir = await mkdtemp(join(this.#workDir, 'download-'))
    try {
      const file = join(dir, 'file')
      await writeFile(file, bytes, { mode: 0o600 })
      return await handler(file)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}
