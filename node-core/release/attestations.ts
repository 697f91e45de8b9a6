// Builder attestations (DESIGN §3.2): each independent builder signs the SHA-256 of the bundle it
// built. A vault accepts a bundle only with k matching attestations from builder keys it pins,
// each key counted once, as Bitcoin Core's guix.sigs asks for `--min-good-sigs` from pinned keys.
import { readFile } from 'node:fs/promises'
import { canonicalize } from '@tufjs/canonical-json'
import { z } from 'zod'
import { namedError } from '../../contract/named-error.ts'
import { chunkAddress } from '../engine/store/chunk-address.ts'
import { writeJsonFile } from '../storage/json-file.ts'
import { HEX_32_BYTES, HEX_64_BYTES, KeyIdSchema, signBytes, tufKey, verifyBytes, type PublicReleaseKey, type ReleaseKey } from './keys.ts'

/** Domain separation: an attestation signature can never be replayed as any other signature. */
export const ATTESTATION_DOMAIN = 'vault-manager/build-attestation/v1\n'
export const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/
export const EngineVersionSchema = z.string().regex(SEMVER, 'expected a semantic version such as 1.2.3')
export const Sha256HexSchema = z.string().regex(HEX_32_BYTES, 'expected a SHA-256: 64 lowercase hex digits')

export const AttestationSchema = z.object({
  version: z.literal(1),
  bundleSha256: Sha256HexSchema,
  engineVersion: EngineVersionSchema,
  builder: KeyIdSchema,
  signature: z.string().regex(HEX_64_BYTES, 'expected an ed25519 signature: 128 lowercase hex digits')
}).strict()
export type Attestation = z.infer<typeof AttestationSchema>

/** One pinned builder's public key, as the pinned builders file and the release trust file list it. */
export const BuilderKeySchema = z.object({ keyid: KeyIdSchema, public: z.string().regex(HEX_32_BYTES), label: z.string().max(100) }).strict()

/** What is wrong with a set of pinned builders, if anything: the threshold must be reachable, each keyid its key's. */
export function pinnedBuildersProblem (threshold: number, builders: ReadonlyArray<z.infer<typeof BuilderKeySchema>>): string | undefined {
  if (threshold > new Set(builders.map(builder => builder.keyid)).size) return 'threshold is larger than the number of distinct builders'
  if (!builders.every(builder => tufKey(builder.public).keyID === builder.keyid)) return 'a builder keyid does not match its public key'
  return undefined
}

export const PinnedBuildersSchema = z.object({
  version: z.literal(1),
  threshold: z.number().int().min(1),
  builders: z.array(BuilderKeySchema).min(1)
}).strict().superRefine((file, context) => {
  const problem = pinnedBuildersProblem(file.threshold, file.builders)
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem })
})

/** The builders a client trusts, shipped with the client like its trusted root. */
export interface PinnedBuilders {
  threshold: number
  keys: PublicReleaseKey[]
}

export class MalformedAttestationError extends namedError('MalformedAttestationError') {}
export class TooFewAttestationsError extends namedError('TooFewAttestationsError') {}
export class AttestationMismatchError extends namedError('AttestationMismatchError') {}
export class UnknownBuilderError extends namedError('UnknownBuilderError') {}
export class BadAttestationSignatureError extends namedError('BadAttestationSignatureError') {}
export class PinnedBuildersFileError extends namedError('PinnedBuildersFileError') {}

function attestationPayload (fields: Omit<Attestation, 'signature'>): Buffer {
  return Buffer.from(ATTESTATION_DOMAIN + canonicalize({ version: fields.version, bundleSha256: fields.bundleSha256, engineVersion: fields.engineVersion, builder: fields.builder }))
}

export function createAttestation (options: { bundleSha256: string, engineVersion: string, key: ReleaseKey }): Attestation {
  const fields = { version: 1 as const, bundleSha256: Sha256HexSchema.parse(options.bundleSha256), engineVersion: EngineVersionSchema.parse(options.engineVersion), builder: options.key.keyid }
  return { ...fields, signature: signBytes(options.key, attestationPayload(fields)) }
}

/** What a builder runs on the bundle it built itself. */
export async function attestBundle (bundlePath: string, engineVersion: string, key: ReleaseKey): Promise<Attestation> {
  return createAttestation({ bundleSha256: chunkAddress(await readFile(bundlePath)), engineVersion, key })
}

