// The engine's runtime dependency closure, read from package-lock.json: the packages the engine
// imports and everything they need at run time, each pinned by version and tarball integrity.
// Packages are resolved the way Node resolves them in the tree npm lays out: from a package's own
// node_modules up through its parents' to the root's.
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { dependencyKey, type BundleDependency } from './manifest.ts'

export class LockfileError extends namedError('LockfileError') {}
export class UndeclaredDependencyError extends namedError('UndeclaredDependencyError') {}

const DependencyMapSchema = z.record(z.string(), z.string())

const LockEntrySchema = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  integrity: z.string().optional(),
  link: z.boolean().optional(),
  inBundle: z.boolean().optional(),
  dependencies: DependencyMapSchema.optional(),
  devDependencies: DependencyMapSchema.optional(),
  optionalDependencies: DependencyMapSchema.optional(),
  peerDependencies: DependencyMapSchema.optional(),
  peerDependenciesMeta: z.record(z.string(), z.looseObject({ optional: z.boolean().optional() })).optional()
})
type LockEntry = z.infer<typeof LockEntrySchema>

export const LockfileSchema = z.looseObject({
  // Versions 2 and 3 both carry the `packages` tree keyed by install location.
  lockfileVersion: z.union([z.literal(2), z.literal(3)]),
  packages: z.record(z.string(), LockEntrySchema)
})

export interface RuntimeDependencies {
  /** The packages the engine imports, at the exact versions the root installs, sorted by name. */
  readonly direct: ReadonlyArray<{ name: string, version: string }>
  /** Every package the engine can load at run time, sorted by name and version. */
  readonly closure: readonly BundleDependency[]
  /** The root project's `engines` field, if any. */
  readonly engines: Readonly<Record<string, string>> | undefined
}

function nameAt (location: string): string {
  return location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length)
}

/** Where `name` is found from the package installed at `location` ('' is the root). */
function resolveFrom (packages: Readonly<Record<string, LockEntry>>, location: string, name: string): string | undefined {
  let base = location
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`
    if (packages[candidate] !== undefined) return candidate
    if (base === '') return undefined
    const parent = base.lastIndexOf('/node_modules/')
    base = parent === -1 ? '' : base.slice(0, parent)
  }
}

/** The strongest SRI hash npm recorded (it may record several, separated by spaces). */
function strongestIntegrity (location: string, integrity: string | undefined): string {
  const hashes = integrity?.split(/\s+/) ?? []
  for (const algorithm of ['sha512-', 'sha384-', 'sha256-']) {
    const hash = hashes.find(candidate => candidate.startsWith(algorithm))
    if (hash !== undefined) return hash
  }
  throw new LockfileError(`${location} has no sha256/384/512 integrity in package-lock.json (found ${JSON.stringify(integrity ?? '')}); reinstall it so npm records one`)
}

/** What the package at `location` needs at run time: [name, required]. */
function needs (entry: LockEntry): Array<[string, boolean]> {
  return [
    ...Object.keys(entry.dependencies ?? {}).map((name): [string, boolean] => [name, true]),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name): [string, boolean] => [name, false]),
    ...Object.keys(entry.peerDependencies ?? {}).map((name): [string, boolean] => [name, entry.peerDependenciesMeta?.[name]?.optional !== true])
  ]
}

export function runtimeDependencies (lockfile: unknown, imported: readonly string[]): RuntimeDependencies {
  const parsed = LockfileSchema.safeParse(lockfile)
  if (!parsed.success) throw new LockfileError(`package-lock.json is not an npm v2/v3 lockfile: ${z.prettifyError(parsed.error)}`)
  const { packages } = parsed.data
  const root = packages['']
  if (root === undefined) throw new LockfileError('package-lock.json has no root package entry')

  const direct: Array<{ name: string, version: string }> = []
  const queue: string[] = []
  for (const name of [...imported].sort()) {
    if (root.dependencies?.[name] === undefined) {
      const hint = root.devDependencies?.[name] !== undefined ? ' (it is only a devDependency)' : ''
      throw new UndeclaredDependencyError(`the engine imports ${name}, which is not a runtime dependency of the project${hint}`)
    }
    const location = resolveFrom(packages, '', name)
    const version = location === undefined ? undefined : packages[location]?.version
    if (location === undefined || version === undefined) throw new LockfileError(`${name} is not installed in package-lock.json; run npm install`)
    direct.push({ name, version })
    queue.push(location)
  }

  const closure = new Map<string, BundleDependency>()
  const visited = new Set<string>()
  for (let location = queue.shift(); location !== undefined; location = queue.shift()) {
    if (visited.has(location)) continue
    visited.add(location)
    const entry = packages[location]
    if (entry === undefined) throw new LockfileError(`${location} is missing from package-lock.json`)
    // A bundled dependency ships inside its parent's tarball, which the parent's integrity pins.
    if (entry.inBundle === true) continue
    if (entry.link === true) throw new LockfileError(`${location} is a linked package; a bundle can only pin packages from the registry`)
    if (entry.name !== undefined && entry.name !== nameAt(location)) throw new LockfileError(`${location} is an alias of ${entry.name}; aliases are not supported`)
    if (entry.version === undefined) throw new LockfileError(`${location} has no version in package-lock.json`)
    const dependency = { name: nameAt(location), version: entry.version, integrity: strongestIntegrity(location, entry.integrity) }
    const earlier = closure.get(dependencyKey(dependency))
    if (earlier !== undefined && earlier.integrity !== dependency.integrity) throw new LockfileError(`${dependencyKey(dependency)} has two different integrities in package-lock.json`)
    closure.set(dependencyKey(dependency), dependency)
    for (const [name, required] of needs(entry)) {
      const found = resolveFrom(packages, location, name)
      if (found !== undefined) queue.push(found)
      else if (required) throw new LockfileError(`${location} needs ${name}, which package-lock.json does not install; run npm install`)
    }
  }
  const engines = z.record(z.string(), z.string()).optional().safeParse(root['engines'])
  if (!engines.success) throw new LockfileError(`the root package's engines field is not a map of strings: ${z.prettifyError(engines.error)}`)
  const sorted = [...closure.values()].sort((a, b) => dependencyKey(a) < dependencyKey(b) ? -1 : 1)
  return { direct, closure: sorted, engines: engines.data }
}
