import { NAME_BYTES } from '../../node-core/engine/identity/name.ts'

/** A 32-byte name whose leading bytes are `head` and whose other bytes are `fill`. */
export function nameWith (head: number[], fill = 0): Uint8Array {
  const name = new Uint8Array(NAME_BYTES).fill(fill)
  name.set(head)
  return name
}
