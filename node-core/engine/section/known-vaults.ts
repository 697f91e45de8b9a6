// The vaults a forming section knows of (issue 3): itself and every peer that was seen speaking the
// section protocol over an authenticated connection. Their ages are their names' last bytes, so
// the elders, the 7 oldest (rules/elders.ts), follow from the set alone.
import { ageOfName } from '../identity/name.ts'
import { ELDER_COUNT, electElders } from '../../section/rules/elders.ts'

export function nameToBytes (hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

export function nameToHex (name: Uint8Array): string {
  return Buffer.from(name).toString('hex')
}

export function ageOfHexName (hex: string): number {
  return ageOfName(nameToBytes(hex))
}

/** Names ordered as elders rank them: older first, then the lower name. */
export function byRank (names: Iterable<string>): string[] {
  return [...names].sort((a, b) => (ageOfHexName(b) - ageOfHexName(a)) || (a < b ? -1 : a > b ? 1 : 0))
}

export class KnownVaults {
  readonly #names = new Set<string>()

  constructor (self: string) {
    this.#names.add(self)
  }

  get size (): number { return this.#names.size }

  has (name: string): boolean {
    return this.#names.has(name)
  }

  /** Adds a vault; true when it was new. */
  add (name: string): boolean {
    if (this.#names.has(name)) return false
    this.#names.add(name)
    return true
  }

  names (): string[] {
    return [...this.#names]
  }

  /** The `count` oldest known vaults, by elder rank. */
  oldest (count: number): string[] {
    return byRank(this.#names).slice(0, count)
  }

  /** The founding elders in index order, once at least ELDER_COUNT vaults are known. */
  elders (): string[] | undefined {
    if (this.#names.size < ELDER_COUNT) return undefined
    return electElders([...this.#names].map(nameToBytes), []).map(nameToHex)
  }

  /** Whether a vault heard of would rank among the elders: worth connecting to while forming. */
  wouldBeElder (name: string): boolean {
    if (this.#names.has(name)) return false
    return byRank([...this.oldest(ELDER_COUNT), name]).indexOf(name) < ELDER_COUNT
  }
}
