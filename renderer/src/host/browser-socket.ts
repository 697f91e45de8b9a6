// Adapters from the browser's WebSocket and fetch to the socket client's small interfaces.
import type { AuthProbeResult, OpenSocket } from './socket-client.ts'

/** The slice of the WebSocket class the adapter uses (a fake in tests). */
export type WebSocketLike = {
  onopen: ((event: Event) => unknown) | null
  onmessage: ((event: MessageEvent) => unknown) | null
  onclose: ((event: CloseEvent) => unknown) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}
export type WebSocketConstructor = new (url: string) => WebSocketLike

export function browserSocketOpener (WebSocketClass: WebSocketConstructor): OpenSocket {
  return (url, handlers) => {
    const ws = new WebSocketClass(url)
    ws.onopen = () => { handlers.open() }
    ws.onmessage = (event) => { handlers.message(event.data) }
    // "error" is always followed by "close", which carries the code: handle it once, there.
    ws.onclose = (event) => { handlers.close(event.code, event.reason) }
    return {
      send: (data) => { ws.send(data) },
      close: (code, reason) => {
        ws.onopen = null
        ws.onmessage = null
        ws.onclose = null
        ws.close(code, reason)
      }
    }
  }
}

export type FetchLike = (url: string, init: { method: string, cache: 'no-store' }) => Promise<{ status: number }>

/** Asks for `url` over plain HTTP: 401/403 means the host is up and refuses the token. */
export function httpAuthProbe (fetchImpl: FetchLike, url: string): () => Promise<AuthProbeResult> {
  return async () => {
    try {
      const response = await fetchImpl(url, { method: 'GET', cache: 'no-store' })
      return response.status === 401 || response.status === 403 ? 'unauthorized' : 'reachable'
    } catch {
      return 'unreachable'
    }
  }
}
