import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { hostVerbs, InvalidRequestError } from '../../../contract/host-api.ts'
import { FORBIDDEN_SENDER_ERROR, registerHostIpc } from '../../../electron/ipc.ts'
import type { SenderCheck } from '../../../electron/ipc.ts'
import { FakeHost, FakeIpcMain, invokeEvent, mainFrame, makeStatus, RENDERER_URL } from './fakes.ts'

const TRUSTED_ID = 1
const trustOnlyWindowOne: SenderCheck = (event) => event.sender.id === TRUSTED_ID
const trusted = invokeEvent(TRUSTED_ID, mainFrame(RENDERER_URL))

function setup (): { ipc: FakeIpcMain, host: FakeHost, unregister: () => void } {
  const ipc = new FakeIpcMain()
  const host = new FakeHost({ dataDir: '/tmp/vault' })
  const unregister = registerHostIpc(ipc, host, trustOnlyWindowOne)
  return { ipc, host, unregister }
}

describe('registerHostIpc', () => {
  it('registers exactly one vault:<verb> channel per HostApi verb', () => {
    const { ipc } = setup()
    assert.deepEqual([...ipc.handlers.keys()].sort(), hostVerbs.map((verb) => `vault:${verb}`).sort())
  })

  it('removes its handlers when unregistered', () => {
    const { ipc, unregister } = setup()
    unregister()
    assert.equal(ipc.handlers.size, 0)
  })

  it('refuses a foreign sender without touching the host', async () => {
    const { ipc, host } = setup()
    for (const verb of hostVerbs) {
      const reply = await ipc.invoke(`vault:${verb}`, invokeEvent(99, mainFrame(RENDERER_URL)), { verb, params: {} })
      assert.partialDeepStrictEqual(reply, { ok: false, error: { name: FORBIDDEN_SENDER_ERROR } })
    }
    assert.deepEqual(host.calls, [])
  })

  it('answers malformed payloads with an InvalidRequestError value and never calls the host', async () => {
    const { ipc, host } = setup()
    const malformed: unknown[] = [
      undefined,
      null,
      'getStatus',
      42,
      [],
      {},
      { verb: 'getStatus', params: { extra: true } },
      { verb: 'getStatus', params: 'x' },
      { params: {} }
    ]
    for (const payload of malformed) {
      const reply = await ipc.invoke('vault:getStatus', trusted, payload)
      assert.partialDeepStrictEqual(reply, { ok: false, error: { name: InvalidRequestError.NAME } }, JSON.stringify(payload))
    }
    assert.deepEqual(host.calls, [])
  })

  it('refuses a request whose verb differs from its channel', async () => {
    const { ipc, host } = setup()
    const reply = await ipc.invoke('vault:getStatus', trusted, { verb: 'pause', params: {} })
    assert.deepEqual(reply, {
      ok: false,
      error: { name: InvalidRequestError.NAME, message: 'request for "pause" sent on the "vault:getStatus" channel' }
    })
    assert.deepEqual(host.calls, [])
  })

  it('passes a valid call to the host and returns its result as a value', async () => {
    const { ipc, host } = setup()
    const reply = await ipc.invoke('vault:pause', trusted, { verb: 'pause', params: {} })
    assert.deepEqual(host.calls, ['pause'])
    assert.deepEqual(reply, { ok: true, value: makeStatus({ state: 'paused' }) })
  })

  it('accepts a request with no params, as the contract allows', async () => {
    const { ipc, host } = setup()
    const reply = await ipc.invoke('vault:getStatus', trusted, { verb: 'getStatus' })
    assert.deepEqual(host.calls, ['getStatus'])
    assert.deepEqual(reply, { ok: true, value: makeStatus() })
  })

  it('carries a host failure back as an error value with its name', async () => {
    const { ipc, host } = setup()
    host.resume = async () => {
      const err = new Error('the vault must pass its self-check first')
      err.name = 'SelfCheckFailedError'
      throw err
    }
    const reply = await ipc.invoke('vault:resume', trusted, { verb: 'resume', params: {} })
    assert.deepEqual(reply, { ok: false, error: { name: 'SelfCheckFailedError', message: 'the vault must pass its self-check first' } })
  })

  it('does not pass on a host result that breaks the contract', async () => {
    const { ipc, host } = setup()
    host.status = { ...makeStatus(), age: 300 }
    const reply = await ipc.invoke('vault:getStatus', trusted, { verb: 'getStatus', params: {} })
    assert.partialDeepStrictEqual(reply, { ok: false, error: { name: InvalidRequestError.NAME } })
  })
})
