import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { storageProof } from '../../../../node-core/engine/audit/storage-proof.ts'
import type { ServeParams, ServeReply } from '../../../../node-core/engine/rpc/engine-rpc.ts'
import { digestOf, replayToBoth, type ServingEngine } from '../../../../node-core/upgrade/shadow/shadow-replay.ts'
import { ShadowWorkload } from '../../../../node-core/upgrade/shadow/shadow-workload.ts'

const snapshot = new Map([10, 20, 30].map(size => {
  const bytes = new Uint8Array(size).fill(size)
  return [chunkAddress(bytes), bytes] as const
}))

/**
 * Virtual time: a request costs its engine `costMs` of it, and the clock jumps to the next answer
 * due once every lane is waiting, so engines of different speeds run side by side, deterministically.
 */
function fakeClock (): { now: () => number, sleep: (ms: number) => Promise<void> } {
  let time = 0
  const due: Array<{ at: number, wake: () => void }> = []
  let stepping = false
  const step = (): void => {
    stepping = false
    due.sort((a, b) => a.at - b.at)
    const next = due.shift()
    if (next === undefined) return
    time = next.at
    next.wake()
    schedule()
  }
  const schedule = (): void => {
    if (stepping || due.length === 0) return
    stepping = true
    setImmediate(step)
  }
  return {
    now: () => time,
    sleep: async ms => { await new Promise<void>(resolve => { due.push({ at: time + ms, wake: resolve }); schedule() }) }
  }
}

interface FakeOptions { costMs: number, clock: ReturnType<typeof fakeClock>, forgetsPuts?: boolean, diesAfter?: number, log?: string[], name?: string }

function fakeEngine (options: FakeOptions): ServingEngine & { served: number } {
  const held = new Map<string, Uint8Array>(snapshot)
  const engine = {
    served: 0,
    gone: false,
    async serve (params: ServeParams): Promise<ServeReply> {
      engine.served++
      options.log?.push(options.name ?? '')
      if (options.diesAfter !== undefined && engine.served > options.diesAfter) {
        engine.gone = true
        throw Object.assign(new Error('the engine exited'), { name: 'EngineGoneError' })
      }
      await options.clock.sleep(options.costMs)
      switch (params.op) {
        case 'get': case 'has': {
          const bytes = held.get(params.address)
          if (params.op === 'has') return { ok: true, op: 'has', found: bytes !== undefined }
          return bytes === undefined ? { ok: true, op: 'get', found: false } : { ok: true, op: 'get', found: true, bytes }
        }
        case 'put': {
          const address = chunkAddress(params.bytes)
          const added = !held.has(address)
          if (options.forgetsPuts !== true) held.set(address, params.bytes)
          return { ok: true, op: 'put', address, added }
        }
        case 'audit': {
          const bytes = held.get(params.address)
          return bytes === undefined ? { ok: true, op: 'audit', found: false } : { ok: true, op: 'audit', found: true, proof: storageProof(params.nonce, bytes) }
        }
      }
    }
  }
  return engine
}

function workload (): ShadowWorkload {
  const [first] = snapshot.keys()
  return new ShadowWorkload({
    trace: [{ at: 1, op: 'get', address: first ?? '' }],
    snapshotAddresses: [...snapshot.keys()],
    readSnapshotChunk: async address => snapshot.get(address),
    addressOf: chunkAddress,
    seed: 11,
    minChunkBytes: 8,
    maxChunkBytes: 16
  })
}

