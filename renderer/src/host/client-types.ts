// The one interface the store sees, whichever transport carries it (DESIGN §1: Electron IPC
// and the headless WebSocket are two thin transports over the same HostApi).
import type { HostApi, HostEvent } from '../../../contract/host-api.ts'

/** Why the dashboard cannot talk to the host, when retrying would not help. */
export type ConnectionProblem =
  | 'missing-token' // a browser opened the page without `?token=`
  | 'bad-token' // the host refused the token
  | 'no-host' // neither the Electron bridge nor an http(s) page: nothing to connect to

export type ConnectionState =
  | { phase: 'connecting' }
  | { phase: 'open' }
  /** The connection dropped or could not be made; the next attempt starts at `retryAt` (epoch ms). */
  | { phase: 'reconnecting', attempt: number, retryAt: number, reason: string }
  | { phase: 'blocked', problem: ConnectionProblem }
  | { phase: 'closed' }

export type HostClientListener = {
  /** A pushed status snapshot or vault event, already checked against the contract. */
  onEvent(event: HostEvent): void
  onConnection(state: ConnectionState): void
  /** Something arrived that the contract does not allow; it was dropped. */
  onProtocolError(message: string): void
}

export type TransportKind = 'electron' | 'socket' | 'none'

export interface HostClient extends HostApi {
  readonly transport: TransportKind
  /** Starts the connection; the listener hears every state change, event and protocol error. */
  connect(listener: HostClientListener): void
  /** Skips the back-off wait and tries again now (a no-op unless reconnecting). */
  reconnectNow(): void
  close(): void
}
