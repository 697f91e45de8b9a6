// Real engine bundles for the manager's tests: assembled from a copy of this checkout, with the
// engine version changed when a test needs a newer candidate, next to a stand-in app root.
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assembleEngineBundle } from '../../node-core/release/bundle/build-engine.ts'
import type { BundleManifest } from '../../node-core/release/bundle/manifest.ts'
import { ENGINE_VERSION } from '../../node-core/engine/version.ts'

export const repo = fileURLToPath(new URL('../../', import.meta.url))
/** What a bundle is built from (build-engine.ts reads the same parts of a checkout). */
const CHECKOUT_PARTS = ['node-core', 'contract', 'package-lock.json']

export interface BundleFile {
  path: string
  sha256: string
  bytes: Uint8Array
  manifest: BundleManifest
}

/** Builds a bundle of this checkout with `engineVersion`, written to `<dir>/<label>.tar.gz`. */
export async function buildBundleFile (dir: string, label: string, engineVersion: string = ENGINE_VERSION): Promise<BundleFile> {
  const checkout = await mkdtemp(join(dir, `checkout-${label}-`))
  for (const part of CHECKOUT_PARTS) await cp(join(repo, part), join(checkout, part), { recursive: true })
  const versionFile = join(checkout, 'node-core', 'engine', 'version.ts')
  const source = await readFile(versionFile, 'utf8')
  const anchor = `export const ENGINE_VERSION = '${ENGINE_VERSION}'`
  if (!source.includes(anchor)) throw new Error(`version.ts no longer holds ${anchor}`)
  await writeFile(versionFile, source.replace(anchor, `export const ENGINE_VERSION = '${engineVersion}'`))
  const bundle = await assembleEngineBundle(checkout)
  const path = join(dir, `${label}.tar.gz`)
  await writeFile(path, bundle.bytes)
  return { path, sha256: bundle.sha256, bytes: bundle.bytes, manifest: bundle.manifest }
}

/** An app root as the host sees it: this checkout's lockfile (or `lockfile`) and node_modules. */
export async function makeAppRoot (dir: string, name = 'app', lockfile?: unknown): Promise<string> {
  const root = join(dir, name)
  await mkdir(root, { recursive: true })
  const lock = lockfile ?? JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8'))
  await writeFile(join(root, 'package-lock.json'), JSON.stringify(lock, null, 2))
  await symlink(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir')
  return root
}
