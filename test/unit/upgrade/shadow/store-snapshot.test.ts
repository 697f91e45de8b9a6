import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { copyVaultState, LiveIdentityMissingError, snapshotStore } from '../../../../node-core/upgrade/shadow/store-snapshot.ts'

describe('the store snapshot of a shadow run', () => {
  let root = ''
  const live = (): string => join(root, 'live')
  const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6, 7]), new Uint8Array(5000).fill(9)]
  const addresses = chunks.map(chunkAddress)

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'store-snapshot-test-'))
    for (const [i, bytes] of chunks.entries()) {
      const address = addresses[i] ?? ''
      await mkdir(join(live(), 'store', 'chunks', address.slice(0, 2)), { recursive: true })
      await writeFile(join(live(), 'store', 'chunks', address.slice(0, 2), address), bytes)
    }
    const first = addresses[0] ?? ''
    await mkdir(join(live(), 'store', 'tmp'), { recursive: true })
    await writeFile(join(live(), 'store', 'tmp', `${first}.abcdef`), 'half a chunk')
    await mkdir(join(live(), 'store', 'quarantine'), { recursive: true })
    await writeFile(join(live(), 'store', 'quarantine', `${first}.1`), 'corrupt')
    await writeFile(join(live(), 'store', 'chunks', first.slice(0, 2), 'not-a-chunk'), 'x')
    await mkdir(join(live(), 'store', 'chunks', 'zz'), { recursive: true })
    await writeFile(join(live(), 'identity.json'), '{"version":1,"seed":"00"}\n')
    await writeFile(join(live(), 'settings.json'), '{"version":1,"paused":false}\n')
  })
  after(async () => { await rm(root, { recursive: true, force: true }) })

  it('hard-links every chunk file, in the live layout, and nothing else', async () => {
    const snapshot = await snapshotStore(live(), join(root, 'snapshot'))
    assert.equal(snapshot.method, 'link')
    assert.deepEqual([...snapshot.addresses].sort(), [...addresses].sort())
    assert.equal(snapshot.bytes, chunks.reduce((sum, bytes) => sum + bytes.length, 0))
    for (const address of addresses) {
      const linked = await stat(join(root, 'snapshot', 'chunks', address.slice(0, 2), address))
      const original = await stat(join(live(), 'store', 'chunks', address.slice(0, 2), address))
      assert.equal(linked.ino, original.ino, 'a hard link, not a copy')
    }
    await assert.rejects(stat(join(root, 'snapshot', 'tmp')), { code: 'ENOENT' })
    await assert.rejects(stat(join(root, 'snapshot', 'quarantine')), { code: 'ENOENT' })
    await assert.rejects(stat(join(root, 'snapshot', 'chunks', 'zz')), { code: 'ENOENT' })
  })

  it('is an empty snapshot of a vault that stored nothing yet', async () => {
    await mkdir(join(root, 'empty'), { recursive: true })
    const snapshot = await snapshotStore(join(root, 'empty'), join(root, 'empty-snapshot'))
    assert.deepEqual(snapshot.addresses, [])
    assert.ok((await stat(join(root, 'empty-snapshot', 'chunks'))).isDirectory())
  })

  it('stops when aborted', async () => {
    await assert.rejects(snapshotStore(live(), join(root, 'aborted'), { signal: AbortSignal.abort() }), { name: 'AbortError' })
  })

  it('copies instead when asked, so an engine that could write to its snapshot never holds a live file', async () => {
    const snapshot = await snapshotStore(live(), join(root, 'copied'), { copy: true })
    assert.equal(snapshot.method, 'copy')
    assert.deepEqual([...snapshot.addresses].sort(), [...addresses].sort())
    for (const [i, address] of addresses.entries()) {
      const path = join(root, 'copied', 'chunks', address.slice(0, 2), address)
      assert.notEqual((await stat(path)).ino, (await stat(join(live(), 'store', 'chunks', address.slice(0, 2), address))).ino)
      assert.deepEqual(new Uint8Array(await readFile(path)), chunks[i])
    }
  })

  it('copies the identity and settings, so the engine starts as the live vault', async () => {
    await copyVaultState(live(), join(root, 'engine'))
    assert.equal(await readFile(join(root, 'engine', 'identity.json'), 'utf8'), '{"version":1,"seed":"00"}\n')
    assert.equal(await readFile(join(root, 'engine', 'settings.json'), 'utf8'), '{"version":1,"paused":false}\n')
    const copied = await stat(join(root, 'engine', 'identity.json'))
    assert.notEqual(copied.ino, (await stat(join(live(), 'identity.json'))).ino, 'a copy: the engine never writes the live file')
  })

  it('refuses a live vault without an identity', async () => {
    await assert.rejects(copyVaultState(join(root, 'empty'), join(root, 'engine-2')), LiveIdentityMissingError)
  })
})
