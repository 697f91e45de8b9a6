// A vault tells its section how full its store is (issue 3 deliver 3, DESIGN §2 "Joins"): the
// level in tenths follows every chunk stored, so an adult at 90 % reports it to its elders and the
// section admits a new vault. Here a vault with a 20 MiB store takes chunks of 1 MiB.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createVault } from '../../../node-core/engine/vault.ts'
import { MAX_CHUNK_BYTES } from '../../../node-core/engine/store/chunk-address.ts'
import { freshDirs } from '../../helpers/temp-dirs.ts'

/** A chunk of 1 MiB whose bytes differ by `seed`. */
function chunk (seed: number): Uint8Array {
  const bytes = new Uint8Array(MAX_CHUNK_BYTES)
  bytes.set(createHash('sha256').update(String(seed)).digest())
  return bytes
}

describe('a vault\'s storage level, as its section hears it', () => {
  const dir = freshDirs('vault-storage-level-')

  it('follows the store in tenths as chunks arrive: 7 at 15 MiB of 20, 9 at 18, 10 at 20', async () => {
    const vault = await createVault({ dataDir: await dir(), localNetwork: true, capacityBytes: 20 * MAX_CHUNK_BYTES })
    await vault.start()
    try {
      const node = vault.section?.node
      assert.ok(node !== undefined)
      assert.equal(await node.storageLevel(), 0)
      const levels: number[] = []
      for (let i = 0; i < 20; i++) {
        await vault.store.put(chunk(i))
        levels.push(await node.storageLevel())
      }
      assert.deepEqual(levels.slice(14, 20), [7, 8, 8, 9, 9, 10])
      await assert.rejects(vault.store.put(chunk(20)), { name: 'StoreFullError' })
      assert.equal(await node.storageLevel(), 10)
    } finally {
      await vault.stop()
    }
  })
})
