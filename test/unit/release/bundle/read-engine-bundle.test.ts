// readEngineBundle accepts a bundle whose every file matches its manifest, and rejects each kind
// of tampering with its own error class: a changed byte, an unlisted file, a missing file, a path
// traversal, a link, an invalid manifest, and archives over the size limits.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import { deterministicGzip } from '../../../../node-core/release/bundle/build-engine.ts'
import { encodeManifest, MANIFEST_PATH, type BundleManifest } from '../../../../node-core/release/bundle/manifest.ts'
import {
  BundleFileMismatchError, BundleFormatError, BundleManifestError, DEFAULT_BUNDLE_LIMITS, MissingBundleFileError, readEngineBundle,
  UnlistedBundleFileError, verifyEngineBundle
} from '../../../../node-core/release/bundle/read-engine-bundle.ts'
import { TarEntryTooLargeError, TarLinkError, TarTooLargeError, UnsafeTarPathError, writeTar, type TarFile } from '../../../../node-core/release/bundle/tar.ts'
import { ascii, editHeader, headerOffsets } from './tar-craft.ts'

const text = (value: string): Uint8Array => new TextEncoder().encode(value)
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

const FILES: TarFile[] = [
  { path: 'contract/named-error.ts', bytes: text('export const named = 1\n') },
  { path: 'node-core/engine/engine-main.ts', bytes: text("import '../../contract/named-error.ts'\n") },
  { path: 'package.json', bytes: text('{"type":"module"}\n') }
]

function manifestOf (files: readonly TarFile[]): BundleManifest {
  return {
    bundleFormat: 1,
    engineVersion: '1.2.3',
    engineRpcVersion: 1,
    protocols: [{ id: '/vault/chunk', version: '1.0.0' }],
    erasSupported: [1, 2],
    dataFormatVersion: 1,
    entryPoint: 'node-core/engine/engine-main.ts',
    files: files.map(file => ({ path: file.path, sha256: sha256(file.bytes), size: file.bytes.length })),
    dependencies: [{ name: 'zod', version: '4.6.7', integrity: 'sha512-AAAA' }]
  }
}

/** A tar (not yet gzipped) of `files` plus `manifest`. */
function tarOf (files: readonly TarFile[], manifest: BundleManifest | Uint8Array = manifestOf(files)): Uint8Array {
  return writeTar([...files, { path: MANIFEST_PATH, bytes: manifest instanceof Uint8Array ? manifest : encodeManifest(manifest) }])
}

function offsetOf (archive: Uint8Array, name: string): number {
  const offset = headerOffsets(archive).find(candidate => ascii(archive.subarray(candidate, candidate + 100)) === name)
  assert.ok(offset !== undefined, name)
  return offset
}

