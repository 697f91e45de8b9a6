// Builds the engine bundle: the unit that is released, attested by builders, distributed and run
// (DESIGN §3, reproducible builds). The bundle is a gzipped ustar archive of the engine's
// TypeScript sources as they are (Node 24 runs them by stripping types), a generated package.json
// and a manifest. Its bytes depend only on the source tree's content: sorted entries, fixed times,
// modes and owners, paths relative to the source root, and a gzip header without time or OS.
//
// node_modules is not vendored into the archive: the libp2p stack alone is tens of megabytes.
// Instead every package the engine can load at run time is pinned in the manifest by version and
// by the tarball integrity that package-lock.json records, and the generated package.json pins
// the direct ones exactly. A builder who runs `npm ci` installs exactly those packages, and since
// the archive never includes them its bytes match every other builder's.
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { constants as zlibConstants, gzipSync } from 'node:zlib'
import { namedError } from '../../../contract/named-error.ts'
import { importGraph } from './import-graph.ts'
import { runtimeDependencies } from './lockfile.ts'
import { BUNDLE_FORMAT, BundleManifestSchema, encodeManifest, MANIFEST_PATH, type BundleManifest, type BundleProtocol } from './manifest.ts'
import { exportedConstant, exportedConstants, SourceConstantError, type ConstantValue } from './source-constants.ts'
import { writeTar, type TarFile } from './tar.ts'

export class SourceLineEndingError extends namedError('SourceLineEndingError') {}

/** The engine's child-process entry (the host forks it), relative to the source root. */
export const ENGINE_ENTRY_POINT = 'node-core/engine/engine-main.ts'
/** Files the engine loads by a URL computed at run time, by the file that loads them. */
export const ENGINE_RUNTIME_LOADS: Readonly<Record<string, readonly string[]>> = {
  'node-core/engine/identity/grind.ts': ['node-core/engine/identity/grind-worker.ts']
}
const VERSION_FILE = 'node-core/engine/version.ts'
const ERAS_FILE = 'node-core/engine/eras.ts'
const RPC_FILE = 'node-core/engine/rpc/engine-rpc.ts'
const LOCKFILE = 'package-lock.json'
const BUNDLE_PACKAGE_JSON = 'package.json'
const BUNDLE_PACKAGE_NAME = 'vault-engine'

// Level 0: stored (uncompressed) deflate blocks. Independent builders must produce identical
// bytes, and compressed output is not portable: Node ships Chromium's zlib, whose deflate hashes
// with CRC32C on CPUs with SSE4.2 or ARMv8 CRC32 and with zlib's Rabin-Karp hash otherwise
// (deps/zlib/contrib/optimizations/insert_string.h), so the same input compresses differently on
// different machines. Stored blocks depend only on the input; the engine sources are small (about
// 100 KB stored against 33 KB compressed), so reproducibility wins.
export const GZIP_OPTIONS = {
  level: 0,
  memLevel: 8,
  windowBits: 15,
  strategy: zlibConstants.Z_DEFAULT_STRATEGY,
  chunkSize: 64 * 1024
} as const
/** RFC 1952 §2.3.1: OS 255 is "unknown"; zlib writes the OS it was compiled for. */
const GZIP_OS_UNKNOWN = 0xff

export interface EngineBundle {
  /** The .tar.gz bytes. */
  readonly bytes: Uint8Array
  /** SHA-256 of `bytes`, lower-case hex: what builders attest and vaults compare. */
  readonly sha256: string
  readonly manifest: BundleManifest
}

export interface BuiltEngineBundle {
  readonly path: string
  readonly sha256: string
  readonly manifest: BundleManifest
}

export interface BuildEngineBundleOptions {
  /** Where the archive is written; created if missing. */
  readonly outDir: string
  /** The checkout to bundle: holds node-core/, contract/ and package-lock.json. */
  readonly sourceRoot: string
}

function sha256Hex (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function jsonBytes (value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n')
}

/** gzip with fixed options; the header then holds no time (Node writes 0) and no OS. */
export function deterministicGzip (archive: Uint8Array): Uint8Array {
  const compressed = new Uint8Array(gzipSync(archive, GZIP_OPTIONS))
  // RFC 1952 §2.3: ID1 ID2 CM FLG MTIME(4) XFL OS. Refuse a zlib that adds a name or a time.
  if (compressed[0] !== 0x1f || compressed[1] !== 0x8b || compressed[3] !== 0 || compressed.subarray(4, 8).some(byte => byte !== 0)) {
    throw new Error('node:zlib wrote a gzip header with flags or a time; the bundle would not be reproducible')
  }
  compressed[9] = GZIP_OS_UNKNOWN
  return compressed
}

async function readSourceBytes (sourceRoot: string, path: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(join(sourceRoot, ...path.split('/'))))
  // A checkout with CRLF line endings (git core.autocrlf on Windows) would bundle other bytes.
  if (bytes.includes(0x0d)) throw new SourceLineEndingError(`${path} contains carriage returns; check the tree out with LF line endings (git config core.autocrlf false)`)
  return bytes
}

