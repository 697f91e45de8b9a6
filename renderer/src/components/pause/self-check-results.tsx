import type { SelfCheck } from '../../../../contract/host-api.ts'
import { formatTimestamp } from '../../format/duration.ts'
import { checkLabel, describeSelfCheck } from './standing-text.ts'

/** The index of the first check whose fix is `fix`: a fix shared by several checks is spelled out once. */
function firstWithFix (selfCheck: SelfCheck, fix: string): number {
  return selfCheck.checks.findIndex((check) => !check.passed && check.fix === fix)
}

/** The last self-check: each check with Passed or Failed in words, what it found and, failed, its fix. */
export function SelfCheckResults ({ selfCheck }: { selfCheck: SelfCheck | null }) {
  return (
    <div className="self-check" data-testid="self-check-results" data-passed={selfCheck === null ? 'none' : String(selfCheck.passed)}>
      <p className="self-check__summary">
        <strong>Last self-check:</strong> {describeSelfCheck(selfCheck)}
        {selfCheck !== null && <time className="self-check__at" dateTime={new Date(selfCheck.at).toISOString()}> ({formatTimestamp(selfCheck.at)})</time>}
      </p>
      {selfCheck !== null && (
        <ul className="self-check__list">
          {selfCheck.checks.map((check, index) => (
            <li key={check.name} className="self-check__item" data-testid={`self-check-${check.name}`}>
              <span className="badge" data-tone={check.passed ? 'good' : 'bad'}>{checkLabel(check)}</span>
              <span className="self-check__name">{check.name}</span>
              <span className="self-check__detail">{check.detail}</span>
              {!check.passed && check.fix !== undefined && (firstWithFix(selfCheck, check.fix) === index
                ? <span className="self-check__fix">Fix: {check.fix}</span>
                : <span className="self-check__fix">Fix: as above.</span>)}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
