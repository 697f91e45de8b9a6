// The manifest schema accepts what the builder writes and nothing looser, and a manifest has one
// encoding whatever the order its keys were set in.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BundleManifestSchema, encodeManifest, type BundleManifest } from '../../../../node-core/release/bundle/manifest.ts'

const MANIFEST: BundleManifest = {
  bundleFormat: 1,
  engineVersion: '0.1.0',
  engineRpcVersion: 1,
  protocols: [{ id: '/vault/chunk', version: '1.0.0' }, { id: '/vault/kad', version: '1.0.0' }],
  erasSupported: [1],
  dataFormatVersion: 1,
  entryPoint: 'node-core/engine/engine-main.ts',
  files: [
    { path: 'contract/host-api.ts', sha256: 'a'.repeat(64), size: 10 },
    { path: 'node-core/engine/engine-main.ts', sha256: 'b'.repeat(64), size: 20 }
  ],
  dependencies: [
    { name: '@libp2p/tcp', version: '11.0.28', integrity: 'sha512-AbC+/9==' },
    { name: 'zod', version: '4.6.7', integrity: 'sha512-Zz' }
  ]
}

function reversedKeys<T extends object> (value: T): T {
  return Object.fromEntries(Object.entries(value).reverse()) as T
}

describe('BundleManifestSchema', () => {
  it('encodes equal manifests to equal bytes, whatever their key order', () => {
    const shuffled = reversedKeys({ ...MANIFEST, files: MANIFEST.files.map(reversedKeys), dependencies: MANIFEST.dependencies.map(reversedKeys) })
    assert.deepEqual(encodeManifest(shuffled), encodeManifest(MANIFEST))
    assert.match(new TextDecoder().decode(encodeManifest(shuffled)), /^\{\n {2}"bundleFormat": 1,\n {2}"engineVersion": "0\.1\.0",/)
  })

  it('rejects loose manifests', () => {
    const cases: Array<[string, unknown]> = [
      ['an unknown key', { ...MANIFEST, extra: true }],
      ['another bundle format', { ...MANIFEST, bundleFormat: 2 }],
      ['a version that is not semver', { ...MANIFEST, engineVersion: 'latest' }],
      ['three eras', { ...MANIFEST, erasSupported: [1, 2, 3] }],
      ['eras out of order', { ...MANIFEST, erasSupported: [2, 1] }],
      ['unsorted files', { ...MANIFEST, files: [...MANIFEST.files].reverse() }],
      ['a duplicate file', { ...MANIFEST, files: [MANIFEST.files[0], ...MANIFEST.files] }],
      ['a traversal path', { ...MANIFEST, files: [{ path: '../x.ts', sha256: 'a'.repeat(64), size: 1 }, ...MANIFEST.files] }],
      ['an upper-case hash', { ...MANIFEST, files: MANIFEST.files.map(file => ({ ...file, sha256: file.sha256.toUpperCase() })) }],
      ['an entry point outside the files', { ...MANIFEST, entryPoint: 'node-core/engine/vault.ts' }],
      ['the manifest listing itself', { ...MANIFEST, files: [...MANIFEST.files, { path: 'manifest.json', sha256: 'c'.repeat(64), size: 1 }] }],
      ['a sha1 integrity', { ...MANIFEST, dependencies: [{ name: 'zod', version: '4.6.7', integrity: 'sha1-AAAA' }] }],
      ['unsorted dependencies', { ...MANIFEST, dependencies: [...MANIFEST.dependencies].reverse() }],
      ['unsorted protocols', { ...MANIFEST, protocols: [...MANIFEST.protocols].reverse() }]
    ]
    assert.equal(BundleManifestSchema.safeParse(MANIFEST).success, true)
    for (const [what, manifest] of cases) assert.equal(BundleManifestSchema.safeParse(manifest).success, false, what)
  })
})
