// The upgrade history as the owner reads it: what happened, between which versions, newest first.
import type { UpgradeHistoryEntry } from '../../../../contract/upgrade.ts'
import type { Tone } from '../vault/vault-state.ts'

export function describeHistoryKind (kind: UpgradeHistoryEntry['kind']): { label: string, tone: Tone } {
  switch (kind) {
    case 'shadow-passed': return { label: 'Shadow test passed', tone: 'good' }
    case 'shadow-marginal': return { label: 'Shadow test marginal', tone: 'warn' }
    case 'shadow-failed': return { label: 'Shadow test failed', tone: 'bad' }
    case 'approved': return { label: 'Approved', tone: 'busy' }
    case 'deferred': return { label: 'Deferred', tone: 'muted' }
    case 'switched': return { label: 'Switched', tone: 'good' }
    case 'rolled-back': return { label: 'Rolled back automatically', tone: 'bad' }
    case 'manual-rollback': return { label: 'Rolled back by you', tone: 'warn' }
    default: {
      const unreachable: never = kind
      throw new TypeError(`unknown history kind ${String(unreachable)}`)
    }
  }
}

/** "0.1.0 → 0.2.0", "to 0.2.0", "from 0.1.0", or "" when the entry names no version. */
export function describeVersions (entry: Pick<UpgradeHistoryEntry, 'fromVersion' | 'toVersion'>): string {
  const { fromVersion, toVersion } = entry
  if (fromVersion !== null && toVersion !== null) return `${fromVersion} → ${toVersion}`
  if (toVersion !== null) return `to ${toVersion}`
  if (fromVersion !== null) return `from ${fromVersion}`
  return ''
}

/** Newest first. The host already lists newest first; entries of the same millisecond keep its order (the sort is stable). */
export function historyNewestFirst (history: readonly UpgradeHistoryEntry[]): UpgradeHistoryEntry[] {
  return [...history].sort((a, b) => b.at - a.at)
}
