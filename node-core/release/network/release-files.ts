// A published release directory as chunks (DESIGN §3.3: metadata and bundles live in the network).
// Every file tuf-js may ask for is one chunk when it fits (<= 1 MiB), else a run of 1 MiB data
// chunks plus a small "file manifest" chunk listing them in order. One index chunk maps each file
// name to {address, size, sha256}. Chunks are content-addressed, so any vault may serve them;
// reassembly checks every chunk's address, the sizes and the file's SHA-256, and tuf-js checks the
// result again against the signed metadata.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { CHUNK_ADDRESS_PATTERN, chunkAddress, MAX_CHUNK_BYTES } from '../../engine/store/chunk-address.ts'
import { assertReleaseFileName, ReleaseFileNotFoundError, ReleaseTooLargeError } from '../release-source.ts'

export class ReleaseIndexError extends namedError('ReleaseIndexError') {}
export class ReleaseChunkMissingError extends namedError('ReleaseChunkMissingError') {}
export class ReleaseChunkCorruptError extends namedError('ReleaseChunkCorruptError') {}

/** How a reader gets one chunk by address; `Vault.fetchChunk` is one. */
export type FetchChunk = (address: string, options?: { signal?: AbortSignal }) => Promise<Uint8Array | undefined>

/** The largest file the index may list: far above any bundle cap, so the manifest stays one chunk. */
export const MAX_RELEASE_FILE_BYTES = 4 * 1024 ** 3
const MAX_INDEX_FILES = 4096

const AddressSchema = z.string().regex(CHUNK_ADDRESS_PATTERN, 'expected a chunk address: 64 lowercase hex digits')
const SizeSchema = z.number().int().min(0).max(MAX_RELEASE_FILE_BYTES)

export const FileManifestSchema = z.object({
  kind: z.literal('vault-release-file-manifest'),
  version: z.literal(1),
  size: SizeSchema,
  sha256: AddressSchema,
  chunks: z.array(AddressSchema).min(2).max(Math.ceil(MAX_RELEASE_FILE_BYTES / MAX_CHUNK_BYTES))
}).strict()
export type FileManifest = z.infer<typeof FileManifestSchema>

const IndexEntrySchema = z.object({
  /** The file's own chunk when size <= MAX_CHUNK_BYTES, else its file manifest's. */
  address: AddressSchema,
  size: SizeSchema,
  sha256: AddressSchema
}).strict()
export type ReleaseIndexEntry = z.infer<typeof IndexEntrySchema>

export const ReleaseIndexSchema = z.object({
  kind: z.literal('vault-release-index'),
  version: z.literal(1),
  files: z.record(z.string().max(300), IndexEntrySchema).refine(files => Object.keys(files).length <= MAX_INDEX_FILES, `at most ${MAX_INDEX_FILES} files`)
}).strict()
export type ReleaseIndex = z.infer<typeof ReleaseIndexSchema>

export interface ReleaseFile { name: string, bytes: Uint8Array }

export interface ChunkedRelease {
  indexAddress: string
  /** In storing order: data chunks, then file manifests, then the index, so a reader who finds the index finds the rest. */
  chunks: Uint8Array[]
}

const encodeJson = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

/** Splits release files into chunks; deterministic, so two maintainers get the same addresses. */
export function chunkRelease (files: readonly ReleaseFile[]): ChunkedRelease {
  const data: Uint8Array[] = []
  const manifests: Uint8Array[] = []
  const entries: Array<[string, ReleaseIndexEntry]> = []
  for (const { name, bytes } of [...files].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) {
    assertReleaseFileName(name)
    if (bytes.length > MAX_RELEASE_FILE_BYTES) throw new ReleaseTooLargeError(`${name} is ${bytes.length} bytes, more than the ${MAX_RELEASE_FILE_BYTES} a release file may have`)
    const sha256 = chunkAddress(bytes)
    if (bytes.length <= MAX_CHUNK_BYTES) {
      data.push(bytes)
      entries.push([name, { address: sha256, size: bytes.length, sha256 }])
      continue
    }
    const pieces: string[] = []
    for (let offset = 0; offset < bytes.length; offset += MAX_CHUNK_BYTES) {
      const piece = bytes.subarray(offset, offset + MAX_CHUNK_BYTES)
      data.push(piece)
      pieces.push(chunkAddress(piece))
    }
    const manifest = encodeJson(FileManifestSchema.parse({ kind: 'vault-release-file-manifest', version: 1, size: bytes.length, sha256, chunks: pieces }))
    manifests.push(manifest)
    entries.push([name, { address: chunkAddress(manifest), size: bytes.length, sha256 }])
  }
  const index = encodeJson(ReleaseIndexSchema.parse({ kind: 'vault-release-index', version: 1, files: Object.fromEntries(entries) }))
  if (index.length > MAX_CHUNK_BYTES) throw new ReleaseIndexError(`the release index is ${index.length} bytes, more than one chunk holds`)
  return { indexAddress: chunkAddress(index), chunks: [...data, ...manifests, index] }
}

