// The manifest inside every engine bundle (DESIGN §3): what the engine is, what it speaks, which
// eras and data format it supports, where it starts, and a hash of every file and dependency, so
// a host can judge a bundle before running it and builders can compare what they built.
import { z } from 'zod'
import { assertSafeTarPath } from './tar.ts'

export const BUNDLE_FORMAT = 1
/** The manifest's own path inside the archive; it is the one file the manifest does not list. */
export const MANIFEST_PATH = 'manifest.json'

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/
// npm's integrity strings are Subresource Integrity values; sha1 is too weak to pin a release.
const INTEGRITY = /^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$/
// npm package names: optional @scope/, lower case, URL-safe.
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/

function isSafePath (path: string): boolean {
  try {
    assertSafeTarPath(path)
    return true
  } catch {
    return false
  }
}

function isStrictlySorted<T> (items: readonly T[], key: (item: T) => string): boolean {
  return items.every((item, index) => index === 0 || key(items[index - 1] as T) < key(item))
}

const BundlePathSchema = z.string().refine(isSafePath, { message: 'expected a relative path of portable segments without . or ..' })

export const BundleFileSchema = z.object({
  path: BundlePathSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative()
}).strict()
export type BundleFile = z.infer<typeof BundleFileSchema>

export const BundleProtocolSchema = z.object({
  /** The libp2p protocol id without its version, e.g. `/vault/chunk`. */
  id: z.string().regex(/^(\/[a-z0-9-]+)+$/),
  version: z.string().regex(SEMVER)
}).strict()
export type BundleProtocol = z.infer<typeof BundleProtocolSchema>

export const BundleDependencySchema = z.object({
  name: z.string().regex(PACKAGE_NAME),
  version: z.string().regex(SEMVER),
  /** The lockfile's integrity of the package tarball, as `npm ci` checks it. */
  integrity: z.string().regex(INTEGRITY)
}).strict()
export type BundleDependency = z.infer<typeof BundleDependencySchema>

export const dependencyKey = (dependency: BundleDependency): string => `${dependency.name}@${dependency.version}`

export const BundleManifestSchema = z.object({
  bundleFormat: z.literal(BUNDLE_FORMAT),
  engineVersion: z.string().regex(SEMVER),
  /** The version of the host-engine RPC (engine-rpc.ts) that the engine speaks. */
  engineRpcVersion: z.number().int().positive(),
  protocols: z.array(BundleProtocolSchema).min(1)
    .refine(protocols => isStrictlySorted(protocols, protocol => protocol.id), { message: 'protocols must be sorted by id, each once' }),
  // DESIGN §2, versions and eras: a release supports at most two eras.
  erasSupported: z.array(z.number().int().positive()).min(1).max(2)
    .refine(eras => eras.every((era, index) => index === 0 || (eras[index - 1] ?? Infinity) < era), { message: 'eras must be ascending, each once' }),
  dataFormatVersion: z.number().int().positive(),
  /** The engine's child-process entry, a path inside the bundle. */
  entryPoint: BundlePathSchema,
  files: z.array(BundleFileSchema).min(1)
    .refine(files => isStrictlySorted(files, file => file.path), { message: 'files must be sorted by path, each once' }),
  dependencies: z.array(BundleDependencySchema)
    .refine(dependencies => isStrictlySorted(dependencies, dependencyKey), { message: 'dependencies must be sorted by name and version, each once' })
}).strict()
  .refine(manifest => manifest.files.some(file => file.path === manifest.entryPoint), { message: 'the entry point is not one of the files', path: ['entryPoint'] })
  .refine(manifest => manifest.files.every(file => file.path !== MANIFEST_PATH), { message: `${MANIFEST_PATH} does not list itself`, path: ['files'] })
export type BundleManifest = z.infer<typeof BundleManifestSchema>

/** The manifest's bytes: validated, keys in schema order, so equal manifests give equal bytes. */
export function encodeManifest (manifest: BundleManifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(BundleManifestSchema.parse(manifest), null, 2) + '\n')
}
