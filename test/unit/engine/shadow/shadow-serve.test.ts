import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, describe, it } from 'node:test'
import { STORAGE_PROOF_NONCE_BYTES, verifyStorageProof } from '../../../../node-core/engine/audit/storage-proof.ts'
import { ChunkService } from '../../../../node-core/engine/chunk-protocol/chunk-service.ts'
import { LocalTrust } from '../../../../node-core/engine/network/local-trust.ts'
import type { ServeReply } from '../../../../node-core/engine/rpc/engine-rpc.ts'
import { serveShadowRequest } from '../../../../node-core/engine/shadow/shadow-serve.ts'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { ChunkStore } from '../../../../node-core/engine/store/chunk-store.ts'
import { SnapshotLayer } from '../../../../node-core/engine/store/snapshot-layer.ts'

const MiB = 1024 * 1024

/** A chunk service that answers from `store`; its libp2p is never reached by answerChunkRequest. */
function serviceOn (store: ChunkStore, acceptsPuts: () => boolean = () => true): ChunkService {
  const unreachable = async (): Promise<never> => { throw new Error('answerChunkRequest must not touch the network') }
  return new ChunkService({ libp2p: { handle: unreachable, unhandle: unreachable, dial: unreachable }, trust: new LocalTrust(), serving: { store, acceptsPuts } })
}

function bytesOf (reply: ServeReply): Uint8Array {
  assert.ok(reply.ok && reply.op === 'get' && reply.found, `expected a found get, got ${JSON.stringify(reply)}`)
  return reply.bytes
}

describe('serveShadowRequest', () => {
  let root = ''
  let next = 0
  const stores: ChunkStore[] = []

  async function openStore (capacityBytes = 64 * MiB, snapshotDir?: string): Promise<ChunkStore> {
    const store = new ChunkStore({
      dir: join(root, `store-${next++}`),
      capacityBytes,
      ...(snapshotDir === undefined ? {} : { readOnlyLower: new SnapshotLayer({ dir: snapshotDir }) })
    })
    await store.start()
    stores.push(store)
    return store
  }

  before(async () => { root = await mkdtemp(join(tmpdir(), 'shadow-serve-test-')) })
  after(async () => { await rm(root, { recursive: true, force: true }) })
  afterEach(async () => { await Promise.all(stores.splice(0).map(async store => { await store.stop() })) })

  it('answers only in shadow mode', async () => {
    const chunks = serviceOn(await openStore())
    await assert.rejects(serveShadowRequest({ shadow: false, chunks }, { op: 'get', address: chunkAddress(randomBytes(8)) }), { name: 'ShadowModeRequiredError' })
  })

  it('puts, gets and answers has as the chunk service answers a peer', async () => {
    const store = await openStore()
    const components = { shadow: true, chunks: serviceOn(store) }
    const bytes = randomBytes(5000)
    const address = chunkAddress(bytes)
    assert.deepEqual(await serveShadowRequest(components, { op: 'has', address }), { ok: true, op: 'has', found: false })
    assert.deepEqual(await serveShadowRequest(components, { op: 'get', address }), { ok: true, op: 'get', found: false })
    assert.deepEqual(await serveShadowRequest(components, { op: 'put', bytes }), { ok: true, op: 'put', address, added: true })
    assert.deepEqual(await serveShadowRequest(components, { op: 'put', bytes }), { ok: true, op: 'put', address, added: false })
    assert.deepEqual(await serveShadowRequest(components, { op: 'has', address }), { ok: true, op: 'has', found: true })
    const got = bytesOf(await serveShadowRequest(components, { op: 'get', address }))
    assert.equal(Buffer.compare(got, bytes), 0)
    assert.equal(got.buffer.byteLength, bytes.length, 'the reply holds exactly the chunk, not the read buffer behind it')
    assert.equal(store.has(address), true)
  })

  it('answers an audit with SHA-256(nonce || bytes), and not-found for a chunk it lacks', async () => {
    const store = await openStore()
    const components = { shadow: true, chunks: serviceOn(store) }
    const bytes = randomBytes(3000)
    await store.put(bytes)
    const nonce = randomBytes(STORAGE_PROOF_NONCE_BYTES)
    const reply = await serveShadowRequest(components, { op: 'audit', address: chunkAddress(bytes), nonce })
    assert.ok(reply.ok && reply.op === 'audit' && reply.found)
    assert.equal(verifyStorageProof(reply.proof, nonce, bytes), true)
    assert.equal(verifyStorageProof(reply.proof, randomBytes(STORAGE_PROOF_NONCE_BYTES), bytes), false)
    assert.deepEqual(await serveShadowRequest(components, { op: 'audit', address: chunkAddress(randomBytes(3)), nonce }), { ok: true, op: 'audit', found: false })
  })

  it('answers the refusals a peer gets as error replies: paused, full', async () => {
    const paused = { shadow: true, chunks: serviceOn(await openStore(), () => false) }
    const reply = await serveShadowRequest(paused, { op: 'put', bytes: randomBytes(10) })
    assert.equal(reply.ok, false)
    assert.ok(!reply.ok && reply.op === 'put' && reply.error.name === 'VaultPausedError')
    const full = { shadow: true, chunks: serviceOn(await openStore(100)) }
    const fullReply = await serveShadowRequest(full, { op: 'put', bytes: randomBytes(200) })
    assert.ok(!fullReply.ok && fullReply.error.name === 'StoreFullError', JSON.stringify(fullReply))
  })

  it('reports a corrupt snapshot chunk as an error for that get or audit, where a peer would hear "not found"', async () => {
    const snapshotDir = join(root, 'snapshot')
    const bytes = randomBytes(1000)
    const address = chunkAddress(bytes)
    await mkdir(join(snapshotDir, 'chunks', address.slice(0, 2)), { recursive: true })
    await writeFile(join(snapshotDir, 'chunks', address.slice(0, 2), address), randomBytes(1000))
    const chunks = serviceOn(await openStore(64 * MiB, snapshotDir))
    const components = { shadow: true, chunks }
    const get = await serveShadowRequest(components, { op: 'get', address })
    assert.ok(!get.ok && get.op === 'get' && get.error.name === 'CorruptChunkError', JSON.stringify(get))
    const audit = await serveShadowRequest(components, { op: 'audit', address, nonce: randomBytes(32) })
    assert.ok(!audit.ok && audit.op === 'audit' && audit.error.name === 'CorruptChunkError')
    assert.deepEqual((await chunks.answerChunkRequest({ op: 'get', address })).reply, { ok: true, op: 'get', found: false })
  })
})
