import type { UpgradeHistoryEntry } from '../../../../contract/upgrade.ts'
import { formatEventTime, formatTimestamp } from '../../format/duration.ts'
import { describeHistoryKind, describeVersions, historyNewestFirst } from './history-text.ts'

/** Shadow tests, approvals, deferrals, switches and rollbacks, newest first. */
export function UpgradeHistory ({ history, now }: { history: readonly UpgradeHistoryEntry[], now: number }) {
  return (
    <div className="upgrade-history">
      <h3 className="subheading">History</h3>
      {history.length === 0
        ? <p className="empty-note" data-testid="upgrade-history">No upgrade yet.</p>
        : (
          // Scrollable, so it takes keyboard focus and a name (WCAG 2.1.1).
          <ol className="upgrade-history__list" data-testid="upgrade-history" tabIndex={0} aria-label="Upgrade history, newest first">
            {historyNewestFirst(history).map((entry, index) => {
              const kind = describeHistoryKind(entry.kind)
              const versions = describeVersions(entry)
              return (
                <li key={`${entry.at}-${entry.kind}-${index}`} className="upgrade-history__entry" data-kind={entry.kind} data-to={entry.toVersion ?? ''}>
                  <time className="event__time" dateTime={new Date(entry.at).toISOString()} title={formatTimestamp(entry.at)}>{formatEventTime(entry.at, now)}</time>
                  <span className="badge" data-tone={kind.tone}>{kind.label}</span>
                  {versions !== '' && <code className="upgrade-history__versions">{versions}</code>}
                  <span className="upgrade-history__detail">{entry.detail}</span>
                </li>
              )
            })}
          </ol>
          )}
    </div>
  )
}
