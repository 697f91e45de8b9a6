// tuf-js verification over chunks: a published release, chunked into an in-memory "network",
// verifies through NetworkReleaseSource exactly as through its directory, and a swapped bundle
// chunk is caught.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chunkAddress, MAX_CHUNK_BYTES } from '../../../../node-core/engine/store/chunk-address.ts'
import { NetworkReleaseSource } from '../../../../node-core/release/network/network-source.ts'
import { chunkRelease, readReleaseDirectory, type FetchChunk } from '../../../../node-core/release/network/release-files.ts'
import { verifyRelease } from '../../../../node-core/release/verify-release.ts'
import { bundleBytes, createFixture, publish, stageRelease } from '../release-fixtures.ts'

describe('NetworkReleaseSource', () => {
  it('verifies a 1.5 MiB release from chunks, caps sizes, and rejects a tampered bundle chunk', async () => {
    const fixture = await createFixture()
    try {
      await stageRelease(fixture, '2.0.0', { bytes: bundleBytes('network bundle', Math.floor(1.5 * MAX_CHUNK_BYTES)) })
      await publish(fixture)
      const { indexAddress, chunks } = chunkRelease(await readReleaseDirectory(fixture.outDir))
      const store = new Map(chunks.map(chunk => [chunkAddress(chunk), chunk]))
      const fetchChunk: FetchChunk = async address => store.get(address)
      const source = new NetworkReleaseSource({ indexAddress, fetchChunk })

      await assert.rejects(source.fetch('timestamp.json', 10), { name: 'ReleaseTooLargeError' })
      await assert.rejects(source.fetch('../root.json', 1000), { name: 'ReleaseNameError' })
      await assert.rejects(source.fetch('99.root.json', 1000), { name: 'ReleaseFileNotFoundError' })

      const verdict = await verifyRelease({ trustedDir: fixture.clientDir, source, pinnedBuilders: fixture.pinned, now: () => fixture.now })
      assert.equal(verdict.verdict, 'verified', JSON.stringify(verdict))
      assert.equal(verdict.release.engineVersion, '2.0.0')
      assert.equal(verdict.release.length, Math.floor(1.5 * MAX_CHUNK_BYTES))

      // A vault serving a different first part under the same address: caught before tuf-js sees it.
      const index = JSON.parse(Buffer.from(store.get(indexAddress) ?? []).toString('utf8')) as { files: Record<string, { address: string }> }
      const bundleName = Object.keys(index.files).find(name => name.startsWith('targets/')) ?? ''
      const manifest = JSON.parse(Buffer.from(store.get(index.files[bundleName]?.address ?? '') ?? []).toString('utf8')) as { chunks: string[] }
      const first = manifest.chunks[0] ?? ''
      store.set(first, new Uint8Array(MAX_CHUNK_BYTES))
      const tampered = await verifyRelease({ trustedDir: fixture.clientDir, source: new NetworkReleaseSource({ indexAddress, fetchChunk }), pinnedBuilders: fixture.pinned, now: () => fixture.now })
      assert.equal(tampered.verdict, 'rejected')
      assert.match(tampered.reasons.join(' '), /does not hash to its address/)
    } finally {
      await fixture.cleanup()
    }
  })
})
