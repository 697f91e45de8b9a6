import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RemoteError, type HostEvent, type SocketClientMessage } from '../../../../contract/host-api.ts'
import type { ConnectionState } from '../../../../renderer/src/host/client-types.ts'
import { HostUnavailableError, ProtocolError, RequestTimeoutError } from '../../../../renderer/src/host/errors.ts'
import {
  createSocketClient, type AuthProbeResult, type SocketClientOptions, type SocketHandlers
} from '../../../../renderer/src/host/socket-client.ts'
import { ManualTimers, flushPromises } from '../helpers/manual-timers.ts'
import { sampleStatus } from '../../../helpers/sample-status.ts'

const URL = 'ws://127.0.0.1:4100/api/ws?token=secret'

/** One socket the client opened; the test plays the host's side of it. */
class FakeSocket {
  readonly sent: string[] = []
  closedWith: { code?: number, reason?: string } | null = null
  readonly url: string
  private readonly handlers: SocketHandlers
  constructor (url: string, handlers: SocketHandlers) {
    this.url = url
    this.handlers = handlers
  }

  send (data: string): void { this.sent.push(data) }
  close (code?: number, reason?: string): void { this.closedWith = { code, reason } }
  // the host's side
  accept (): void { this.handlers.open() }
  push (message: unknown): void { this.handlers.message(JSON.stringify(message)) }
  pushRaw (data: unknown): void { this.handlers.message(data) }
  drop (code = 1006, reason = ''): void { this.handlers.close(code, reason) }
  frames (): SocketClientMessage[] { return this.sent.map((frame) => JSON.parse(frame) as SocketClientMessage) }
}

function setup (overrides: Partial<SocketClientOptions> = {}) {
  const timers = new ManualTimers()
  const sockets: FakeSocket[] = []
  const states: ConnectionState[] = []
  const events: HostEvent[] = []
  const protocolErrors: string[] = []
  let probeResult: AuthProbeResult = 'reachable'
  const client = createSocketClient({
    url: URL,
    openSocket: (url, handlers) => {
      const socket = new FakeSocket(url, handlers)
      sockets.push(socket)
      return socket
    },
    probeAuth: () => Promise.resolve(probeResult),
    timers,
    now: () => timers.now,
    random: () => 0.5, // jitter factor exactly 1
    backoff: { initialMs: 500, maxMs: 4000, jitter: 0.2 },
    requestTimeoutMs: 10_000,
    ...overrides
  })
  client.connect({
    onEvent: (event) => { events.push(event) },
    onConnection: (state) => { states.push(state) },
    onProtocolError: (message) => { protocolErrors.push(message) }
  })
  const last = (): FakeSocket => {
    const socket = sockets.at(-1)
    assert.ok(socket, 'no socket was opened')
    return socket
  }
  return {
    client, timers, sockets, states, events, protocolErrors, last,
    setProbe: (result: AuthProbeResult) => { probeResult = result }
  }
}

test('connects to the URL and reports connecting, then open', () => {
  const { sockets, states, last } = setup()
  assert.equal(sockets.length, 1)
  assert.equal(last().url, URL)
  assert.deepEqual(states, [{ phase: 'connecting' }])
  last().accept()
  assert.deepEqual(states.at(-1), { phase: 'open' })
})

test('sends a request frame and resolves with the parsed reply', async () => {
  const { client, last } = setup()
  last().accept()
  const status = sampleStatus({ age: 33 })
  const reply = client.getStatus({})
  const [frame] = last().frames()
  assert.deepEqual(frame, { id: frame?.id, request: { verb: 'getStatus', params: {} } })
  assert.equal(typeof frame?.id, 'number')
  last().push({ id: frame?.id, reply: { ok: true, value: status } })
  assert.deepEqual(await reply, status)
})

test('matches replies to requests by id, whatever their order', async () => {
  const { client, last } = setup()
  last().accept()
  const paused = client.pause({})
  const resumed = client.resume({})
  const [pauseFrame, resumeFrame] = last().frames()
  assert.notEqual(pauseFrame?.id, resumeFrame?.id)
  last().push({ id: resumeFrame?.id, reply: { ok: true, value: sampleStatus({ state: 'active' }) } })
  last().push({ id: pauseFrame?.id, reply: { ok: true, value: sampleStatus({ state: 'paused' }) } })
  assert.equal((await paused).state, 'paused')
  assert.equal((await resumed).state, 'active')
})

