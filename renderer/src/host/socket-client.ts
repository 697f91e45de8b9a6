// HostApi over the headless host's WebSocket (DESIGN §1). Every incoming frame is parsed with the
// contract's schemas; a bad frame is reported and dropped, never thrown into the page.
import {
  hostApiThrough, RemoteError, SocketServerMessageSchema, unwrapReply,
  type HostVerb, type SocketClientMessage, type VerbParams, type VerbResult
} from '../../../contract/host-api.ts'
import type { ConnectionState, HostClient, HostClientListener } from './client-types.ts'
import { HostUnavailableError, ProtocolError, RequestTimeoutError } from './errors.ts'
import { nextRetryDelay, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.ts'

/** Callbacks a socket reports to; the browser adapter maps WebSocket events onto them. */
export type SocketHandlers = {
  open(): void
  message(data: unknown): void
  close(code: number, reason: string): void
}
export type SocketConnection = { send(data: string): void, close(code?: number, reason?: string): void }
export type OpenSocket = (url: string, handlers: SocketHandlers) => SocketConnection

/** What the host answered to a plain HTTP request with our token, after a refused handshake. */
export type AuthProbeResult = 'unauthorized' | 'reachable' | 'unreachable'

export type Timers = {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export type SocketClientOptions = {
  url: string
  openSocket: OpenSocket
  probeAuth: () => Promise<AuthProbeResult>
  timers?: Timers
  now?: () => number
  random?: () => number
  backoff?: BackoffOptions
  requestTimeoutMs?: number
}

/** Close codes a host uses to refuse a token after accepting the socket (4401 mirrors HTTP 401). */
export const UNAUTHORIZED_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 1008])
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000

type Pending = {
  verb: HostVerb
  resolve(value: unknown): void
  reject(error: Error): void
  timer: unknown
}

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>)
}

export function createSocketClient (options: SocketClientOptions): HostClient {
  const timers = options.timers ?? defaultTimers
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS

  let listener: HostClientListener | null = null
  let socket: SocketConnection | null = null
  let isOpen = false
  let stopped = false
  let failedAttempts = 0
  let retryTimer: unknown = null
  let nextId = 1
  const pending = new Map<number, Pending>()

  function report (state: ConnectionState): void {
    listener?.onConnection(state)
  }

  function failPending (error: Error): void {
    for (const [id, request] of pending) {
      timers.clearTimeout(request.timer)
      pending.delete(id)
      request.reject(error)
    }
  }

  function open (): void {
    retryTimer = null
    if (stopped) return
    isOpen = false
    // Each socket gets its own handlers; events from a socket we already replaced are ignored.
    let current: SocketConnection | null = null
    const isCurrent = (): boolean => current !== null && current === socket
    try {
      current = options.openSocket(options.url, {
        open: () => { if (isCurrent()) onOpen() },
        message: (data) => { if (isCurrent()) onMessage(data) },
        close: (code, reason) => { if (isCurrent()) onClose(code, reason) }
      })
      socket = current
    } catch (err) {
      socket = null
      scheduleRetry(err instanceof Error ? err.message : String(err))
    }
  }

  function onOpen (): void {
    isOpen = true
    failedAttempts = 0
    report({ phase: 'open' })
  }

  function onMessage (data: unknown): void {
    if (typeof data !== 'string') {
      listener?.onProtocolError('The host sent a binary frame; only JSON text is expected.')
      return
    }
    let raw: unknown
    try {
      raw = JSON.parse(data)
    } catch {
      listener?.onProtocolError('The host sent a frame that is not valid JSON.')
      return
    }
    const parsed = SocketServerMessageSchema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`
      listener?.onProtocolError(`The host sent a message this dashboard does not understand (${issue?.message ?? 'invalid'}${where}).`)
      return
    }
    const message = parsed.data
    if ('event' in message) {
      listener?.onEvent(message.event)
      return
    }
    const request = pending.get(message.id)
    if (request === undefined) {
      listener?.onProtocolError(`The host answered request ${message.id}, which is not waiting for an answer.`)
      return
    }
    pending.delete(message.id)
    timers.clearTimeout(request.timer)
    try {
      request.resolve(unwrapReply(request.verb, message.reply))
    } catch (err) {
      // unwrapReply throws RemoteError for the host's own errors: pass those on as they are.
      request.reject(err instanceof RemoteError
        ? err
        : new ProtocolError(`The host's answer to ${request.verb} does not match the contract.`))
    }
  }

  function onClose (code: number, reason: string): void {
    const wasOpen = isOpen
    isOpen = false
    socket = null
    failPending(new HostUnavailableError('The connection to the host was lost.'))
    if (stopped) return
    if (UNAUTHORIZED_CLOSE_CODES.has(code)) {
      report({ phase: 'blocked', problem: 'bad-token' })
      return
    }
    const why = reason !== '' ? reason : wasOpen ? 'The connection to the host closed.' : 'The host did not accept the connection.'
    if (wasOpen) {
      scheduleRetry(why)
      return
    }
    // A refused handshake looks the same to the page whether the host is down or the token is
    // wrong; ask over plain HTTP, where the status is visible.
    options.probeAuth().then(
      (result) => {
        if (stopped || socket !== null || retryTimer !== null) return
        if (result === 'unauthorized') report({ phase: 'blocked', problem: 'bad-token' })
        else scheduleRetry(result === 'unreachable' ? 'The host is not reachable.' : why)
      },
      () => { if (!stopped && socket === null && retryTimer === null) scheduleRetry('The host is not reachable.') }
    )
  }

  function scheduleRetry (reason: string): void {
    failedAttempts++
    const delay = nextRetryDelay(failedAttempts, backoff, random)
    report({ phase: 'reconnecting', attempt: failedAttempts, retryAt: now() + delay, reason })
    retryTimer = timers.setTimeout(open, delay)
  }

  function request<V extends HostVerb> (verb: V, params: VerbParams<V>): Promise<VerbResult<V>> {
    if (socket === null || !isOpen) {
      return Promise.reject(new HostUnavailableError(`Cannot ${verb}: not connected to the host.`))
    }
    const id = nextId++
    const frame: SocketClientMessage = { id, request: { verb, params } }
    return new Promise<VerbResult<V>>((resolve, reject) => {
      const timer = timers.setTimeout(() => {
        pending.delete(id)
        reject(new RequestTimeoutError(`The host did not answer ${verb} within ${Math.round(requestTimeoutMs / 1000)} s.`))
      }, requestTimeoutMs)
      pending.set(id, { verb, resolve: resolve as (value: unknown) => void, reject, timer })
      try {
        socket?.send(JSON.stringify(frame))
      } catch (err) {
        pending.delete(id)
        timers.clearTimeout(timer)
        reject(new HostUnavailableError(err instanceof Error ? err.message : String(err)))
      }
    })
  }

  return {
    transport: 'socket',
    connect (next) {
      listener = next
      stopped = false
      report({ phase: 'connecting' })
      open()
    },
    reconnectNow () {
      if (stopped || retryTimer === null) return
      timers.clearTimeout(retryTimer)
      open()
    },
    close () {
      stopped = true
      if (retryTimer !== null) timers.clearTimeout(retryTimer)
      retryTimer = null
      const current = socket
      socket = null
      isOpen = false
      failPending(new HostUnavailableError('The dashboard closed its connection.'))
      current?.close(1000, 'dashboard closed')
      report({ phase: 'closed' })
    },
    ...hostApiThrough(request)
  }
}
