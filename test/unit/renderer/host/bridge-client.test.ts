import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RemoteError, type HostEvent } from '../../../../contract/host-api.ts'
import { createBridgeClient } from '../../../../renderer/src/host/bridge-client.ts'
import type { ConnectionState } from '../../../../renderer/src/host/client-types.ts'
import { ProtocolError } from '../../../../renderer/src/host/errors.ts'
import type { VaultBridge } from '../../../../renderer/src/host/vault-bridge.ts'
import { sampleStatus } from '../../../helpers/sample-status.ts'

/** A preload bridge whose answers (Result values, as the real bridge resolves) and pushes the test controls. */
function fakeBridge (answer: unknown) {
  const listeners = new Set<(event: unknown) => void>()
  const calls: string[] = []
  const bridge = {
    getStatus: async () => { calls.push('getStatus'); return answer },
    pause: async () => { calls.push('pause'); return answer },
    resume: async () => { calls.push('resume'); return answer },
    onEvent: (listener: (event: unknown) => void) => {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  } as unknown as VaultBridge
  return { bridge, calls, listeners, push: (event: unknown) => { for (const l of listeners) l(event) } }
}

function collect () {
  const states: ConnectionState[] = []
  const events: HostEvent[] = []
  const protocolErrors: string[] = []
  return {
    states, events, protocolErrors,
    listener: {
      onEvent: (event: HostEvent) => { events.push(event) },
      onConnection: (state: ConnectionState) => { states.push(state) },
      onProtocolError: (message: string) => { protocolErrors.push(message) }
    }
  }
}

test('the bridge is open as soon as the client connects, and its verbs unwrap the Result into the status', async () => {
  const status = sampleStatus({ state: 'paused' })
  const { bridge, calls } = fakeBridge({ ok: true, value: status })
  const client = createBridgeClient(bridge)
  const seen = collect()
  client.connect(seen.listener)
  assert.equal(client.transport, 'electron')
  assert.deepEqual(seen.states, [{ phase: 'open' }])
  assert.deepEqual(await client.pause({}), status)
  assert.deepEqual(calls, ['pause'])
})

test('an error Result is thrown here as a RemoteError with the host error name', async () => {
  for (const name of ['VaultPausedError', 'ForbiddenSenderError', 'InvalidReplyError', 'IpcError']) {
    const { bridge } = fakeBridge({ ok: false, error: { name, message: 'no' } })
    await assert.rejects(createBridgeClient(bridge).resume({}), (err: unknown) => {
      assert.ok(err instanceof RemoteError)
      assert.ok(err instanceof Error)
      assert.equal(err.name, name)
      assert.equal(err.message, 'no')
      return true
    })
  }
})

test('an answer that breaks the contract rejects with ProtocolError', async () => {
  const answers = [
    undefined, null, sampleStatus(), { name: 42 }, { ok: true }, { ok: true, value: { name: 42 } },
    { ok: false }, { ok: false, error: { name: 'VaultPausedError' } }
  ]
  for (const answer of answers) {
    const { bridge } = fakeBridge(answer)
    await assert.rejects(createBridgeClient(bridge).getStatus({}), (err: unknown) => {
      assert.ok(err instanceof ProtocolError, JSON.stringify(answer) ?? 'undefined')
      assert.equal(err.name, ProtocolError.NAME)
      return true
    })
  }
})

test('pushed events are parsed; bad ones are reported, not forwarded', () => {
  const { bridge, push } = fakeBridge(null)
  const seen = collect()
  createBridgeClient(bridge).connect(seen.listener)
  const event = { type: 'event', event: { at: 1, kind: 'vault:resumed', message: 'Resumed' } }
  push(event)
  push({ type: 'status', status: { age: -1 } })
  assert.deepEqual(seen.events, [event])
  assert.equal(seen.protocolErrors.length, 1)
})

test('close() unsubscribes from the bridge', () => {
  const { bridge, listeners } = fakeBridge(null)
  const client = createBridgeClient(bridge)
  const seen = collect()
  client.connect(seen.listener)
  assert.equal(listeners.size, 1)
  client.close()
  assert.equal(listeners.size, 0)
  assert.deepEqual(seen.states.at(-1), { phase: 'closed' })
})
