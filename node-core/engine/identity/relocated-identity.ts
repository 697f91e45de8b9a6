// A vault its section relocated or demoted, or that left (DESIGN §2, relocation; pause, fix, demote):
// it grinds a new key (age + 1 near the move's destination, or the rejoin age the Demote or Leave gave it), signs the
// new name with its old key, and rejoins showing that proof. The proof is kept in the data dir
// until the vault is admitted, so a restart in between still has it.
import { join } from 'node:path'
import { hexToBytes } from '@noble/curves/utils.js'
import { z } from 'zod'
import { readJsonFile, writeJsonFile } from '../../storage/json-file.ts'
import { createDemotionProof, encodeDemotionProof } from '../../section/rules/demotion-proof.ts'
import { createRelocationProof, encodeRelocationProof, relocationGrindPrefix } from '../../section/rules/relocation.ts'
import { nameToHex } from '../section/known-vaults.ts'
import { DemotionProofWireSchema, RelocationProofWireSchema, type DemotionProofWire, type RelocationProofWire } from '../section/section-messages.ts'
import { IdentityFileError, readIdentity, rejoinIdentity, type VaultIdentity } from './identity-file.ts'
import { namedError } from '../../../contract/named-error.ts'

export const RELOCATION_PROOF_FILE = 'relocation-proof.json'
export const DEMOTION_PROOF_FILE = 'demotion-proof.json'

export class RelocationProofFileError extends namedError('RelocationProofFileError') {}
export class DemotionProofFileError extends namedError('DemotionProofFileError') {}

/** A proof file: `{ version: 1, proof }`, for the name the proof admits. */
interface ProofFile<P extends { newName: string }> {
  file: string
  schema: z.ZodType<P>
  error: new (message: string) => Error
  what: string
}

const RELOCATION: ProofFile<RelocationProofWire> = { file: RELOCATION_PROOF_FILE, schema: RelocationProofWireSchema, error: RelocationProofFileError, what: 'relocation' }
const DEMOTION: ProofFile<DemotionProofWire> = { file: DEMOTION_PROOF_FILE, schema: DemotionProofWireSchema, error: DemotionProofFileError, what: 'demotion' }

async function writeProof<P extends { newName: string }> (dataDir: string, kind: ProofFile<P>, proof: unknown): Promise<P> {
  const parsed = kind.schema.parse(proof)
  await writeJsonFile(join(dataDir, kind.file), { version: 1, proof: parsed })
  return parsed
}

async function loadProof<P extends { newName: string }> (dataDir: string, kind: ProofFile<P>, identity: VaultIdentity): Promise<P | undefined> {
  const path = join(dataDir, kind.file)
  const schema = z.object({ version: z.literal(1), proof: kind.schema }).strict()
  const file = await readJsonFile(path, schema, problem => new kind.error(`${path} ${problem}; the vault rejoins without its ${kind.what} proof`))
  if (file === undefined || file.proof.newName !== nameToHex(identity.name)) return undefined
  return file.proof
}

async function oldIdentity (dataDir: string, why: string): Promise<VaultIdentity> {
  const old = await readIdentity(dataDir)
  if (old === undefined) throw new IdentityFileError(`${join(dataDir, 'identity.json')} is missing: a ${why} vault needs its old key to sign its new name`)
  return old
}

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
  const old = await oldIdentity(dataDir, 'relocated')
  const prefix = relocationGrindPrefix(hexToBytes(move.destination), move.sectionPrefix)
  const identity = await rejoinIdentity(dataDir, move.newAge, { prefix, keptAs: 'relocated', ...(options.signal === undefined ? {} : { signal: options.signal }), ...(options.now === undefined ? {} : { now: options.now }) })
  const proof = await writeProof(dataDir, RELOCATION, encodeRelocationProof(createRelocationProof({ oldSeed: old.seed, newName: identity.name, decisionSignatures: move.decisionSignatures.map(hexToBytes) })))
  return { identity, proof }
}

/**
 * Grinds and stores the new identity at the rejoin age, keeps the old one aside, and writes the
 * proof that the old key hands over to it: after a demotion, or after a Leave (`why`), whose
 * rejoin the elders check alike.
 */
export async function demoteIdentity (
  dataDir: string, rejoinAge: number, options: { signal?: AbortSignal, now?: () => number, why?: 'demoted' | 'left' } = {}
): Promise<{ identity: VaultIdentity, proof: DemotionProofWire }> {
  const why = options.why ?? 'demoted'
  const old = await oldIdentity(dataDir, why)
  const identity = await rejoinIdentity(dataDir, rejoinAge, { keptAs: why, ...(options.signal === undefined ? {} : { signal: options.signal }), ...(options.now === undefined ? {} : { now: options.now }) })
  const proof = await writeProof(dataDir, DEMOTION, encodeDemotionProof(createDemotionProof({ oldSeed: old.seed, newName: identity.name })))
  return { identity, proof }
}

/** Why a vault takes a new name: its section demoted it to an age, it left to rejoin at an age, or its section relocated it by a move. */
export type NextName = { demotedTo: number } | { leftAt: number } | { relocated: Move }

/** Grinds and stores the vault's next name with the proof its old key signed: at the age a demotion or a Leave gave it, or age + 1 for a move. */
export async function takeNextName (dataDir: string, next: NextName): Promise<VaultIdentity> {
  if ('demotedTo' in next) return (await demoteIdentity(dataDir, next.demotedTo)).identity
  if ('leftAt' in next) return (await demoteIdentity(dataDir, next.leftAt, { why: 'left' })).identity
  return (await relocateIdentity(dataDir, next.relocated)).identity
}

/** The proof of the move that gave this vault its current name, if it has one. */
export async function loadRelocationProof (dataDir: string, identity: VaultIdentity): Promise<RelocationProofWire | undefined> {
  return await loadProof(dataDir, RELOCATION, identity)
}

/** The proof of the demotion after which this vault took its current name, if it has one. */
export async function loadDemotionProof (dataDir: string, identity: VaultIdentity): Promise<DemotionProofWire | undefined> {
  return await loadProof(dataDir, DEMOTION, identity)
}
