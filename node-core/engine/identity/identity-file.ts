// The vault's identity on disk: the ed25519 seed, owner-only, written atomically.
// A vault that loses this file loses its name and so its age: it is never overwritten.
import { join } from 'node:path'
import { z } from 'zod'
import { readJsonFile, writeJsonFile } from '../../storage/json-file.ts'
import { publicKeyFromSeed } from './ed25519-raw.ts'
import { grindKey } from './grind.ts'
import { ageOfName, NEW_VAULT_AGE } from './name.ts'
import { recordNewName } from './age-history.ts'
import { namedError } from '../../../contract/named-error.ts'

export const IDENTITY_FILE = 'identity.json'
export { NEW_VAULT_AGE }

const IdentityFileSchema = z.object({
  version: z.literal(1),
  seed: z.string().regex(/^[0-9a-f]{64}$/, 'expected 32 bytes as hex')
})

export interface VaultIdentity {
  seed: Uint8Array
  name: Uint8Array
  age: number
}

export class IdentityFileError extends namedError('IdentityFileError') {}

export function identityFromSeed (seed: Uint8Array): VaultIdentity {
  const name = publicKeyFromSeed(seed)
  return { seed, name, age: ageOfName(name) }
}

export async function readIdentity (dataDir: string): Promise<VaultIdentity | undefined> {
  const path = join(dataDir, IDENTITY_FILE)
  const file = await readJsonFile(path, IdentityFileSchema, problem => new IdentityFileError(`${path} ${problem}; it is left untouched (restore it from a backup)`))
  return file === undefined ? undefined : identityFromSeed(Uint8Array.from(Buffer.from(file.seed, 'hex')))
}

/** Writes the identity to the data dir's identity file, or to `fileName` there (a kept old identity). */
export async function writeIdentity (dataDir: string, identity: VaultIdentity, fileName = IDENTITY_FILE): Promise<void> {
  await writeJsonFile(join(dataDir, fileName), { version: 1, seed: Buffer.from(identity.seed).toString('hex') })
}

/** Loads the vault's identity, or grinds a new one of age 5 on first start (recorded in its age history as 'new'). */
export async function loadOrCreateIdentity (dataDir: string, options: { prefix?: string, signal?: AbortSignal, now?: () => number } = {}): Promise<VaultIdentity> {
  const existing = await readIdentity(dataDir)
  if (existing !== undefined) return existing
  const key = await grindKey({ prefix: options.prefix ?? '', age: NEW_VAULT_AGE, signal: options.signal })
  const identity = identityFromSeed(key.seed)
  await writeIdentity(dataDir, identity)
  await recordNewName(dataDir, identity, 'new', options.now === undefined ? {} : { now: options.now })
  return identity
}

/**
 * A vault rejoins under a new name of `age` (DESIGN §2): half its age once demoted or after it
 * left, age + 1 once relocated, ground under `prefix`. Keeps the old identity beside it
 * (identity.<demoted|left|relocated>-<name>.json), makes the new one current and records it in the
 * age history, for the reason it was kept as.
 */
export async function rejoinIdentity (dataDir: string, age: number, options: { signal?: AbortSignal, prefix?: string, keptAs?: 'demoted' | 'left' | 'relocated', now?: () => number } = {}): Promise<VaultIdentity> {
  const old = await readIdentity(dataDir)
  const key = await grindKey({ prefix: options.prefix ?? '', age, signal: options.signal })
  const identity = identityFromSeed(key.seed)
  const reason = options.keptAs ?? 'demoted'
  if (old !== undefined) await writeIdentity(dataDir, old, `identity.${reason}-${Buffer.from(old.name).toString('hex').slice(0, 16)}.json`)
  await writeIdentity(dataDir, identity)
  await recordNewName(dataDir, identity, reason, { ...(options.now === undefined ? {} : { now: options.now }), ...(old === undefined ? {} : { previous: old }) })
  return identity
}
