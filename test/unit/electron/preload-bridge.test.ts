import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, it } from 'node:test'
import { hostVerbs } from '../../../contract/host-api.ts'
import type { HostEvent, HostVerb, Result } from '../../../contract/host-api.ts'
import { createBridge, INVALID_REPLY_ERROR, IPC_ERROR } from '../../../electron/preload-bridge.ts'
import type { IpcRendererLike, VaultBridge } from '../../../electron/preload-bridge.ts'
import type { VaultBridge as RendererVaultBridge } from '../../../renderer/src/host/vault-bridge.ts'
import { makeStatus } from './fakes.ts'

/** The bridge forwards whatever it is given: what the params mean is main's to check. */
async function sendAnything (bridge: VaultBridge, verb: HostVerb): Promise<Result<unknown>> {
  const send = bridge[verb] as (params: object) => Promise<Result<unknown>>
  return await send({})
}

/** ipcRenderer as the bridge sees it: invoke answers from `replies`, `on` listens for pushes. */
class FakeIpcRenderer extends EventEmitter implements IpcRendererLike {
  readonly invocations: Array<{ channel: string, args: unknown[] }> = []
  reply: unknown = { ok: true, value: makeStatus() }
  async invoke (channel: string, ...args: unknown[]): Promise<unknown> {
    this.invocations.push({ channel, args })
    return this.reply
  }

  /** What main's webContents.send looks like from here: an IpcRendererEvent, then the payload. */
  push (payload: unknown): void {
    this.emit('vault:event', { sender: this, senderId: 0 }, payload)
  }
}

/** True only when A and B are the same type (checked by tsc, which fails on `false`). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false

describe('createBridge', () => {
  it('has the type the renderer declares for window.vaultHost (tsc fails otherwise)', () => {
    const typesAgree: Same<VaultBridge, RendererVaultBridge> = true
    assert.equal(typesAgree, true)
  })

  it('exposes exactly the HostApi verbs and onEvent, and no handle on ipcRenderer', () => {
    const ipc = new FakeIpcRenderer()
    const bridge = createBridge(ipc)
    assert.deepEqual(Object.keys(bridge).sort(), [...hostVerbs, 'onEvent'].sort())
    for (const value of Object.values(bridge)) {
      assert.equal(typeof value, 'function')
      assert.notEqual(value, ipc.invoke)
    }
  })

  it('sends each verb on its own channel with the verb and params', async () => {
    const ipc = new FakeIpcRenderer()
    const bridge = createBridge(ipc)
    for (const verb of hostVerbs) await sendAnything(bridge, verb)
    assert.deepEqual(ipc.invocations, hostVerbs.map((verb) => ({ channel: `vault:${verb}`, args: [{ verb, params: {} }] })))
  })

  it('resolves with a successful reply as the Result value main returned', async () => {
    const ipc = new FakeIpcRenderer()
    ipc.reply = { ok: true, value: makeStatus({ state: 'paused' }) }
    assert.deepEqual(await createBridge(ipc).pause({}), { ok: true, value: makeStatus({ state: 'paused' }) })
  })

  it('resolves with an error reply as a plain value keeping the host error name, never throwing', async () => {
    const ipc = new FakeIpcRenderer()
    for (const name of ['ForbiddenSenderError', 'VaultPausedError', 'InvalidRequestError']) {
      ipc.reply = { ok: false, error: { name, message: 'refused' } }
      const reply = await createBridge(ipc).getStatus({})
      assert.deepEqual(reply, { ok: false, error: { name, message: 'refused' } })
      // A plain object, not an Error: contextBridge copies it with every property intact.
      assert.equal(Object.getPrototypeOf(reply), Object.prototype)
      assert.ok(!reply.ok)
      assert.equal(Object.getPrototypeOf(reply.error), Object.prototype)
    }
  })

  it('turns a reply that does not match the contract into an InvalidReplyError value', async () => {
    const ipc = new FakeIpcRenderer()
    const malformed = [
      undefined, null, 'ok', { ok: true }, { ok: true, value: { state: 'active' } },
      { ok: false }, { ok: false, error: { name: 'VaultPausedError' } }, { ok: 'yes', value: makeStatus() }
    ]
    for (const reply of malformed) {
      ipc.reply = reply
      const result = await createBridge(ipc).getStatus({})
      const label = JSON.stringify(reply) ?? 'undefined'
      assert.equal(result.ok, false, label)
      assert.ok(!result.ok)
      assert.equal(result.error.name, INVALID_REPLY_ERROR, label)
      assert.equal(result.error.name, 'InvalidReplyError')
      assert.match(result.error.message, /getStatus does not match the contract/, label)
    }
  })

  it('turns a rejected invoke into an IpcError value instead of rejecting', async () => {
    const ipc = new FakeIpcRenderer()
    ipc.invoke = async () => { throw new Error("Error invoking remote method 'vault:pause': boom") }
    assert.deepEqual(await createBridge(ipc).pause({}), {
      ok: false,
      error: { name: IPC_ERROR, message: "Error invoking remote method 'vault:pause': boom" }
    })
    assert.equal(IPC_ERROR, 'IpcError')
    ipc.invoke = () => Promise.reject('not an Error')
    assert.deepEqual(await createBridge(ipc).resume({}), { ok: false, error: { name: 'IpcError', message: 'not an Error' } })
  })

  it('never rejects, whatever main does', async () => {
    const ipc = new FakeIpcRenderer()
    const bridge = createBridge(ipc)
    const replies: Array<() => Promise<unknown>> = [
      async () => ({ ok: false, error: { name: 'VaultPausedError', message: 'paused' } }),
      async () => 42,
      async () => { throw new TypeError('gone') }
    ]
    for (const reply of replies) {
      ipc.invoke = reply
      for (const verb of hostVerbs) {
        const result = await sendAnything(bridge, verb)
        assert.equal(result.ok, false)
      }
    }
  })
})

describe('onEvent', () => {
  const statusEvent: HostEvent = { type: 'status', status: makeStatus() }

  it('delivers host events without the IPC event object', () => {
    const ipc = new FakeIpcRenderer()
    const received: unknown[][] = []
    createBridge(ipc).onEvent((...args: unknown[]) => { received.push(args) })
    ipc.push(statusEvent)
    assert.deepEqual(received, [[statusEvent]])
  })

  it('drops pushes that are not valid host events', () => {
    const ipc = new FakeIpcRenderer()
    const received: HostEvent[] = []
    createBridge(ipc).onEvent((event) => { received.push(event) })
    ipc.push({ type: 'status', status: { name: 'x' } })
    ipc.push({ type: 'exploit', code: 'alert(1)' })
    ipc.push(null)
    assert.deepEqual(received, [])
  })

  it('stops delivering after unsubscribe and removes its IPC listener', () => {
    const ipc = new FakeIpcRenderer()
    const received: HostEvent[] = []
    const unsubscribe = createBridge(ipc).onEvent((event) => { received.push(event) })
    assert.equal(ipc.listenerCount('vault:event'), 1)
    unsubscribe()
    assert.equal(ipc.listenerCount('vault:event'), 0)
    ipc.push(statusEvent)
    assert.deepEqual(received, [])
  })
})