export async function writeAttestation (path: string, attestation: Attestation): Promise<void> {
  await writeJsonFile(path, AttestationSchema.parse(attestation))
}

async function readJson (path: string, what: string, fail: (message: string) => Error): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw fail(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
  try { return JSON.parse(text) } catch { throw fail(`${path} is not JSON`) }
}

export async function readAttestation (path: string): Promise<Attestation> {
  const parsed = AttestationSchema.safeParse(await readJson(path, 'attestation', message => new MalformedAttestationError(message)))
  if (!parsed.success) throw new MalformedAttestationError(`${path} is not an attestation: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

export async function writePinnedBuilders (path: string, pinned: PinnedBuilders): Promise<void> {
  await writeJsonFile(path, PinnedBuildersSchema.parse({ version: 1, threshold: pinned.threshold, builders: pinned.keys.map(key => ({ keyid: key.keyid, public: key.public, label: key.label })) }))
}

export async function readPinnedBuilders (path: string): Promise<PinnedBuilders> {
  const parsed = PinnedBuildersSchema.safeParse(await readJson(path, 'pinned builders file', message => new PinnedBuildersFileError(message)))
  if (!parsed.success) throw new PinnedBuildersFileError(`${path} is not a pinned builders file: ${z.prettifyError(parsed.error)}`)
  return { threshold: parsed.data.threshold, keys: parsed.data.builders }
}

const short = (hex: string): string => hex.slice(0, 12)

/**
 * Accepts the bundle when at least `threshold` distinct pinned builders attest exactly this
 * SHA-256 and engine version. A forged or disagreeing attestation from a pinned builder rejects
 * the bundle outright: it is evidence of tampering or of a build that is not reproducible.
 * Attestations from builders this client does not pin are not counted, so a newer release that
 * adds builders still verifies on an older client as long as enough of its pinned builders agree.
 * Returns the keyids of the builders that attested, sorted.
 */
export function verifyAttestations (options: { attestations: readonly unknown[], bundleSha256: string, engineVersion: string, pinned: PinnedBuilders }): string[] {
  const { pinned, bundleSha256, engineVersion } = options
  if (!Number.isInteger(pinned.threshold) || pinned.threshold < 1) throw new RangeError(`"threshold" expected a whole number of at least 1, got ${pinned.threshold}`)
  const pinnedKeys = new Map(pinned.keys.map(key => [key.keyid, key]))
  const matching = new Set<string>()
  const unknown = new Set<string>()
  let duplicates = 0
  for (const [index, candidate] of options.attestations.entries()) {
    const parsed = AttestationSchema.safeParse(candidate)
    if (!parsed.success) throw new MalformedAttestationError(`attestation ${index} is malformed: ${z.prettifyError(parsed.error)}`)
    const attestation = parsed.data
    const key = pinnedKeys.get(attestation.builder)
    if (key === undefined) {
      unknown.add(attestation.builder)
      continue
    }
    if (!verifyBytes(key.public, attestationPayload(attestation), attestation.signature)) {
      throw new BadAttestationSignatureError(`the attestation from pinned builder ${short(attestation.builder)} (${key.label}) does not carry that builder's signature`)
    }
    if (attestation.bundleSha256 !== bundleSha256 || attestation.engineVersion !== engineVersion) {
      throw new AttestationMismatchError(`pinned builder ${short(attestation.builder)} (${key.label}) attested ${attestation.engineVersion} with SHA-256 ${short(attestation.bundleSha256)}…, but the bundle is ${engineVersion} with SHA-256 ${short(bundleSha256)}…`)
    }
    if (matching.has(attestation.builder)) duplicates++
    matching.add(attestation.builder)
  }
  if (matching.size < pinned.threshold) {
    const counted = `${matching.size} of the ${pinned.threshold} required from pinned builders`
    if (unknown.size > 0) {
      throw new UnknownBuilderError(`${unknown.size} attestation(s) come from builders this client does not pin (${[...unknown].map(short).join(', ')}); ${counted}`)
    }
    const note = duplicates > 0 ? ` (${duplicates} duplicate attestation(s) from the same builder; each builder counts once)` : ''
    throw new TooFewAttestationsError(`too few matching attestations: ${counted}${note}`)
  }
  return [...matching].sort()
}
