// The versions this vault knows of (issue 4, deliver 6): the one it runs, the one a rollback
// returns to, the candidate, the latest release, versions that failed here, and every version its
// peers run; for each, what vouches for it and how many known peers run it.
import type { ReleaseCheck, VaultStatus } from '../../../../contract/host-api.ts'
import type { UpgradeCandidate } from '../../../../contract/upgrade.ts'
import { compareVersionsDescending, peerVersionRows, type PeerVersionRow } from './peer-versions.ts'

export type VerifiedCheck = Extract<ReleaseCheck, { verdict: 'verified' }>

export type VersionRole = 'running' | 'candidate' | 'latest-release' | 'previous' | 'failed'

/** What vouches for one bundle of a version. Several bundles may carry the same version number. */
export type VersionEvidence =
  | { kind: 'release', check: VerifiedCheck }
  | { kind: 'candidate', bundleSha256: string, verification: UpgradeCandidate['verification'] }
  | { kind: 'shipped' }
  | { kind: 'installed', bundleSha256: string }

export interface KnownVersion {
  engineVersion: string
  roles: VersionRole[]
  /** Empty when only peers vouch for it: this vault has not fetched or checked it. */
  evidence: VersionEvidence[]
  /** Known peers running it, one entry per compatibility. */
  peers: PeerVersionRow[]
  peerCount: number
}

export interface KnownVersions {
  rows: KnownVersion[]
  /** Known peers that are not vaults (no engine version to group by). */
  otherAgents: number
}

const ROLE_ORDER: readonly VersionRole[] = ['running', 'candidate', 'latest-release', 'previous', 'failed']

function sha (evidence: VersionEvidence): string | null {
  switch (evidence.kind) {
    case 'release': return evidence.check.bundleSha256
    case 'candidate':
    case 'installed': return evidence.bundleSha256
    case 'shipped': return null
    default: {
      const unreachable: never = evidence
      throw new TypeError(`unknown evidence ${String(unreachable)}`)
    }
  }
}

function evidenceKey (evidence: VersionEvidence): string {
  return sha(evidence) ?? evidence.kind
}

/** An engine the host runs or keeps: shipped with the app, or an installed bundle. */
function engineEvidence (engine: { bundleSha256: string | null }): VersionEvidence {
  return engine.bundleSha256 === null ? { kind: 'shipped' } : { kind: 'installed', bundleSha256: engine.bundleSha256 }
}

type Sources = Pick<VaultStatus, 'engineVersion' | 'versions' | 'upgrade'>

export function knownVersions ({ engineVersion, versions, upgrade }: Sources): KnownVersions {
  const rows = new Map<string, KnownVersion>()
  const row = (version: string): KnownVersion => {
    const existing = rows.get(version)
    if (existing !== undefined) return existing
    const created: KnownVersion = { engineVersion: version, roles: [], evidence: [], peers: [], peerCount: 0 }
    rows.set(version, created)
    return created
  }
  const add = (version: string, role: VersionRole | null, evidence: VersionEvidence | null): void => {
    const target = row(version)
    if (role !== null && !target.roles.includes(role)) target.roles.push(role)
    // One entry per bundle (the shipped engine has none); the verified release is visited first, so it wins.
    if (evidence !== null && !target.evidence.some(known => evidenceKey(known) === evidenceKey(evidence))) target.evidence.push(evidence)
  }

  const check = versions.latestRelease?.check ?? null
  if (check?.verdict === 'verified') add(check.engineVersion, 'latest-release', { kind: 'release', check })
  const { candidate, current, previous } = upgrade
  // The engine's own report names the running version; the host's record says where it came from.
  add(engineVersion, 'running', current.engineVersion === engineVersion ? engineEvidence(current) : null)
  if (candidate !== null) add(candidate.engineVersion, 'candidate', { kind: 'candidate', bundleSha256: candidate.bundleSha256, verification: candidate.verification })
  if (previous !== null) add(previous.engineVersion, 'previous', engineEvidence(previous))
  for (const version of upgrade.failedVersions) add(version, 'failed', null)

  let otherAgents = 0
  for (const peer of peerVersionRows(versions.peers, engineVersion)) {
    if (peer.compatibility === 'unrelated') {
      otherAgents += peer.count
      continue
    }
    const target = row(peer.engineVersion)
    target.peers.push(peer)
    target.peerCount += peer.count
  }

  const sorted = [...rows.values()].map(known => ({ ...known, roles: ROLE_ORDER.filter(role => known.roles.includes(role)) }))
  sorted.sort((a, b) => compareVersionsDescending(a.engineVersion, b.engineVersion))
  return { rows: sorted, otherAgents }
}

export function knownPeerCount (known: KnownVersions): number {
  return known.rows.reduce((sum, row) => sum + row.peerCount, 0) + known.otherAgents
}
