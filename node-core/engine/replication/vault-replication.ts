// A vault's placement and re-replication wired to its section, store and chunk protocol (issue 3
// deliver 4), so vault.ts holds one line of it. In shadow mode (no section) only the known-peers
// placement stands, and nothing is re-replicated.
import type { PeerId } from '@libp2p/interface'
import type { ChunkService } from '../chunk-protocol/chunk-service.ts'
import { XorPlacement } from '../network/placement.ts'
import type { SectionService } from '../section/section-service.ts'
import type { ChunkStore } from '../store/chunk-store.ts'
import { sectionViewOf, type SectionView } from './holder-order.ts'
import { forwardReplicationActivity } from './replication-activity.ts'
import { Replicator } from './replicator.ts'
import { FullHolders, SectionPlacement } from './section-placement.ts'

export interface VaultReplicationComponents {
  self: PeerId
  section: SectionService | undefined
  store: ChunkStore
  chunks: Pick<ChunkService, 'has' | 'put'>
  knownPeers(): Promise<PeerId[]>
  /** Peers this vault does not use: low local trust, outdated. */
  isIgnored(peer: PeerId): boolean
  activity(kind: string, message: string): void
}

export interface VaultReplication {
  placement: SectionPlacement
  replication: Replicator | undefined
  /** The section as placement sees it; undefined while the vault knows none. */
  view(): SectionView | undefined
}

export function vaultReplication (components: VaultReplicationComponents, init: { copies: number }): VaultReplication {
  const { self, section, store, chunks, isIgnored } = components
  const view = (): SectionView | undefined => {
    const membership = section?.node.membership
    return membership === undefined ? undefined : sectionViewOf(membership)
  }
  const full = new FullHolders()
  const placement = new SectionPlacement({
    self,
    view,
    fallback: new XorPlacement({ self, knownPeers: components.knownPeers, isIgnored }),
    isIgnored,
    selfFull: () => store.stats().full,
    full
  })
  if (section === undefined) return { placement, replication: undefined, view }
  const replication = new Replicator({
    self: section.node.self,
    store,
    view,
    has: async (name, address, options) => await chunks.has(placement.peerIdOf(name), address, options),
    put: async (name, bytes, options) => { await chunks.put(placement.peerIdOf(name), bytes, options) },
    mayReceive: (name, generation) => !full.isFull(name, generation) && !isIgnored(placement.peerIdOf(name)),
    full: (name, generation) => { full.mark(name, generation) }
  }, { copies: init.copies })
  // A churn only starts a run (replicator.ts): the section's own events never wait on one.
  section.addEventListener('section:established', () => { replication.churned() })
  section.addEventListener('section:generation', () => { replication.churned() })
  store.addEventListener('chunk:stored', event => { replication.noteStored(event.detail.address) })
  forwardReplicationActivity(replication, components.activity)
  return { placement, replication, view }
}
