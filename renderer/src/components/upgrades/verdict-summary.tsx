import type { ShadowVerdict } from '../../../../contract/upgrade.ts'
import { formatDuration, formatTimestamp } from '../../format/duration.ts'
import { describeSeverity, describeVerdict, sortReasons } from './verdict-text.ts'

/** The verdict in one word and one sentence, then every reason behind it, most serious first. */
export function VerdictSummary ({ verdict }: { verdict: ShadowVerdict }) {
  const info = describeVerdict(verdict.result)
  return (
    <div className="verdict" data-testid="upgrade-verdict" data-result={verdict.result} data-tone={info.tone}>
      <p className="verdict__head">
        <span className="badge" data-tone={info.tone}>{`Verdict: ${info.label}`}</span>
        <span className="verdict__summary">{info.summary}</span>
      </p>
      <p className="verdict__meta">
        {`Shadow test of ${formatDuration(verdict.durationMs)}, started ${formatTimestamp(verdict.startedAt)}.`}
      </p>
      <ul className="verdict-reasons" data-testid="verdict-reasons">
        {sortReasons(verdict.reasons).map((reason, index) => {
          const severity = describeSeverity(reason.severity)
          return (
            <li key={`${reason.code}-${index}`} className="verdict-reasons__item" data-severity={reason.severity} data-code={reason.code}>
              <span className="badge" data-tone={severity.tone}>{severity.label}</span>
              <span>{reason.message}</span>
            </li>
          )
        })}
      </ul>
    </div>
  )
}
