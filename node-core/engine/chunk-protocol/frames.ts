// Wire format of /vault/chunk/1.0.0: length-prefixed frames (unsigned varint length, then bytes).
// A request is a JSON header frame, followed for a put by one data frame of exactly `size` bytes.
// A reply is a JSON header frame, followed for a found get by one data frame.
// Every header is parsed with a schema; anything else is a protocol violation.
import { z } from 'zod'
import { CHUNK_ADDRESS_PATTERN, MAX_CHUNK_BYTES } from '../store/chunk-address.ts'
import { namedError } from '../../../contract/named-error.ts'

/** Headers are small; a larger "header" is malformed, not a chunk. */
export const MAX_HEADER_BYTES = 4096

const Address = z.string().regex(CHUNK_ADDRESS_PATTERN, 'expected 64 lowercase hex digits')

export const ChunkRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('put'), address: Address, size: z.number().int().min(0).max(MAX_CHUNK_BYTES) }).strict(),
  z.object({ op: z.literal('get'), address: Address }).strict(),
  z.object({ op: z.literal('has'), address: Address }).strict()
])
export type ChunkRequest = z.infer<typeof ChunkRequestSchema>

export const ChunkReplySchema = z.union([
  z.object({ ok: z.literal(true), op: z.literal('put'), added: z.boolean() }).strict(),
  z.object({ ok: z.literal(true), op: z.literal('get'), found: z.literal(true), size: z.number().int().min(0).max(MAX_CHUNK_BYTES) }).strict(),
  z.object({ ok: z.literal(true), op: z.enum(['get', 'has']), found: z.boolean() }).strict(),
  z.object({ ok: z.literal(false), error: z.object({ name: z.string().max(100), message: z.string().max(1000) }).strict() }).strict()
])
export type ChunkReply = z.infer<typeof ChunkReplySchema>

export class MalformedFrameError extends namedError('MalformedFrameError') {}

export function encodeFrame (value: ChunkRequest | ChunkReply): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value))
}

function decodeJson (bytes: Uint8Array, what: string): unknown {
  if (bytes.length > MAX_HEADER_BYTES) {
    throw new MalformedFrameError(`${what} header of ${bytes.length} bytes exceeds ${MAX_HEADER_BYTES} bytes`)
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedFrameError(`${what} header is not UTF-8 JSON`)
  }
}

export function decodeRequest (bytes: Uint8Array): ChunkRequest {
  const parsed = ChunkRequestSchema.safeParse(decodeJson(bytes, 'request'))
  if (!parsed.success) throw new MalformedFrameError(`invalid request header: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

export function decodeReply (bytes: Uint8Array): ChunkReply {
  const parsed = ChunkReplySchema.safeParse(decodeJson(bytes, 'reply'))
  if (!parsed.success) throw new MalformedFrameError(`invalid reply header: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}
