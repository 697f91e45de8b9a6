// Threshold BLS on BLS12-381 (the section key of DESIGN §2): public keys in G1 (48 bytes),
// signatures in G2 (96 bytes), messages hashed to G2 with the NUL ciphersuite, as blsttc does.
// Noble provides the curve, the pairing and hashing to the curve; this module composes Shamir
// sharing of the secret, signature shares, and their combination by Lagrange interpolation in G2.
// With threshold t, any t+1 valid shares combine to the one signature the whole key would make,
// because BLS signatures are unique for a key and a message.
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js'
import type { Fp2 } from '@noble/curves/abstract/tower.js'
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js'
import { bytesToHex } from '@noble/curves/utils.js'
import { namedError } from '../../../contract/named-error.ts'
import { assertDegree, evaluatePolynomial, lagrangeCoefficientsAtZero, powersOf, randomPolynomial } from './polynomial.ts'
import { assertIndex, assertScalar, bytesFromHex, defaultRandom, Fr, type Random } from './scalar.ts'

/** RFC 9380 / draft-irtf-cfrg-bls-signature basic scheme, G2 signatures; blsttc's `DST`. */
export const SECTION_SIGNATURE_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_'
export const PUBLIC_KEY_BYTES = 48
export const SIGNATURE_BYTES = 96

export type G1Point = WeierstrassPoint<bigint>
export type G2Point = WeierstrassPoint<Fp2>

const G1 = bls12_381.G1.Point
const G2 = bls12_381.G2.Point
const bls = bls12_381.longSignatures

/** Fewer than t+1 distinct shares cannot determine the signature. */
export class NotEnoughSharesError extends namedError('NotEnoughSharesError') {}

export interface SecretKeyShare {
  /** The participant's index: its x-coordinate, from 1. */
  readonly index: number
  readonly scalar: bigint
}

/**
 * The public side of a sharing: commitments C_k = a_k * G1 to the coefficients of the sharing
 * polynomial. C_0 is the group public key, and participant i's public key share is
 * sum_k C_k * i^k, so anyone can check a share from the commitments alone (Feldman).
 */
export interface PublicKeySet {
  /** t: any t+1 shares sign. */
  readonly threshold: number
  readonly commitments: readonly G1Point[]
}

export interface SignatureShare {
  readonly index: number
  readonly signature: G2Point
}

/** A message already hashed to G2, so a message checked against many shares is hashed once. */
export class HashedMessage {
  readonly point: G2Point
  constructor (point: G2Point) {
    this.point = point
  }
}

export type MessageInput = Uint8Array | HashedMessage

export function hashMessage (message: Uint8Array): HashedMessage {
  if (!(message instanceof Uint8Array)) throw new TypeError(`"message" expected Uint8Array, got ${typeof message}`)
  return new HashedMessage(bls.hash(message, SECTION_SIGNATURE_DST))
}

function hashed (message: MessageInput): G2Point {
  return message instanceof HashedMessage ? message.point : hashMessage(message).point
}

export function publicKeySetFromCommitments (commitments: readonly G1Point[]): PublicKeySet {
  if (!Array.isArray(commitments) || commitments.length === 0) throw new RangeError('"commitments" expected a non-empty array of G1 points')
  assertDegree(commitments.length - 1)
  for (const commitment of commitments) assertG1(commitment, 'commitment')
  return { threshold: commitments.length - 1, commitments: [...commitments] }
}

export function commitmentsOf (coefficients: readonly bigint[]): G1Point[] {
  return coefficients.map(coefficient => G1.BASE.multiply(coefficient))
}

/** The group (section) public key: the commitment to the constant term. */
export function groupPublicKey (set: PublicKeySet): G1Point {
  const key = set.commitments[0]
  if (key === undefined) throw new RangeError('"publicKeySet" has no commitments')
  return key
}

/** Participant `index`'s public key share, evaluated from the public commitments. */
export function publicKeyShare (set: PublicKeySet, index: number): G1Point {
  assertIndex(index)
  // Commitments and indices are public, so noble's variable-time multi-scalar product is safe here.
  return mulAddUnsafe(G1, [...set.commitments], powersOf(BigInt(index), set.commitments.length))
}

