// Wire format of /vault/audit/1.0.0: one stream per audit, carrying one length-prefixed JSON frame
// each way. The auditor sends a challenge {address, nonce}; the member answers with the storage
// proof SHA-256(nonce || chunk) (storage-proof.ts), or says it does not hold the chunk, or refuses
// the auditor. Every frame is parsed with these schemas; anything else is a protocol violation.
import { z } from 'zod'
import type { PeerId } from '@libp2p/interface'
import type { FailureKind } from '../../section/economy/dysfunction.ts'
import { nameOfPeer } from '../network/placement.ts'
import { nameToHex } from '../section/known-vaults.ts'
import { CHUNK_ADDRESS_PATTERN } from '../store/chunk-address.ts'
import { AuditFrameTooLargeError, MalformedAuditMessageError, NotAVaultError } from './audit-errors.ts'
import { MAX_AUDIT_FRAME_BYTES } from './constants.ts'
import { STORAGE_PROOF_BYTES, STORAGE_PROOF_NONCE_BYTES } from './storage-proof.ts'


/** A member as the section names it: its ed25519 name in hex. */
export function memberNameOf (peer: PeerId): string {
  const name = nameOfPeer(peer)
  if (name === undefined) throw new NotAVaultError(`peer ${peer.toString()} has no ed25519 name: only vaults are audited`)
  return nameToHex(name)
}

const hexOf = (bytes: number, what: string): z.ZodString => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${what}: ${bytes * 2} lowercase hex digits`)

export const AuditChallengeSchema = z.object({
  type: z.literal('challenge'),
  address: z.string().regex(CHUNK_ADDRESS_PATTERN, 'expected a chunk address: 64 lowercase hex digits'),
  nonce: hexOf(STORAGE_PROOF_NONCE_BYTES, 'a nonce')
}).strict()
export type AuditChallenge = z.infer<typeof AuditChallengeSchema>

export const AuditAnswerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('proof'), proof: hexOf(STORAGE_PROOF_BYTES, 'a storage proof') }).strict(),
  /** Not held (never stored, lost, or found corrupt and quarantined). */
  z.object({ type: z.literal('missing') }).strict(),
  /** The member does not take challenges from this peer (it does not see it as an elder). */
  z.object({ type: z.literal('refused') }).strict()
])
export type AuditAnswer = z.infer<typeof AuditAnswerSchema>

export function encodeAuditMessage (message: AuditChallenge | AuditAnswer): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(message))
  if (bytes.length > MAX_AUDIT_FRAME_BYTES) throw new AuditFrameTooLargeError(`audit message of ${bytes.length} bytes, more than ${MAX_AUDIT_FRAME_BYTES}`)
  return bytes
}

function decode<T> (bytes: Uint8Array, schema: z.ZodType<T>, what: string): T {
  if (bytes.length > MAX_AUDIT_FRAME_BYTES) throw new AuditFrameTooLargeError(`audit ${what} of ${bytes.length} bytes, more than ${MAX_AUDIT_FRAME_BYTES}`)
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedAuditMessageError(`audit ${what} is not UTF-8 JSON`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new MalformedAuditMessageError(`invalid audit ${what}: ${z.prettifyError(parsed.error).slice(0, 500)}`)
  return parsed.data
}

export function decodeAuditChallenge (bytes: Uint8Array): AuditChallenge {
  return decode(bytes, AuditChallengeSchema, 'challenge')
}

export function decodeAuditAnswer (bytes: Uint8Array): AuditAnswer {
  return decode(bytes, AuditAnswerSchema, 'answer')
}

export const AUDIT_OUTCOMES = ['passed', 'wrong-proof', 'missing', 'unresponsive'] as const
export type AuditOutcome = typeof AUDIT_OUTCOMES[number]

/** One audit's result, in the terms dysfunction tracking takes (section/economy/dysfunction.ts). */
export interface AuditResult {
  /** The member's name in hex, as the section names its members. */
  member: string
  /** The audited chunk. */
  address: string
  /** 'material' when the chunk is one the auditor placed, 'held' when it is one the auditor holds itself. */
  source: 'material' | 'held'
  outcome: AuditOutcome
  /** The failure to note, undefined when the audit passed. */
  kind: FailureKind | undefined
  /** For the notice and the log: what was asked and what came back. */
  reason: string
}

/** DESIGN §2 dysfunction: a wrong proof is wrong data, a chunk not held a missed audit, silence unresponsiveness. */
export function failureKindOf (outcome: AuditOutcome): FailureKind | undefined {
  switch (outcome) {
    case 'passed': return undefined
    case 'wrong-proof': return 'wrong-data'
    case 'missing': return 'missed-audit'
    case 'unresponsive': return 'unresponsive'
    default: {
      const never: never = outcome
      throw new TypeError(`unknown audit outcome ${String(never)}`)
    }
  }
}
