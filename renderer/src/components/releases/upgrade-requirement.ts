// The "upgrade required" notice of the Releases view (issue 4, deliver 6) with its deadline. Two
// sources can require an upgrade: peers that find this vault outdated (versions.upgradeRequired)
// and an active era that requires the candidate by a date (the candidate's deadline, DESIGN §3.6).
// The status carries no other deadline, so without one the view says how long the notice has stood.
import type { VersionsStatus } from '../../../../contract/host-api.ts'
import type { UpgradeStatus } from '../../../../contract/upgrade.ts'
import { formatTimestamp } from '../../format/duration.ts'
import { formatRelative } from '../upgrades/schedule.ts'

export interface UpgradeRequirement {
  /** Protocol ids peers need at least; empty when only the era requires the upgrade. */
  minimum: string[]
  /** When peers first said so; null when only the era requires it. */
  since: number | null
  deadline: { at: number, engineVersion: string } | null
}

export function upgradeRequirement (versions: Pick<VersionsStatus, 'upgradeRequired'>, upgrade: Pick<UpgradeStatus, 'candidate'>): UpgradeRequirement | null {
  const { upgradeRequired } = versions
  const { candidate } = upgrade
  const deadline = candidate === null || candidate.deadline === null ? null : { at: candidate.deadline, engineVersion: candidate.engineVersion }
  if (upgradeRequired === null && deadline === null) return null
  return { minimum: upgradeRequired?.minimum ?? [], since: upgradeRequired?.since ?? null, deadline }
}

function when (at: number, now: number, timeZone: string | undefined): string {
  return `${formatTimestamp(at, timeZone)} (${formatRelative(at, now)})`
}

/** The notice's sentences: who requires what, then the deadline or, lacking one, since when. */
export function requirementLines (requirement: UpgradeRequirement, now: number, timeZone?: string): string[] {
  const lines: string[] = []
  if (requirement.minimum.length > 0) {
    lines.push(`Peers say this vault's engine is outdated: they need at least ${requirement.minimum.join(', ')}.`)
  }
  const { deadline, since } = requirement
  if (deadline !== null) {
    lines.push(deadline.at > now
      ? `Deadline: the active era requires version ${deadline.engineVersion} by ${when(deadline.at, now, timeZone)}.`
      : `Deadline passed: the active era has required version ${deadline.engineVersion} since ${when(deadline.at, now, timeZone)}.`)
  } else if (since !== null) {
    lines.push(`No deadline is set; this notice has stood since ${when(since, now, timeZone)}.`)
  }
  return lines
}
