// Where a chunk lives: the vaults closest to its address by XOR distance (DESIGN §2). XorPlacement
// ranks the peers this vault knows; once it knows its section, SectionPlacement ranks the
// section's members instead (replication/section-placement.ts) and falls back to this one before.
import type { PeerId } from '@libp2p/interface'
import { xorDistance } from '../identity/name.ts'

export interface Placement {
  /** The `count` known vaults closest to `address`, nearest first; may include this vault. */
  closest(address: Uint8Array, count: number): Promise<PeerId[]>
}

export interface XorPlacementComponents {
  self: PeerId
  /** Every vault this one knows of (connected or in its peer store). */
  knownPeers(): Promise<PeerId[]>
  /** Peers this vault does not trust enough to use. */
  isIgnored(peer: PeerId): boolean
}

/** The raw ed25519 public key of a PeerId: the vault's name. Undefined for other key types. */
export function nameOfPeer (peer: PeerId): Uint8Array | undefined {
  return peer.type === 'Ed25519' ? peer.publicKey.raw : undefined
}

export class XorPlacement implements Placement {
  private readonly components: XorPlacementComponents

  constructor (components: XorPlacementComponents) {
    this.components = components
  }

  async closest (address: Uint8Array, count: number): Promise<PeerId[]> {
    const unique = new Map<string, PeerId>([[this.components.self.toString(), this.components.self]])
    for (const peer of await this.components.knownPeers()) {
      if (!this.components.isIgnored(peer)) unique.set(peer.toString(), peer)
    }
    return [...unique.values()]
      .flatMap(peer => {
        const name = nameOfPeer(peer)
        return name === undefined ? [] : [{ peer, distance: xorDistance(address, name) }]
      })
      .sort((a, b) => (a.distance < b.distance ? -1 : a.distance > b.distance ? 1 : 0))
      .slice(0, count)
      .map(entry => entry.peer)
  }
}