function asString (value: unknown, fileName: string, name: string): string {
  if (typeof value !== 'string') throw new SourceConstantError(`${fileName}: ${name} is not a string`)
  return value
}

function asNumber (value: unknown, fileName: string, name: string): number {
  if (typeof value !== 'number') throw new SourceConstantError(`${fileName}: ${name} is not a number`)
  return value
}

/** Every `*_PROTOCOL` export of version.ts, `/vault/chunk/1.0.0` → { id: '/vault/chunk', version: '1.0.0' }. */
function protocolsOf (constants: ReadonlyMap<string, ConstantValue>): BundleProtocol[] {
  const protocols = [...constants].filter(([name]) => name.endsWith('_PROTOCOL')).map(([name, value]) => {
    const id = asString(value, VERSION_FILE, name)
    const slash = id.lastIndexOf('/')
    return { id: id.slice(0, slash), version: id.slice(slash + 1) }
  })
  return protocols.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

async function engineFacts (sourceRoot: string): Promise<Pick<BundleManifest, 'engineVersion' | 'engineRpcVersion' | 'protocols' | 'erasSupported' | 'dataFormatVersion'>> {
  const read = async (file: string): Promise<Map<string, ConstantValue>> => exportedConstants(file, await readFile(join(sourceRoot, ...file.split('/')), 'utf8'))
  const version = await read(VERSION_FILE)
  const eras = await read(ERAS_FILE)
  const rpc = await read(RPC_FILE)
  const erasSupported = exportedConstant(eras, ERAS_FILE, 'SUPPORTED_ERAS')
  if (!Array.isArray(erasSupported) || !erasSupported.every(era => typeof era === 'number')) throw new SourceConstantError(`${ERAS_FILE}: SUPPORTED_ERAS is not a list of numbers`)
  return {
    engineVersion: asString(exportedConstant(version, VERSION_FILE, 'ENGINE_VERSION'), VERSION_FILE, 'ENGINE_VERSION'),
    engineRpcVersion: asNumber(exportedConstant(rpc, RPC_FILE, 'ENGINE_RPC_VERSION'), RPC_FILE, 'ENGINE_RPC_VERSION'),
    protocols: protocolsOf(version),
    erasSupported: erasSupported.map(era => asNumber(era, ERAS_FILE, 'SUPPORTED_ERAS')),
    dataFormatVersion: asNumber(exportedConstant(eras, ERAS_FILE, 'DATA_FORMAT_VERSION'), ERAS_FILE, 'DATA_FORMAT_VERSION')
  }
}

/** Assembles the bundle in memory from the checkout at `sourceRoot`. */
export async function assembleEngineBundle (sourceRoot: string): Promise<EngineBundle> {
  const root = resolve(sourceRoot)
  const graph = await importGraph({ sourceRoot: root, entries: [ENGINE_ENTRY_POINT], runtimeLoads: ENGINE_RUNTIME_LOADS })
  const lockfile: unknown = JSON.parse(await readFile(join(root, LOCKFILE), 'utf8'))
  const dependencies = runtimeDependencies(lockfile, graph.packages)
  const facts = await engineFacts(root)

  const packageJson = jsonBytes({
    name: BUNDLE_PACKAGE_NAME,
    version: facts.engineVersion,
    private: true,
    type: 'module',
    ...(dependencies.engines === undefined ? {} : { engines: dependencies.engines }),
    dependencies: Object.fromEntries(dependencies.direct.map(({ name, version }) => [name, version]))
  })
  const files: TarFile[] = [
    ...await Promise.all(graph.files.map(async path => ({ path, bytes: await readSourceBytes(root, path) }))),
    { path: BUNDLE_PACKAGE_JSON, bytes: packageJson }
  ].sort((a, b) => a.path < b.path ? -1 : 1)

  const manifest = BundleManifestSchema.parse({
    bundleFormat: BUNDLE_FORMAT,
    ...facts,
    entryPoint: ENGINE_ENTRY_POINT,
    files: files.map(file => ({ path: file.path, sha256: sha256Hex(file.bytes), size: file.bytes.length })),
    dependencies: [...dependencies.closure]
  } satisfies BundleManifest)
  const archive = writeTar([...files, { path: MANIFEST_PATH, bytes: encodeManifest(manifest) }])
  const bytes = deterministicGzip(archive)
  return { bytes, sha256: sha256Hex(bytes), manifest }
}

/** The archive's file name: the engine version, so bundles of different versions sit side by side. */
export function bundleFileName (manifest: Pick<BundleManifest, 'engineVersion'>): string {
  return `vault-engine-${manifest.engineVersion}.tar.gz`
}

/** Builds the bundle of the checkout at `sourceRoot` and writes it atomically into `outDir`. */
export async function buildEngineBundle (options: BuildEngineBundleOptions): Promise<BuiltEngineBundle> {
  const bundle = await assembleEngineBundle(options.sourceRoot)
  await mkdir(options.outDir, { recursive: true })
  const path = join(resolve(options.outDir), bundleFileName(bundle.manifest))
  const temp = `${path}.tmp-${process.pid}`
  try {
    await writeFile(temp, bundle.bytes)
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  return { path, sha256: bundle.sha256, manifest: bundle.manifest }
}
