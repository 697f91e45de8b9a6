// Raw 32-byte ed25519 keys out of node:crypto's DER encodings. The DER prefixes are fixed
// (RFC 8410), so the raw key is always the last 32 bytes.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

export function rawPublicKey (key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' })
  return new Uint8Array(der.subarray(der.length - 32))
}

export function rawPrivateSeed (key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'pkcs8' })
  return new Uint8Array(der.subarray(der.length - 32))
}

export function publicKeyFromSeed (seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new RangeError(`"seed" expected Uint8Array of 32 bytes, got ${seed.length} bytes`)
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  return rawPublicKey(createPublicKey(privateKey))
}
