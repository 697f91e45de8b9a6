import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chooseTransport, createHostClient, type ConnectionState } from '../../../renderer/src/host-client.ts'
import { HostUnavailableError } from '../../../renderer/src/host/errors.ts'
import { isVaultBridge } from '../../../renderer/src/host/vault-bridge.ts'
import { hostVerbs } from '../../../contract/host-api.ts'

const page = { protocol: 'http:', host: '127.0.0.1:4100', search: '?token=s3cret' }
const noop = () => {}
const bridge = { ...Object.fromEntries(hostVerbs.map(verb => [verb, noop])), onEvent: () => noop }

test('the Electron bridge wins whenever it is present', () => {
  const choice = chooseTransport({ bridge, location: { protocol: 'file:', host: '', search: '' } })
  assert.equal(choice.kind, 'electron')
  assert.equal(chooseTransport({ bridge, location: page }).kind, 'electron')
})

test('a half-built bridge is not trusted: the page falls back to the socket', () => {
  assert.equal(isVaultBridge({ getStatus: noop, pause: noop, onEvent: noop }), false)
  assert.equal(isVaultBridge(null), false)
  assert.equal(isVaultBridge(bridge), true)
  assert.equal(chooseTransport({ bridge: { getStatus: noop }, location: page }).kind, 'socket')
})

test('a browser page uses the socket on its own host with the token from its URL', () => {
  assert.deepEqual(chooseTransport({ bridge: undefined, location: page }), {
    kind: 'socket',
    url: 'ws://127.0.0.1:4100/api/ws?token=s3cret',
    probeUrl: '/api/ws?token=s3cret'
  })
})

test('without a token, or without any host, there is nothing to connect to', () => {
  assert.deepEqual(chooseTransport({ bridge: undefined, location: { ...page, search: '' } }), { kind: 'none', problem: 'missing-token' })
  assert.deepEqual(chooseTransport({ bridge: undefined, location: { protocol: 'file:', host: '', search: '?token=x' } }), { kind: 'none', problem: 'no-host' })
})

test('an unavailable client reports why and refuses every verb', async () => {
  const client = createHostClient({ bridge: undefined, location: { ...page, search: '' } })
  const states: ConnectionState[] = []
  client.connect({ onEvent: noop, onConnection: (state) => { states.push(state) }, onProtocolError: noop })
  assert.equal(client.transport, 'none')
  assert.deepEqual(states, [{ phase: 'blocked', problem: 'missing-token' }])
  await assert.rejects(client.pause({}), (err: unknown) => err instanceof HostUnavailableError)
})

test('the socket client opens a WebSocket on the chosen URL', () => {
  const opened: string[] = []
  class RecordingWebSocket {
    onopen = null
    onmessage = null
    onclose = null
    constructor (url: string) { opened.push(url) }
    send (): void {}
    close (): void {}
  }
  const client = createHostClient({ bridge: undefined, location: page, WebSocket: RecordingWebSocket })
  client.connect({ onEvent: noop, onConnection: noop, onProtocolError: noop })
  assert.equal(client.transport, 'socket')
  assert.deepEqual(opened, ['ws://127.0.0.1:4100/api/ws?token=s3cret'])
  client.close()
})
