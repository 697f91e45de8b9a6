// Installs a candidate bundle where the shadow runner and the switch can start it (issue 5): the
// bundle is verified against its manifest, refused when it needs packages the app does not have,
// unpacked into a temporary directory and renamed to `<dataDir>/engines/<sha256>/` in one step,
// so an install directory is either complete or absent. Its node_modules is a link to the app's.
import { createHash } from 'node:crypto'
import { lstat, mkdir, mkdtemp, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { namedError } from '../../../contract/named-error.ts'
import { encodeManifest, MANIFEST_PATH, type BundleManifest } from '../../release/bundle/manifest.ts'
import { readEngineBundle, type VerifiedEngineBundle } from '../../release/bundle/read-engine-bundle.ts'
import { syncDirectory } from '../../storage/sync-directory.ts'
import type { RunnableEngine } from '../shadow/shadow-runner.ts'
import { checkBundleDependencies } from './dependency-check.ts'
import { ENGINES_DIR, installDirectory, runnableEngine } from './engine-records.ts'
import type { EngineRecord } from './upgrade-state.ts'

export class BundleDigestMismatchError extends namedError('BundleDigestMismatchError') {}
export class BundleUnreadableError extends namedError('BundleUnreadableError') {}

export interface InstallBundleOptions {
  bundlePath: string
  dataDir: string
  appRoot: string
  /** For a release: the SHA-256 its signed metadata names; the bundle must be exactly that. */
  expectedSha256?: string
}

export interface InstalledBundle {
  record: Extract<EngineRecord, { kind: 'installed' }>
  manifest: BundleManifest
  engine: RunnableEngine
  /** False when a complete install of the same bundle was already there and was reused. */
  fresh: boolean
}

const NODE_MODULES = 'node_modules'
// Windows creates directory symlinks only with a privilege; a junction needs none.
const LINK_TYPE = process.platform === 'win32' ? 'junction' : 'dir'

function sha256Hex (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

async function verifiedBundle (path: string): Promise<VerifiedEngineBundle> {
  try {
    return await readEngineBundle(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BundleUnreadableError(`no bundle at ${path}`)
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw new BundleUnreadableError(`${path} is a directory; give the bundle's .tar.gz file`)
    throw err
  }
}

/** True when every file the manifest lists is in `dir` with its SHA-256. */
async function isCompleteInstall (dir: string, manifest: BundleManifest): Promise<boolean> {
  try {
    for (const file of manifest.files) {
      const bytes = await readFile(join(dir, ...file.path.split('/')))
      if (bytes.length !== file.size || sha256Hex(bytes) !== file.sha256) return false
    }
    return true
  } catch {
    return false
  }
}

/** Points `<dir>/node_modules` at the app's, replacing a stale link in one rename. */
async function linkNodeModules (dir: string, appRoot: string): Promise<void> {
  const link = join(dir, NODE_MODULES)
  const target = resolve(appRoot, NODE_MODULES)
  try {
    if ((await lstat(link)).isSymbolicLink() && resolve(dir, await readlink(link)) === target) return
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const temp = `${link}.tmp-${process.pid}`
  await rm(temp, { force: true, recursive: true })
  await symlink(target, temp, LINK_TYPE)
  await rename(temp, link)
}

async function unpack (bundle: VerifiedEngineBundle, enginesDir: string, appRoot: string): Promise<string> {
  const temp = await mkdtemp(join(enginesDir, `.install-${bundle.sha256.slice(0, 12)}-`))
  try {
    for (const [path, bytes] of bundle.files) {
      const target = join(temp, ...path.split('/'))
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, bytes, { mode: 0o644 })
    }
    await writeFile(join(temp, MANIFEST_PATH), encodeManifest(bundle.manifest), { mode: 0o644 })
    await linkNodeModules(temp, appRoot)
    return temp
  } catch (err) {
    await rm(temp, { recursive: true, force: true })
    throw err
  }
}

/**
 * Verifies the bundle at `bundlePath` and installs it, or reuses a complete install of the same
 * bytes. Throws the bundle reader's own errors for a damaged or tampered bundle,
 * MissingDependenciesError for one that needs packages the app lacks, and
 * BundleDigestMismatchError when it is not the bundle a release named.
 */
export async function installEngineBundle (options: InstallBundleOptions): Promise<InstalledBundle> {
  const bundle = await verifiedBundle(options.bundlePath)
  if (options.expectedSha256 !== undefined && bundle.sha256 !== options.expectedSha256) {
    throw new BundleDigestMismatchError(`the bundle's SHA-256 is ${bundle.sha256}; its release names ${options.expectedSha256}`)
  }
  await checkBundleDependencies(bundle, options.appRoot)
  const record: InstalledBundle['record'] = {
    kind: 'installed',
    engineVersion: bundle.manifest.engineVersion,
    bundleSha256: bundle.sha256,
    entryPoint: bundle.manifest.entryPoint
  }
  const locations = { dataDir: options.dataDir, appRoot: options.appRoot }
  const enginesDir = join(options.dataDir, ENGINES_DIR)
  const finalDir = installDirectory(options.dataDir, bundle.sha256)
  await mkdir(enginesDir, { recursive: true, mode: 0o700 })

  if (await isCompleteInstall(finalDir, bundle.manifest)) {
    await linkNodeModules(finalDir, options.appRoot)
    return { record, manifest: bundle.manifest, engine: runnableEngine(record, locations), fresh: false }
  }
  // Damaged or half-removed by hand: set aside in one rename, then removed.
  const damaged = `${finalDir}.damaged-${process.pid}`
  await rename(finalDir, damaged).then(async () => { await rm(damaged, { recursive: true, force: true }) }, (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
  })
  const temp = await unpack(bundle, enginesDir, options.appRoot)
  try {
    await rename(temp, finalDir)
  } catch (err) {
    await rm(temp, { recursive: true, force: true })
    // Another install of the same bytes won the race; it is complete, since it came by rename.
    const code = (err as NodeJS.ErrnoException).code
    if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !await isCompleteInstall(finalDir, bundle.manifest)) throw err
  }
  await syncDirectory(enginesDir)
  return { record, manifest: bundle.manifest, engine: runnableEngine(record, locations), fresh: true }
}
