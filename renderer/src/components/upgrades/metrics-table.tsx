import type { RunMetrics } from '../../../../contract/upgrade.ts'
import { metricRows } from './run-metrics.ts'

const TONE = { better: 'good', worse: 'bad', same: 'muted', neutral: 'muted', unknown: 'warn' } as const

/** Baseline and candidate side by side; the change column says better or worse in words. */
export function MetricsTable ({ baseline, candidate }: { baseline: RunMetrics, candidate: RunMetrics }) {
  const rows = metricRows(baseline, candidate)
  return (
    <div className="metrics-table__scroll" tabIndex={0} role="region" aria-label="Shadow test measurements">
      <table className="data-table metrics-table" data-testid="upgrade-metrics">
        <caption className="metrics-table__caption">The same work, given to both engines at the same time</caption>
        <thead>
          <tr>
            <th scope="col">Measure</th>
            <th scope="col">Current <code>{baseline.engineVersion}</code></th>
            <th scope="col">Candidate <code>{candidate.engineVersion}</code></th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-metric={row.id} data-assessment={row.assessment}>
              <th scope="row">{row.label}</th>
              <td>{row.baseline}</td>
              <td>{row.candidate}</td>
              <td className="metrics-table__change" data-tone={TONE[row.assessment]}>{row.change}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
