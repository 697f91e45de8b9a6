// The release pointer (DESIGN §3.3): a small record, gossiped between vaults, naming the index
// chunk of the latest publication. It is signed by a threshold of the TUF `timestamp` role's keys
// of the client's trusted root, the role whose job is exactly "this is the newest".
//
// The pointer is only a hint where to look. The trust comes from TUF: whatever it points at is
// verified by tuf-js (signatures, thresholds, versions, expiry, hashes) and the build attestations,
// so a forged or stale pointer can at worst make a vault fetch bytes that fail verification.
// Checking its signatures here keeps strangers from steering the network's gossip and fetches.
import { canonicalize } from '@tufjs/canonical-json'
import type { Root } from '@tufjs/models'
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { CHUNK_ADDRESS_PATTERN } from '../../engine/store/chunk-address.ts'
import { HEX_64_BYTES, KeyIdSchema, publicKeyOf, signBytes, verifyBytes, type ReleaseKey } from '../keys.ts'
import { roleKeys } from '../metadata.ts'

export class ReleasePointerFormatError extends namedError('ReleasePointerFormatError') {}
export class ReleasePointerThresholdError extends namedError('ReleasePointerThresholdError') {}
export class ReleasePointerRollbackError extends namedError('ReleasePointerRollbackError') {}

/** Separates these signatures from any other use of the timestamp keys (TUF metadata, attestations). */
export const RELEASE_POINTER_DOMAIN = 'vault-release-pointer/v1\n'
export const MAX_POINTER_SIGNATURES = 32

export const ReleasePointerSchema = z.object({
  /** Monotonic: a vault never goes back to a lower one. */
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  indexAddress: z.string().regex(CHUNK_ADDRESS_PATTERN),
  /** The timestamp.json version the index holds; tuf-js checks the real one. */
  timestampVersion: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  publishedAt: z.iso.datetime()
}).strict()
export type ReleasePointer = z.infer<typeof ReleasePointerSchema>

export const SignedReleasePointerSchema = z.object({
  pointer: ReleasePointerSchema,
  signatures: z.array(z.object({ keyid: KeyIdSchema, sig: z.string().regex(HEX_64_BYTES) }).strict()).min(1).max(MAX_POINTER_SIGNATURES)
}).strict()
export type SignedReleasePointer = z.infer<typeof SignedReleasePointerSchema>

/** The signed bytes: the domain, then the canonical JSON of the pointer (TUF's canonical form). */
export function pointerSigningBytes (pointer: ReleasePointer): Uint8Array {
  const domain = new TextEncoder().encode(RELEASE_POINTER_DOMAIN)
  const body = new TextEncoder().encode(canonicalize(ReleasePointerSchema.parse(pointer)))
  const bytes = new Uint8Array(domain.length + body.length)
  bytes.set(domain)
  bytes.set(body, domain.length)
  return bytes
}

export function signReleasePointer (pointer: ReleasePointer, keys: readonly ReleaseKey[]): SignedReleasePointer {
  if (keys.length === 0) throw new RangeError('"keys" expected at least one timestamp key, got none')
  const bytes = pointerSigningBytes(pointer)
  return { pointer: { ...pointer }, signatures: keys.map(key => ({ keyid: key.keyid, sig: signBytes(key, bytes) })) }
}

export interface VerifiedPointer {
  pointer: ReleasePointer
  /** The pointer and its signatures as parsed: nothing else the sender added. */
  signed: SignedReleasePointer
  /** Timestamp keyids whose signatures verified, each public key once. */
  signedBy: string[]
}

/**
 * Checks a pointer from the wire against the trusted root: a threshold of distinct timestamp keys
 * must have signed; signatures by other keys count for nothing; a version below `lastVersion`
 * (the last pointer accepted) is a rollback.
 */
export function verifyReleasePointer (input: unknown, trustedRoot: Root, options: { lastVersion?: number } = {}): VerifiedPointer {
  const parsed = SignedReleasePointerSchema.safeParse(input)
  if (!parsed.success) throw new ReleasePointerFormatError(`not a signed release pointer (${parsed.error.issues.map(issue => issue.path.join('.') || 'pointer').join(', ')})`)
  const { pointer, signatures } = parsed.data
  const role = trustedRoot.roles.timestamp
  if (role === undefined) throw new ReleasePointerThresholdError('the trusted root has no timestamp role')
  const known = new Map(roleKeys(trustedRoot, 'timestamp').flatMap(key => {
    const publicKey = publicKeyOf(key)
    return publicKey === undefined ? [] : [[key.keyID, publicKey.public] as const]
  }))
  const bytes = pointerSigningBytes(pointer)
  // Counted by public key, not keyid: one key listed twice, or one signature sent twice, counts once.
  const signers = new Map<string, string>()
  const unknown: string[] = []
  for (const { keyid, sig } of signatures) {
    const publicHex = known.get(keyid)
    if (publicHex === undefined) {
      unknown.push(keyid)
      continue
    }
    if (!signers.has(publicHex) && verifyBytes(publicHex, bytes, sig)) signers.set(publicHex, keyid)
  }
  if (signers.size < role.threshold) {
    const extra = unknown.length > 0 ? `; not timestamp keys of root v${trustedRoot.version}: ${unknown.map(id => id.slice(0, 12)).join(', ')}` : ''
    throw new ReleasePointerThresholdError(`release pointer v${pointer.version} has ${signers.size} valid timestamp signature(s), the root requires ${role.threshold}${extra}`)
  }
  if (options.lastVersion !== undefined && pointer.version < options.lastVersion) {
    throw new ReleasePointerRollbackError(`release pointer v${pointer.version} is older than v${options.lastVersion}, already accepted`)
  }
  return { pointer, signed: parsed.data, signedBy: [...signers.values()].sort() }
}
