// Picks how the dashboard reaches its host and hides the choice from everything else:
// inside Electron the preload bridge (`window.vaultHost`), in a browser the headless host's
// WebSocket on the same origin as the page (DESIGN §1).
import { hostApiThrough } from '../../contract/host-api.ts'
import type { ConnectionProblem, HostClient } from './host/client-types.ts'
import { createBridgeClient } from './host/bridge-client.ts'
import { browserSocketOpener, httpAuthProbe, type FetchLike, type WebSocketConstructor } from './host/browser-socket.ts'
import { HostUnavailableError } from './host/errors.ts'
import { createSocketClient, type SocketClientOptions } from './host/socket-client.ts'
import { authProbeUrl, readToken, socketUrl, type PageLocation } from './host/socket-url.ts'
import { isVaultBridge, type VaultBridge } from './host/vault-bridge.ts'

export type { ConnectionProblem, ConnectionState, HostClient, HostClientListener, TransportKind } from './host/client-types.ts'

/** What the page offers; main.tsx passes `window`'s values, tests pass fakes. */
export type HostEnvironment = {
  bridge: unknown
  location: PageLocation
  WebSocket?: WebSocketConstructor
  fetch?: FetchLike
  /** Overrides for the socket client (timers, clock, back-off); tests use them. */
  socketOptions?: Partial<Omit<SocketClientOptions, 'url' | 'openSocket' | 'probeAuth'>>
}

export type TransportChoice =
  | { kind: 'electron', bridge: VaultBridge }
  | { kind: 'socket', url: string, probeUrl: string }
  | { kind: 'none', problem: ConnectionProblem }

export function chooseTransport (env: Pick<HostEnvironment, 'bridge' | 'location'>): TransportChoice {
  if (isVaultBridge(env.bridge)) return { kind: 'electron', bridge: env.bridge }
  const { protocol, host, search } = env.location
  // A page opened from file:// without the preload has no host to talk to.
  if ((protocol !== 'http:' && protocol !== 'https:') || host === '') return { kind: 'none', problem: 'no-host' }
  const token = readToken(search)
  if (token === null) return { kind: 'none', problem: 'missing-token' }
  return { kind: 'socket', url: socketUrl(env.location, token), probeUrl: authProbeUrl(token) }
}

export function createHostClient (env: HostEnvironment): HostClient {
  const choice = chooseTransport(env)
  switch (choice.kind) {
    case 'electron':
      return createBridgeClient(choice.bridge)
    case 'socket': {
      if (env.WebSocket === undefined) return createUnavailableClient('no-host')
      const fetchImpl = env.fetch
      return createSocketClient({
        ...env.socketOptions,
        url: choice.url,
        openSocket: browserSocketOpener(env.WebSocket),
        probeAuth: fetchImpl === undefined ? () => Promise.resolve('unreachable') : httpAuthProbe(fetchImpl, choice.probeUrl)
      })
    }
    case 'none':
      return createUnavailableClient(choice.problem)
    default: {
      const unreachable: never = choice
      throw new TypeError(`unknown transport ${String(unreachable)}`)
    }
  }
}

/** A client that only explains why there is no connection; every verb fails. */
export function createUnavailableClient (problem: ConnectionProblem): HostClient {
  const refuse = (): Promise<never> => Promise.reject(new HostUnavailableError('Not connected to a vault host.'))
  return {
    transport: 'none',
    connect (listener) { listener.onConnection({ phase: 'blocked', problem }) },
    reconnectNow () {},
    close () {},
    ...hostApiThrough(refuse)
  }
}