describe('readEngineBundle', () => {
  let dir = ''
  let next = 0
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'read-engine-bundle-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  async function readBytes (bytes: Uint8Array, limits = DEFAULT_BUNDLE_LIMITS): ReturnType<typeof readEngineBundle> {
    const path = join(dir, `bundle-${next++}.tar.gz`)
    await writeFile(path, bytes)
    return await readEngineBundle(path, limits)
  }

  it('returns the manifest, the archive SHA-256 and every file of an intact bundle', async () => {
    const bytes = deterministicGzip(tarOf(FILES))
    const bundle = await readBytes(bytes)
    assert.deepEqual(bundle.manifest, manifestOf(FILES))
    assert.equal(bundle.sha256, sha256(bytes))
    assert.deepEqual([...bundle.files.keys()], FILES.map(file => file.path))
    for (const file of FILES) assert.deepEqual(bundle.files.get(file.path), file.bytes)
  })

  it('rejects a file with one byte changed', async () => {
    const tampered = FILES.map(file => file.path === 'contract/named-error.ts' ? { ...file, bytes: text('export const named = 2\n') } : file)
    await assert.rejects(readBytes(deterministicGzip(tarOf(tampered, manifestOf(FILES)))), (err: unknown) => {
      assert.ok(err instanceof BundleFileMismatchError)
      assert.equal(err.name, 'BundleFileMismatchError')
      assert.match(err.message, /^contract\/named-error\.ts has SHA-256 [0-9a-f]{64}; the manifest says/)
      return true
    })
  })

  it('rejects a file of another size than the manifest says', async () => {
    const tampered = FILES.map(file => file.path === 'package.json' ? { ...file, bytes: text('{"type":"commonjs"}\n') } : file)
    await assert.rejects(readBytes(deterministicGzip(tarOf(tampered, manifestOf(FILES)))), (err: unknown) => err instanceof BundleFileMismatchError && /package\.json is 20 bytes; the manifest says 18/.test(err.message))
  })

  it('rejects a file the manifest does not list', async () => {
    const extra = [...FILES, { path: 'node-core/engine/backdoor.ts', bytes: text('process.exit(0)\n') }]
    await assert.rejects(readBytes(deterministicGzip(tarOf(extra, manifestOf(FILES)))), (err: unknown) => err instanceof UnlistedBundleFileError && /node-core\/engine\/backdoor\.ts is in the archive but not in the manifest/.test(err.message))
  })

  it('rejects a directory that holds no listed file', async () => {
    const archive = tarOf([...FILES, { path: 'node-core/host/keep', bytes: new Uint8Array(0) }], manifestOf(FILES))
    const emptyDirectories = editHeader(archive, offsetOf(archive, 'node-core/host/keep'), { name: 'node-core/host/keep/', typeflag: '5' })
    await assert.rejects(readBytes(deterministicGzip(emptyDirectories)), (err: unknown) => err instanceof UnlistedBundleFileError && /^directory node-core\/host holds no file/.test(err.message))
  })

  it('rejects a manifest listing a file the archive lacks', async () => {
    await assert.rejects(readBytes(deterministicGzip(tarOf(FILES.slice(0, 2), manifestOf(FILES)))), (err: unknown) => err instanceof MissingBundleFileError && /package\.json is in the manifest but not in the archive/.test(err.message))
  })

  it('rejects an entry whose path climbs out with ..', async () => {
    const archive = tarOf(FILES)
    const traversal = editHeader(archive, offsetOf(archive, 'package.json'), { name: '../../.bashrc' })
    await assert.rejects(readBytes(deterministicGzip(traversal)), (err: unknown) => err instanceof UnsafeTarPathError && /parent directory segment/.test(err.message))
    const absolute = editHeader(archive, offsetOf(archive, 'package.json'), { name: '/etc/profile' })
    await assert.rejects(readBytes(deterministicGzip(absolute)), (err: unknown) => err instanceof UnsafeTarPathError && /absolute path/.test(err.message))
  })

  it('rejects a symbolic link', async () => {
    const archive = tarOf(FILES)
    const link = editHeader(archive, offsetOf(archive, 'package.json'), { typeflag: '2', linkname: '/home/owner/.ssh/id_ed25519' })
    await assert.rejects(readBytes(deterministicGzip(link)), TarLinkError)
  })

  it('rejects a missing, malformed or inconsistent manifest', async () => {
    await assert.rejects(readBytes(deterministicGzip(writeTar(FILES))), (err: unknown) => err instanceof BundleManifestError && /no manifest\.json/.test(err.message))
    await assert.rejects(readBytes(deterministicGzip(tarOf(FILES, text('{not json')))), (err: unknown) => err instanceof BundleManifestError && /not JSON/.test(err.message))
    const noEntry = { ...manifestOf(FILES), entryPoint: 'node-core/engine/missing.ts' }
    await assert.rejects(readBytes(deterministicGzip(tarOf(FILES, text(JSON.stringify(noEntry))))), (err: unknown) => err instanceof BundleManifestError && /entry point/.test(err.message))
    const threeEras = { ...manifestOf(FILES), erasSupported: [1, 2, 3] }
    await assert.rejects(readBytes(deterministicGzip(tarOf(FILES, text(JSON.stringify(threeEras))))), BundleManifestError)
    const unsorted = { ...manifestOf(FILES), files: [...manifestOf(FILES).files].reverse() }
    await assert.rejects(readBytes(deterministicGzip(tarOf(FILES, text(JSON.stringify(unsorted))))), (err: unknown) => err instanceof BundleManifestError && /sorted by path/.test(err.message))
  })

  it('rejects what is not gzip', async () => {
    await assert.rejects(readBytes(tarOf(FILES)), BundleFormatError)
  })

  it('enforces the archive, entry and unpacked size limits', async () => {
    const bytes = deterministicGzip(tarOf(FILES))
    await assert.rejects(readBytes(bytes, { ...DEFAULT_BUNDLE_LIMITS, maxArchiveBytes: bytes.length - 1 }), TarTooLargeError)
    await assert.rejects(readBytes(bytes, { ...DEFAULT_BUNDLE_LIMITS, maxEntryBytes: 16 }), TarEntryTooLargeError)
    // A gzip bomb: 32 MiB of zeros in a few dozen kilobytes stops at the limit, not in memory.
    const bomb = gzipSync(new Uint8Array(32 * 1024 * 1024), { level: 9 })
    assert.ok(bomb.length < 64 * 1024)
    assert.throws(() => verifyEngineBundle(bomb, { ...DEFAULT_BUNDLE_LIMITS, maxTotalBytes: 1024 * 1024, maxEntries: 16 }), (err: unknown) => err instanceof TarTooLargeError && /unpacks to more than/.test(err.message))
  })
})
