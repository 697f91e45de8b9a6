// Turns a failed release check into the attack it stopped. tuf-js decides (its verdict stands);
// this only explains. tuf-js's errors are plain classes, and it wraps snapshot and targets
// failures into a RuntimeError whose message carries the original, so the explanation reads
// messages (pinned to tuf-js 6.0.2 by the tests), and for a signature failure it re-examines
// the metadata the fetcher saw against the trusted root, to tell unsigned from wrongly signed,
// a revoked key from an unknown one, and too few signatures from none.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models'
import type { ReleaseRejectionCode } from '../../contract/host-api.ts'
import type { FetchedFile } from './release-source.ts'
import { parseRoot, parseSnapshot, parseTargets, parseTimestamp, revokedKeyids, RoleNameSchema, validSigners, type TopRole } from './metadata.ts'

/** The codes are the contract's, so the owner sees exactly the attack a check stopped. */
export type RejectionCode = ReleaseRejectionCode

export interface Explained { code: RejectionCode, reason: string }

const BY_ERROR_NAME: Record<string, RejectionCode> = {
  TooFewAttestationsError: 'too-few-attestations',
  AttestationMismatchError: 'attestation-mismatch',
  UnknownBuilderError: 'unknown-builder',
  BadAttestationSignatureError: 'bad-attestation-signature',
  MalformedAttestationError: 'malformed',
  ReleaseTooLargeError: 'oversized',
  ReleaseNameError: 'malformed',
  // No vault served a chunk of the release (network-source.ts): worth trying again later.
  ReleaseChunkMissingError: 'unavailable'
}

const short = (hex: string): string => hex.slice(0, 12)

function fetchedFor (role: TopRole, fetched: readonly FetchedFile[]): FetchedFile | undefined {
  const pattern = role === 'timestamp' ? /^timestamp\.json$/ : new RegExp(`^\\d+\\.${role}\\.json$`)
  return fetched.findLast(file => pattern.test(file.name))
}

function parseRole (role: TopRole, bytes: Uint8Array): Metadata<Root | Targets | Snapshot | Timestamp> {
  const json: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'))
  switch (role) {
    case 'root': return parseRoot(json)
    case 'targets': return parseTargets(json)
    case 'snapshot': return parseSnapshot(json)
    case 'timestamp': return parseTimestamp(json)
    default: {
      const never: never = role
      throw new TypeError(`unknown role ${String(never)}`)
    }
  }
}

/** Why `metadata` does not carry `delegator`'s threshold of `role` signatures. */
export function explainSignatures (delegator: Root, role: TopRole, metadata: Metadata<Root | Targets | Snapshot | Timestamp>): Explained {
  const what = `${role} v${metadata.signed.version}`
  const signers = Object.values(metadata.signatures).map(signature => signature.keyID)
  const listed = new Set(delegator.roles[role]?.keyIDs ?? [])
  const threshold = delegator.roles[role]?.threshold ?? 1
  const valid = validSigners(delegator, role, metadata)
  const revoked = new Set(revokedKeyids(delegator)[role] ?? [])
  const revokedSigners = signers.filter(keyid => revoked.has(keyid))
  const rootName = `root v${delegator.version}`
  if (signers.length === 0) {
    return { code: 'unsigned', reason: `unsigned metadata: ${what} carries no signatures; it needs ${threshold} of ${rootName}'s ${role} keys` }
  }
  if (valid.length === 0 && revokedSigners.length > 0) {
    return { code: 'revoked-key', reason: `revoked key: ${what} is signed by ${revokedSigners.map(short).join(', ')}, which ${rootName} revoked for ${role}; no current ${role} key signed it` }
  }
  if (valid.length === 0) {
    const details = signers.map(keyid => listed.has(keyid) ? `${short(keyid)}: signature does not verify` : `${short(keyid)}: not a ${role} key`)
    return { code: 'wrongly-signed', reason: `wrongly signed: no signature on ${what} verifies with a ${role} key of ${rootName} (${details.join('; ')})` }
  }
  const revokedNote = revokedSigners.length > 0 ? `; revoked keys do not count (${revokedSigners.map(short).join(', ')})` : ''
  return { code: 'threshold-not-met', reason: `threshold not met: ${what} has ${valid.length} valid signature(s) of the ${threshold} required from ${rootName}'s ${role} keys${revokedNote}` }
}

