// A vault its section relocated (DESIGN §2, relocation): it grinds a new key of age + 1 near the
// move's destination, signs the move with its old key, and rejoins showing that proof. The proof
// is kept in the data dir until the vault is admitted, so a restart in between still has it.
import { join } from 'node:path'
import { hexToBytes } from '@noble/curves/utils.js'
import { z } from 'zod'
import { readJsonFile, writeJsonFile } from '../../storage/json-file.ts'
import { createRelocationProof, encodeRelocationProof, relocationGrindPrefix } from '../../section/rules/relocation.ts'
import { nameToHex } from '../section/known-vaults.ts'
import { RelocationProofWireSchema, type RelocationProofWire } from '../section/section-messages.ts'
import { IdentityFileError, readIdentity, rejoinIdentity, type VaultIdentity } from './identity-file.ts'
import { namedError } from '../../../contract/named-error.ts'

export const RELOCATION_PROOF_FILE = 'relocation-proof.json'

const RelocationProofFileSchema = z.object({ version: z.literal(1), proof: RelocationProofWireSchema }).strict()

export class RelocationProofFileError extends namedError('RelocationProofFileError') {}

export interface Move {
  newAge: number
  /** The move's destination address (hex): the new name is ground under its section's prefix + 3 bits. */
  destination: string
  /** The relocating decision's signatures (hex). */
  decisionSignatures: readonly string[]
  sectionPrefix: string
}

/** Grinds and stores the new identity, keeps the old one aside, and writes the proof of the move. */
export async function relocateIdentity (dataDir: string, move: Move, options: { signal?: AbortSignal, now?: () => number } = {}): Promise<{ identity: VaultIdentity, proof: RelocationProofWire }> {
  const old = await readIdentity(dataDir)
  if (old === undefined) throw new IdentityFileError(`${join(dataDir, 'identity.json')} is missing: a relocated vault needs its old key to sign its move`)
  const prefix = relocationGrindPrefix(hexToBytes(move.destination), move.sectionPrefix)
  const identity = await rejoinIdentity(dataDir, move.newAge, { prefix, keptAs: 'relocated', ...(options.signal === undefined ? {} : { signal: options.signal }), ...(options.now === undefined ? {} : { now: options.now }) })
  const encoded = encodeRelocationProof(createRelocationProof({ oldSeed: old.seed, newName: identity.name, decisionSignatures: move.decisionSignatures.map(hexToBytes) }))
  const proof = RelocationProofWireSchema.parse(encoded)
  await writeJsonFile(join(dataDir, RELOCATION_PROOF_FILE), { version: 1, proof })
  return { identity, proof }
}

/** Why a vault takes a new name: its section demoted it to an age, or relocated it by a move. */
export type NextName = { demotedTo: number } | { relocated: Move }

/** Grinds and stores the vault's next name: at the age a demotion gave it, or age + 1 with the proof of its move. */
export async function takeNextName (dataDir: string, next: NextName): Promise<VaultIdentity> {
  if ('demotedTo' in next) return await rejoinIdentity(dataDir, next.demotedTo)
  return (await relocateIdentity(dataDir, next.relocated)).identity
}

/** The proof of the move that gave this vault its current name, if it has one. */
export async function loadRelocationProof (dataDir: string, identity: VaultIdentity): Promise<RelocationProofWire | undefined> {
  const path = join(dataDir, RELOCATION_PROOF_FILE)
  const file = await readJsonFile(path, RelocationProofFileSchema, problem => new RelocationProofFileError(`${path} ${problem}; the vault rejoins without its relocation proof`))
  if (file === undefined || file.proof.newName !== nameToHex(identity.name)) return undefined
  return file.proof
}
