// Opens an engine bundle from an untrusted source and checks it against its own manifest before
// anything of it is written to disk or run: bounded decompression, a ustar reader that refuses
// links and unsafe paths, and every file matched to the manifest's size and SHA-256, with nothing
// extra and nothing missing. Whether the bundle itself is the one to trust (its SHA-256 against
// signed release metadata and builder attestations, DESIGN §3) is for the caller to decide.
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { BundleManifestSchema, MANIFEST_PATH, type BundleManifest } from './manifest.ts'
import { BLOCK_SIZE, DEFAULT_TAR_LIMITS, readTar, TarTooLargeError, type TarLimits } from './tar.ts'

export class BundleFormatError extends namedError('BundleFormatError') {}
export class BundleManifestError extends namedError('BundleManifestError') {}
export class BundleFileMismatchError extends namedError('BundleFileMismatchError') {}
export class UnlistedBundleFileError extends namedError('UnlistedBundleFileError') {}
export class MissingBundleFileError extends namedError('MissingBundleFileError') {}

export interface BundleLimits extends TarLimits {
  /** Size of the .tar.gz file itself. */
  readonly maxArchiveBytes: number
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = { ...DEFAULT_TAR_LIMITS, maxArchiveBytes: 32 * 1024 * 1024 }

export interface VerifiedEngineBundle {
  readonly manifest: BundleManifest
  /** SHA-256 of the archive bytes, to compare with signed metadata and attestations. */
  readonly sha256: string
  /** Every file the manifest lists, by path, checked against it. */
  readonly files: ReadonlyMap<string, Uint8Array>
}

function sha256Hex (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function gunzipBounded (compressed: Uint8Array, limits: TarLimits): Uint8Array {
  // Every entry costs a header and at most one block of padding; the end adds two zero blocks.
  const maxTarBytes = limits.maxTotalBytes + limits.maxEntries * 2 * BLOCK_SIZE + 2 * BLOCK_SIZE
  try {
    return new Uint8Array(gunzipSync(compressed, { maxOutputLength: maxTarBytes }))
  } catch (err) {
    if (err instanceof RangeError && (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new TarTooLargeError(`the archive unpacks to more than ${maxTarBytes} bytes`)
    }
    throw new BundleFormatError(`not a gzip stream: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

function parseManifest (bytes: Uint8Array | undefined): BundleManifest {
  if (bytes === undefined) throw new BundleManifestError(`the bundle has no ${MANIFEST_PATH}`)
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (err) {
    throw new BundleManifestError(`${MANIFEST_PATH} is not JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  const parsed = BundleManifestSchema.safeParse(json)
  if (!parsed.success) throw new BundleManifestError(`${MANIFEST_PATH} is not a bundle manifest: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/** Checks bundle bytes against their manifest; see readEngineBundle. */
export function verifyEngineBundle (compressed: Uint8Array, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): VerifiedEngineBundle {
  if (compressed.length > limits.maxArchiveBytes) throw new TarTooLargeError(`the archive is ${compressed.length} bytes, over the limit of ${limits.maxArchiveBytes}`)
  const entries = readTar(gunzipBounded(compressed, limits), limits)
  const archived = new Map(entries.filter(entry => entry.type === 'file').map(entry => [entry.path, entry.bytes]))
  const manifest = parseManifest(archived.get(MANIFEST_PATH))
  archived.delete(MANIFEST_PATH)

  const listed = new Map(manifest.files.map(file => [file.path, file]))
  const directories = new Set(manifest.files.flatMap(file => file.path.split('/').slice(0, -1).map((_, index, segments) => segments.slice(0, index + 1).join('/'))))
  for (const entry of entries) {
    if (entry.type === 'directory' && !directories.has(entry.path)) throw new UnlistedBundleFileError(`directory ${entry.path} holds no file the manifest lists`)
    if (entry.type === 'file' && entry.path !== MANIFEST_PATH && !listed.has(entry.path)) throw new UnlistedBundleFileError(`${entry.path} is in the archive but not in the manifest`)
  }
  for (const file of manifest.files) {
    const bytes = archived.get(file.path)
    if (bytes === undefined) throw new MissingBundleFileError(`${file.path} is in the manifest but not in the archive`)
    if (bytes.length !== file.size) throw new BundleFileMismatchError(`${file.path} is ${bytes.length} bytes; the manifest says ${file.size}`)
    const actual = sha256Hex(bytes)
    if (actual !== file.sha256) throw new BundleFileMismatchError(`${file.path} has SHA-256 ${actual}; the manifest says ${file.sha256}`)
  }
  return { manifest, sha256: sha256Hex(compressed), files: archived }
}

/**
 * Reads the bundle at `path` and checks it: size limits first (the file, the unpacked archive,
 * each entry), then the archive's form (ustar, no links, no absolute or `..` paths), then every
 * file against the manifest. Each failure has its own error class.
 */
export async function readEngineBundle (path: string, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): Promise<VerifiedEngineBundle> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    if (size > limits.maxArchiveBytes) throw new TarTooLargeError(`${path} is ${size} bytes, over the limit of ${limits.maxArchiveBytes}`)
    return verifyEngineBundle(new Uint8Array(await file.readFile()), limits)
  } finally {
    await file.close()
  }
}
