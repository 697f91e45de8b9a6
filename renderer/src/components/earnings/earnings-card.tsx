import { earningsEmptyReason } from '../../../../contract/earnings.ts'
import type { VaultStatus } from '../../../../contract/host-api.ts'
import { formatCount } from '../../format/bytes.ts'
import { formatEventTime, formatTimestamp } from '../../format/duration.ts'
import { useNow } from '../../hooks/use-now.ts'
import { Card } from '../common/card.tsx'
import { Stat } from '../common/stat.tsx'
import { DEFAULT_CHART_BOX, earningsChart, earningsRows, sectionLabel } from './earnings-chart.ts'

/**
 * Issue 3, deliver 7: what the vault earned, the sum of the reward records its section signed
 * (DESIGN §2 "Earnings"), as cumulative earnings over reward epochs and the records behind it.
 */
export function EarningsCard ({ status }: { status: Pick<VaultStatus, 'age' | 'section' | 'state' | 'earnings'> }) {
  const { earnings } = status
  const empty = earnings.records.length === 0 && earnings.total === '0'
  return (
    <Card
      title="Earnings"
      className="earnings-card"
      testId="earnings-panel"
      aside={<span className="badge" data-tone={empty ? 'muted' : 'good'} data-testid="earnings-total" data-value={earnings.total}>{`${earnings.total} units`}</span>}
    >
      {earnings.problem === undefined ? null : <p className="earnings-card__problem tone-text--warn" data-testid="earnings-problem">{earnings.problem}</p>}
      {empty
        ? (
          <div className="empty-state" data-testid="earnings-empty">
            <p className="empty-state__title">Nothing earned yet</p>
            <p className="empty-state__detail">{sentence(earningsEmptyReason(status))}</p>
          </div>
          )
        : <EarningsBody earnings={earnings} />}
    </Card>
  )
}

function EarningsBody ({ earnings }: { earnings: VaultStatus['earnings'] }) {
  const chart = earningsChart(earnings)
  const rows = earningsRows(earnings.records)
  const latest = rows[0]
  const now = useNow(60_000)
  return (
    <>
      <dl className="stats">
        <Stat label="Total" testId="earnings-sum" rawValue={earnings.total}>{`${earnings.total} ledger units`}</Stat>
        <Stat label="Signed records" testId="earnings-count" rawValue={earnings.records.length}>{formatCount(earnings.records.length)}</Stat>
        {latest === undefined ? null : <Stat label="Latest record" testId="earnings-latest" rawValue={latest.amount}>{`${latest.amount} of a pool of ${latest.pool}`}</Stat>}
      </dl>
      <svg
        className="earnings-chart"
        viewBox={`0 0 ${DEFAULT_CHART_BOX.width} ${DEFAULT_CHART_BOX.height}`}
        role="img"
        aria-label={`Cumulative earnings over ${rows.length} reward epochs, up to ${earnings.total} ledger units`}
        data-testid="earnings-chart"
      >
        <path className="earnings-chart__area" d={chart.area} />
        <path className="earnings-chart__line" d={chart.path} data-testid="earnings-chart-line" />
        {chart.points.map(point => <circle key={point.epoch} className="earnings-chart__point" cx={point.x} cy={point.y} r={2.5}><title>{`epoch ${point.epoch}: ${point.cumulative} in all`}</title></circle>)}
      </svg>
      <div className="section-table">
        <h3 className="subheading">Signed reward records</h3>
        <div className="section-table__scroll" tabIndex={0} role="region" aria-label="Signed reward records">
          <table className="data-table section-table__table" data-testid="earnings-records">
            <thead>
              <tr>
                <th scope="col" title="When this vault received the record; hover a time for its reward epoch">Received</th>
                <th scope="col">Earned</th>
                <th scope="col" title="The store payments the record split among the adults">Pool</th>
                <th scope="col">Share</th>
                <th scope="col">Section</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(row => (
                <tr key={`${row.sectionPrefix}/${row.epoch}`} data-epoch={row.epoch} data-amount={row.amount}>
                  <th scope="row" title={`reward epoch ${row.epoch}${row.signedAt === undefined ? '' : `, received ${formatTimestamp(row.signedAt)}`}`}>
                    {row.signedAt === undefined ? `epoch ${row.epoch}` : formatEventTime(row.signedAt, now)}
                  </th>
                  <td>{row.amount}</td>
                  <td>{row.pool}</td>
                  <td>{row.share}</td>
                  <td>{sectionLabel(row.sectionPrefix)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  )
}

function sentence (text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`
}
