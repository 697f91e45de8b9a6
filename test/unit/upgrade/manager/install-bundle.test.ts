// Installing candidates built as real bundles from a copy of this checkout.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { deterministicGzip } from '../../../../node-core/release/bundle/build-engine.ts'
import { readTar, writeTar } from '../../../../node-core/release/bundle/tar.ts'
import { MissingDependenciesError } from '../../../../node-core/upgrade/manager/dependency-check.ts'
import { installDirectory } from '../../../../node-core/upgrade/manager/engine-records.ts'
import { BundleDigestMismatchError, BundleUnreadableError, installEngineBundle } from '../../../../node-core/upgrade/manager/install-bundle.ts'
import { buildBundleFile, makeAppRoot, repo, type BundleFile } from '../../../helpers/bundle-fixture.ts'

interface LockEntry { version?: string, integrity?: string, dependencies?: Record<string, string> }
interface Lockfile { packages: Record<string, LockEntry> }

describe('installing a candidate bundle', () => {
  let dir = ''
  let appRoot = ''
  let bundle: BundleFile
  let lockfile: Lockfile

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'install-bundle-'))
    appRoot = await makeAppRoot(dir)
    bundle = await buildBundleFile(dir, 'candidate', '0.2.0')
    lockfile = JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8')) as Lockfile
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('unpacks into engines/<sha256>/ with its manifest, links the app\'s node_modules, and leaves nothing else', async () => {
    const dataDir = join(dir, 'data-fresh')
    const installed = await installEngineBundle({ bundlePath: bundle.path, dataDir, appRoot })
    const target = installDirectory(dataDir, bundle.sha256)
    assert.equal(installed.fresh, true)
    assert.deepEqual(installed.record, { kind: 'installed', engineVersion: '0.2.0', bundleSha256: bundle.sha256, entryPoint: 'node-core/engine/engine-main.ts' })
    assert.deepEqual(installed.engine, { engineVersion: '0.2.0', bundleSha256: bundle.sha256, rootDir: target, entry: join(target, 'node-core', 'engine', 'engine-main.ts') })
    assert.deepEqual(await readdir(join(dataDir, 'engines')), [bundle.sha256], 'no temporary directory is left')
    for (const file of bundle.manifest.files) assert.ok((await readFile(join(target, file.path))).length === file.size, file.path)
    assert.match(await readFile(join(target, 'node-core', 'engine', 'version.ts'), 'utf8'), /ENGINE_VERSION = '0\.2\.0'/)
    assert.equal(JSON.parse(await readFile(join(target, 'manifest.json'), 'utf8')).engineVersion, '0.2.0')
    assert.equal(resolve(target, await readlink(join(target, 'node_modules'))), join(appRoot, 'node_modules'))
  })

  it('reuses a complete install, and replaces one whose files were changed', async () => {
    const dataDir = join(dir, 'data-reuse')
    await installEngineBundle({ bundlePath: bundle.path, dataDir, appRoot })
    const again = await installEngineBundle({ bundlePath: bundle.path, dataDir, appRoot })
    assert.equal(again.fresh, false)
    const version = join(installDirectory(dataDir, bundle.sha256), 'node-core', 'engine', 'version.ts')
    await writeFile(version, 'export const ENGINE_VERSION = \'6.6.6\'\n')
    const repaired = await installEngineBundle({ bundlePath: bundle.path, dataDir, appRoot })
    assert.equal(repaired.fresh, true)
    assert.match(await readFile(version, 'utf8'), /'0\.2\.0'/)
    assert.deepEqual(await readdir(join(dataDir, 'engines')), [bundle.sha256])
  })

  it('refuses a candidate that needs packages the app does not have, naming them, and installs nothing', async () => {
    const dataDir = join(dir, 'data-deps')
    const zod = lockfile.packages['node_modules/zod']
    assert.ok(zod?.version !== undefined)
    const otherZod: Lockfile = { ...lockfile, packages: { ...lockfile.packages, 'node_modules/zod': { ...zod, integrity: 'sha512-' + 'A'.repeat(86) + '==' } } }
    const otherApp = await makeAppRoot(dir, 'app-other-zod', otherZod)
    await assert.rejects(installEngineBundle({ bundlePath: bundle.path, dataDir, appRoot: otherApp }), (err: Error) => {
      assert.ok(err instanceof MissingDependenciesError)
      assert.equal(err.message, `this candidate needs packages this app does not have: zod@${zod.version}`)
      return true
    })
    const root = lockfile.packages['']
    const noMainEvent: Lockfile = {
      ...lockfile,
      packages: { ...lockfile.packages, '': { ...root, dependencies: Object.fromEntries(Object.entries(root?.dependencies ?? {}).filter(([name]) => name !== 'main-event')) } }
    }
    const olderApp = await makeAppRoot(dir, 'app-without-main-event', noMainEvent)
    await assert.rejects(installEngineBundle({ bundlePath: bundle.path, dataDir, appRoot: olderApp }), /needs packages this app does not have: main-event/)
    await assert.rejects(readdir(join(dataDir, 'engines')), { code: 'ENOENT' })
  })

  it('refuses a tampered bundle before anything is written', async () => {
    const dataDir = join(dir, 'data-tampered')
    const entries = readTar(new Uint8Array(gunzipSync(bundle.bytes))).filter(entry => entry.type === 'file')
    const tampered = entries.map(entry => entry.path === 'node-core/engine/version.ts'
      ? { path: entry.path, bytes: new TextEncoder().encode(new TextDecoder().decode(entry.bytes).replace('0.2.0', '0.2.1')) }
      : { path: entry.path, bytes: entry.bytes })
    const path = join(dir, 'tampered.tar.gz')
    await writeFile(path, deterministicGzip(writeTar(tampered)))
    await assert.rejects(installEngineBundle({ bundlePath: path, dataDir, appRoot }), { name: 'BundleFileMismatchError', message: /node-core\/engine\/version\.ts has SHA-256/ })
    await assert.rejects(readdir(join(dataDir, 'engines')), { code: 'ENOENT' })
  })

  it('refuses a bundle that is not the one its release names, and a path with no bundle', async () => {
    const dataDir = join(dir, 'data-digest')
    await assert.rejects(installEngineBundle({ bundlePath: bundle.path, dataDir, appRoot, expectedSha256: '0'.repeat(64) }), BundleDigestMismatchError)
    await assert.rejects(installEngineBundle({ bundlePath: join(dir, 'nothing.tar.gz'), dataDir, appRoot }), BundleUnreadableError)
    await assert.rejects(installEngineBundle({ bundlePath: dir, dataDir, appRoot }), { name: 'BundleUnreadableError', message: /is a directory/ })
  })
})