/** Every file of a publication directory (publishRelease's output): top-level metadata and targets/. */
export async function readReleaseDirectory (dir: string): Promise<ReleaseFile[]> {
  const files: ReleaseFile[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) files.push({ name: entry.name, bytes: await readFile(join(dir, entry.name)) })
  }
  const targets = await readdir(join(dir, 'targets'), { withFileTypes: true }).catch(() => [])
  for (const entry of targets) {
    if (entry.isFile()) files.push({ name: `targets/${entry.name}`, bytes: await readFile(join(dir, 'targets', entry.name)) })
  }
  for (const file of files) assertReleaseFileName(file.name)
  return files
}

/** One chunk, checked against its address whoever served it. */
async function fetchChecked (fetchChunk: FetchChunk, address: string, what: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
  signal?.throwIfAborted()
  const bytes = await fetchChunk(address, signal === undefined ? {} : { signal })
  if (bytes === undefined) throw new ReleaseChunkMissingError(`no vault served chunk ${address.slice(0, 12)}… (${what})`)
  if (chunkAddress(bytes) !== address) throw new ReleaseChunkCorruptError(`chunk ${address.slice(0, 12)}… (${what}) does not hash to its address`)
  return bytes
}

function parseJsonChunk<T> (bytes: Uint8Array, schema: z.ZodType<T>, what: string): T {
  let json: unknown
  try { json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) } catch { json = undefined }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new ReleaseIndexError(`${what} is malformed (${parsed.error.issues.map(issue => issue.path.join('.') || 'chunk').join(', ')})`)
  return parsed.data
}

export async function fetchReleaseIndex (fetchChunk: FetchChunk, indexAddress: string, signal?: AbortSignal): Promise<ReleaseIndex> {
  if (!CHUNK_ADDRESS_PATTERN.test(indexAddress)) throw new RangeError(`"indexAddress" expected 64 lowercase hex digits, got "${indexAddress.slice(0, 80)}"`)
  const index = parseJsonChunk(await fetchChecked(fetchChunk, indexAddress, 'release index', signal), ReleaseIndexSchema, 'the release index')
  for (const name of Object.keys(index.files)) assertReleaseFileName(name)
  return index
}

/**
 * The bytes of one indexed file. The cap is checked on the size the index announces before any
 * data chunk is fetched, and again on the manifest's, so a lying index costs at most one chunk.
 */
export async function assembleReleaseFile (fetchChunk: FetchChunk, index: ReleaseIndex, name: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`"maxBytes" expected a whole number of at least 0, got ${maxBytes}`)
  const entry = Object.hasOwn(index.files, name) ? index.files[name] : undefined
  if (entry === undefined) throw new ReleaseFileNotFoundError(`${name} is not in the release index`)
  if (entry.size > maxBytes) throw new ReleaseTooLargeError(`${name} is ${entry.size} bytes, more than the ${maxBytes} allowed`)
  let bytes: Uint8Array
  if (entry.size <= MAX_CHUNK_BYTES) {
    bytes = await fetchChecked(fetchChunk, entry.address, name, signal)
  } else {
    const manifest = parseJsonChunk(await fetchChecked(fetchChunk, entry.address, `${name} manifest`, signal), FileManifestSchema, `the manifest of ${name}`)
    if (manifest.size !== entry.size || manifest.sha256 !== entry.sha256) throw new ReleaseChunkCorruptError(`the manifest of ${name} disagrees with the index on its size or hash`)
    if (manifest.chunks.length !== Math.ceil(manifest.size / MAX_CHUNK_BYTES)) throw new ReleaseChunkCorruptError(`the manifest of ${name} lists ${manifest.chunks.length} chunks for ${manifest.size} bytes`)
    bytes = new Uint8Array(manifest.size)
    let offset = 0
    for (const [i, address] of manifest.chunks.entries()) {
      const piece = await fetchChecked(fetchChunk, address, `${name} part ${i + 1}/${manifest.chunks.length}`, signal)
      const expected = Math.min(MAX_CHUNK_BYTES, manifest.size - offset)
      if (piece.length !== expected) throw new ReleaseChunkCorruptError(`${name} part ${i + 1} is ${piece.length} bytes, expected ${expected}`)
      bytes.set(piece, offset)
      offset += piece.length
    }
  }
  if (bytes.length !== entry.size) throw new ReleaseChunkCorruptError(`${name} is ${bytes.length} bytes, the index says ${entry.size}`)
  if (chunkAddress(bytes) !== entry.sha256) throw new ReleaseChunkCorruptError(`${name} does not match the SHA-256 in the index`)
  return bytes
}
