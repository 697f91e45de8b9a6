// A shadow engine's store: its own chunks first, then a read-only snapshot of the live store,
// which is never written, renamed or quarantined into (issue 5, deliver 1).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { ChunkStore, CorruptChunkError } from '../../../../node-core/engine/store/chunk-store.ts'
import { SnapshotLayer, SnapshotMissingError } from '../../../../node-core/engine/store/snapshot-layer.ts'

const MiB = 1024 * 1024
const repoRoot = resolve(import.meta.dirname, '../../../..')

function chunkPath (storeDir: string, address: string): string {
  return join(storeDir, 'chunks', address.slice(0, 2), address)
}

function assertSameBytes (actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  assert.ok(actual !== undefined, `${what}: not found`)
  assert.equal(Buffer.compare(actual, expected), 0, `${what}: bytes differ`)
}

/** Every file under `dir` with its bytes, mode and mtime, to show a tree was left as it was. */
async function fingerprint (dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name)
    const info = await stat(path)
    const content = entry.isFile() ? chunkAddress(await readFile(path)) : 'dir'
    files.set(path.slice(dir.length), `${content} ${info.mode.toString(8)} ${info.mtimeMs} ${info.nlink}`)
  }
  return files
}

/** Hard links of the live store's chunk files: chunks are immutable, so this is a consistent snapshot. */
async function snapshotOf (liveStoreDir: string, snapshotDir: string): Promise<void> {
  await mkdir(join(snapshotDir, 'chunks'), { recursive: true })
  for (const shard of await readdir(join(liveStoreDir, 'chunks'))) {
    await mkdir(join(snapshotDir, 'chunks', shard))
    for (const file of await readdir(join(liveStoreDir, 'chunks', shard))) {
      await link(join(liveStoreDir, 'chunks', shard, file), join(snapshotDir, 'chunks', shard, file))
    }
  }
}

/** Takes write permission away from every directory and file of the snapshot. */
async function makeReadOnly (dir: string): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    await chmod(join(entry.parentPath, entry.name), entry.isDirectory() ? 0o555 : 0o444)
  }
  await chmod(dir, 0o555)
}

