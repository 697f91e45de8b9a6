import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_CHUNK_BYTES } from '../../../../node-core/engine/store/chunk-address.ts'
import {
  ENGINE_RPC_VERSION, engineAnswerWithinMs, EngineConfigSchema, engineMethods, InvalidEngineParamsError, LEAVE_DECISION_WAIT_MS, parseEngineCall, parseEngineMessage,
  parseEngineParams, parseEngineRequest, parseEngineResult, ServeReplySchema
} from '../../../../node-core/engine/rpc/engine-rpc.ts'
import { createFixture, trustFor } from '../../release/release-fixtures.ts'

const ADDRESS = 'ab'.repeat(32)

function request (method: string, params?: unknown): unknown {
  return { rpc: ENGINE_RPC_VERSION, id: 7, method, ...(params === undefined ? {} : { params }) }
}

function call (method: string, params?: unknown): ReturnType<typeof parseEngineCall> {
  return parseEngineCall(parseEngineRequest(request(method, params)))
}

const liveConfig = { dataDir: '/tmp/v', listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], capacityBytes: 1024, localNetwork: false, paused: false }

describe('engine RPC version 3', () => {
  it('has a method table of status, pause, resume, stop, trace, serve, begin, runSelfCheck, reconnect and leave', () => {
    assert.equal(ENGINE_RPC_VERSION, 3)
    assert.deepEqual([...engineMethods].sort(), ['begin', 'leave', 'pause', 'reconnect', 'resume', 'runSelfCheck', 'serve', 'status', 'stop', 'trace'])
  })

  it('gives a leave the time the elders may take to decide it, and every other method the usual time', () => {
    assert.equal(engineAnswerWithinMs('leave', 10_000), LEAVE_DECISION_WAIT_MS + 30_000)
    assert.equal(engineAnswerWithinMs('status', 10_000), 10_000)
    assert.equal(engineAnswerWithinMs('leave', 600_000), 600_000, 'a longer usual time stands')
  })

  it('parses a leave\'s result: the age the vault may rejoin at, nothing else', () => {
    assert.deepEqual(parseEngineResult('leave', { rejoinAge: 6 }), { rejoinAge: 6 })
    assert.throws(() => parseEngineResult('leave', { rejoinAge: 300 }), /"leave" result/)
    assert.throws(() => parseEngineResult('leave', { rejoinAge: 6, status: {} }), /"leave" result/)
  })

  it('takes the methods without params with or without an empty params object', () => {
    assert.deepEqual(call('status'), { id: 7, method: 'status', params: {} })
    assert.deepEqual(call('pause', {}), { id: 7, method: 'pause', params: {} })
    assert.deepEqual(call('trace'), { id: 7, method: 'trace', params: {} })
    assert.deepEqual(call('trace', { limit: 10 }), { id: 7, method: 'trace', params: { limit: 10 } })
  })

  it('rejects params a method does not take, naming the method and the field', () => {
    assert.throws(() => call('status', { verbose: true }), (err: Error) => err instanceof InvalidEngineParamsError && /invalid params for "status"/.test(err.message) && /verbose/.test(err.message))
    assert.throws(() => call('trace', { limit: 0 }), (err: Error) => err.name === 'InvalidEngineParamsError' && /limit/.test(err.message))
    assert.throws(() => call('trace', { limit: 2001 }), InvalidEngineParamsError)
  })

  it('parses each serve op with its own fields, bytes as Uint8Array', () => {
    const bytes = new Uint8Array([1, 2, 3])
    const nonce = new Uint8Array(32).fill(9)
    assert.deepEqual(call('serve', { op: 'get', address: ADDRESS }).params, { op: 'get', address: ADDRESS })
    assert.deepEqual(call('serve', { op: 'has', address: ADDRESS }).params, { op: 'has', address: ADDRESS })
    assert.deepEqual(call('serve', { op: 'put', bytes }).params, { op: 'put', bytes })
    assert.deepEqual(call('serve', { op: 'audit', address: ADDRESS, nonce }).params, { op: 'audit', address: ADDRESS, nonce })
  })

  it('rejects bad serve params with a clear reason', () => {
    const reasons: Array<[unknown, RegExp]> = [
      [undefined, /op/],
      [{ op: 'delete', address: ADDRESS }, /op/],
      [{ op: 'get', address: 'AB'.repeat(32) }, /64 lowercase hex digits/],
      [{ op: 'get' }, /address/],
      [{ op: 'put', bytes: [1, 2, 3] }, /"bytes" expected Uint8Array/],
      [{ op: 'put', bytes: new Uint8Array(MAX_CHUNK_BYTES + 1) }, new RegExp(`"bytes" expected Uint8Array of at most ${MAX_CHUNK_BYTES} bytes, got ${MAX_CHUNK_BYTES + 1} bytes`)],
      [{ op: 'audit', address: ADDRESS, nonce: new Uint8Array(16) }, /"nonce" expected Uint8Array of 32 bytes, got 16 bytes/],
      [{ op: 'audit', address: ADDRESS }, /nonce/],
      [{ op: 'get', address: ADDRESS, bytes: new Uint8Array(1) }, /bytes/]
    ]
    for (const [params, reason] of reasons) {
      assert.throws(() => parseEngineParams('serve', params), (err: Error) => err.name === 'InvalidEngineParamsError' && reason.test(err.message), `params ${JSON.stringify(params)}`)
    }
  })

  it('names the version when a request or a message speaks another one', () => {
    assert.throws(() => parseEngineRequest({ rpc: 2, id: 1, method: 'status' }), { name: 'EngineRpcError', message: 'host speaks RPC version 2, this engine speaks 3' })
    assert.throws(() => parseEngineMessage({ rpc: 2, id: 1, result: { ok: true, value: {} } }), { name: 'EngineRpcError', message: 'engine speaks RPC version 2, this host speaks 3' })
    assert.throws(() => parseEngineRequest({ rpc: 3, id: 1, method: 'format' }), (err: Error) => err.name === 'EngineRpcError' && /malformed request/.test(err.message))
  })

  it('parses a result by its method: a serve reply is checked, a status is not a serve reply', () => {
    const proof = new Uint8Array(32)
    assert.deepEqual(parseEngineResult('serve', { ok: true, op: 'audit', found: true, proof }), { ok: true, op: 'audit', found: true, proof })
    assert.deepEqual(parseEngineResult('serve', { ok: false, op: 'put', error: { name: 'StoreFullError', message: 'full' } }).ok, false)
    assert.throws(() => parseEngineResult('serve', { ok: true, op: 'audit', found: true, proof: new Uint8Array(31) }), (err: Error) => err.name === 'EngineRpcError' && /"serve" result/.test(err.message))
    assert.throws(() => parseEngineResult('status', { ok: true, op: 'get', found: false }), (err: Error) => err.name === 'EngineRpcError' && /"status" result/.test(err.message))
    assert.throws(() => parseEngineResult('trace', { entries: [{ at: 1, op: 'audit', address: ADDRESS }], recorded: 1, capacity: 2000 }), /"trace" result/)
    assert.equal(ServeReplySchema.safeParse({ ok: true, op: 'get', found: true }).success, false, 'a found get carries its bytes')
  })

  it('drops config fields it does not know, so an older engine starts under a newer host (a rollback)', () => {
    const parsed = EngineConfigSchema.parse({ ...liveConfig, fieldOfALaterVersion: { anything: true } })
    assert.deepEqual(parsed, liveConfig)
    assert.equal(EngineConfigSchema.safeParse({ ...liveConfig, paused: 'no' }).success, false, 'a known field is still checked')
  })

  it('accepts a shadow config only when it dials nobody and listens on loopback', () => {
    const shadow = { snapshotDir: '/tmp/snapshot' }
    assert.deepEqual(EngineConfigSchema.parse({ ...liveConfig, shadow }).shadow, shadow)
    assert.deepEqual(EngineConfigSchema.parse({ ...liveConfig, listen: ['/ip6/::1/tcp/4001'], shadow }).shadow, shadow)
    const bootstrap = EngineConfigSchema.safeParse({ ...liveConfig, bootstrap: ['/ip4/127.0.0.1/tcp/1/p2p/x'], shadow })
    assert.ok(!bootstrap.success && /dials nobody/.test(bootstrap.error.message))
    const publicListen = EngineConfigSchema.safeParse({ ...liveConfig, listen: ['/ip4/0.0.0.0/tcp/0'], shadow })
    assert.ok(!publicListen.success && /loopback only/.test(publicListen.error.message))
    assert.equal(EngineConfigSchema.safeParse({ ...liveConfig, shadow: { snapshotDir: '' } }).success, false)
    assert.equal(EngineConfigSchema.safeParse({ ...liveConfig, shadow: { snapshotDir: '/s', writable: true } }).success, false)
    // A live engine may listen anywhere and bootstrap as before.
    assert.equal(EngineConfigSchema.safeParse({ ...liveConfig, listen: ['/ip4/0.0.0.0/tcp/0'], bootstrap: ['/ip4/10.0.0.1/tcp/1'] }).success, true)
  })

  it('carries a live engine\'s release trust, checked, and never a shadow engine\'s', async () => {
    const fixture = await createFixture()
    try {
      const releaseTrust = await trustFor(fixture)
      assert.deepEqual(EngineConfigSchema.parse(JSON.parse(JSON.stringify({ ...liveConfig, releaseTrust }))).releaseTrust, releaseTrust)
      const shadow = EngineConfigSchema.safeParse({ ...liveConfig, releaseTrust, shadow: { snapshotDir: '/tmp/snapshot' } })
      assert.ok(!shadow.success && /a shadow engine takes no part in releases/.test(shadow.error.message))
      const unsigned = EngineConfigSchema.safeParse({ ...liveConfig, releaseTrust: { ...releaseTrust, root: { ...releaseTrust.root, signatures: [] } } })
      assert.ok(!unsigned.success && /carries 0 valid signature/.test(unsigned.error.message))
    } finally {
      await fixture.cleanup()
    }
  })
})