export function publicKeyFromSecret (scalar: bigint): G1Point {
  assertScalar(scalar)
  return G1.BASE.multiply(scalar)
}

/**
 * TRUSTED DEALER: one party knows the whole secret. For tests and benchmarks only; sections get
 * their key from the DKG (dkg.ts), never from a dealer (DESIGN §2).
 */
export function dealSharesAsTrustedDealer (options: { threshold: number, count: number, random?: Random, secret?: bigint }): {
  secret: bigint
  publicKeySet: PublicKeySet
  secretKeyShares: SecretKeyShare[]
} {
  const { threshold, count } = options
  assertDegree(threshold)
  assertIndex(count, 'count')
  if (count < threshold + 1) throw new RangeError(`"count" expected at least threshold + 1 = ${threshold + 1} participants, got ${count}`)
  const coefficients = randomPolynomial(threshold, options.random ?? defaultRandom, options.secret)
  const secretKeyShares: SecretKeyShare[] = []
  for (let index = 1; index <= count; index++) {
    secretKeyShares.push({ index, scalar: evaluatePolynomial(coefficients, BigInt(index)) })
  }
  return { secret: coefficients[0] ?? Fr.ZERO, publicKeySet: publicKeySetFromCommitments(commitmentsOf(coefficients)), secretKeyShares }
}

/** Signs with one secret key share: sigma_i = s_i * H(m). */
export function signShare (secretShare: SecretKeyShare, message: MessageInput): SignatureShare {
  assertIndex(secretShare.index)
  assertScalar(secretShare.scalar)
  return { index: secretShare.index, signature: bls.sign(hashed(message), Fr.toBytes(secretShare.scalar)) }
}

/** Whether `share` is participant share.index's signature over `message`: one pairing check. */
export function verifyShare (publicKeyShare: G1Point, message: MessageInput, share: SignatureShare): boolean {
  return verify(publicKeyShare, message, share.signature)
}

/**
 * Combines signature shares into the group signature: sum lambda_i * sigma_i over t+1 distinct
 * indices, lambda_i the Lagrange coefficients at 0. Shares must already be verified: a bad share
 * yields a signature that does not verify. Repeats of a share are ignored; two different shares
 * for one index are a RangeError. The t+1 lowest indices are used, so the work is fixed.
 */
export function combineShares (shares: readonly SignatureShare[], threshold: number): G2Point {
  if (!Array.isArray(shares)) throw new TypeError(`"shares" expected an array, got ${typeof shares}`)
  assertDegree(threshold)
  const byIndex = new Map<number, G2Point>()
  for (const share of shares) {
    assertIndex(share.index, 'share.index')
    assertG2(share.signature, 'share.signature')
    const previous = byIndex.get(share.index)
    if (previous !== undefined && !previous.equals(share.signature)) throw new RangeError(`"shares" hold two different signatures for index ${share.index}`)
    byIndex.set(share.index, share.signature)
  }
  if (byIndex.size < threshold + 1) throw new NotEnoughSharesError(`combining needs ${threshold + 1} distinct signature shares, got ${byIndex.size}`)
  const indices = [...byIndex.keys()].sort((a, b) => a - b).slice(0, threshold + 1)
  const lambdas = lagrangeCoefficientsAtZero(indices)
  const signatures = indices.map(index => byIndex.get(index) ?? G2.ZERO)
  // Signature shares and indices are public: the variable-time multi-scalar product is safe.
  return mulAddUnsafe(G2, signatures, lambdas)
}

/** BLS verification e(pk, H(m)) == e(G1, sigma). The identity key or signature never verifies. */
export function verify (publicKey: G1Point, message: MessageInput, signature: G2Point): boolean {
  assertG1(publicKey, 'publicKey')
  assertG2(signature, 'signature')
  if (publicKey.is0() || signature.is0()) return false
  return bls.verify(signature, hashed(message), publicKey)
}

function assertG1 (point: G1Point, what: string): void {
  if (!(point instanceof G1)) throw new TypeError(`"${what}" expected a G1 point`)
}

