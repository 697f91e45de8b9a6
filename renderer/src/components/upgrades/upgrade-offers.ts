// Which upgrade controls the owner may use for a given UpgradeStatus, and why not when not
// (issue 5, deliver 6: Approve only when the verdict allows it; DESIGN §3, steps 6 and 7).
import type { UpgradeCandidate, UpgradeStatus } from '../../../../contract/upgrade.ts'

export type Offer = { enabled: boolean, reason: string | null }

/** `confirm` is set when the owner must confirm first (a marginal verdict). */
export type ApproveOffer = Offer & { confirm: string | null }

const allowed: Offer = { enabled: true, reason: null }

function refused (reason: string): Offer {
  return { enabled: false, reason }
}

type Decidable = { candidate: UpgradeCandidate, reason: null } | { candidate: null, reason: string }

/** The candidate when the owner may decide about it (approve or defer), else why not. */
function decidable (upgrade: UpgradeStatus): Decidable {
  const { candidate } = upgrade
  const refuse = (reason: string): Decidable => ({ candidate: null, reason })
  if (candidate === null) return refuse('There is no candidate version.')
  if (upgrade.switching !== null) return refuse('A switch is under way.')
  if (upgrade.failedVersions.includes(candidate.engineVersion)) return refuse(`Version ${candidate.engineVersion} failed before: it is never installed again.`)
  // A development bundle carries no signatures by design; the owner chose to run it (issue 5, intro).
  if (candidate.verification.kind === 'release' && !candidate.verification.verified) return refuse('The release could not be verified, so it cannot be installed.')
  if (candidate.shadow.state === 'running') return refuse('Wait for the shadow test to finish.')
  if (candidate.verdict === null) return refuse('The candidate has not been shadow-tested yet.')
  if (candidate.verdict.result === 'fail') return refuse('The candidate failed its shadow test, so it cannot be installed.')
  return { candidate, reason: null }
}

/** What stops any decision about the candidate, or null when nothing does. */
export function candidateBlock (upgrade: UpgradeStatus): string | null {
  return decidable(upgrade).reason
}

export function approveOffer (upgrade: UpgradeStatus): ApproveOffer {
  const { candidate, reason } = decidable(upgrade)
  if (candidate === null) return { ...refused(reason), confirm: null }
  if (candidate.approved) return { ...refused('Approved: the switch starts shortly.'), confirm: null }
  if (candidate.verdict?.result === 'marginal') {
    return { ...allowed, confirm: `Version ${candidate.engineVersion} did slightly worse than the current version in the shadow test. Install it anyway?` }
  }
  return { ...allowed, confirm: null }
}

/** Whether deferring is possible at all; each choice is then checked against the deadline (defer-choices.ts). */
export function deferOffer (upgrade: UpgradeStatus, now: number): Offer {
  const { candidate, reason } = decidable(upgrade)
  if (candidate === null) return refused(reason)
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
