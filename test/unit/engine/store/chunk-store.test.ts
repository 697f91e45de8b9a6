import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  chunkAddress, ChunkMismatchError, ChunkTooLargeError, MAX_CHUNK_BYTES
} from '../../../../node-core/engine/store/chunk-address.ts'
import {
  ChunkStore, CorruptChunkError, StoreFullError, StoreNotStartedError
} from '../../../../node-core/engine/store/chunk-store.ts'

const MiB = 1024 * 1024

function chunkPath (dir: string, address: string): string {
  return join(dir, 'chunks', address.slice(0, 2), address)
}

function assertSameBytes (actual: Uint8Array | undefined, expected: Uint8Array): void {
  assert.ok(actual !== undefined, 'expected bytes, got undefined')
  assert.equal(actual.length, expected.length)
  assert.equal(Buffer.compare(actual, expected), 0, 'bytes differ')
}

function untyped<T> (value: unknown): T {
  return value as T
}

/** Collects the details of every `type` event the store emits. */
function recordEvents<T> (store: ChunkStore, type: 'chunk:stored' | 'chunk:quarantined' | 'store:full'): T[] {
  const seen: T[] = []
  store.addEventListener(type, (event: Event) => {
    assert.ok(event instanceof CustomEvent)
    seen.push(event.detail as T)
  })
  return seen
}

