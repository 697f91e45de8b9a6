// `vault release ...`: the maintainers' and builders' tooling (DESIGN §3.1-3.3, §6) and a client's
// check of a release. Keys are files their holders keep; only keyids and paths are printed.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { attestBundle, readAttestation, readPinnedBuilders, writeAttestation } from '../../release/attestations.ts'
import { generateReleaseKey, readKeyFile, readPublicKeyFile, writeKeyFile, writePublicKeyFile } from '../../release/keys.ts'
import { ReleaseClient, type PublishedThroughClient } from '../../release/network/release-client.ts'
import { ReleaseDescriptionSchema } from '../../release/release-custom.ts'
import { DirectorySource } from '../../release/release-source.ts'
import { RoleNameSchema, TOP_ROLES, type TopRole } from '../../release/metadata.ts'
import {
  addTarget, initRepository, loadRepository, publishRelease, renewRole, rotateRoot, saveRepository, signRole, thresholdStatus,
  type RoleChange, type RoleSpec
} from '../../release/repository.ts'
import { TRUSTED_ROOT_FILE, verifyRelease, type ReleaseVerdict } from '../../release/verify-release.ts'
import { CliFailure, EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-errors.ts'
import { parseInteger, parseNumber } from '../parse.ts'

export const RELEASE_USAGE = 'vault release init|keygen|rotate|sign|attest|add-target|publish|verify ... (vault release help)'

const HELP = `vault release: release metadata (The Update Framework) and builder attestations

Maintainers
  vault release init --repo DIR --keys DIR [--root K-of-N] [--targets K-of-N] [--snapshot K-of-N]
                     [--timestamp K-of-N] [--expires ROLE=DAYS]...
      a repository with N fresh keys per role (defaults: root and targets 2-of-3, snapshot and
      timestamp 1-of-1), one owner-only key file each in the keys directory
  vault release keygen --out FILE [--label TEXT]
      a key (for a builder, or to add to a role), and FILE's public half as FILE.pub.json
  vault release rotate --repo DIR [--add ROLE=PUBLIC_KEY_FILE]... [--remove ROLE=KEYID]... [--threshold ROLE=K]...
      stages root N+1; it needs a threshold of root N's root keys and of its own; removed keys are revoked
  vault release sign --repo DIR --role ROLE --key FILE... [--renew]
      adds signatures (--renew first makes a new version with a fresh expiry)
  vault release add-target --repo DIR --bundle FILE --release FILE [--name NAME] [--attestation FILE]...
      stages a new targets version with the bundle; --release is JSON: engineVersion, protocols, eras,
      dataFormatVersion, rollout {seed, start, durationSeconds}, egress {allowedHosts} (none by default)
  vault release publish --repo DIR --out DIR --key FILE... [--network --bootstrap MULTIADDR... [--timeout S] [--json]]
      checks every threshold, re-signs snapshot and timestamp with the keys given, and writes the
      directory clients read. With --network it then stores that directory in the network as
      chunks (4 copies each, on the closest vaults found through the bootstrap vaults) and
      announces a release pointer signed by the timestamp keys given; progress goes to stderr,
      the index address and pointer version to stdout. --timeout bounds discovery and each
      request (default 10 s). Without --network, serve or copy the directory (a mirror is never trusted).
Builders
  vault release attest --bundle FILE --engine-version VERSION --key FILE --out FILE
      signs the SHA-256 of a bundle you built yourself
Clients
  vault release verify --trusted DIR --from DIR --builders FILE [--root FILE] [--target NAME]
                       [--download DIR] [--json]
      TUF checks, then the pinned builders' attestations; exit 0 verified, 1 rejected. --root
      installs the pinned root into an empty trusted directory.
`

export interface Output { write (text: string): unknown }

function required (values: Record<string, unknown>, name: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}

function strings (value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

function parseRole (flag: string, value: string): TopRole {
  const role = RoleNameSchema.safeParse(value)
  if (!role.success) throw new UsageError(`--${flag} expects a role (${TOP_ROLES.join(', ')}), got "${value}"`)
  return role.data
}

/** `ROLE=VALUE`, as --add, --remove, --threshold and --expires take it. */
function roleAssignment (flag: string, text: string): [TopRole, string] {
  const at = text.indexOf('=')
  if (at <= 0 || at === text.length - 1) throw new UsageError(`--${flag} expects ROLE=VALUE, got "${text}"`)
  return [parseRole(flag, text.slice(0, at)), text.slice(at + 1)]
}

function parseRoleSpec (flag: string, value: string | undefined, fallback: RoleSpec): RoleSpec {
  if (value === undefined) return fallback
  const match = /^(\d{1,2})-of-(\d{1,2})$/.exec(value)
  const spec = match === null ? undefined : { k: Number(match[1]), n: Number(match[2]) }
  if (spec === undefined || spec.k < 1 || spec.k > spec.n) throw new UsageError(`--${flag} expects K-of-N with 1 <= K <= N, got "${value}"`)
  return spec
}

const short = (keyid: string): string => keyid.slice(0, 12)

async function init (args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args, strict: true,
    options: { repo: { type: 'string' }, keys: { type: 'string' }, root: { type: 'string' }, targets: { type: 'string' }, snapshot: { type: 'string' }, timestamp: { type: 'string' }, expires: { type: 'string', multiple: true } }
  })
  const expiries: Partial<Record<TopRole, number>> = {}
  for (const text of strings(values.expires)) {
    const [role, days] = roleAssignment('expires', text)
    expiries[role] = (parseInteger('expires', days, 1, 3650) ?? 1) * 24 * 3600
  }
  const roles: Record<TopRole, RoleSpec> = {
    root: parseRoleSpec('root', values.root, { k: 2, n: 3 }),
    targets: parseRoleSpec('targets', values.targets, { k: 2, n: 3 }),
    snapshot: parseRoleSpec('snapshot', values.snapshot, { k: 1, n: 1 }),
    timestamp: parseRoleSpec('timestamp', values.timestamp, { k: 1, n: 1 })
  }
  const keysDir = resolve(required(values, 'keys'))
  const { repository, keys } = await initRepository({ dir: resolve(required(values, 'repo')), keysDir, roles, expiries })
  out.write(`created release repository ${repository.dir} (root v1)\n`)
  for (const role of TOP_ROLES) {
    out.write(`  ${role.padEnd(9)} ${roles[role].k} of ${roles[role].n}: ${keys[role].map(key => `${short(key.keyid)} (${join(keysDir, `${key.label}.json`)})`).join(', ')}\n`)
  }
  out.write('hand each key file to its holder and keep it offline; snapshot and timestamp keys sign at publish\n')
  return EXIT_OK
}

