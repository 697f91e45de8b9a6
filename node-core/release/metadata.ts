// TUF metadata as this project writes and reads it, shared by the maintainers' repository and
// the client: role names, parsing from untrusted JSON, signature counting per TUF's rules, and
// the root's record of revoked keys.
import { Metadata, MetadataKind, Root, type Key, type Snapshot, type Targets, type Timestamp } from '@tufjs/models'
import { z } from 'zod'
import { KeyIdSchema } from './keys.ts'

export const TOP_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const
export type TopRole = typeof TOP_ROLES[number]
export const TUF_SPEC_VERSION = '1.0.31'
/** Root's record of the keys each rotation removed, so a client can say "revoked", not just "unknown". */
export const REVOKED_FIELD = 'x-vault-revoked-keyids'
/** A target's name is a plain file name: it names the bundle on every client's disk. */
export const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

export const RoleNameSchema = z.enum(TOP_ROLES)
const RevokedSchema = z.partialRecord(RoleNameSchema, z.array(KeyIdSchema))

/** TUF's expiry format: ISO 8601 in UTC, whole seconds. */
export function expiresAt (now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The bytes of a metadata file, the same bytes writeJsonFile stores and the snapshot hash covers. */
export function serializeMetadata (metadata: Metadata<Root | Targets | Snapshot | Timestamp>): Buffer {
  return Buffer.from(JSON.stringify(metadata.toJSON(), null, 2) + '\n')
}

export function roleKeys (root: Root, role: TopRole): Key[] {
  return (root.roles[role]?.keyIDs ?? []).flatMap(keyid => root.keys[keyid] ?? [])
}

export function revokedKeyids (root: Root): Partial<Record<TopRole, string[]>> {
  const parsed = RevokedSchema.safeParse(root.unrecognizedFields[REVOKED_FIELD] ?? {})
  return parsed.success ? parsed.data : {}
}

/** The keyids of `role`'s keys in `delegator` whose signatures on `metadata` verify; each key once. */
export function validSigners (delegator: Root, role: TopRole, metadata: Metadata<Root | Targets | Snapshot | Timestamp>): string[] {
  return roleKeys(delegator, role).filter(key => {
    try {
      key.verifySignature(metadata)
      return true
    } catch {
      return false
    }
  }).map(key => key.keyID)
}

/** Metadata read from disk or the wire: a JSON object first, then @tufjs/models' own parsing. */
function jsonObject (json: unknown): Record<string, z.core.util.JSONType> {
  const parsed = z.record(z.string(), z.json()).safeParse(json)
  if (!parsed.success) throw new TypeError('expected a JSON object')
  return parsed.data
}

export const parseRoot = (json: unknown): Metadata<Root> => Metadata.fromJSON(MetadataKind.Root, jsonObject(json))
export const parseTargets = (json: unknown): Metadata<Targets> => Metadata.fromJSON(MetadataKind.Targets, jsonObject(json))
export const parseSnapshot = (json: unknown): Metadata<Snapshot> => Metadata.fromJSON(MetadataKind.Snapshot, jsonObject(json))
export const parseTimestamp = (json: unknown): Metadata<Timestamp> => Metadata.fromJSON(MetadataKind.Timestamp, jsonObject(json))

export interface RoleKeys { keyids: string[], threshold: number }

/** @tufjs/models does not export its Role class, so a root is built from its JSON form. */
export function buildRoot (options: { version: number, expires: string, keys: Key[], roles: Record<TopRole, RoleKeys>, revoked: Partial<Record<TopRole, string[]>> }): Root {
  return Root.fromJSON({
    _type: 'root',
    spec_version: TUF_SPEC_VERSION,
    version: options.version,
    expires: options.expires,
    consistent_snapshot: true,
    keys: Object.fromEntries(options.keys.map(key => [key.keyID, key.toJSON()])),
    roles: Object.fromEntries(TOP_ROLES.map(role => [role, { keyids: options.roles[role].keyids, threshold: options.roles[role].threshold }])),
    ...(Object.keys(options.revoked).length > 0 ? { [REVOKED_FIELD]: options.revoked } : {})
  })
}

/** Keyids in a root that name the same public key as another keyid. */
export function duplicatedKeys (root: Root): string[] {
  const byPublic = new Map<string, string[]>()
  for (const [keyid, key] of Object.entries(root.keys)) {
    const value = `${key.keyType}:${key.scheme}:${key.keyVal.public ?? ''}`
    byPublic.set(value, [...(byPublic.get(value) ?? []), keyid])
  }
  return [...byPublic.values()].filter(keyids => keyids.length > 1).flat()
}
