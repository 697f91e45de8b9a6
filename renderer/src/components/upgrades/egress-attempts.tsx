import type { EgressAttempt } from '../../../../contract/upgrade.ts'
import { formatTimestamp } from '../../format/duration.ts'
import { describeEgressKind, sortEgress } from './sandbox-text.ts'

/** Every attempt the candidate made to reach outside its sandbox, those outside the policy first. */
export function EgressAttempts ({ attempts }: { attempts: readonly EgressAttempt[] }) {
  const outside = attempts.filter((attempt) => !attempt.allowed).length
  return (
    <div className="egress" data-testid="egress-attempts" data-outside={outside}>
      <h4 className="subheading">{`Attempts to reach outside (${attempts.length}, ${outside} outside the policy)`}</h4>
      {attempts.length === 0
        ? <p className="empty-note">None: the candidate made no connection, lookup or write outside its sandbox.</p>
        : (
          <ul className="egress__list">
            {sortEgress(attempts).map((attempt, index) => (
              <li key={`${attempt.at}-${attempt.kind}-${attempt.target}-${index}`} className="egress__attempt" data-allowed={attempt.allowed}>
                <span className="badge" data-tone={attempt.allowed ? 'muted' : 'bad'}>{attempt.allowed ? 'Allowed by the policy' : 'Outside the policy'}</span>
                <span>{describeEgressKind(attempt.kind)}</span>
                <code className="egress__target">{attempt.target}</code>
                <time className="egress__time" dateTime={new Date(attempt.at).toISOString()}>{formatTimestamp(attempt.at)}</time>
              </li>
            ))}
          </ul>
          )}
    </div>
  )
}