function assertG2 (point: G2Point, what: string): void {
  if (!(point instanceof G2)) throw new TypeError(`"${what}" expected a G2 point`)
}

// Encodings: compressed points (ZCash format, as blsttc and the Ethereum specs use).

export function publicKeyToBytes (key: G1Point): Uint8Array {
  assertG1(key, 'publicKey')
  return key.toBytes()
}

/**
 * Parses a compressed point of the expected size; noble checks it is on the curve and in the
 * subgroup, and the identity point is refused (it would make any signature "verify").
 */
function pointFromBytes<P extends { is0(): boolean }> (bytes: Uint8Array, size: number, what: string, group: string, parse: (bytes: Uint8Array) => P): P {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"${what}" expected Uint8Array of ${size} bytes, got ${typeof bytes}`)
  if (bytes.length !== size) throw new RangeError(`"${what}" expected Uint8Array of ${size} bytes, got ${bytes.length} bytes`)
  let point: P
  try {
    point = parse(bytes)
  } catch (err) {
    throw new RangeError(`"${what}" is not a valid compressed ${group} point: ${(err as Error).message}`, { cause: err })
  }
  if (point.is0()) throw new RangeError(`"${what}" must not be the identity point`)
  return point
}

/** Parses a 48-byte compressed G1 key. */
export function publicKeyFromBytes (bytes: Uint8Array): G1Point {
  return pointFromBytes(bytes, PUBLIC_KEY_BYTES, 'publicKey', 'G1', raw => G1.fromBytes(raw))
}

export function signatureToBytes (signature: G2Point): Uint8Array {
  assertG2(signature, 'signature')
  return signature.toBytes()
}

export function signatureFromBytes (bytes: Uint8Array): G2Point {
  return pointFromBytes(bytes, SIGNATURE_BYTES, 'signature', 'G2', raw => G2.fromBytes(raw))
}

export function publicKeyToHex (key: G1Point): string {
  return bytesToHex(publicKeyToBytes(key))
}

export function publicKeyFromHex (hex: string): G1Point {
  return publicKeyFromBytes(bytesFromHex(hex, PUBLIC_KEY_BYTES, 'publicKey'))
}

export function signatureToHex (signature: G2Point): string {
  return bytesToHex(signatureToBytes(signature))
}

export function signatureFromHex (hex: string): G2Point {
  return signatureFromBytes(bytesFromHex(hex, SIGNATURE_BYTES, 'signature'))
}

/**
 * A section key and a signature, both from hex, as every signed record (decisions, chain links,
 * reward records) carries them; a malformed one is a value with the reason, not a throw.
 */
export function parseKeyAndSignature (keyHex: string, signatureHex: string): { ok: true, key: G1Point, signature: G2Point } | { ok: false, reason: string } {
  try {
    return { ok: true, key: publicKeyFromHex(keyHex), signature: signatureFromHex(signatureHex) }
  } catch (err) {
    return { ok: false, reason: (err as Error).message }
  }
}

/** blsttc's `PublicKeySet::to_bytes`: the commitments, 48 bytes each, constant term first. */
export function publicKeySetToBytes (set: PublicKeySet): Uint8Array {
  const bytes = new Uint8Array(set.commitments.length * PUBLIC_KEY_BYTES)
  set.commitments.forEach((commitment, k) => { bytes.set(publicKeyToBytes(commitment), k * PUBLIC_KEY_BYTES) })
  return bytes
}

export function publicKeySetFromBytes (bytes: Uint8Array): PublicKeySet {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"publicKeySet" expected Uint8Array, got ${typeof bytes}`)
  if (bytes.length === 0 || bytes.length % PUBLIC_KEY_BYTES !== 0) throw new RangeError(`"publicKeySet" expected a non-empty multiple of ${PUBLIC_KEY_BYTES} bytes, got ${bytes.length} bytes`)
  const commitments: G1Point[] = []
  for (let offset = 0; offset < bytes.length; offset += PUBLIC_KEY_BYTES) {
    commitments.push(publicKeyFromBytes(bytes.subarray(offset, offset + PUBLIC_KEY_BYTES)))
  }
  return publicKeySetFromCommitments(commitments)
}
