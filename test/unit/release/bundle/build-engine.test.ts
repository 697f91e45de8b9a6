// The engine bundle is reproducible: two checkouts at different absolute paths, built into
// different output directories, give the same bytes, and nothing in them names where they were
// built. Its manifest describes the engine of the checkout it was built from.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import { DATA_FORMAT_VERSION, SUPPORTED_ERAS } from '../../../../node-core/engine/eras.ts'
import { ENGINE_RPC_VERSION } from '../../../../node-core/engine/rpc/engine-rpc.ts'
import { CHUNK_PROTOCOL, ENGINE_VERSION, KAD_PROTOCOL } from '../../../../node-core/engine/version.ts'
import { buildEngineBundle, SourceLineEndingError, type BuiltEngineBundle } from '../../../../node-core/release/bundle/build-engine.ts'
import { MANIFEST_PATH } from '../../../../node-core/release/bundle/manifest.ts'
import { readEngineBundle } from '../../../../node-core/release/bundle/read-engine-bundle.ts'
import { readTar, type TarEntry } from '../../../../node-core/release/bundle/tar.ts'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const decode = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes)

/** What a build needs of a checkout: the engine and contract sources and the lockfile. */
async function copyCheckout (from: string, to: string): Promise<void> {
  await cp(join(from, 'node-core'), join(to, 'node-core'), { recursive: true })
  await cp(join(from, 'contract'), join(to, 'contract'), { recursive: true })
  await cp(join(from, 'package-lock.json'), join(to, 'package-lock.json'))
}

interface Lockfile { packages: Record<string, { version?: string, integrity?: string }> }

