// Byte fields of the section's wire messages: lowercase hex in JSON, Uint8Array in memory, with the
// exact length checked both ways (zod codecs: `schema.parse`/`decode` reads, `encode` writes).
import { z } from 'zod'

export function hexBytes (length: number): z.ZodCodec<z.ZodString, z.ZodCustom<Uint8Array>> {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`"length" expected a positive integer, got ${length}`)
  return z.codec(
    z.string().regex(new RegExp(`^[0-9a-f]{${length * 2}}$`), `expected ${length} bytes as lowercase hex`),
    z.custom<Uint8Array>(value => value instanceof Uint8Array && value.length === length, `expected Uint8Array of ${length} bytes`),
    {
      decode: text => Uint8Array.from(Buffer.from(text, 'hex')),
      encode: bytes => Buffer.from(bytes).toString('hex')
    }
  )
}