describe('ChunkStore over a read-only snapshot', () => {
  let root = ''
  let next = 0
  let liveDir = ''
  let snapshotDir = ''
  let shadowDir = ''
  const live: Uint8Array[] = []
  const started: ChunkStore[] = []

  async function openShadow (capacityBytes = 64 * MiB): Promise<ChunkStore> {
    const store = new ChunkStore({ dir: shadowDir, capacityBytes, readOnlyLower: new SnapshotLayer({ dir: snapshotDir }) })
    await store.start()
    started.push(store)
    return store
  }

  before(async () => { root = await mkdtemp(join(tmpdir(), 'snapshot-layer-test-')) })
  after(async () => { await rm(root, { recursive: true, force: true }) })
  beforeEach(async () => {
    const here = join(root, `case-${next++}`)
    liveDir = join(here, 'live')
    snapshotDir = join(here, 'snapshot')
    shadowDir = join(here, 'shadow')
    const liveStore = new ChunkStore({ dir: liveDir, capacityBytes: 64 * MiB })
    await liveStore.start()
    live.splice(0, live.length, randomBytes(3000), randomBytes(5000), randomBytes(70_000))
    for (const bytes of live) await liveStore.put(bytes)
    await liveStore.stop()
    await snapshotOf(liveDir, snapshotDir)
  })
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async store => { await store.stop() }))
  })

  it('serves the snapshot\'s chunks, writes new ones to its own directory only, and leaves the snapshot as it was', async () => {
    await makeReadOnly(snapshotDir)
    const before = await fingerprint(snapshotDir)
    const store = await openShadow()
    for (const [i, bytes] of live.entries()) {
      assert.equal(store.has(chunkAddress(bytes)), true)
      assertSameBytes(await store.get(chunkAddress(bytes)), bytes, `snapshot chunk ${i}`)
    }
    const fresh = randomBytes(4000)
    assert.deepEqual(await store.put(fresh), { address: chunkAddress(fresh), added: true })
    assertSameBytes(await readFile(chunkPath(shadowDir, chunkAddress(fresh))), fresh, 'the new chunk in the shadow directory')
    assertSameBytes(await store.get(chunkAddress(fresh)), fresh, 'the new chunk read back')
    // A put of a chunk the snapshot holds is a put of a held chunk: nothing is written.
    assert.deepEqual(await store.put(live[0] ?? new Uint8Array()), { address: chunkAddress(live[0] ?? new Uint8Array()), added: false })
    assert.deepEqual([...store.addresses()], [chunkAddress(fresh)])
    assert.deepEqual(store.stats(), { chunks: 4, bytes: 3000 + 5000 + 70_000 + 4000, capacityBytes: 64 * MiB, full: false, quarantined: 0 })
    assert.deepEqual(await fingerprint(snapshotDir), before)
  })

  it('reads its own copy of a chunk before the snapshot\'s', async () => {
    const [first] = live
    assert.ok(first !== undefined)
    const address = chunkAddress(first)
    // The shadow store already holds the chunk (an earlier run); the snapshot's file is damaged.
    const own = new ChunkStore({ dir: shadowDir, capacityBytes: 64 * MiB })
    await own.start()
    await own.put(first)
    await own.stop()
    await rm(chunkPath(snapshotDir, address))
    await writeFile(chunkPath(snapshotDir, address), randomBytes(first.length))
    const store = await openShadow()
    assertSameBytes(await store.get(address), first, 'own copy')
    assert.equal(store.stats().chunks, 3, 'a chunk in both layers counts once')
  })

  it('reports a corrupt snapshot chunk as an error for that request only, and never moves it', async () => {
    const [first, second] = live
    assert.ok(first !== undefined && second !== undefined)
    const address = chunkAddress(first)
    await rm(chunkPath(snapshotDir, address))
    await writeFile(chunkPath(snapshotDir, address), randomBytes(first.length))
    await makeReadOnly(snapshotDir)
    const before = await fingerprint(snapshotDir)
    const store = await openShadow()
    const quarantined: unknown[] = []
    store.addEventListener('chunk:quarantined', event => { quarantined.push(event.detail) })
    for (let attempt = 0; attempt < 2; attempt++) {
      await assert.rejects(store.get(address), (err: Error) => err instanceof CorruptChunkError && /read-only snapshot is corrupt/.test(err.message))
    }
    assertSameBytes(await store.get(chunkAddress(second)), second, 'another snapshot chunk')
    assert.deepEqual(quarantined, [])
    assert.equal(store.stats().quarantined, 0)
    assert.deepEqual(await readdir(join(shadowDir, 'quarantine')), [])
    assert.deepEqual(await fingerprint(snapshotDir), before)
  })

  it('counts the snapshot against its capacity, as the live store does', async () => {
    const store = await openShadow(80_000)
    assert.equal(store.stats().bytes, 78_000)
    await assert.rejects(store.put(randomBytes(4000)), { name: 'StoreFullError' })
  })

  it('refuses a snapshot without a chunks directory', async () => {
    snapshotDir = join(root, 'no-such-snapshot')
    const store = new ChunkStore({ dir: shadowDir, capacityBytes: MiB, readOnlyLower: new SnapshotLayer({ dir: snapshotDir }) })
    await assert.rejects(store.start(), (err: Error) => err instanceof SnapshotMissingError && err.message.includes(snapshotDir))
  })

  it('works under the Node permission model with read-only access to the snapshot and write access to its own directory only', async () => {
    await makeReadOnly(snapshotDir)
    const before = await fingerprint(snapshotDir)
    const fresh = randomBytes(200)
    // The sandbox's directory exists before the engine starts: the permission model grants paths that exist.
    await mkdir(shadowDir)
    const script = `
      import { ChunkStore } from ${JSON.stringify(join(repoRoot, 'node-core/engine/store/chunk-store.ts'))}
      import { SnapshotLayer } from ${JSON.stringify(join(repoRoot, 'node-core/engine/store/snapshot-layer.ts'))}
      const store = new ChunkStore({ dir: ${JSON.stringify(shadowDir)}, capacityBytes: ${64 * MiB}, readOnlyLower: new SnapshotLayer({ dir: ${JSON.stringify(snapshotDir)} }) })
      await store.start()
      const read = []
      for (const address of ${JSON.stringify(live.map(bytes => chunkAddress(bytes)))}) read.push(Buffer.from(await store.get(address)).toString('base64'))
      const put = await store.put(Buffer.from(${JSON.stringify(fresh.toString('base64'))}, 'base64'))
      let writeRefused = false
      try { await (await import('node:fs/promises')).writeFile(${JSON.stringify(join(snapshotDir, 'probe'))}, 'x') } catch (err) { writeRefused = err.code === 'ERR_ACCESS_DENIED' }
      await store.stop()
      process.stdout.write(JSON.stringify({ read, put, writeRefused }))
    `
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--permission', `--allow-fs-read=${repoRoot}`, `--allow-fs-read=${root}`, `--allow-fs-write=${shadowDir}`,
      '--input-type=module', '-e', script
    ])
    const result = JSON.parse(stdout) as { read: string[], put: { address: string, added: boolean }, writeRefused: boolean }
    assert.equal(result.writeRefused, true, 'the permission model is in force in the child')
    assert.deepEqual(result.read, live.map(bytes => Buffer.from(bytes).toString('base64')))
    assert.deepEqual(result.put, { address: chunkAddress(fresh), added: true })
    assertSameBytes(await readFile(chunkPath(shadowDir, chunkAddress(fresh))), fresh, 'the put, in the shadow directory')
    assert.deepEqual(await fingerprint(snapshotDir), before)
  })
})
