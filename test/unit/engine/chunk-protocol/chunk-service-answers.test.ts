// How a vault answers a put when its own disk fails (issue 3, pause and fix): the peer hears that
// the store failed, by its error code and without the vault's paths; a full store says so as before.
import assert from 'node:assert/strict'
import { mkdtemp, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ChunkService } from '../../../../node-core/engine/chunk-protocol/chunk-service.ts'
import { LocalTrust } from '../../../../node-core/engine/network/local-trust.ts'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { ChunkStore } from '../../../../node-core/engine/store/chunk-store.ts'

describe('a vault answering a put', () => {
  let dir = ''
  let store: ChunkStore
  let service: ChunkService

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chunk-answers-'))
    store = new ChunkStore({ dir, capacityBytes: 4096 })
    await store.start()
    const libp2p = { handle: async () => {}, unhandle: async () => {}, dial: async () => { throw new Error('no dialing in this test') } }
    service = new ChunkService({ libp2p, trust: new LocalTrust(), serving: { store, acceptsPuts: () => true } })
  })

  after(async () => {
    await store.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('tells the peer its store could not write the chunk, with the error code and no path, while its chunk folder is gone', async () => {
    await rename(join(dir, 'chunks'), join(dir, 'chunks.unplugged'))
    const bytes = new Uint8Array(100).fill(3)
    const answer = await service.answerChunkRequest({ op: 'put', address: chunkAddress(bytes), size: bytes.length }, bytes)
    assert.deepEqual(answer.reply, { ok: false, error: { name: 'StoreWriteError', message: 'this vault could not write the chunk to its store (ENOENT)' } })
    await rename(join(dir, 'chunks.unplugged'), join(dir, 'chunks'))
  })

  it('still says when its store is full', async () => {
    const bytes = new Uint8Array(8192).fill(5)
    const answer = await service.answerChunkRequest({ op: 'put', address: chunkAddress(bytes), size: bytes.length }, bytes)
    assert.equal(answer.reply.ok, false)
    assert.equal(answer.reply.ok === false ? answer.reply.error.name : '', 'StoreFullError')
  })
})
