import type { UpgradeCandidate } from '../../../../contract/upgrade.ts'
import { formatPercent } from '../../format/bytes.ts'
import { formatTimeAgo } from '../../format/duration.ts'

/** The shadow test while it runs: baseline and candidate side by side on the same work. */
export function ShadowProgress ({ shadow, now }: { shadow: UpgradeCandidate['shadow'], now: number }) {
  if (shadow.state === 'done') return null
  if (shadow.state === 'idle') {
    return <p className="empty-note" data-testid="shadow-progress" data-state="idle">Waiting for its shadow test.</p>
  }
  const started = shadow.startedAt === null ? '' : `, started ${formatTimeAgo(shadow.startedAt, now)}`
  return (
    <div className="shadow-progress" data-testid="shadow-progress" data-state="running" data-value={shadow.progress}>
      <p>Shadow test running: {formatPercent(shadow.progress)}{started}. The live vault keeps serving meanwhile.</p>
      <progress className="shadow-progress__bar" max={1} value={shadow.progress} aria-label="Shadow test progress">{formatPercent(shadow.progress)}</progress>
    </div>
  )
}
