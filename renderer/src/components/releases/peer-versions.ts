// Rows of the Releases view's peer counts: known peers grouped by engine version, with what their
// compatibility means for this vault (DESIGN §2, versions and eras).
import type { PeerCompatibility, VersionsStatus } from '../../../../contract/host-api.ts'

export type VersionTone = 'good' | 'warn' | 'bad' | 'muted'

export interface PeerVersionRow {
  engineVersion: string
  compatibility: PeerCompatibility
  count: number
  label: string
  tone: VersionTone
  /** True for the version this vault runs. */
  own: boolean
}

export function describeCompatibility (compatibility: PeerCompatibility): { label: string, tone: VersionTone } {
  switch (compatibility) {
    case 'current': return { label: 'Current', tone: 'good' }
    case 'previous': return { label: 'Previous protocols', tone: 'muted' }
    case 'too-old': return { label: 'Too old: refused', tone: 'bad' }
    case 'newer': return { label: 'Newer than this vault', tone: 'warn' }
    case 'unrelated': return { label: 'Not a vault', tone: 'muted' }
    default: {
      const unknown: never = compatibility
      throw new RangeError(`unknown compatibility ${String(unknown)}`)
    }
  }
}

/** Numeric parts of a dotted version, for ordering; anything else ('unknown') sorts last. */
function versionParts (version: string): number[] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version)
  return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3])]
}

/** Newest version first; versions that do not parse last, by name. */
export function compareVersionsDescending (a: string, b: string): number {
  const left = versionParts(a)
  const right = versionParts(b)
  if (left === undefined || right === undefined) {
    if (left !== undefined) return -1
    if (right !== undefined) return 1
    return a.localeCompare(b)
  }
  for (let i = 0; i < 3; i++) {
    const diff = (right[i] ?? 0) - (left[i] ?? 0)
    if (diff !== 0) return diff
  }
  return a.localeCompare(b)
}

/** One row per (version, compatibility), counts merged, newest version first. */
export function peerVersionRows (peers: VersionsStatus['peers'], ownVersion: string): PeerVersionRow[] {
  const merged = new Map<string, PeerVersionRow>()
  for (const peer of peers) {
    const key = `${peer.engineVersion}\u0000${peer.compatibility}`
    const row = merged.get(key)
    if (row !== undefined) {
      row.count += peer.count
      continue
    }
    merged.set(key, { ...peer, ...describeCompatibility(peer.compatibility), own: peer.engineVersion === ownVersion })
  }
  return [...merged.values()].sort((a, b) => compareVersionsDescending(a.engineVersion, b.engineVersion) || b.count - a.count)
}

export function totalPeers (rows: readonly PeerVersionRow[]): number {
  return rows.reduce((sum, row) => sum + row.count, 0)
}
