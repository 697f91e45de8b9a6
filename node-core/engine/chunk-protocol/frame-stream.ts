// Length-prefixed frames on a libp2p stream, bounded from the first byte: a length prefix longer
// than the largest frame needs is refused at once, instead of being read (and buffered) forever.
import type { Stream } from '@libp2p/interface'
import { InvalidDataLengthError, lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'
import { decode, encodingLength } from 'uint8-varint'
import { MAX_CHUNK_BYTES } from '../store/chunk-address.ts'

const MAX_PREFIX_BYTES = encodingLength(MAX_CHUNK_BYTES)

/** Decodes a varint length; lpStream treats a RangeError as "need more bytes". */
export function decodeBoundedLength (prefix: Uint8ArrayList): number {
  if (prefix.byteLength > MAX_PREFIX_BYTES) {
    throw new InvalidDataLengthError(`Message length prefix longer than ${MAX_PREFIX_BYTES} bytes: the frame would exceed ${MAX_CHUNK_BYTES} bytes`)
  }
  return decode(prefix)
}

export function frameStream (stream: Stream): LengthPrefixedStream<Stream> {
  return lpStream(stream, { maxDataLength: MAX_CHUNK_BYTES, lengthDecoder: decodeBoundedLength })
}
