// Chunking a publication and putting it back together: one chunk per small file, a manifest and
// 1 MiB parts for a large one, and every lie (tampered chunk, wrong size, missing part) refused.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chunkAddress, MAX_CHUNK_BYTES } from '../../../../node-core/engine/store/chunk-address.ts'
import {
  assembleReleaseFile, chunkRelease, fetchReleaseIndex, FileManifestSchema, readReleaseDirectory, type FetchChunk, type ReleaseFile
} from '../../../../node-core/release/network/release-files.ts'
import { bundleBytes } from '../release-fixtures.ts'

function memoryChunks (chunks: readonly Uint8Array[]): { store: Map<string, Uint8Array>, fetchChunk: FetchChunk, fetched: string[] } {
  const store = new Map(chunks.map(chunk => [chunkAddress(chunk), chunk]))
  const fetched: string[] = []
  const fetchChunk: FetchChunk = async address => {
    fetched.push(address)
    return store.get(address)
  }
  return { store, fetchChunk, fetched }
}

const BIG = Math.floor(1.5 * MAX_CHUNK_BYTES)
const files: ReleaseFile[] = [
  { name: '1.root.json', bytes: new TextEncoder().encode('{"root":1}') },
  { name: 'timestamp.json', bytes: new TextEncoder().encode('{"timestamp":1}') },
  { name: 'targets/abc.vault-engine-1.0.0.tar', bytes: bundleBytes('big bundle', BIG) },
  { name: 'targets/def.exactly-one-chunk.tar', bytes: bundleBytes('one chunk', MAX_CHUNK_BYTES) }
]

describe('release files as chunks', () => {
  it('stores small files as one chunk and a 1.5 MiB file as two parts plus a manifest, index last', async () => {
    const { indexAddress, chunks } = chunkRelease(files)
    // 3 single chunks + 2 parts + 1 manifest + the index.
    assert.equal(chunks.length, 7)
    for (const chunk of chunks) assert.ok(chunk.length <= MAX_CHUNK_BYTES)
    const last = chunks.at(-1)
    assert.ok(last !== undefined)
    assert.equal(chunkAddress(last), indexAddress)
    const { fetchChunk } = memoryChunks(chunks)
    const index = await fetchReleaseIndex(fetchChunk, indexAddress)
    assert.deepEqual(Object.keys(index.files).sort(), files.map(file => file.name).sort())
    const big = index.files['targets/abc.vault-engine-1.0.0.tar']
    assert.ok(big !== undefined)
    const manifestChunk = chunks.find(chunk => chunkAddress(chunk) === big.address)
    assert.ok(manifestChunk !== undefined)
    const manifest = FileManifestSchema.parse(JSON.parse(Buffer.from(manifestChunk).toString('utf8')))
    assert.equal(manifest.chunks.length, 2)
    for (const file of files) {
      const bytes = await assembleReleaseFile(fetchChunk, index, file.name, 8 * MAX_CHUNK_BYTES)
      assert.equal(Buffer.compare(bytes, file.bytes), 0, file.name)
    }
  })

  it('is deterministic: the same files in any order give the same index address', () => {
    assert.equal(chunkRelease(files).indexAddress, chunkRelease([...files].reverse()).indexAddress)
  })

  it('refuses a file larger than the cap before fetching any of its parts', async () => {
    const { indexAddress, chunks } = chunkRelease(files)
    const { fetchChunk, fetched } = memoryChunks(chunks)
    const index = await fetchReleaseIndex(fetchChunk, indexAddress)
    fetched.length = 0
    await assert.rejects(assembleReleaseFile(fetchChunk, index, 'targets/abc.vault-engine-1.0.0.tar', BIG - 1), { name: 'ReleaseTooLargeError' })
    assert.deepEqual(fetched, [])
    await assert.rejects(assembleReleaseFile(fetchChunk, index, 'nope.json', 1000), { name: 'ReleaseFileNotFoundError' })
  })

  it('rejects a tampered part, a missing part and a tampered index', async () => {
    const { indexAddress, chunks } = chunkRelease(files)
    const { store, fetchChunk } = memoryChunks(chunks)
    const index = await fetchReleaseIndex(fetchChunk, indexAddress)
    const big = index.files['targets/abc.vault-engine-1.0.0.tar']
    assert.ok(big !== undefined)
    const manifest = FileManifestSchema.parse(JSON.parse(Buffer.from(store.get(big.address) ?? []).toString('utf8')))
    const part = manifest.chunks[1] ?? ''
    const original = store.get(part) ?? new Uint8Array()
    const tampered = Uint8Array.from(original)
    tampered[10] = (tampered[10] ?? 0) ^ 1
    store.set(part, tampered)
    await assert.rejects(assembleReleaseFile(fetchChunk, index, 'targets/abc.vault-engine-1.0.0.tar', BIG), { name: 'ReleaseChunkCorruptError' })
    store.delete(part)
    await assert.rejects(assembleReleaseFile(fetchChunk, index, 'targets/abc.vault-engine-1.0.0.tar', BIG), { name: 'ReleaseChunkMissingError' })
    store.set(part, original)
    // An index whose entry lies about the size: the bytes fetched do not match it.
    const lying = { ...index, files: { ...index.files, '1.root.json': { ...(index.files['1.root.json'] ?? big), size: 3 } } }
    await assert.rejects(assembleReleaseFile(fetchChunk, lying, '1.root.json', 1000), { name: 'ReleaseChunkCorruptError' })
    store.set(indexAddress, new TextEncoder().encode('{"kind":"vault-release-index"}'))
    await assert.rejects(fetchReleaseIndex(fetchChunk, indexAddress), { name: 'ReleaseChunkCorruptError' })
  })

  it('rejects a well-addressed index that is not an index', async () => {
    const junk = new TextEncoder().encode('{"kind":"vault-release-index","version":1,"files":{"../escape":{}}}')
    const { fetchChunk } = memoryChunks([junk])
    await assert.rejects(fetchReleaseIndex(fetchChunk, chunkAddress(junk)), { name: 'ReleaseIndexError' })
  })

  it('reads every file of a publication directory, targets/ included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'release-files-test-'))
    try {
      await mkdir(join(dir, 'targets'))
      await writeFile(join(dir, '1.root.json'), '{}')
      await writeFile(join(dir, 'targets', 'aa.bundle.tar'), 'bundle')
      const read = await readReleaseDirectory(dir)
      assert.deepEqual(read.map(file => file.name).sort(), ['1.root.json', 'targets/aa.bundle.tar'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
