// Release and builder keys (DESIGN §3): ed25519, one JSON file per key that its holder keeps.
// A private key file is written owner-only and refused when others can read it; a key's id is the
// one TUF computes (SHA-256 of the canonical JSON of its public form), so ids match any TUF tool.
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { canonicalize } from '@tufjs/canonical-json'
import { Key, Signature } from '@tufjs/models'
import { z } from 'zod'
import { namedError } from '../../contract/named-error.ts'
import { publicKeyFromSeed } from '../engine/identity/ed25519-raw.ts'
import { writeJsonFile } from '../storage/json-file.ts'

export const HEX_32_BYTES = /^[0-9a-f]{64}$/
export const HEX_64_BYTES = /^[0-9a-f]{128}$/
export const KeyIdSchema = z.string().regex(HEX_32_BYTES, 'expected a keyid: 64 lowercase hex digits')
const LabelSchema = z.string().max(100).regex(/^[\x20-\x7e]*$/, 'expected printable ASCII')

export class KeyFileError extends namedError('KeyFileError') {}
export class KeyFileExistsError extends namedError('KeyFileExistsError') {}
export class KeyFilePermissionsError extends namedError('KeyFilePermissionsError') {}

export interface PublicReleaseKey {
  keyid: string
  /** The raw 32-byte ed25519 public key as hex. */
  public: string
  /** A name for people ("targets-2", "builder alice"); never part of the key's identity. */
  label: string
}

/** The private half stays a KeyObject: it prints and serialises as nothing. */
export interface ReleaseKey extends PublicReleaseKey {
  privateKey: KeyObject
}

const KeyFields = {
  version: z.literal(1),
  label: LabelSchema,
  keytype: z.literal('ed25519'),
  scheme: z.literal('ed25519'),
  keyid: KeyIdSchema,
  public: z.string().regex(HEX_32_BYTES)
}
const PublicKeyFileSchema = z.object({ kind: z.literal('vault-release-public-key'), ...KeyFields }).strict()
const PrivateKeyFileSchema = z.object({ kind: z.literal('vault-release-private-key'), ...KeyFields, private: z.string().regex(HEX_32_BYTES) }).strict()
const AnyKeyFileSchema = z.discriminatedUnion('kind', [PublicKeyFileSchema, PrivateKeyFileSchema])

function assertSeed (seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array)) throw new TypeError(`"seed" expected Uint8Array of 32 bytes, got ${typeof seed}`)
  if (seed.length !== 32) throw new RangeError(`"seed" expected Uint8Array of 32 bytes, got ${seed.length} bytes`)
}

/** The key as TUF metadata lists it; its id is computed, never taken on trust. */
export function tufKey (publicHex: string): Key {
  if (!HEX_32_BYTES.test(publicHex)) throw new RangeError(`"public" expected 64 lowercase hex digits, got "${publicHex.slice(0, 80)}"`)
  const unidentified = new Key({ keyID: '', keyType: 'ed25519', scheme: 'ed25519', keyVal: { public: publicHex } })
  return new Key({ keyID: keyIdOf(unidentified), keyType: 'ed25519', scheme: 'ed25519', keyVal: { public: publicHex } })
}

/** TUF's keyid: SHA-256 of the canonical JSON of the key's public form (TUF spec, "keyid"). */
export function keyIdOf (key: Key): string {
  return createHash('sha256').update(canonicalize(key.toJSON())).digest('hex')
}

export function releaseKeyFromSeed (seed: Uint8Array, label: string): ReleaseKey {
  assertSeed(seed)
  const publicBytes = publicKeyFromSeed(seed)
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(seed).toString('base64url'), x: Buffer.from(publicBytes).toString('base64url') },
    format: 'jwk'
  })
  const publicHex = Buffer.from(publicBytes).toString('hex')
  return { keyid: tufKey(publicHex).keyID, public: publicHex, label, privateKey }
}

/** A new key; `randomSeed` is injected by tests that need the same keys every run. */
export function generateReleaseKey (label: string, randomSeed: () => Uint8Array = () => randomBytes(32)): ReleaseKey {
  return releaseKeyFromSeed(randomSeed(), label)
}

export function publicPart (key: PublicReleaseKey): PublicReleaseKey {
  return { keyid: key.keyid, public: key.public, label: key.label }
}