async function keygen (args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { out: { type: 'string' }, label: { type: 'string', default: '' } } })
  const file = resolve(required(values, 'out'))
  const publicFile = file.replace(/(\.json)?$/, '.pub.json')
  const key = generateReleaseKey(values.label)
  await writeKeyFile(file, key)
  await writePublicKeyFile(publicFile, key)
  out.write(`key ${key.keyid}\n  private: ${file} (owner-only; keep it offline)\n  public:  ${publicFile}\n`)
  return EXIT_OK
}

async function rotate (args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args, strict: true,
    options: { repo: { type: 'string' }, add: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true }, threshold: { type: 'string', multiple: true } }
  })
  const repo = await loadRepository(resolve(required(values, 'repo')))
  const changes: Partial<Record<TopRole, RoleChange>> = {}
  const change = (role: TopRole): RoleChange => (changes[role] ??= {})
  for (const text of strings(values.add)) {
    const [role, file] = roleAssignment('add', text)
    const entry = change(role)
    entry.add = [...(entry.add ?? []), await readPublicKeyFile(resolve(file))]
  }
  for (const text of strings(values.remove)) {
    const [role, keyid] = roleAssignment('remove', text)
    const entry = change(role)
    entry.remove = [...(entry.remove ?? []), keyid]
  }
  for (const text of strings(values.threshold)) {
    const [role, k] = roleAssignment('threshold', text)
    change(role).threshold = parseInteger('threshold', k, 1, 32)
  }
  if (Object.keys(changes).length === 0) throw new UsageError('rotate needs at least one --add, --remove or --threshold (to renew root\'s expiry: vault release sign --role root --renew)')
  const root = rotateRoot(repo, { changes })
  await saveRepository(repo)
  out.write(`staged root v${root.signed.version}; ${thresholdStatus(repo, 'root').detail}\n`)
  out.write('sign it with: vault release sign --role root --key FILE (old and new root keys)\n')
  return EXIT_OK
}

