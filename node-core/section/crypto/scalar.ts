// Scalars of BLS12-381's prime-order subgroup (the field Fr) and the randomness they are drawn
// from. Noble provides the field arithmetic; this module only fixes how scalars are drawn, encoded
// and validated at our boundaries.
import { randomBytes } from 'node:crypto'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { getMinHashLength, mapHashToField } from '@noble/curves/abstract/modular.js'
import { bytesToHex, bytesToNumberBE, hexToBytes } from '@noble/curves/utils.js'

/** The scalar field Fr of BLS12-381: secret keys, shares and polynomial coefficients live here. */
export const Fr = bls12_381.fields.Fr

/** Bytes of a big-endian encoded scalar (blsttc's `SK_SIZE`). */
export const SCALAR_BYTES = Fr.BYTES

/** Injected randomness: `bytes` uniformly random bytes. Tests pass a seeded generator. */
export type Random = (bytes: number) => Uint8Array

export const defaultRandom: Random = (bytes) => new Uint8Array(randomBytes(bytes))

/** 48 bytes for a 255-bit order: 1.5 times the field size, so the reduction bias is below 2^-128. */
const RANDOM_SCALAR_INPUT_BYTES = getMinHashLength(Fr.ORDER)

/**
 * A uniformly random non-zero scalar. Draws 48 bytes and reduces them with noble's
 * `mapHashToField` (mod r-1, plus 1; FIPS 186-5 appendix A.2.1), so the result is never zero and
 * its bias from uniform is negligible. A plain `mod r` of 32 bytes would be biased by about 2^-1.
 */
export function randomScalar (random: Random = defaultRandom): bigint {
  if (typeof random !== 'function') throw new TypeError(`"random" expected a function, got ${typeof random}`)
  const input = random(RANDOM_SCALAR_INPUT_BYTES)
  if (!(input instanceof Uint8Array)) throw new TypeError(`"random" expected to return a Uint8Array, got ${typeof input}`)
  if (input.length !== RANDOM_SCALAR_INPUT_BYTES) throw new RangeError(`"random" expected to return ${RANDOM_SCALAR_INPUT_BYTES} bytes, got ${input.length}`)
  return Fr.fromBytes(mapHashToField(input, Fr.ORDER))
}

export function scalarToBytes (scalar: bigint): Uint8Array {
  assertScalar(scalar)
  return Fr.toBytes(scalar)
}

export function scalarToHex (scalar: bigint): string {
  return bytesToHex(scalarToBytes(scalar))
}

/** Parses a 32-byte big-endian scalar; a value of r or more is a RangeError, never reduced. */
export function scalarFromBytes (bytes: Uint8Array): bigint {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"scalar" expected Uint8Array of ${SCALAR_BYTES} bytes, got ${typeof bytes}`)
  if (bytes.length !== SCALAR_BYTES) throw new RangeError(`"scalar" expected Uint8Array of ${SCALAR_BYTES} bytes, got ${bytes.length} bytes`)
  // Fr.fromBytes reduces mod r; an encoding of r or more is malformed here, so check first.
  const value = bytesToNumberBE(bytes)
  if (value >= Fr.ORDER) throw new RangeError('"scalar" expected a value below the group order r')
  return value
}

export function scalarFromHex (hex: string): bigint {
  return scalarFromBytes(bytesFromHex(hex, SCALAR_BYTES, 'scalar'))
}

/** Strict hex decoding for our encodings: lowercase, exactly `length` bytes, nothing coerced. */
export function bytesFromHex (hex: string, length: number, what: string): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError(`"${what}" expected a hex string of ${length} bytes, got ${typeof hex}`)
  if (hex.length !== length * 2 || !/^[0-9a-f]*$/.test(hex)) throw new RangeError(`"${what}" expected ${length * 2} lowercase hex digits, got ${hex.length} characters`)
  return hexToBytes(hex)
}

export function assertScalar (scalar: bigint): void {
  if (typeof scalar !== 'bigint') throw new TypeError(`"scalar" expected a bigint, got ${typeof scalar}`)
  if (!Fr.isValid(scalar)) throw new RangeError('"scalar" expected a value from 0 to r-1')
}

/**
 * A participant's index is its x-coordinate on the sharing polynomial: 1, 2, ... n. Zero is the
 * secret itself, so it is never an index. (blsttc numbers shares from 0 and evaluates at i + 1;
 * our index i is blsttc's share i - 1.)
 */
export const MAX_INDEX = 1000

export function assertIndex (index: number, what = 'index'): void {
  if (typeof index !== 'number') throw new TypeError(`"${what}" expected an integer from 1 to ${MAX_INDEX}, got ${typeof index}`)
  if (!Number.isInteger(index) || index < 1 || index > MAX_INDEX) throw new RangeError(`"${what}" expected an integer from 1 to ${MAX_INDEX}, got ${index}`)
}
