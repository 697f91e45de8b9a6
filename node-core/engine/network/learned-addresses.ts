// Peer addresses learned through the network, for the live egress watch (DESIGN §3.8): a live
// engine may connect only to peers it learned of, so it writes every TCP host:port it learns into
// one process-global registry, and the egress monitor preloaded into the engine process checks
// each socket against it. An address is registered before libp2p can dial it:
// - bootstrap addresses from the config, at construction;
// - addresses the peer store learns (identify, DHT responses, peer routing, discovery): the peer
//   store dispatches `peer:update` synchronously while it still holds the peer's write lock, and
//   the dialer reads a peer's addresses under that lock, so no dial sees an address before it is here;
// - the engine's own listen addresses, since a peer may hand them back (a self-dial is no egress).
import { tryGetNetConfig } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p, PeerUpdate } from '@libp2p/interface'
import { isIPv4 } from 'node:net'

/** The registry's key on globalThis; the egress monitor (a preload) reads the same symbol. */
export const LEARNED_PEER_ADDRESSES = Symbol.for('vault-manager.learned-peer-addresses')

/** The process-global Set of learned "host:port" keys (see peerAddressKey), created if absent. */
export function learnedPeerAddresses (): Set<string> {
  const holder = globalThis as { [LEARNED_PEER_ADDRESSES]?: unknown }
  const existing = holder[LEARNED_PEER_ADDRESSES]
  if (existing instanceof Set) return existing as Set<string>
  const created = new Set<string>()
  holder[LEARNED_PEER_ADDRESSES] = created
  return created
}

/**
 * The registry's key for a TCP endpoint: "host:port" with the host lower-cased, unbracketed, without
 * a trailing dot and an IPv4-mapped IPv6 host as IPv4, then an IPv6 host in brackets ("[::1]:4001").
 * The egress monitor (upgrade/sandbox/egress-monitor.ts) keys the sockets it sees the same way; the
 * host strings match because libp2p hands net.connect the host of the very multiaddr learned here.
 */
export function peerAddressKey (host: string, port: number): string {
  const lower = host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '')
  const bare = lower.startsWith('::ffff:') && isIPv4(lower.slice(7)) ? lower.slice(7) : lower
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`
}

/** The key of a multiaddr's TCP endpoint, or undefined when it has none (a relay, a dnsaddr, UDP). */
export function multiaddrKey (address: Multiaddr | string): string | undefined {
  let parsed: Multiaddr
  try {
    parsed = typeof address === 'string' ? multiaddr(address) : address
  } catch {
    return undefined
  }
  const config = tryGetNetConfig(parsed)
  if (config === null || config.protocol !== 'tcp' || config.port === undefined || config.type === 'dnsaddr') return undefined
  return peerAddressKey(config.host, config.port)
}

export interface LearnedAddressesComponents {
  libp2p: Pick<Libp2p, 'addEventListener' | 'removeEventListener' | 'getMultiaddrs'>
}

/** Fills the registry from a vault's libp2p node for as long as it runs. */
export class LearnedAddresses {
  private readonly components: LearnedAddressesComponents
  private readonly registry: Set<string>

  constructor (components: LearnedAddressesComponents, init: { registry?: Set<string> } = {}) {
    this.components = components
    this.registry = init.registry ?? learnedPeerAddresses()
  }

  /** Registers addresses learned outside libp2p (the config's bootstrap addresses). */
  learn (addresses: Iterable<Multiaddr | string>): void {
    for (const address of addresses) {
      const key = multiaddrKey(address)
      if (key !== undefined) this.registry.add(key)
    }
  }

  has (host: string, port: number): boolean {
    return this.registry.has(peerAddressKey(host, port))
  }

  /** Listens before libp2p starts, so identify's first answers are caught too. */
  start (): void {
    this.components.libp2p.addEventListener('peer:update', this.onPeerUpdate)
    this.components.libp2p.addEventListener('self:peer:update', this.onSelfUpdate)
  }

  /** Registers the node's own listen addresses once it listens (the ports are known only then). */
  afterStart (): void {
    this.learn(this.components.libp2p.getMultiaddrs())
  }

  stop (): void {
    this.components.libp2p.removeEventListener('peer:update', this.onPeerUpdate)
    this.components.libp2p.removeEventListener('self:peer:update', this.onSelfUpdate)
  }

  private readonly onPeerUpdate = (event: CustomEvent<PeerUpdate>): void => {
    this.learn(event.detail.peer.addresses.map(address => address.multiaddr))
  }

  private readonly onSelfUpdate = (): void => {
    this.learn(this.components.libp2p.getMultiaddrs())
  }
}