async function sign (args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { repo: { type: 'string' }, role: { type: 'string' }, key: { type: 'string', multiple: true }, renew: { type: 'boolean', default: false } } })
  const role = parseRole('role', required(values, 'role'))
  const keyFiles = strings(values.key)
  if (keyFiles.length === 0) throw new UsageError('--key is required (a private key file; repeat it for several keys)')
  const repo = await loadRepository(resolve(required(values, 'repo')))
  const keys = await Promise.all(keyFiles.map(async file => await readKeyFile(resolve(file))))
  if (values.renew) {
    if (role !== 'root' && role !== 'targets') throw new UsageError('--renew is for root and targets; publish renews snapshot and timestamp')
    renewRole(repo, role)
  }
  const status = signRole(repo, role, keys)
  await saveRepository(repo)
  out.write(`signed ${role} v${status.version} with ${keys.map(key => short(key.keyid)).join(', ')}; ${status.detail}${status.satisfied ? ' (threshold met)' : ''}\n`)
  return EXIT_OK
}

async function attest (args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { bundle: { type: 'string' }, 'engine-version': { type: 'string' }, key: { type: 'string' }, out: { type: 'string' } } })
  const key = await readKeyFile(resolve(required(values, 'key')))
  const attestation = await attestBundle(resolve(required(values, 'bundle')), required(values, 'engine-version'), key)
  const file = resolve(required(values, 'out'))
  await writeAttestation(file, attestation)
  out.write(`attested SHA-256 ${attestation.bundleSha256} (engine ${attestation.engineVersion}) as builder ${short(key.keyid)}; wrote ${file}\n`)
  return EXIT_OK
}

async function addTargetCommand (args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args, strict: true,
    options: { repo: { type: 'string' }, bundle: { type: 'string' }, release: { type: 'string' }, name: { type: 'string' }, attestation: { type: 'string', multiple: true } }
  })
  const repo = await loadRepository(resolve(required(values, 'repo')))
  const releaseFile = resolve(required(values, 'release'))
  let json: unknown
  try { json = JSON.parse(await readFile(releaseFile, 'utf8')) } catch { throw new CliFailure(`${releaseFile} is not readable JSON`) }
  const release = ReleaseDescriptionSchema.safeParse(json)
  if (!release.success) throw new CliFailure(`${releaseFile} is not a release description: ${z.prettifyError(release.error).replaceAll('\n', '; ')}`)
  const attestations = await Promise.all(strings(values.attestation).map(async file => await readAttestation(resolve(file))))
  const target = await addTarget(repo, { bundlePath: resolve(required(values, 'bundle')), name: values.name, release: release.data, attestations })
  await saveRepository(repo)
  out.write(`staged targets v${repo.targets.signed.version} with ${target.path} (${target.length} bytes, SHA-256 ${target.hashes.sha256 ?? ''}, ${attestations.length} attestation(s))\n`)
  out.write(`sign it with: vault release sign --role targets --key FILE; ${thresholdStatus(repo, 'targets').detail}\n`)
  return EXIT_OK
}

function parseBootstrap (values: string[]): string[] {
  for (const value of values) {
    let address: Multiaddr
    try { address = multiaddr(value) } catch { throw new UsageError(`--bootstrap expects a multiaddr, got "${value}"`) }
    if (address.getComponents().every(component => component.name !== 'p2p')) throw new UsageError(`--bootstrap expects a multiaddr ending in /p2p/PEER_ID, got "${value}"`)
  }
  return values
}

