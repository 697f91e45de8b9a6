// The vault's identity on disk: the ed25519 seed, owner-only, written atomically.
// A vault that loses this file loses its name and so its age: it is never overwritten.
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { syncDirectory } from '../store/sync-directory.ts'
import { publicKeyFromSeed } from './ed25519-raw.ts'
import { grindKey } from './grind.ts'
import { ageOfName } from './name.ts'
import { namedError } from '../../../contract/named-error.ts'

export const IDENTITY_FILE = 'identity.json'
/** DESIGN §2: the age of a new vault. */
export const NEW_VAULT_AGE = 5

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
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new IdentityFileError(`${path} is not valid JSON; it is left untouched (restore it from a backup)`)
  }
  const parsed = IdentityFileSchema.safeParse(json)
  if (!parsed.success) throw new IdentityFileError(`${path} is malformed: ${z.prettifyError(parsed.error)}`)
  return identityFromSeed(Uint8Array.from(Buffer.from(parsed.data.seed, 'hex')))
}

export async function writeIdentity (dataDir: string, identity: VaultIdentity): Promise<void> {
  const path = join(dataDir, IDENTITY_FILE)
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const temp = `${path}.tmp-${process.pid}`
  const file = await open(temp, 'w', 0o600)
  try {
    await file.writeFile(JSON.stringify({ version: 1, seed: Buffer.from(identity.seed).toString('hex') }) + '\n')
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, path)
  await syncDirectory(dirname(path))
}

/** Loads the vault's identity, or grinds a new one of age 5 on first start. */
export async function loadOrCreateIdentity (dataDir: string, options: { prefix?: string, signal?: AbortSignal } = {}): Promise<VaultIdentity> {
  const existing = await readIdentity(dataDir)
  if (existing !== undefined) return existing
  const key = await grindKey({ prefix: options.prefix ?? '', age: NEW_VAULT_AGE, signal: options.signal })
  const identity = identityFromSeed(key.seed)
  await writeIdentity(dataDir, identity)
  return identity
}
