import { test } from 'node:test'
import assert from 'node:assert/strict'
import { browserSocketOpener, httpAuthProbe, type WebSocketLike } from '../../../../renderer/src/host/browser-socket.ts'

/** Stands in for the browser's WebSocket: records what the adapter does with it. */
class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = []
  onopen: ((event: Event) => unknown) | null = null
  onmessage: ((event: MessageEvent) => unknown) | null = null
  onclose: ((event: CloseEvent) => unknown) | null = null
  readonly sent: string[] = []
  closed: [number | undefined, string | undefined] | null = null
  readonly url: string
  constructor (url: string) {
    this.url = url
    FakeWebSocket.instances.push(this)
  }

  send (data: string): void { this.sent.push(data) }
  close (code?: number, reason?: string): void { this.closed = [code, reason] }
}

test('browserSocketOpener maps WebSocket events onto the handlers', () => {
  const calls: string[] = []
  const connection = browserSocketOpener(FakeWebSocket)('ws://127.0.0.1:1/api/ws?token=t', {
    open: () => { calls.push('open') },
    message: (data) => { calls.push(`message:${String(data)}`) },
    close: (code, reason) => { calls.push(`close:${code}:${reason}`) }
  })
  const ws = FakeWebSocket.instances.at(-1)
  assert.ok(ws)
  assert.equal(ws.url, 'ws://127.0.0.1:1/api/ws?token=t')
  ws.onopen?.(new Event('open'))
  ws.onmessage?.(new MessageEvent('message', { data: '{"event":1}' }))
  ws.onclose?.(new CloseEvent('close', { code: 4401, reason: 'bad token' }))
  assert.deepEqual(calls, ['open', 'message:{"event":1}', 'close:4401:bad token'])
  connection.send('frame')
  assert.deepEqual(ws.sent, ['frame'])
})

test('closing through the adapter detaches the handlers first', () => {
  const calls: string[] = []
  const connection = browserSocketOpener(FakeWebSocket)('ws://x', {
    open: () => { calls.push('open') },
    message: () => { calls.push('message') },
    close: () => { calls.push('close') }
  })
  const ws = FakeWebSocket.instances.at(-1)
  assert.ok(ws)
  connection.close(1000, 'bye')
  assert.deepEqual(ws.closed, [1000, 'bye'])
  assert.equal(ws.onclose, null)
  assert.equal(ws.onmessage, null)
  assert.deepEqual(calls, [])
})

test('httpAuthProbe reads 401 and 403 as a refused token, other answers as reachable', async () => {
  const requested: string[] = []
  const probeWith = (status: number) => httpAuthProbe(async (url) => {
    requested.push(url)
    return { status }
  }, '/api/ws?token=t')
  assert.equal(await probeWith(401)(), 'unauthorized')
  assert.equal(await probeWith(403)(), 'unauthorized')
  assert.equal(await probeWith(426)(), 'reachable')
  assert.equal(await probeWith(404)(), 'reachable')
  assert.deepEqual(requested, Array(4).fill('/api/ws?token=t'))
})

test('httpAuthProbe reads a network failure as unreachable', async () => {
  const probe = httpAuthProbe(() => Promise.reject(new TypeError('Failed to fetch')), '/api/ws?token=t')
  assert.equal(await probe(), 'unreachable')
})