describe('ChunkStore', () => {
  let root = ''
  let dir = ''
  let next = 0
  const started: ChunkStore[] = []

  async function openStore (capacityBytes = 64 * MiB, storeDir = dir): Promise<ChunkStore> {
    const store = new ChunkStore({ dir: storeDir, capacityBytes })
    await store.start()
    started.push(store)
    return store
  }

  before(async () => { root = await mkdtemp(join(tmpdir(), 'chunk-store-test-')) })
  after(async () => { await rm(root, { recursive: true, force: true }) })
  beforeEach(() => { dir = join(root, `store-${next++}`) })
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async store => { await store.stop() }))
  })

  it('stores a chunk under the SHA-256 of its bytes and reads it back', async () => {
    const store = await openStore()
    const bytes = randomBytes(4096)
    const expected = createHash('sha256').update(bytes).digest('hex')
    const stored = recordEvents<{ address: string, size: number }>(store, 'chunk:stored')

    assert.deepEqual(await store.put(bytes), { address: expected, added: true })
    assert.equal(chunkAddress(bytes), expected)
    assert.equal(store.has(expected), true)
    assertSameBytes(await store.get(expected), bytes)
    assertSameBytes(await readFile(chunkPath(dir, expected)), bytes)
    assert.deepEqual([...store.addresses()], [expected])
    assert.deepEqual(stored, [{ address: expected, size: 4096 }])
    const stats = store.stats()
    assert.equal(stats.chunks, 1)
    assert.equal(stats.bytes, 4096)
    assert.equal(stats.quarantined, 0)
  })

  it('refuses a put while its chunk folder is gone, rather than make a new one elsewhere; reindex takes the folder back', async () => {
    const store = await openStore()
    const kept = randomBytes(512)
    const { address } = await store.put(kept)
    await rename(join(dir, 'chunks'), join(dir, 'chunks.unplugged'))
    await assert.rejects(store.put(randomBytes(512)), { code: 'ENOENT' })
    assert.deepEqual(await readdir(dir).then(names => names.filter(name => name.startsWith('chunks'))), ['chunks.unplugged'])
    assert.equal(await store.get(address).catch(() => undefined), undefined)
    await rename(join(dir, 'chunks.unplugged'), join(dir, 'chunks'))
    await store.reindex()
    assert.equal(store.has(address), true)
    assertSameBytes(await store.get(address), kept)
  })

  it('accepts a put whose expected address is right, and an empty chunk', async () => {
    const store = await openStore()
    const bytes = randomBytes(100)
    assert.deepEqual(await store.put(bytes, chunkAddress(bytes)), { address: chunkAddress(bytes), added: true })
    const empty = new Uint8Array(0)
    assert.equal((await store.put(empty)).address, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    assertSameBytes(await store.get(chunkAddress(empty)), empty)
  })

  it('answers a second put of the same chunk with added: false and keeps one copy', async () => {
    const store = await openStore()
    const bytes = randomBytes(1000)
    assert.equal((await store.put(bytes)).added, true)
    assert.equal((await store.put(bytes)).added, false)
    assert.equal(store.stats().chunks, 1)
    assert.equal(store.stats().bytes, 1000)
  })

  it('rejects a put whose bytes do not hash to the expected address and stores nothing', async () => {
    const store = await openStore()
    const bytes = randomBytes(500)
    const claimed = chunkAddress(randomBytes(500))
    await assert.rejects(store.put(bytes, claimed), (err: unknown) => {
      assert.ok(err instanceof ChunkMismatchError)
      assert.equal(err.name, 'ChunkMismatchError')
      assert.ok(err.message.includes(claimed))
      return true
    })
    assert.equal(store.has(claimed), false)
    assert.equal(store.has(chunkAddress(bytes)), false)
    assert.deepEqual(store.stats(), { chunks: 0, bytes: 0, capacityBytes: 64 * MiB, full: false, quarantined: 0 })
    assert.deepEqual(await readdir(join(dir, 'chunks')), [])
    assert.deepEqual(await readdir(join(dir, 'tmp')), [])
  })

  it('accepts a chunk of exactly 1 MiB and rejects one byte more with ChunkTooLargeError', async () => {
    const store = await openStore()
    assert.equal(MAX_CHUNK_BYTES, MiB)
    assert.equal((await store.put(randomBytes(MiB))).added, true)
    const tooLarge = randomBytes(MiB + 1)
    await assert.rejects(store.put(tooLarge), (err: unknown) => {
      assert.ok(err instanceof ChunkTooLargeError)
      assert.ok(err instanceof RangeError)
      assert.equal(err.name, 'ChunkTooLargeError')
      return true
    })
    assert.equal(store.has(chunkAddress(tooLarge)), false)
    assert.equal(store.stats().chunks, 1)
  })

  it('refuses a chunk that would exceed its capacity with StoreFullError, and fills up exactly', async () => {
    const store = await openStore(1000)
    const fullEvents = recordEvents<{ bytes: number }>(store, 'store:full')
    await store.put(randomBytes(600))
    const overflow = randomBytes(401)
    await assert.rejects(store.put(overflow), (err: unknown) => {
      assert.ok(err instanceof StoreFullError)
      assert.equal(err.name, 'StoreFullError')
      assert.match(err.message, /600 of 1000 bytes used, cannot add 401 more/)
      return true
    })
    assert.equal(store.has(chunkAddress(overflow)), false)
    assert.equal(fullEvents.length, 1)
    assert.equal(fullEvents[0]?.bytes, 600)

    const rest = randomBytes(400)
    assert.equal((await store.put(rest)).added, true)
    assert.equal(store.stats().bytes, 1000)
    // A chunk already held is not new data: it is acknowledged even when full.
    assert.deepEqual(await store.put(rest), { address: chunkAddress(rest), added: false })
    await assert.rejects(store.put(new Uint8Array([1])), StoreFullError)
  })

  it('reports full once a chunk of the largest size might not fit', async () => {
    const store = await openStore(MiB + 100)
    assert.equal(store.stats().full, false)
    await store.put(randomBytes(100))
    assert.equal(store.stats().full, false)
    await store.put(randomBytes(1))
    assert.equal(store.stats().full, true)
    await assert.rejects(store.put(randomBytes(MiB)), StoreFullError)
  })

  it('counts bytes still being written against the capacity', async () => {
    const store = await openStore(1000)
    const results = await Promise.allSettled([store.put(randomBytes(600)), store.put(randomBytes(600))])
    assert.deepEqual(results.map(result => result.status).sort(), ['fulfilled', 'rejected'])
    const rejected = results.find(result => result.status === 'rejected')
    assert.ok(rejected?.status === 'rejected')
    assert.ok(rejected.reason instanceof StoreFullError)
    assert.equal(store.stats().bytes, 600)
    assert.equal(store.stats().chunks, 1)
  })

  it('stores a chunk put concurrently several times once', async () => {
    const store = await openStore()
    const stored = recordEvents<{ address: string }>(store, 'chunk:stored')
    const bytes = randomBytes(64 * 1024)
    const results = await Promise.all(Array.from({ length: 8 }, async () => await store.put(bytes)))
    assert.equal(results.filter(result => result.added).length, 1)
    assert.ok(results.every(result => result.address === chunkAddress(bytes)))
    assert.equal(stored.length, 1)
    assert.deepEqual(store.stats(), { chunks: 1, bytes: 64 * 1024, capacityBytes: 64 * MiB, full: false, quarantined: 0 })
    const address = chunkAddress(bytes)
    assert.deepEqual(await readdir(join(dir, 'chunks', address.slice(0, 2))), [address])
    assert.deepEqual(await readdir(join(dir, 'tmp')), [])
  })

  it('returns undefined for a chunk it does not hold', async () => {
    const store = await openStore()
    assert.equal(await store.get(chunkAddress(randomBytes(10))), undefined)
    assert.equal(store.has(chunkAddress(randomBytes(10))), false)
  })

  it('rejects an invalid address: RangeError for a bad string, TypeError for another kind', async () => {
    const store = await openStore()
    for (const bad of ['', 'abc', 'A'.repeat(64), 'g'.repeat(64), '0'.repeat(63), '0'.repeat(65), `../${'0'.repeat(61)}`]) {
      await assert.rejects(store.get(bad), { name: 'RangeError', message: /^"address" expected 64 lowercase hex digits/ }, bad)
    }
    await assert.rejects(store.get(untyped(42)), TypeError)
  })

  it('rejects a chunk that is not a Uint8Array with TypeError', async () => {
    const store = await openStore()
    await assert.rejects(store.put(untyped('hello')), { name: 'TypeError', message: /^"chunk" expected Uint8Array/ })
  })

  it('quarantines a chunk corrupted on disk and never serves it', async () => {
    const store = await openStore()
    const quarantined = recordEvents<{ address: string, reason: string }>(store, 'chunk:quarantined')
    const bytes = randomBytes(2048)
    const { address } = await store.put(bytes)
    const corrupt = Buffer.from(bytes)
    corrupt[100] = (corrupt[100] ?? 0) ^ 0x01
    await writeFile(chunkPath(dir, address), corrupt)

    await assert.rejects(store.get(address), (err: unknown) => {
      assert.ok(err instanceof CorruptChunkError)
      assert.equal(err.name, 'CorruptChunkError')
      assert.ok(err.message.includes(address))
      return true
    })
    assert.equal(await store.get(address), undefined)
    assert.equal(store.has(address), false)
    assert.deepEqual(store.stats(), { chunks: 0, bytes: 0, capacityBytes: 64 * MiB, full: false, quarantined: 1 })
    assert.equal(quarantined.length, 1)
    assert.equal(quarantined[0]?.address, address)

    const inQuarantine = await readdir(join(dir, 'quarantine'))
    assert.equal(inQuarantine.length, 1)
    assert.ok(inQuarantine[0]?.startsWith(`${address}.`))
    assertSameBytes(await readFile(join(dir, 'quarantine', inQuarantine[0] ?? '')), corrupt)
    assert.deepEqual(await readdir(join(dir, 'chunks', address.slice(0, 2))), [])

    // The good chunk can be stored again afterwards.
    assert.equal((await store.put(bytes)).added, true)
    assertSameBytes(await store.get(address), bytes)
  })

  it('quarantines a corrupt chunk once when it is read concurrently', async () => {
    const store = await openStore()
    const quarantined = recordEvents<{ address: string }>(store, 'chunk:quarantined')
    const { address } = await store.put(randomBytes(2048))
    await writeFile(chunkPath(dir, address), randomBytes(2048))

    const results = await Promise.allSettled([store.get(address), store.get(address), store.get(address)])
    assert.ok(results.every(result => result.status === 'rejected' || result.value === undefined), 'corrupt bytes were served')
    assert.equal((await readdir(join(dir, 'quarantine'))).length, 1)
    assert.equal(quarantined.length, 1, 'one corrupt file was reported quarantined more than once')
    assert.equal(store.stats().quarantined, 1)
  })

  it('forgets a chunk whose file disappeared', async () => {
    const store = await openStore()
    const { address } = await store.put(randomBytes(300))
    await rm(chunkPath(dir, address))
    assert.equal(await store.get(address), undefined)
    assert.equal(store.has(address), false)
    assert.equal(store.stats().bytes, 0)
  })

  it('on restart removes orphan temp files and rebuilds its index from the chunk files', async () => {
    const first = await openStore()
    const sizes = [10, 2000, 70_000]
    const addresses: string[] = []
    for (const size of sizes) addresses.push((await first.put(randomBytes(size))).address)
    const corruptAddress = (await first.put(randomBytes(50))).address
    await writeFile(chunkPath(dir, corruptAddress), randomBytes(50))
    await assert.rejects(first.get(corruptAddress), CorruptChunkError)
    await first.stop()

    // A crash mid-put leaves a temp file; stray files in the chunk tree are not chunks.
    await writeFile(join(dir, 'tmp', `${'ab'.repeat(32)}.0123456789ab`), randomBytes(999))
    await mkdir(join(dir, 'chunks', 'zz'), { recursive: true })
    await writeFile(join(dir, 'chunks', 'zz', 'not-a-chunk'), 'x')
    await writeFile(join(dir, 'chunks', addresses[0]?.slice(0, 2) ?? '', 'notes.txt'), 'x')

    const second = await openStore()
    assert.deepEqual(await readdir(join(dir, 'tmp')), [])
    const stats = second.stats()
    assert.equal(stats.chunks, 3)
    assert.equal(stats.bytes, sizes.reduce((sum, size) => sum + size, 0))
    assert.equal(stats.quarantined, 1)
    assert.deepEqual([...second.addresses()].sort(), [...addresses].sort())
    for (const address of addresses) {
      const bytes = await second.get(address)
      assert.ok(bytes !== undefined)
      assert.equal(chunkAddress(bytes), address)
    }
    assert.equal(await second.get(corruptAddress), undefined)
  })

  it('refuses to work before start and after stop', async () => {
    const store = new ChunkStore({ dir, capacityBytes: MiB })
    await assert.rejects(store.put(randomBytes(10)), StoreNotStartedError)
    await store.start()
    const { address } = await store.put(randomBytes(10))
    await store.stop()
    await assert.rejects(store.get(address), { name: 'StoreNotStartedError' })
  })

  it('waits for writes in flight before it stops', async () => {
    const store = await openStore()
    const bytes = randomBytes(256 * 1024)
    const writing = store.put(bytes)
    await store.stop()
    assert.equal(store.has(chunkAddress(bytes)), true)
    assert.equal((await writing).added, true)
    assertSameBytes(await readFile(chunkPath(dir, chunkAddress(bytes))), bytes)
  })

  it('rejects a capacity that is not a positive integer', () => {
    for (const capacityBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new ChunkStore({ dir, capacityBytes }), RangeError, String(capacityBytes))
    }
  })
})