/** The public key of a TUF key entry, when it is an ed25519 key this project can check. */
export function publicKeyOf (key: Key): PublicReleaseKey | undefined {
  const publicHex = key.keyVal.public
  if (key.keyType !== 'ed25519' || key.scheme !== 'ed25519' || publicHex === undefined || !HEX_32_BYTES.test(publicHex)) return undefined
  return { keyid: key.keyID, public: publicHex, label: '' }
}

export function signBytes (key: ReleaseKey, bytes: Uint8Array): string {
  return sign(null, bytes, key.privateKey).toString('hex')
}

export function verifyBytes (publicHex: string, bytes: Uint8Array, signatureHex: string): boolean {
  if (!HEX_32_BYTES.test(publicHex) || !HEX_64_BYTES.test(signatureHex)) return false
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicHex, 'hex').toString('base64url') }, format: 'jwk' })
  return verify(null, bytes, publicKey, Buffer.from(signatureHex, 'hex'))
}

/** The signer @tufjs/models' `Metadata.sign` calls with the canonical bytes of `signed`. */
export function tufSigner (key: ReleaseKey): (data: Buffer) => Signature {
  return data => new Signature({ keyID: key.keyid, sig: signBytes(key, data) })
}

async function assertAbsent (path: string): Promise<void> {
  try {
    await stat(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  throw new KeyFileExistsError(`${path} already exists; a key file is never overwritten (move it away first)`)
}

/** Writes the private key file, owner-only; refuses to replace an existing file. */
export async function writeKeyFile (path: string, key: ReleaseKey): Promise<void> {
  await assertAbsent(path)
  const seed = key.privateKey.export({ format: 'jwk' }).d
  if (seed === undefined) throw new KeyFileError('the key has no private part to write')
  await writeJsonFile(path, PrivateKeyFileSchema.parse({
    kind: 'vault-release-private-key', version: 1, label: key.label, keytype: 'ed25519', scheme: 'ed25519',
    keyid: key.keyid, public: key.public, private: Buffer.from(seed, 'base64url').toString('hex')
  }))
}

/** Writes the public half, for pinning or for adding the key to a role. */
export async function writePublicKeyFile (path: string, key: PublicReleaseKey): Promise<void> {
  await assertAbsent(path)
  await writeJsonFile(path, PublicKeyFileSchema.parse({
    kind: 'vault-release-public-key', version: 1, label: key.label, keytype: 'ed25519', scheme: 'ed25519', keyid: key.keyid, public: key.public
  }))
}

async function readKeyJson (path: string): Promise<z.infer<typeof AnyKeyFileSchema>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new KeyFileError(`cannot read key file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
  let json: unknown
  try { json = JSON.parse(text) } catch { json = undefined }
  const parsed = AnyKeyFileSchema.safeParse(json)
  // The issues name fields, never values: a malformed private key file must not echo its seed.
  if (!parsed.success) throw new KeyFileError(`${path} is not a release key file (${parsed.error.issues.map(issue => issue.path.join('.') || 'file').join(', ')})`)
  if (tufKey(parsed.data.public).keyID !== parsed.data.keyid) throw new KeyFileError(`${path}: keyid does not match its public key`)
  return parsed.data
}

/** Reads a private key file: owner-only, consistent (seed, public key and keyid agree). */
export async function readKeyFile (path: string): Promise<ReleaseKey> {
  const file = await readKeyJson(path)
  if (file.kind !== 'vault-release-private-key') throw new KeyFileError(`${path} holds only a public key; signing needs the private key file`)
  if (process.platform !== 'win32') {
    const mode = (await stat(path)).mode & 0o777
    if ((mode & 0o077) !== 0) throw new KeyFilePermissionsError(`${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`)
  }
  const key = releaseKeyFromSeed(Uint8Array.from(Buffer.from(file.private, 'hex')), file.label)
  if (key.public !== file.public) throw new KeyFileError(`${path}: the private key does not match the public key it names`)
  return key
}

/** Reads the public half from a public or a private key file. */
export async function readPublicKeyFile (path: string): Promise<PublicReleaseKey> {
  const file = await readKeyJson(path)
  return { keyid: file.keyid, public: file.public, label: file.label }
}
