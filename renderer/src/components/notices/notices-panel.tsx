import type { Notice } from '../../../../contract/host-api.ts'
import { formatTimeAgo, formatTimestamp } from '../../format/duration.ts'
import { useNow } from '../../hooks/use-now.ts'
import { Card } from '../common/card.tsx'
import { noticeTally, severityLabel, sortNotices } from './notice-order.ts'

function NoticeItem ({ notice, now }: { notice: Notice, now: number }) {
  return (
    <li className="notice" data-severity={notice.severity}>
      <div className="notice__head">
        <span className="badge" data-tone={notice.severity === 'critical' ? 'bad' : notice.severity === 'warning' ? 'warn' : 'busy'}>
          {severityLabel(notice.severity)}
        </span>
        <h3 className="notice__title">{notice.title}</h3>
        <time className="notice__since" dateTime={new Date(notice.since).toISOString()} title={formatTimestamp(notice.since)}>
          since {formatTimeAgo(notice.since, now)}
        </time>
      </div>
      <p className="notice__detail">{notice.detail}</p>
      {notice.fix !== undefined && notice.fix !== '' && (
        <p className="notice__fix"><strong>How to fix:</strong> {notice.fix}</p>
      )}
    </li>
  )
}

/** Health problems the host found; each clears itself when fixed (DESIGN §4). */
export function NoticesPanel ({ notices }: { notices: readonly Notice[] }) {
  const now = useNow(30_000)
  const tally = noticeTally(notices)
  return (
    <Card
      title="Notices"
      className="notices-card"
      testId="notices"
      aside={tally !== null && <span className="card__aside" data-tone={notices.some((n) => n.severity === 'critical') ? 'bad' : 'warn'}>{tally}</span>}
    >
      {notices.length === 0
        ? (
          <div className="empty-state" data-tone="good">
            <p className="empty-state__title">All clear</p>
            <p className="empty-state__detail">The health checks found nothing that needs your attention.</p>
          </div>
          )
        : <ul className="notice-list">{sortNotices(notices).map((notice) => <NoticeItem key={notice.id} notice={notice} now={now} />)}</ul>}
    </Card>
  )
}
