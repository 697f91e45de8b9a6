// Chunks are content-addressed: the address is the SHA-256 of the content, as 64 hex digits.
import { createHash } from 'node:crypto'
import { namedError } from '../../../contract/named-error.ts'

export const MAX_CHUNK_BYTES = 1024 * 1024
export const CHUNK_ADDRESS_PATTERN = /^[0-9a-f]{64}$/

export function chunkAddress (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export function assertChunkAddress (address: string): void {
  if (typeof address !== 'string') throw new TypeError(`"address" expected 64 hex digits, got ${typeof address}`)
  if (!CHUNK_ADDRESS_PATTERN.test(address)) throw new RangeError(`"address" expected 64 lowercase hex digits, got "${address.slice(0, 80)}"`)
}

export function assertChunkBytes (bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"chunk" expected Uint8Array of at most ${MAX_CHUNK_BYTES} bytes, got ${typeof bytes}`)
  if (bytes.length > MAX_CHUNK_BYTES) throw new ChunkTooLargeError(`"chunk" expected Uint8Array of at most ${MAX_CHUNK_BYTES} bytes, got ${bytes.length} bytes`)
}

export function addressToBytes (address: string): Uint8Array {
  assertChunkAddress(address)
  return Uint8Array.from(Buffer.from(address, 'hex'))
}

export class ChunkTooLargeError extends RangeError {
  static readonly NAME = 'ChunkTooLargeError'
  override name = ChunkTooLargeError.NAME
}

export class ChunkMismatchError extends namedError('ChunkMismatchError') {}
