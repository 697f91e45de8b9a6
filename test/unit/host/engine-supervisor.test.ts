import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DEFAULT_RESTART_POLICY, EngineSupervisor, restartDelay } from '../../../node-core/host/engine-supervisor.ts'
import type { EngineStatus } from '../../../node-core/engine/rpc/engine-rpc.ts'

describe('restartDelay', () => {
  it('doubles from the initial delay and is capped', () => {
    const policy = { ...DEFAULT_RESTART_POLICY, initialDelayMs: 500, maxDelayMs: 4000 }
    assert.deepEqual([1, 2, 3, 4, 5, 10].map(crashes => restartDelay(crashes, policy)), [500, 1000, 2000, 4000, 4000, 4000])
  })
})

describe('EngineSupervisor.request', () => {
  const supervisor = new EngineSupervisor({
    config: () => ({ dataDir: '/nonexistent', listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], capacityBytes: 1, localNetwork: false, paused: false }),
    entry: new URL('./fixtures/scripted-engine.ts', import.meta.url).pathname,
    restart: { crashLoopCount: 1 }
  })

  before(async () => { await supervisor.start() })
  after(async () => { await supervisor.stop() })

  it('resolves a status method with the parsed status and keeps it as the last status', async () => {
    const statuses: EngineStatus[] = []
    supervisor.addEventListener('engine:status', event => { statuses.push(event.detail) })
    const paused = await supervisor.request('pause')
    assert.equal(paused.paused, true)
    assert.equal(supervisor.lastStatus?.paused, true)
    assert.deepEqual(statuses.map(status => status.paused), [true])
    assert.equal((await supervisor.request('status', {})).name, 'scripted')
  })

  it('sends params, with bytes crossing the channel as Uint8Array', async () => {
    const reply = await supervisor.request('serve', { op: 'put', bytes: new Uint8Array([1, 2, 3]) })
    assert.deepEqual(reply, { ok: true, op: 'put', address: 'ab'.repeat(32), added: true })
  })

  it('rejects with the engine\'s own error name when the engine answers an error', async () => {
    await assert.rejects(supervisor.request('serve', { op: 'get', address: 'cd'.repeat(32) }), { name: 'ShadowModeRequiredError', message: 'not a shadow engine' })
  })

  it('refuses a result that does not fit its method', async () => {
    await assert.rejects(supervisor.request('trace'), (err: Error) => err.name === 'EngineRpcError' && /malformed "trace" result/.test(err.message))
  })
})

describe('EngineSupervisor warm start', () => {
  const entry = new URL('./fixtures/scripted-engine.ts', import.meta.url).pathname
  const location = { entry, rootDir: process.cwd() }
  const make = (): EngineSupervisor => new EngineSupervisor({
    config: () => ({ dataDir: '/nonexistent', listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], capacityBytes: 1, localNetwork: false, paused: false }),
    entry,
    rootDir: process.cwd(),
    egressMonitor: false,
    restart: { crashLoopCount: 1 }
  })

  it('starts the prepared engine, which loaded while the live one ran, instead of forking another', async () => {
    const supervisor = make()
    await supervisor.start()
    assert.equal(supervisor.lastStatus?.name, 'scripted')
    await supervisor.prepare(location)
    await supervisor.stop({ keepStandby: true })
    const status = await supervisor.start()
    assert.equal(status.name, 'scripted (warm)')
    assert.equal((await supervisor.request('status')).name, 'scripted (warm)')
    await supervisor.stop()
  })

  it('discards the prepared engine on a plain stop, or when another engine is chosen', async () => {
    const supervisor = make()
    await supervisor.prepare(location)
    await supervisor.stop()
    assert.equal((await supervisor.start()).name, 'scripted')
    await supervisor.prepare({ entry, rootDir: '/' })
    await supervisor.stop({ keepStandby: true })
    try {
      assert.equal((await supervisor.start()).name, 'scripted', 'the standby was for another location')
    } finally {
      await supervisor.stop()
    }
  })

  it('rejects a prepare whose engine dies while loading', async () => {
    const supervisor = new EngineSupervisor({
      config: () => ({ dataDir: '/nonexistent', listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], capacityBytes: 1, localNetwork: false, paused: false }),
      egressMonitor: false
    })
    await assert.rejects(supervisor.prepare({ entry: new URL('./fixtures/missing-engine.ts', import.meta.url).pathname, rootDir: process.cwd() }), { name: 'EngineRpcError' })
  })
})