test('an error reply rejects with the host error, keeping its name', async () => {
  const { client, last } = setup()
  last().accept()
  const reply = client.pause({})
  last().push({ id: last().frames()[0]?.id, reply: { ok: false, error: { name: 'VaultNotRunningError', message: 'the engine is not running' } } })
  await assert.rejects(reply, (err: unknown) => err instanceof RemoteError && err.name === 'VaultNotRunningError' && err.message === 'the engine is not running')
})

test('a reply whose value breaks the contract rejects with ProtocolError', async () => {
  const { client, last } = setup()
  last().accept()
  const reply = client.getStatus({})
  last().push({ id: last().frames()[0]?.id, reply: { ok: true, value: { name: 'x' } } })
  await assert.rejects(reply, (err: unknown) => err instanceof Error && err.name === ProtocolError.NAME)
})

test('pushed events reach the listener after parsing', () => {
  const { last, events, protocolErrors } = setup()
  last().accept()
  const status = sampleStatus()
  last().push({ event: { type: 'status', status } })
  last().push({ event: { type: 'event', event: { at: 5, kind: 'vault:paused', message: 'Paused by owner' } } })
  assert.deepEqual(events, [
    { type: 'status', status },
    { type: 'event', event: { at: 5, kind: 'vault:paused', message: 'Paused by owner' } }
  ])
  assert.deepEqual(protocolErrors, [])
})

test('bad frames are reported and dropped, never thrown', () => {
  const { last, events, protocolErrors, states } = setup()
  last().accept()
  assert.doesNotThrow(() => {
    last().pushRaw('{not json')
    last().pushRaw(new Uint8Array([1, 2, 3]))
    last().push({ event: { type: 'status', status: { age: 'old' } } })
    last().push({ hello: 'world' })
    last().push({ id: 999, reply: { ok: true, value: 1 } }) // nobody asked
  })
  assert.equal(protocolErrors.length, 5)
  assert.match(protocolErrors[0] ?? '', /not valid JSON/)
  assert.match(protocolErrors[4] ?? '', /999/)
  assert.deepEqual(events, [])
  assert.deepEqual(states.at(-1), { phase: 'open' }, 'bad input does not drop the connection')
})

test('a request while not connected fails at once and sends nothing', async () => {
  const { client, last } = setup()
  await assert.rejects(client.getStatus({}), (err: unknown) => err instanceof HostUnavailableError)
  assert.deepEqual(last().sent, [])
})

test('a request the host never answers times out, and a late answer is reported', async () => {
  const { client, timers, last, protocolErrors } = setup()
  last().accept()
  const reply = client.getStatus({})
  timers.advance(9_999)
  let settled = false
  void reply.then(() => { settled = true }, () => { settled = true })
  await flushPromises()
  assert.equal(settled, false)
  timers.advance(1)
  await assert.rejects(reply, (err: unknown) => err instanceof RequestTimeoutError)
  last().push({ id: last().frames()[0]?.id, reply: { ok: true, value: sampleStatus() } })
  assert.equal(protocolErrors.length, 1)
})

test('a dropped connection fails pending requests and reconnects after a back-off', async () => {
  const { client, timers, sockets, states, last } = setup()
  last().accept()
  const reply = client.getStatus({})
  timers.now = 1000
  last().drop(1006, 'host went away')
  await assert.rejects(reply, (err: unknown) => err instanceof HostUnavailableError)
  assert.deepEqual(states.at(-1), { phase: 'reconnecting', attempt: 1, retryAt: 1500, reason: 'host went away' })
  timers.advance(499)
  assert.equal(sockets.length, 1)
  timers.advance(1)
  assert.equal(sockets.length, 2)
  last().accept()
  assert.deepEqual(states.at(-1), { phase: 'open' })
})

