import type { VaultEvent } from '../../../../contract/host-api.ts'
import { formatEventTime, formatTimestamp } from '../../format/duration.ts'
import { useNow } from '../../hooks/use-now.ts'
import { Card } from '../common/card.tsx'

/** What the vault did lately, newest first. */
export function RecentEvents ({ events }: { events: readonly VaultEvent[] }) {
  const now = useNow(60_000)
  return (
    <Card title="Recent events" className="events-card" testId="recent-events">
      {events.length === 0
        ? (
          <div className="empty-state">
            <p className="empty-state__title">No events yet</p>
            <p className="empty-state__detail">Starts, restarts, pauses and network changes appear here as they happen.</p>
          </div>
          )
        : (
          // Scrollable, so it takes keyboard focus and a name (WCAG 2.1.1).
          <ol className="event-list" tabIndex={0} aria-label="Recent events, newest first">
            {events.map((event) => (
              <li key={`${event.at}-${event.kind}-${event.message}`} className="event">
                <time className="event__time" dateTime={new Date(event.at).toISOString()} title={formatTimestamp(event.at)}>
                  {formatEventTime(event.at, now)}
                </time>
                <span className="event__kind">{event.kind}</span>
                <span className="event__message">{event.message}</span>
              </li>
            ))}
          </ol>
          )}
    </Card>
  )
}
