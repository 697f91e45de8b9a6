// What an auditor keeps to audit a member without trusting it and without keeping its store: the
// few audit chunks it placed on the member, address and bytes (DESIGN §2 "Storage and audits").
// With the bytes, every challenge can take a fresh nonce, so no answer can be kept in advance.
// Bounded: at most `chunksPerMember` per member and `maxMembers` members; persisted as a snapshot
// so a restarted elder can still audit the members it placed material on.
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { readJsonFile, writeJsonFile } from '../../storage/json-file.ts'
import type { Random } from '../../section/crypto/scalar.ts'
import { chunkAddress, CHUNK_ADDRESS_PATTERN } from '../store/chunk-address.ts'
import { MAX_AUDIT_CHUNK_BYTES, MAX_AUDIT_CHUNKS_PER_MEMBER, MAX_AUDITED_MEMBERS } from './constants.ts'

export interface AuditChunk {
  address: string
  bytes: Uint8Array
}

export class InvalidAuditMaterialError extends namedError('InvalidAuditMaterialError') {}

const MemberNameSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a vault name: 64 lowercase hex digits')

const AuditChunkRecordSchema = z.object({
  address: z.string().regex(CHUNK_ADDRESS_PATTERN),
  data: z.base64().max(Math.ceil(MAX_AUDIT_CHUNK_BYTES / 3) * 4)
}).strict().refine(record => chunkAddress(Buffer.from(record.data, 'base64')) === record.address, 'the chunk data does not hash to its address')

/** The persisted form: what a restart reads back through this schema. */
export const AuditMaterialSnapshotSchema = z.object({
  version: z.literal(1),
  members: z.array(z.object({
    member: MemberNameSchema,
    chunks: z.array(AuditChunkRecordSchema).min(1).max(MAX_AUDIT_CHUNKS_PER_MEMBER)
  }).strict()).max(MAX_AUDITED_MEMBERS)
}).strict()
export type AuditMaterialSnapshot = z.infer<typeof AuditMaterialSnapshotSchema>

export interface AuditMaterialInit {
  maxMembers: number
  chunksPerMember: number
  snapshot?: AuditMaterialSnapshot
}

/** A uniform index below `count` from injected randomness (rejection sampling: no modulo bias). */
export function randomIndex (random: Random, count: number): number {
  if (!Number.isSafeInteger(count) || count < 1 || count > 2 ** 32) throw new RangeError(`"count" expected an integer from 1 to 2^32, got ${count}`)
  const limit = 2 ** 32 - (2 ** 32 % count)
  for (;;) {
    const bytes = random(4)
    if (bytes.length !== 4) throw new RangeError(`"random" expected 4 bytes, got ${bytes.length}`)
    const value = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0)
    if (value < limit) return value % count
  }
}

export class AuditMaterial {
  readonly maxMembers: number
  readonly chunksPerMember: number
  /** Map order is recency: the member placed on or audited longest ago comes first, and is evicted first. */
  readonly #byMember = new Map<string, AuditChunk[]>()

  constructor (init: AuditMaterialInit) {
    for (const [what, value, max] of [['maxMembers', init.maxMembers, MAX_AUDITED_MEMBERS], ['chunksPerMember', init.chunksPerMember, MAX_AUDIT_CHUNKS_PER_MEMBER]] as const) {
      if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new RangeError(`"${what}" expected an integer from 1 to ${max}, got ${value}`)
    }
    this.maxMembers = init.maxMembers
    this.chunksPerMember = init.chunksPerMember
    if (init.snapshot !== undefined) this.#restore(init.snapshot)
  }

  get members (): number { return this.#byMember.size }

  chunksOf (member: string): readonly AuditChunk[] {
    return this.#byMember.get(member) ?? []
  }

  /** How many more chunks the member should be given to have its full share. */
  wanted (member: string): number {
    return Math.max(0, this.chunksPerMember - this.chunksOf(member).length)
  }

  /** Keeps placed chunks, up to the member's share; returns the member evicted to make room, if any. */
  add (member: string, chunks: readonly AuditChunk[]): string | undefined {
    assertMember(member)
    const kept = [...this.chunksOf(member)]
    for (const chunk of chunks) {
      if (chunkAddress(chunk.bytes) !== chunk.address) throw new InvalidAuditMaterialError(`audit chunk bytes do not hash to ${chunk.address}`)
      if (kept.length < this.chunksPerMember && !kept.some(k => k.address === chunk.address)) kept.push({ address: chunk.address, bytes: Uint8Array.from(chunk.bytes) })
    }
    if (kept.length === 0) return undefined
    let evicted: string | undefined
    if (!this.#byMember.has(member) && this.#byMember.size >= this.maxMembers) {
      evicted = this.#byMember.keys().next().value
      if (evicted !== undefined) this.#byMember.delete(evicted)
    }
    this.#byMember.delete(member)
    this.#byMember.set(member, kept)
    return evicted
  }

  /** A random chunk of the member's material, or undefined when the auditor placed none on it. */
  pick (member: string, random: Random): AuditChunk | undefined {
    const chunks = this.#byMember.get(member)
    if (chunks === undefined || chunks.length === 0) return undefined
    this.#byMember.delete(member)
    this.#byMember.set(member, chunks)
    return chunks[randomIndex(random, chunks.length)]
  }

  /** The member left the section (or was demoted): its material is of no more use. */
  forget (member: string): boolean {
    return this.#byMember.delete(member)
  }

  snapshot (): AuditMaterialSnapshot {
    return {
      version: 1,
      members: [...this.#byMember].map(([member, chunks]) => ({
        member,
        chunks: chunks.map(chunk => ({ address: chunk.address, data: Buffer.from(chunk.bytes).toString('base64') }))
      }))
    }
  }

  #restore (snapshot: AuditMaterialSnapshot): void {
    const parsed = AuditMaterialSnapshotSchema.safeParse(snapshot)
    if (!parsed.success) throw new InvalidAuditMaterialError(`audit material snapshot is malformed: ${z.prettifyError(parsed.error).slice(0, 500)}`)
    // Newest last, as written; a snapshot over today's bounds keeps the most recent members and chunks.
    for (const { member, chunks } of parsed.data.members.slice(-this.maxMembers)) {
      this.add(member, chunks.map(record => ({ address: record.address, bytes: Uint8Array.from(Buffer.from(record.data, 'base64')) })))
    }
  }
}

function assertMember (member: string): void {
  if (typeof member !== 'string' || !MemberNameSchema.safeParse(member).success) throw new RangeError(`"member" expected a vault name of 64 lowercase hex digits, got "${String(member).slice(0, 80)}"`)
}

/** The usual persistence: one JSON file, written atomically, read back through the schema. */
export function auditMaterialFile (path: string): { load: () => Promise<AuditMaterialSnapshot | undefined>, persist: (snapshot: AuditMaterialSnapshot) => Promise<void> } {
  return {
    load: async () => await readJsonFile(path, AuditMaterialSnapshotSchema, problem => new InvalidAuditMaterialError(`audit material file ${path} ${problem}`)),
    persist: async (snapshot) => { await writeJsonFile(path, snapshot) }
  }
}