describe('replaying the workload to baseline and candidate', () => {
  it('gives identical engines the same requests in the same order, and they answer alike', async () => {
    const clock = fakeClock()
    const result = await replayToBoth({
      baseline: fakeEngine({ costMs: 1, clock }),
      candidate: fakeEngine({ costMs: 1, clock }),
      workload: workload(),
      durationMs: 400,
      concurrency: 2,
      monotonic: clock.now
    })
    assert.ok(result.baseline.length > 50, `${result.baseline.length} requests`)
    assert.equal(result.candidate.length, result.baseline.length)
    assert.deepEqual(result.candidate.map(record => [record.operation, record.digest]), result.baseline.map(record => [record.operation, record.digest]))
    assert.ok(result.baseline.every(record => record.ok))
    // Synthetic chunks are read back once both stored them.
    const stored = new Set(result.baseline.filter(record => record.digest.endsWith(':added')).map(record => record.digest.split(':')[1]))
    assert.ok(result.baseline.some(record => record.operation === 'get' && stored.has(record.digest.slice('chunk:'.length))), 'no read of a synthetic chunk')
  })

  it('sends each request to both at once, first to one then to the other in turn; a slower engine is busy longer for the same requests', async () => {
    const clock = fakeClock()
    const calls: string[] = []
    const baseline = fakeEngine({ costMs: 1, clock, log: calls, name: 'baseline' })
    const candidate = fakeEngine({ costMs: 2, clock, log: calls, name: 'candidate' })
    const result = await replayToBoth({ baseline, candidate, workload: workload(), durationMs: 600, concurrency: 1, monotonic: clock.now })
    assert.equal(baseline.served, candidate.served)
    assert.equal(result.baseline.length, baseline.served)
    assert.deepEqual(calls.slice(0, 6), ['baseline', 'candidate', 'candidate', 'baseline', 'baseline', 'candidate'])
    assert.equal(result.baselineDurationMs, baseline.served)
    assert.equal(result.candidateDurationMs, 2 * candidate.served)
  })

  it('catches a candidate that claims to store chunks it drops: its later reads differ', async () => {
    const clock = fakeClock()
    const result = await replayToBoth({
      baseline: fakeEngine({ costMs: 1, clock }),
      candidate: fakeEngine({ costMs: 1, clock, forgetsPuts: true }),
      workload: workload(),
      durationMs: 400,
      concurrency: 2,
      monotonic: clock.now
    })
    const differing = result.baseline.filter((record, index) => record.digest !== result.candidate[index]?.digest)
    assert.ok(differing.length > 0)
    assert.ok(differing.every(record => record.operation !== 'put'), 'puts answer alike; the reads tell')
  })

  it('stops when an engine is gone, recording the requests it could not answer', async () => {
    const clock = fakeClock()
    const result = await replayToBoth({
      baseline: fakeEngine({ costMs: 1, clock }),
      candidate: fakeEngine({ costMs: 1, clock, diesAfter: 5 }),
      workload: workload(),
      durationMs: 100_000,
      concurrency: 1,
      monotonic: clock.now
    })
    assert.ok(result.candidate.length <= 7, `${result.candidate.length} records`)
    assert.deepEqual(result.candidate.slice(5).map(record => [record.ok, record.digest]), result.candidate.slice(5).map(() => [false, 'no-answer:EngineGoneError']))
  })

  it('stops on abort and reports progress up to the end', async () => {
    const clock = fakeClock()
    const controller = new AbortController()
    const fractions: number[] = []
    const result = await replayToBoth({
      baseline: fakeEngine({ costMs: 1, clock }),
      candidate: fakeEngine({ costMs: 1, clock }),
      workload: workload(),
      durationMs: 100,
      concurrency: 1,
      monotonic: clock.now,
      signal: controller.signal,
      onProgress: fraction => { fractions.push(fraction); if (fraction >= 0.5) controller.abort() }
    })
    assert.ok(fractions.length > 10 && fractions.every((fraction, i) => i === 0 || fraction > (fractions[i - 1] ?? 0)))
    assert.ok(result.baselineDurationMs < 60, `aborted at ${result.baselineDurationMs}`)
  })

  it('digests each kind of answer, so equal answers compare equal and different ones do not', () => {
    const bytes = new Uint8Array([1, 2, 3])
    const nonce = new Uint8Array(32)
    assert.equal(digestOf({ ok: true, op: 'get', found: true, bytes }), `chunk:${chunkAddress(bytes)}`)
    assert.equal(digestOf({ ok: true, op: 'get', found: false }), 'not-found')
    assert.equal(digestOf({ ok: true, op: 'put', address: chunkAddress(bytes), added: true }), `put:${chunkAddress(bytes)}:added`)
    assert.notEqual(digestOf({ ok: true, op: 'put', address: chunkAddress(bytes), added: false }), digestOf({ ok: true, op: 'put', address: chunkAddress(bytes), added: true }))
    assert.equal(digestOf({ ok: true, op: 'audit', found: true, proof: storageProof(nonce, bytes) }), `proof:${Buffer.from(storageProof(nonce, bytes)).toString('hex')}`)
    assert.equal(digestOf({ ok: false, op: 'put', error: { name: 'StoreFullError', message: 'full' } }), 'error:StoreFullError')
  })
})