test('failed attempts back off exponentially up to the cap, and success resets the count', async () => {
  const { timers, sockets, states, last } = setup()
  const delays: number[] = []
  for (let i = 0; i < 5; i++) {
    const before = timers.now
    last().drop() // handshake refused: the client probes, then schedules
    await flushPromises()
    const state = states.at(-1)
    assert.equal(state?.phase, 'reconnecting')
    if (state?.phase !== 'reconnecting') return
    assert.equal(state.attempt, i + 1)
    delays.push(state.retryAt - before)
    timers.advance(state.retryAt - before)
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 4000])
  assert.equal(sockets.length, 6)
  last().accept()
  last().drop()
  const state = states.at(-1)
  assert.equal(state?.phase === 'reconnecting' ? state.attempt : null, 1)
})

test('jitter spreads the delay within the configured band', async () => {
  const { states, last } = setup({ random: () => 0 })
  last().drop()
  await flushPromises()
  const state = states.at(-1)
  assert.equal(state?.phase === 'reconnecting' ? state.retryAt : null, 400) // 500 × (1 − 0.2)
})

test('a host that closes with 4401 blocks with bad-token and stops retrying', () => {
  const { timers, sockets, states, last } = setup()
  last().accept()
  last().drop(4401, 'unauthorized')
  assert.deepEqual(states.at(-1), { phase: 'blocked', problem: 'bad-token' })
  timers.advance(60_000)
  assert.equal(sockets.length, 1)
  assert.equal(timers.pending, 0)
})

test('a refused handshake is probed: 401 blocks, anything else retries', async () => {
  const refused = setup()
  refused.setProbe('unauthorized')
  refused.last().drop()
  await flushPromises()
  assert.deepEqual(refused.states.at(-1), { phase: 'blocked', problem: 'bad-token' })
  assert.equal(refused.timers.pending, 0)

  const down = setup()
  down.setProbe('unreachable')
  down.last().drop()
  await flushPromises()
  const state = down.states.at(-1)
  assert.equal(state?.phase, 'reconnecting')
  assert.equal(state?.phase === 'reconnecting' ? state.reason : '', 'The host is not reachable.')
})

test('a probe that throws counts as unreachable', async () => {
  const { states, last } = setup({ probeAuth: () => Promise.reject(new Error('boom')) })
  last().drop()
  await flushPromises()
  assert.equal(states.at(-1)?.phase, 'reconnecting')
})

test('reconnectNow skips the wait without leaving the old timer armed', async () => {
  const { client, timers, sockets, last } = setup()
  last().accept()
  last().drop()
  assert.equal(timers.pending, 1)
  client.reconnectNow()
  assert.equal(sockets.length, 2)
  assert.equal(timers.pending, 0)
  timers.advance(60_000)
  assert.equal(sockets.length, 2)
})

test('events from a socket that was already replaced are ignored', () => {
  const { timers, sockets, events, states } = setup()
  const first = sockets[0]
  assert.ok(first)
  first.accept()
  first.drop()
  timers.advance(500)
  const stateCount = states.length
  first.push({ event: { type: 'event', event: { at: 1, kind: 'stale', message: 'old socket' } } })
  first.drop()
  assert.deepEqual(events, [])
  assert.equal(states.length, stateCount)
  assert.equal(sockets.length, 2)
})

test('close() closes the socket, fails pending requests and never reconnects', async () => {
  const { client, timers, sockets, states, last } = setup()
  last().accept()
  const reply = client.getStatus({})
  client.close()
  await assert.rejects(reply, (err: unknown) => err instanceof HostUnavailableError)
  assert.deepEqual(last().closedWith, { code: 1000, reason: 'dashboard closed' })
  assert.deepEqual(states.at(-1), { phase: 'closed' })
  timers.advance(60_000)
  assert.equal(sockets.length, 1)
})

test('a socket that cannot even be constructed is retried like a refused one', () => {
  let calls = 0
  const { states } = setup({
    openSocket: () => {
      calls++
      throw new SyntaxError('bad url')
    }
  })
  assert.equal(calls, 1)
  const state = states.at(-1)
  assert.equal(state?.phase, 'reconnecting')
  assert.equal(state?.phase === 'reconnecting' ? state.reason : '', 'bad url')
})