async function diagnoseSignatures (role: TopRole, context: { fetched: readonly FetchedFile[], trustedDir: string }): Promise<Explained | undefined> {
  const file = fetchedFor(role, context.fetched)
  if (file === undefined) return undefined
  try {
    const metadata = parseRole(role, file.bytes)
    // tuf-js persists each root it accepts, so root.json is the root that judged this file.
    const trusted = parseRoot(JSON.parse(await readFile(join(context.trustedDir, 'root.json'), 'utf8'))).signed
    // A new root must meet the old root's threshold and then its own: blame the one that failed.
    const oldRootSatisfied = role === 'root' && validSigners(trusted, 'root', metadata).length >= (trusted.roles.root?.threshold ?? 1)
    if (oldRootSatisfied && metadata.signed.type === 'root') return explainSignatures(metadata.signed, role, metadata)
    return explainSignatures(trusted, role, metadata)
  } catch {
    return undefined
  }
}

function errorChain (err: unknown): Error[] {
  const chain: Error[] = []
  for (let current: unknown = err; current instanceof Error && chain.length < 8; current = current.cause) chain.push(current)
  return chain
}

/** Explains a failure of tuf-js's refresh or download, or of our own checks after it. */
export async function classifyRejection (err: unknown, context: { phase: 'refresh' | 'download', fetched: readonly FetchedFile[], trustedDir: string }): Promise<Explained> {
  const chain = errorChain(err)
  const message = chain.map(error => error.message).join(': ') || String(err)
  for (const error of chain) {
    const code = BY_ERROR_NAME[error.name]
    if (code !== undefined) return { code, reason: error.message }
  }
  // tuf-js keeps only the text of the errors it wraps.
  const wrappedName = Object.keys(BY_ERROR_NAME).find(name => message.includes(`${name}: `))
  if (wrappedName !== undefined) return { code: BY_ERROR_NAME[wrappedName] ?? 'error', reason: message.slice(message.indexOf(`${wrappedName}: `) + wrappedName.length + 2) }
  let match = /multiple signatures found for keyid: ([0-9a-f]+)/.exec(message)
  if (match !== null) return { code: 'same-key-twice', reason: `the same key counted twice: key ${short(match[1] ?? '')} signs the metadata more than once; each key counts once toward a threshold` }
  match = /(root|timestamp|snapshot|targets) was signed by (\d+)\/(\d+) keys/.exec(message)
  if (match !== null) {
    const role = RoleNameSchema.parse(match[1])
    const diagnosed = await diagnoseSignatures(role, context)
    if (diagnosed !== undefined) return diagnosed
    return match[2] === '0'
      ? { code: 'wrongly-signed', reason: `wrongly signed: no valid ${role} signature (${match[0]})` }
      : { code: 'threshold-not-met', reason: `threshold not met: ${match[0]}` }
  }
  match = /(Final )?(root|timestamp|snapshot|targets)\.json is expired/.exec(message)
  if (match !== null) return { code: 'frozen', reason: `frozen metadata: ${match[2]}.json has expired; the source may be replaying old metadata` }
  match = /New (timestamp |snapshot )?version (\d+)( of [a-z.]+)? is less than current version (\d+)|Expected version (\d+), got (\d+)/.exec(message)
  if (match !== null) return { code: 'rollback', reason: `rollback: the source offers older metadata than this client already trusts (${match[0]})` }
  match = /Snapshot version doesn't match timestamp|Version \d+ of \w+ does not match snapshot version \d+/.exec(message)
  if (match !== null) return { code: 'mix-and-match', reason: `mix-and-match: metadata from different releases (${match[0]})` }
  match = /Expected (hash|length) \S+ but got \S+/.exec(message)
  if (match !== null) {
    return context.phase === 'download'
      ? { code: 'bundle-hash-mismatch', reason: `the bundle differs from the signed targets metadata (${match[0]})` }
      : { code: 'mix-and-match', reason: `mix-and-match: the snapshot is not the one the timestamp names (${match[0]})` }
  }
  if (message.includes('Max length reached')) return { code: 'oversized', reason: `oversized download: ${message}` }
  if (chain.some(error => 'statusCode' in error && error.statusCode === 404)) return { code: 'unavailable', reason: `the release source lacks a file: ${message}` }
  if (chain.some(error => error instanceof SyntaxError || error instanceof TypeError) || /JSON|is not defined|must be/.test(message)) {
    return { code: 'malformed', reason: `malformed metadata: ${message}` }
  }
  return { code: 'error', reason: message }
}
