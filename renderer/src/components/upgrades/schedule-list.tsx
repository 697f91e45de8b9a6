import type { UpgradeCandidate, UpgradePolicy } from '../../../../contract/upgrade.ts'
import { formatTimestamp } from '../../format/duration.ts'
import { formatRelative, scheduleEntries } from './schedule.ts'

/** When the candidate is due, deferred to, and required by, in local time and from now. */
export function ScheduleList ({ candidate, policy, now }: { candidate: UpgradeCandidate, policy: UpgradePolicy, now: number }) {
  const entries = scheduleEntries(candidate, policy)
  if (entries.length === 0) {
    return (
      <p className="empty-note" data-testid="upgrade-schedule">
        {policy === 'manual' ? 'Not scheduled: under the manual policy it waits for your approval.' : 'Not scheduled yet: a version is scheduled once it passes its shadow test.'}
      </p>
    )
  }
  return (
    <dl className="schedule" data-testid="upgrade-schedule">
      {entries.map((entry) => (
        <div key={entry.id} className="schedule__entry">
          <dt className="stat__label">{entry.label}</dt>
          <dd className="schedule__value" data-testid={`schedule-${entry.id}`} data-value={entry.at}>
            <time dateTime={new Date(entry.at).toISOString()}>{formatTimestamp(entry.at)}</time>
            <span className="schedule__relative">{` (${formatRelative(entry.at, now)})`}</span>
          </dd>
        </div>
      ))}
    </dl>
  )
}
