// Notices about upgrades (DESIGN §4; issue 5): a candidate waiting for the owner, a switch on its
// way, a failed shadow run, a rollback, a deadline coming. Derived from the manager's status, so
// each clears itself once its cause is gone.
import type { Notice } from '../../../contract/host-api.ts'
import type { UpgradeStatus } from '../../../contract/upgrade.ts'
import { DAY_MS, formatScheduleTime, type UpgradeAction } from '../schedule/upgrade-policy.ts'
import { topReason } from './candidate-state.ts'

/** A rollback stays in view this long: long enough to be seen by an owner who checks weekly. */
export const ROLLBACK_NOTICE_MS = 7 * DAY_MS
/** How early a deadline is announced. */
export const DEADLINE_NOTICE_MS = 3 * DAY_MS

export interface UpgradeNoticeInputs {
  status: UpgradeStatus
  /** The manager's next step for the candidate (nextUpgradeAction), null without a tested one. */
  nextAction: UpgradeAction | null
  /** Set when upgrades.json was unreadable and was moved aside. */
  problem: string | undefined
  now: number
}

export function upgradeNotices ({ status, nextAction, problem, now }: UpgradeNoticeInputs): Notice[] {
  const notices: Notice[] = []
  const candidate = status.candidate
  const version = candidate?.engineVersion ?? ''
  const scheduled = candidate === null || candidate.eligibleAt === null ? '' : ` Its scheduled time is ${formatScheduleTime(candidate.eligibleAt)}.`

  const latest = status.history[0]
  if (latest?.kind === 'rolled-back' && now - latest.at < ROLLBACK_NOTICE_MS) {
    notices.push({
      id: 'upgrade-rolled-back',
      severity: 'critical',
      title: `Version ${latest.fromVersion ?? ''} was rolled back`,
      detail: `${latest.detail} The vault runs ${latest.toVersion ?? status.current.engineVersion} again, with its data as it was before the switch.`,
      fix: `Nothing to do to keep farming. ${latest.fromVersion ?? 'The version'} is not installed again on its own; see the upgrade history for the evidence.`,
      since: latest.at
    })
  }
  if (status.switching !== null) {
    notices.push({ id: 'upgrade-switching', severity: 'info', title: 'Switching the vault engine', detail: `Step: ${status.switching.phase}. Requests may pause for a moment.`, since: status.switching.since })
  }
  if (candidate?.verdict?.result === 'fail') {
    notices.push({
      id: 'upgrade-shadow-failed',
      severity: 'warning',
      title: `Version ${version} failed its shadow test`,
      detail: `${topReason(candidate.verdict)} It will not be installed.`,
      fix: 'Nothing to do: the current version keeps running. Report the evidence to the release\'s maintainers.',
      since: now
    })
  }
  if (nextAction?.kind === 'ask-owner' || (nextAction?.kind === 'wait' && nextAction.until === undefined && status.policy === 'manual')) {
    notices.push({
      id: 'upgrade-awaiting-approval',
      severity: 'info',
      title: `Version ${version} ${candidate?.verdict?.result === 'marginal' ? 'was marginal in' : 'passed'} its shadow test and waits for your approval`,
      detail: `${nextAction.why}${scheduled}`,
      fix: 'Approve it or defer it in the Upgrades view, or with vault upgrade approve / vault upgrade defer --until 1d.',
      since: now
    })
  } else if (nextAction?.kind === 'wait' && nextAction.until !== undefined) {
    const deferred = candidate !== null && candidate.deferredUntil !== null && now < candidate.deferredUntil
    const when = formatScheduleTime(nextAction.until)
    notices.push({ id: 'upgrade-scheduled', severity: 'info', title: deferred ? `Version ${version} is deferred until ${when}` : `Version ${version} switches at ${when}`, detail: nextAction.why, since: now })
  }
  if (candidate !== null && candidate.deadline !== null && candidate.verdict?.result !== 'fail' && candidate.deadline - now < DEADLINE_NOTICE_MS) {
    const passed = candidate.deadline <= now
    notices.push({
      id: 'upgrade-deadline',
      severity: passed ? 'critical' : 'warning',
      title: passed ? `Version ${version} is required now` : `Version ${version} is required by ${formatScheduleTime(candidate.deadline)}`,
      detail: 'The active era requires it: after the deadline, up-to-date vaults refuse this one, so it stops earning.',
      fix: 'Approve it now, or let it switch at the deadline.',
      since: now
    })
  }
  if (problem !== undefined) {
    notices.push({ id: 'upgrade-state-unreadable', severity: 'warning', title: 'Upgrade history could not be read', detail: problem, since: now })
  }
  return notices
}
