import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { STORAGE_PROOF_NONCE_BYTES } from '../../../../node-core/engine/audit/storage-proof.ts'
import { ShadowWorkload, type ShadowRequest } from '../../../../node-core/upgrade/shadow/shadow-workload.ts'
import type { TracedRequest } from '../../../../node-core/upgrade/shadow/shadow-runner.ts'

const snapshotChunks = new Map([1, 2, 3].map(i => {
  const bytes = new Uint8Array(100 + i).fill(i)
  return [chunkAddress(bytes), bytes] as const
}))
const [a, b, c] = [...snapshotChunks.keys()]
const absent = chunkAddress(new Uint8Array([9, 9, 9]))

function workload (trace: TracedRequest[], seed = 7, snapshot: string[] = [...snapshotChunks.keys()]): ShadowWorkload {
  return new ShadowWorkload({
    trace,
    snapshotAddresses: snapshot,
    readSnapshotChunk: async address => snapshotChunks.get(address),
    addressOf: chunkAddress,
    seed,
    minChunkBytes: 10,
    maxChunkBytes: 20
  })
}

async function take (source: ShadowWorkload, count: number): Promise<ShadowRequest[]> {
  const out: ShadowRequest[] = []
  for (let i = 0; i < count; i++) out.push(await source.next())
  return out
}

function describeRequest (request: ShadowRequest): string {
  switch (request.op) {
    case 'get': return `get ${request.address} ${request.source}`
    case 'put': return `put ${request.address} ${request.source}`
    case 'audit': return `audit ${request.address} ${Buffer.from(request.nonce).toString('hex')}`
  }
}

describe('the shadow workload', () => {
  it('replays the trace on every other request, has as get, a put with the snapshot\'s bytes, from the start again when it runs out', async () => {
    assert.ok(a !== undefined && b !== undefined && c !== undefined)
    const trace: TracedRequest[] = [
      { at: 1, op: 'get', address: a },
      { at: 2, op: 'has', address: b },
      { at: 3, op: 'put', address: c },
      // Put after the snapshot was taken: its bytes are not in it, so it cannot be replayed.
      { at: 4, op: 'put', address: absent }
    ]
    const requests = await take(workload(trace), 8)
    const traced = requests.filter((_, i) => i % 2 === 0)
    assert.deepEqual(traced.map(describeRequest), [`get ${a} trace`, `get ${b} trace`, `put ${c} trace`, `get ${a} trace`])
    const put = traced[2]
    assert.ok(put?.op === 'put')
    assert.deepEqual(put.bytes, snapshotChunks.get(c))
    assert.ok(requests.filter((_, i) => i % 2 === 1).every(request => request.source === 'synthetic'))
  })

  it('is the same sequence for the same seed and another for another seed', async () => {
    const first = (await take(workload([]), 40)).map(describeRequest)
    assert.deepEqual((await take(workload([]), 40)).map(describeRequest), first)
    assert.notDeepEqual((await take(workload([], 8), 40)).map(describeRequest), first)
  })

  it('mixes puts of new chunks, gets and audits with fresh nonces, reading only chunks both engines hold', async () => {
    const source = workload([])
    const requests = await take(source, 300)
    const ops = new Map<string, number>()
    for (const request of requests) ops.set(request.op, (ops.get(request.op) ?? 0) + 1)
    for (const op of ['get', 'put', 'audit']) assert.ok((ops.get(op) ?? 0) > 30, `${op}: ${ops.get(op)}`)
    const held = new Set(snapshotChunks.keys())
    const nonces = new Set<string>()
    for (const request of requests) {
      switch (request.op) {
        case 'put':
          assert.equal(request.address, chunkAddress(request.bytes))
          assert.ok(request.bytes.length >= 10 && request.bytes.length <= 20)
          break
        case 'get':
          assert.ok(held.has(request.address), 'a get of a chunk neither engine was confirmed to hold')
          break
        case 'audit':
          assert.ok(held.has(request.address))
          assert.equal(request.nonce.length, STORAGE_PROOF_NONCE_BYTES)
          nonces.add(Buffer.from(request.nonce).toString('hex'))
          break
      }
    }
    assert.equal(nonces.size, ops.get('audit'), 'every audit has its own nonce')
  })

  it('asks for a synthetic chunk once it is confirmed, and starts with a put on an empty store', async () => {
    const source = workload([], 3, [])
    const first = await source.next()
    assert.equal(first.op, 'put')
    assert.ok(first.op === 'put')
    source.confirm(first.address)
    const later = await take(source, 50)
    const reads = later.filter(request => request.op !== 'put')
    assert.ok(reads.length > 0)
    assert.ok(reads.some(request => request.address === first.address))
  })
})