async function publish (args: string[], out: Output, err: Output): Promise<number> {
  const { values } = parseArgs({
    args, strict: true,
    options: {
      repo: { type: 'string' }, out: { type: 'string' }, key: { type: 'string', multiple: true },
      network: { type: 'boolean', default: false }, bootstrap: { type: 'string', multiple: true }, timeout: { type: 'string' }, json: { type: 'boolean', default: false }
    }
  })
  const bootstrap = parseBootstrap(strings(values.bootstrap))
  if (values.network && bootstrap.length === 0) throw new UsageError('--network needs at least one --bootstrap MULTIADDR (a vault to join through)')
  if (!values.network && (bootstrap.length > 0 || values.timeout !== undefined)) throw new UsageError('--bootstrap and --timeout are for --network')
  if (!values.network && values.json) throw new UsageError('--json is for --network')
  const timeoutSeconds = parseNumber('timeout', values.timeout, 1, 600)
  const repo = await loadRepository(resolve(required(values, 'repo')))
  const outDir = resolve(required(values, 'out'))
  const keys = await Promise.all(strings(values.key).map(async file => await readKeyFile(resolve(file))))
  const { files, timestampVersion } = await publishRelease(repo, { outDir, keys })
  const summary = `published timestamp v${timestampVersion}, targets v${repo.targets.signed.version}, root v${repo.roots.length}: ${files.length} files in ${outDir}\n`
  if (!values.network) {
    out.write(summary)
    out.write('to store it in the network: add --network --bootstrap MULTIADDR; or serve or copy this directory (a mirror is never trusted)\n')
    return EXIT_OK
  }
  err.write(summary)
  const client = new ReleaseClient({ bootstrap, ...(timeoutSeconds === undefined ? {} : { timeoutMs: timeoutSeconds * 1000 }) })
  client.addEventListener('publish:discovered', event => { err.write(`found ${event.detail.vaults} vault(s)\n`) })
  client.addEventListener('publish:progress', event => { err.write(`stored chunk ${event.detail.stored}/${event.detail.total} on ${event.detail.holders} vault(s)\n`) })
  client.addEventListener('publish:announced', event => { err.write(`announced the release pointer to ${event.detail.vaults} vault(s)\n`) })
  const timestampKeys = keys.filter(key => repo.roots.at(-1)?.signed.roles.timestamp?.keyIDs.includes(key.keyid) === true)
  let published: PublishedThroughClient
  try {
    published = await client.publish({ releaseDir: outDir, timestampKeys })
  } catch (error) {
    throw new CliFailure(`publishing to the network failed: ${error instanceof Error ? error.message : String(error)}`)
  }
  const result = { indexAddress: published.indexAddress, pointerVersion: published.pointer.pointer.version, chunks: published.chunks, files: published.files, announcedTo: published.announcedTo }
  out.write(values.json
    ? JSON.stringify(result) + '\n'
    : `published to the network: index ${result.indexAddress}, pointer v${result.pointerVersion} (${result.chunks} chunks, ${result.files} files)\n`)
  return EXIT_OK
}

function formatVerdict (verdict: ReleaseVerdict): string {
  if (verdict.verdict === 'rejected') return [`rejected (${verdict.code})`, ...verdict.reasons.map(reason => `  ${reason}`)].join('\n')
  const { release } = verdict
  return [
    `verified ${release.target}: engine ${release.engineVersion}`,
    `  sha256       ${release.sha256} (${release.length} bytes)`,
    `  signed by    ${release.signedBy.map(short).join(', ')} (targets v${release.targetsVersion}, root v${release.rootVersion})`,
    `  attested by  ${release.attestedBy.map(short).join(', ')}`,
    `  eras ${release.custom.eras.join(', ')}, data format ${release.custom.dataFormatVersion}, egress ${release.custom.egress.allowedHosts.join(', ') || 'none'}`,
    ...(verdict.bundlePath === undefined ? [] : [`  bundle       ${verdict.bundlePath}`])
  ].join('\n')
}

async function verify (args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args, strict: true,
    options: { trusted: { type: 'string' }, from: { type: 'string' }, builders: { type: 'string' }, root: { type: 'string' }, target: { type: 'string' }, download: { type: 'string' }, json: { type: 'boolean', default: false } }
  })
  const trustedDir = resolve(required(values, 'trusted'))
  const from = resolve(required(values, 'from'))
  const pinnedBuilders = await readPinnedBuilders(resolve(required(values, 'builders')))
  if (values.root !== undefined) {
    const installed = await stat(join(trustedDir, TRUSTED_ROOT_FILE)).then(() => true, () => false)
    if (installed) throw new UsageError(`${trustedDir} already has a trusted root; --root only bootstraps an empty trusted directory`)
    await mkdir(trustedDir, { recursive: true, mode: 0o700 })
    await copyFile(resolve(values.root), join(trustedDir, TRUSTED_ROOT_FILE))
  }
  const verdict = await verifyRelease({
    trustedDir, source: new DirectorySource(from), pinnedBuilders, target: values.target,
    downloadDir: values.download === undefined ? undefined : resolve(values.download)
  })
  out.write((values.json ? JSON.stringify(verdict, null, 2) : formatVerdict(verdict)) + '\n')
  return verdict.verdict === 'verified' ? EXIT_OK : EXIT_FAILURE
}

const subcommands: Record<string, (args: string[], out: Output, err: Output) => Promise<number>> = {
  init, keygen, rotate, sign, attest, 'add-target': addTargetCommand, publish, verify
}

export async function releaseCommand (args: string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  const [name, ...rest] = args
  if (name === 'help' || name === '--help' || name === '-h') {
    out.write(HELP)
    return EXIT_OK
  }
  const subcommand = name === undefined ? undefined : subcommands[name]
  if (subcommand === undefined) throw new UsageError(`vault release needs a subcommand: ${Object.keys(subcommands).join(', ')} (vault release help)`)
  return await subcommand(rest, out, err)
}
