// A vault's name is its 32-byte ed25519 public key: its XOR address and its libp2p PeerId.
// DESIGN §2: age = the last byte of the name; the leading bits pick its section.

export const NAME_BYTES = 32
/** DESIGN §2: the age of a new vault. */
export const NEW_VAULT_AGE = 5

export function assertName (name: Uint8Array): void {
  if (!(name instanceof Uint8Array)) throw new TypeError(`"name" expected Uint8Array of ${NAME_BYTES} bytes, got ${typeof name}`)
  if (name.length !== NAME_BYTES) throw new RangeError(`"name" expected Uint8Array of ${NAME_BYTES} bytes, got ${name.length} bytes`)
}

/** Age = the last byte of the name, so any peer can read it and nobody can forge it. */
export function ageOfName (name: Uint8Array): number {
  assertName(name)
  return name[NAME_BYTES - 1] ?? 0
}

/** A section prefix as a string of bits, most significant first: '' is the whole network. */
export function assertPrefix (prefix: string): void {
  if (typeof prefix !== 'string') throw new TypeError(`"prefix" expected a string of 0s and 1s, got ${typeof prefix}`)
  if (!/^[01]{0,64}$/.test(prefix)) throw new RangeError(`"prefix" expected up to 64 bits of 0s and 1s, got "${prefix}"`)
}

export function nameHasPrefix (name: Uint8Array, prefix: string): boolean {
  for (let bit = 0; bit < prefix.length; bit++) {
    const byte = name[bit >> 3] ?? 0
    const value = (byte >> (7 - (bit & 7))) & 1
    if (value !== (prefix.charCodeAt(bit) - 48)) return false
  }
  return true
}

export function assertAge (age: number): void {
  if (!Number.isInteger(age)) throw new TypeError(`"age" expected an integer from 0 to 255, got ${age}`)
  if (age < 0 || age > 255) throw new RangeError(`"age" expected an integer from 0 to 255, got ${age}`)
}

/** XOR distance between two 32-byte addresses, as a big-endian unsigned integer. */
export function xorDistance (a: Uint8Array, b: Uint8Array): bigint {
  let distance = 0n
  for (let i = 0; i < NAME_BYTES; i++) {
    distance = (distance << 8n) | BigInt((a[i] ?? 0) ^ (b[i] ?? 0))
  }
  return distance
}
