// Which upgrade controls the owner may use for a given UpgradeStatus, and why not when not
// (issue 5, deliver 6: Approve only when the verdict allows it; DESIGN §3, steps 6 and 7).
import type { UpgradeStatus } from '../../../../contract/upgrade.ts'

export type Offer = { enabled: boolean, reason: string | null }

/** `confirm` is set when the owner must confirm first (a marginal verdict). */
export type ApproveOffer = Offer & { confirm: string | null }

const allowed: Offer = { enabled: true, reason: null }

function refused (reason: string): Offer {
  return { enabled: false, reason }
}

/** What stops any decision about the candidate (approve or defer), or null when nothing does. */
export function candidateBlock (upgrade: UpgradeStatus): string | null {
  const { candidate } = upgrade
  if (candidate === null) return 'There is no candidate version.'
  if (upgrade.switching !== null) return 'A switch is under way.'
  if (upgrade.failedVersions.includes(candidate.engineVersion)) return `Version ${candidate.engineVersion} failed before: it is never installed again.`
  // A development bundle carries no signatures by design; the owner chose to run it (issue 5, intro).
  if (candidate.verification.kind === 'release' && !candidate.verification.verified) return 'The release could not be verified, so it cannot be installed.'
  if (candidate.shadow.state === 'running') return 'Wait for the shadow test to finish.'
  if (candidate.verdict === null) return 'The candidate has not been shadow-tested yet.'
  if (candidate.verdict.result === 'fail') return 'The candidate failed its shadow test, so it cannot be installed.'
  return null
}

export function approveOffer (upgrade: UpgradeStatus): ApproveOffer {
  const block = candidateBlock(upgrade)
  if (block !== null) return { ...refused(block), confirm: null }
  const candidate = upgrade.candidate
  if (candidate === null) return { ...refused('There is no candidate version.'), confirm: null }
  if (candidate.approved) return { ...refused('Approved: the switch starts shortly.'), confirm: null }
  if (candidate.verdict?.result === 'marginal') {
    return { ...allowed, confirm: `Version ${candidate.engineVersion} did slightly worse than the current version in the shadow test. Install it anyway?` }
  }
  return { ...allowed, confirm: null }
}

/** Whether deferring is possible at all; each choice is then checked against the deadline (defer-choices.ts). */
export function deferOffer (upgrade: UpgradeStatus, now: number): Offer {
  const block = candidateBlock(upgrade)
  if (block !== null) return refused(block)
  const candidate = upgrade.candidate
  if (candidate === null) return refused('There is no candidate version.')
  if (candidate.approved) return refused('Already approved.')
  if (upgrade.policy === 'manual') return refused('Under the manual policy nothing is installed until you approve it.')
  if (candidate.deadline !== null && candidate.deadline <= now) return refused('The deadline has passed: the active era requires this version.')
  return allowed
}

export function rollbackOffer (upgrade: UpgradeStatus): Offer & { confirm: string } {
  const target = upgrade.previous?.engineVersion ?? ''
  const confirm = `Return to version ${target}? The vault restarts on it and its data is restored from the backup taken before the switch.`
  if (upgrade.previous === null) return { ...refused('There is no previous version to return to.'), confirm }
  if (upgrade.switching !== null) return { ...refused('Wait for the current switch to finish.'), confirm }
  return { ...allowed, confirm }
}

export function policyOffer (upgrade: UpgradeStatus): Offer {
  if (upgrade.switching !== null) return refused('The policy can be changed once the switch is over.')
  return allowed
}
