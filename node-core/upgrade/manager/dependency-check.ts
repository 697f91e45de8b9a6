// An installed bundle runs on the app's own node_modules (build-engine.ts: packages are pinned in
// the manifest, never vendored). So a candidate may run only when the packages it would load from
// the app's tree are exactly the ones its manifest pins, by version and tarball integrity.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { LockfileSchema, runtimeDependencies } from '../../release/bundle/lockfile.ts'
import { dependencyKey, type BundleDependency } from '../../release/bundle/manifest.ts'
import type { VerifiedEngineBundle } from '../../release/bundle/read-engine-bundle.ts'

export class MissingDependenciesError extends namedError('MissingDependenciesError') {}
export class DependencyMismatchError extends namedError('DependencyMismatchError') {}
export class AppLockfileError extends namedError('AppLockfileError') {}

const BundlePackageJsonSchema = z.looseObject({ dependencies: z.record(z.string(), z.string()).default({}) })

const pinned = (dependency: BundleDependency): string => `${dependencyKey(dependency)} ${dependency.integrity}`

/** The packages the bundle imports by name: its generated package.json pins them exactly. */
function directImports (bundle: VerifiedEngineBundle): string[] {
  const bytes = bundle.files.get('package.json')
  if (bytes === undefined) return []
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw new DependencyMismatchError('the candidate\'s package.json is not JSON, so its packages cannot be checked')
  }
  const parsed = BundlePackageJsonSchema.safeParse(json)
  if (!parsed.success) throw new DependencyMismatchError(`the candidate's package.json is malformed: ${z.prettifyError(parsed.error)}`)
  return Object.keys(parsed.data.dependencies)
}

/**
 * Throws MissingDependenciesError naming every pinned package the app's tree does not provide,
 * or DependencyMismatchError when the app's tree would load packages the manifest does not pin.
 */
export async function checkBundleDependencies (bundle: VerifiedEngineBundle, appRoot: string): Promise<void> {
  let lockfile: unknown
  try {
    lockfile = JSON.parse(await readFile(join(appRoot, 'package-lock.json'), 'utf8'))
  } catch (err) {
    throw new AppLockfileError(`this app's package-lock.json cannot be read, so a candidate's packages cannot be checked: ${err instanceof Error ? err.message : String(err)}`)
  }
  const lock = LockfileSchema.safeParse(lockfile)
  if (!lock.success) throw new AppLockfileError(`this app's package-lock.json is not an npm v2/v3 lockfile: ${z.prettifyError(lock.error)}`)
  const imported = directImports(bundle)
  const available = new Set<string>()
  const loaded: BundleDependency[] = []
  const missingImports: string[] = []
  for (const name of imported) {
    try {
      for (const dependency of runtimeDependencies(lockfile, [name]).closure) {
        if (!available.has(pinned(dependency))) loaded.push(dependency)
        available.add(pinned(dependency))
      }
    } catch {
      // The app does not ship this package as a runtime dependency at all.
      missingImports.push(name)
    }
  }
  const wanted = new Set(bundle.manifest.dependencies.map(pinned))
  const missing = bundle.manifest.dependencies.filter(dependency => !available.has(pinned(dependency)))
  const missingNames = [...new Set([...missingImports, ...missing.map(dependencyKey)])]
  if (missingNames.length > 0) {
    throw new MissingDependenciesError(`this candidate needs packages this app does not have: ${missingNames.join(', ')}`)
  }
  const unpinned = loaded.filter(dependency => !wanted.has(pinned(dependency)))
  if (unpinned.length > 0) {
    throw new DependencyMismatchError(`this candidate would load packages its manifest does not pin: ${unpinned.map(dependencyKey).join(', ')}`)
  }
}
