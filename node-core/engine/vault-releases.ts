// How a vault takes part in releases (DESIGN §3.3): with only a trusted root (tests, tooling) it
// gossips release pointers; with a release trust (a live vault) it also follows them, fetching and
// verifying each release and keeping the result (release-follower.ts). A shadow engine does neither.
import type { Root } from '@tufjs/models'
import type { VersionsStatus } from '../../contract/host-api.ts'
import { describeReleaseCheck, ReleaseFollower } from '../release/network/release-follower.ts'
import type { FetchChunk } from '../release/network/release-files.ts'
import { ReleaseGossip, type ReleaseGossipComponents } from '../release/network/release-gossip.ts'
import type { ReleaseStateStore } from '../release/network/release-state.ts'
import { trustBuilders, type ReleaseTrust } from '../release/release-trust.ts'

export interface ReleaseFollowing { state: ReleaseStateStore, trust: ReleaseTrust }

export interface VaultReleases {
  gossip: ReleaseGossip | undefined
  follower: ReleaseFollower | undefined
  /** What opening the release state repaired, for the owner's event log. */
  problems: readonly string[]
}

export function vaultReleases (
  components: Pick<ReleaseGossipComponents, 'libp2p' | 'trust'> & { fetchChunk: FetchChunk },
  init: { trustedReleaseRoot?: () => Root, following?: ReleaseFollowing }
): VaultReleases {
  const { libp2p, trust } = components
  const following = init.following
  if (following === undefined) {
    const root = init.trustedReleaseRoot
    return { gossip: root === undefined ? undefined : new ReleaseGossip({ libp2p, trust, trustedRoot: root, now: () => new Date() }), follower: undefined, problems: [] }
  }
  const { state } = following
  // Restarted with the floor and the pointer it kept, so peers cannot roll it back.
  const gossip = new ReleaseGossip(
    { libp2p, trust, trustedRoot: () => state.root, now: () => new Date() },
    { lastVersion: state.lastPointerVersion, ...(state.pointer === undefined ? {} : { latest: state.pointer }) }
  )
  const follower = new ReleaseFollower({ gossip, fetchChunk: components.fetchChunk, state, now: Date.now }, { pinnedBuilders: trustBuilders(following.trust) })
  return { gossip, follower, problems: state.problems }
}

/** The latest release for the status: the follower's (with its check), else the bare gossiped pointer. */
export function latestRelease (releases: VaultReleases): VersionsStatus['latestRelease'] {
  if (releases.follower !== undefined) return releases.follower.latestRelease()
  const latest = releases.gossip?.latest
  return latest === undefined ? null : { pointerVersion: latest.pointer.version, indexAddress: latest.pointer.indexAddress, publishedAt: latest.pointer.publishedAt, check: null }
}

/** The follower's progress as vault activity, which the engine passes on to its host. */
export function forwardReleaseActivity (follower: ReleaseFollower | undefined, activity: (kind: string, message: string) => void): void {
  follower?.addEventListener('release:checking', event => {
    activity('release:checking', `release pointer v${event.detail.pointerVersion} heard: fetching the release from peers and verifying it`)
  })
  follower?.addEventListener('release:checked', event => {
    activity(`release:${event.detail.check.verdict}`, describeReleaseCheck(event.detail.pointerVersion, event.detail.check))
  })
  follower?.addEventListener('release:error', event => { activity('release:state', `the release state could not be saved: ${event.detail.message}`) })
}
