// How a vault finds its place in the network: it dials its bootstrap peers until they answer, then
// keeps looking up the vaults closest to its own name while it has fewer peers than it wants.
// A shadow engine runs none of this (issue 5: it dials nobody).
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { LocalTrust } from './local-trust.ts'

/** Connections a vault seeks beyond its bootstrap peer. */
export const DEFAULT_TARGET_PEERS = 8
const NEIGHBOUR_LOOKUP_TIMEOUT_MS = 10_000
const NEIGHBOUR_FIRST_CHECK_MS = 1000
const NEIGHBOUR_CHECK_MAX_MS = 60_000
const BOOTSTRAP_RETRY_MAX_MS = 5000

export interface NeighbourhoodComponents {
  libp2p: Pick<Libp2p, 'dial' | 'getPeers' | 'peerId' | 'peerRouting'>
  trust: Pick<LocalTrust, 'isIgnored'>
  activity: (kind: string, message: string) => void
}

export interface NeighbourhoodInit {
  bootstrap: string[]
  targetPeers?: number
}

export class Neighbourhood {
  private readonly components: NeighbourhoodComponents
  private readonly bootstrap: string[]
  private readonly targetPeers: number
  private stopController = new AbortController()
  private timer: NodeJS.Timeout | undefined
  private looking = false
  private running = false

  constructor (components: NeighbourhoodComponents, init: NeighbourhoodInit) {
    this.components = components
    this.bootstrap = init.bootstrap
    this.targetPeers = init.targetPeers ?? DEFAULT_TARGET_PEERS
  }

  start (): void {
    this.stopController = new AbortController()
    this.running = true
    this.scheduleCheck(NEIGHBOUR_FIRST_CHECK_MS)
    void this.joinBootstrap()
  }

  stop (): void {
    this.running = false
    this.stopController.abort()
    clearTimeout(this.timer)
  }

  private async joinBootstrap (): Promise<void> {
    const signal = this.stopController.signal
    const { libp2p, activity } = this.components
    for (const address of this.bootstrap) {
      for (let attempt = 0; !signal.aborted; attempt++) {
        try {
          await libp2p.dial(multiaddr(address), { signal })
          activity('network:joined', `connected to bootstrap peer ${address}`)
          break
        } catch (err) {
          if (signal.aborted) return
          if (attempt === 0) activity('network:retry', `bootstrap peer ${address} unreachable (${err instanceof Error ? err.message : String(err)}); retrying`)
          await new Promise(resolve => setTimeout(resolve, Math.min(BOOTSTRAP_RETRY_MAX_MS, 250 * 2 ** attempt)))
        }
      }
    }
  }

  /**
   * One bootstrap connection is a single point of failure: while below its target, a vault looks
   * up the vaults closest to its own name and connects to them, as a Kademlia node fills its
   * neighbourhood. It looks again soon while its routing table is still filling, then seldom.
   */
  private scheduleCheck (delayMs: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      void this.connectToNeighbours().then(() => {
        if (!this.running) return
        const short = this.components.libp2p.getPeers().length < this.targetPeers
        this.scheduleCheck(short ? Math.min(NEIGHBOUR_CHECK_MAX_MS, delayMs * 2) : NEIGHBOUR_CHECK_MAX_MS)
      })
    }, delayMs)
    this.timer.unref()
  }

  private async connectToNeighbours (): Promise<void> {
    const { libp2p, trust } = this.components
    if (this.looking || !this.running || libp2p.getPeers().length >= this.targetPeers) return
    this.looking = true
    const signal = AbortSignal.any([this.stopController.signal, AbortSignal.timeout(NEIGHBOUR_LOOKUP_TIMEOUT_MS)])
    try {
      for await (const peer of libp2p.peerRouting.getClosestPeers(libp2p.peerId.toMultihash().bytes, { signal })) {
        if (libp2p.getPeers().length >= this.targetPeers) break
        if (peer.id.equals(libp2p.peerId) || trust.isIgnored(peer.id.toString())) continue
        await libp2p.dial(peer.id, { signal }).catch(() => { /* an unreachable neighbour is skipped */ })
      }
    } catch {
      // A lookup cut short by the timeout still connected what it found.
    } finally {
      this.looking = false
    }
  }
}
