import { grindKeys } from '../../node-core/engine/identity/grind.ts'
import { identityFromSeed, type VaultIdentity } from '../../node-core/engine/identity/identity-file.ts'
import { NAME_BYTES } from '../../node-core/engine/identity/name.ts'

/** A 32-byte name whose leading bytes are `head` and whose other bytes are `fill`. */
export function nameWith (head: number[], fill = 0): Uint8Array {
  const name = new Uint8Array(NAME_BYTES).fill(fill)
  name.set(head)
  return name
}

/** A ground identity per age, in order: vaults of chosen ages for a live section. */
export async function identitiesOfAges (ages: readonly number[]): Promise<VaultIdentity[]> {
  const found: VaultIdentity[] = []
  for (const age of ages) {
    const key = (await grindKeys(1, { prefix: '', age })).keys[0]
    if (key === undefined) throw new Error(`no key ground for age ${age}`)
    found.push(identityFromSeed(key.seed))
  }
  return found
}