describe('buildEngineBundle', () => {
  let root = ''
  let first = ''
  let second = ''
  let one: BuiltEngineBundle
  let two: BuiltEngineBundle
  let bytes: Uint8Array
  let entries: TarEntry[]

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'build-engine-'))
    first = join(root, 'a')
    second = join(root, 'a-checkout-somewhere-else', 'deeper')
    // One snapshot of the working tree, then a copy of that: others may be editing the tree.
    await copyCheckout(repo, first)
    await copyCheckout(first, second)
    one = await buildEngineBundle({ sourceRoot: first, outDir: join(root, 'out-one') })
    two = await buildEngineBundle({ sourceRoot: second, outDir: join(root, 'other', 'out-two') })
    bytes = new Uint8Array(await readFile(one.path))
    entries = readTar(gunzipSync(bytes))
  })
  after(async () => { await rm(root, { recursive: true, force: true }) })

  it('gives byte-identical archives from two checkouts built into two directories', async () => {
    assert.notEqual(one.path, two.path)
    assert.equal(one.sha256, two.sha256)
    assert.deepEqual(new Uint8Array(await readFile(two.path)), bytes)
    assert.equal(sha256(bytes), one.sha256)
    assert.equal(basename(one.path), `vault-engine-${ENGINE_VERSION}.tar.gz`)
  })

  it('names no absolute path of the checkouts or output directories anywhere in the archive', () => {
    const archive = Buffer.from(gunzipSync(bytes)).toString('latin1')
    const compressed = Buffer.from(bytes).toString('latin1')
    for (const path of [root, first, second, repo.replace(/\/$/, ''), join(root, 'out-one')]) {
      assert.equal(archive.includes(path), false, path)
      assert.equal(compressed.includes(path), false, path)
    }
    assert.ok(entries.every(entry => !entry.path.startsWith('/')))
  })

  it('writes a gzip header with no time and no OS', () => {
    assert.deepEqual([...bytes.subarray(0, 4)], [0x1f, 0x8b, 8, 0])
    assert.deepEqual([...bytes.subarray(4, 8)], [0, 0, 0, 0])
    assert.equal(bytes[9], 0xff)
  })

  it('describes the engine in its manifest: versions, protocols, eras, data format, entry point', () => {
    const { manifest } = one
    assert.equal(manifest.bundleFormat, 1)
    assert.equal(manifest.engineVersion, ENGINE_VERSION)
    assert.equal(manifest.engineRpcVersion, ENGINE_RPC_VERSION)
    const split = (id: string): { id: string, version: string } => ({ id: id.slice(0, id.lastIndexOf('/')), version: id.slice(id.lastIndexOf('/') + 1) })
    assert.deepEqual(manifest.protocols, [split(CHUNK_PROTOCOL), split(KAD_PROTOCOL)])
    assert.deepEqual(manifest.erasSupported, [...SUPPORTED_ERAS])
    assert.equal(manifest.dataFormatVersion, DATA_FORMAT_VERSION)
    assert.equal(manifest.entryPoint, 'node-core/engine/engine-main.ts')
    assert.equal(entries.find(entry => entry.path === manifest.entryPoint)?.type, 'file')
    assert.deepEqual(JSON.parse(decode(entries.find(entry => entry.path === MANIFEST_PATH)?.bytes)), manifest)
  })

  it('lists every file of the archive with its SHA-256 and size, and nothing else', () => {
    const files = entries.filter(entry => entry.type === 'file' && entry.path !== MANIFEST_PATH)
    assert.deepEqual(one.manifest.files.map(file => file.path), files.map(file => file.path))
    for (const file of files) {
      assert.deepEqual(one.manifest.files.find(listed => listed.path === file.path), { path: file.path, sha256: sha256(file.bytes), size: file.bytes.length })
    }
  })

  it('holds the engine, the worker it loads by URL and the contract it imports, and nothing of the host', () => {
    const paths = one.manifest.files.map(file => file.path)
    for (const path of ['node-core/engine/identity/grind-worker.ts', 'node-core/engine/vault.ts', 'contract/host-api.ts', 'contract/named-error.ts', 'package.json']) {
      assert.ok(paths.includes(path), path)
    }
    // The engine gossips release pointers, keeps JSON files and takes part in its section, so it
    // carries those modules too; nothing of the host, the CLI, the local network or the shells belongs in it.
    assert.ok(paths.every(path => ['node-core/engine/', 'node-core/release/', 'node-core/section/', 'node-core/storage/', 'contract/'].some(prefix => path.startsWith(prefix)) || path === 'package.json'), paths.join(', '))
    assert.equal(paths.some(path => /^node-core\/(host|cli|localnet|release\/bundle)\//.test(path)), false, paths.join(', '))
  })

  it('pins dependencies as package-lock.json does: exact direct versions, integrity for the whole closure', async () => {
    const lockfile = JSON.parse(await readFile(join(first, 'package-lock.json'), 'utf8')) as Lockfile
    const packageJson = JSON.parse(decode(entries.find(entry => entry.path === 'package.json')?.bytes)) as { type: string, version: string, dependencies: Record<string, string> }
    assert.equal(packageJson.type, 'module')
    assert.equal(packageJson.version, ENGINE_VERSION)
    assert.ok('zod' in packageJson.dependencies && 'libp2p' in packageJson.dependencies)
    for (const [name, version] of Object.entries(packageJson.dependencies)) {
      assert.equal(version, lockfile.packages[`node_modules/${name}`]?.version, name)
    }
    const inLockfile = new Set(Object.entries(lockfile.packages).map(([location, entry]) => `${location.slice(location.lastIndexOf('node_modules/') + 13)}@${entry.version ?? ''} ${entry.integrity ?? ''}`))
    assert.ok(one.manifest.dependencies.length >= Object.keys(packageJson.dependencies).length)
    for (const dependency of one.manifest.dependencies) {
      assert.ok(inLockfile.has(`${dependency.name}@${dependency.version} ${dependency.integrity}`), `${dependency.name}@${dependency.version}`)
    }
    assert.equal(one.manifest.dependencies.some(dependency => dependency.name === 'typescript' || dependency.name === 'electron'), false)
  })

  it('passes readEngineBundle', async () => {
    const read = await readEngineBundle(one.path)
    assert.equal(read.sha256, one.sha256)
    assert.deepEqual(read.manifest, one.manifest)
  })

  it('describes the checkout it bundles, not the build tool', async () => {
    const third = join(root, 'c')
    await copyCheckout(first, third)
    const versionFile = join(third, 'node-core/engine/version.ts')
    await writeFile(versionFile, (await readFile(versionFile, 'utf8')).replace(/ENGINE_VERSION = '[^']*'/, "ENGINE_VERSION = '9.9.9'"))
    const built = await buildEngineBundle({ sourceRoot: third, outDir: join(root, 'out-three') })
    assert.equal(built.manifest.engineVersion, '9.9.9')
    assert.equal(basename(built.path), 'vault-engine-9.9.9.tar.gz')
    assert.notEqual(built.sha256, one.sha256)
  })

  it('refuses a checkout with CRLF line endings, which would bundle other bytes', async () => {
    const crlf = join(root, 'crlf')
    await copyCheckout(first, crlf)
    const file = join(crlf, 'node-core/storage/sync-directory.ts')
    await writeFile(file, (await readFile(file, 'utf8')).replaceAll('\n', '\r\n'))
    await assert.rejects(buildEngineBundle({ sourceRoot: crlf, outDir: join(root, 'out-crlf') }), (err: unknown) => err instanceof SourceLineEndingError && /sync-directory\.ts contains carriage returns/.test(err.message))
  })
})
