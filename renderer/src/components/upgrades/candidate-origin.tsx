import type { UpgradeCandidate } from '../../../../contract/upgrade.ts'
import { describeVerification } from './verification-text.ts'

/** Which version is offered, its bundle's hash, and how its origin was checked. */
export function CandidateOrigin ({ candidate }: { candidate: UpgradeCandidate }) {
  const verification = describeVerification(candidate.verification)
  return (
    <div className="candidate-origin" data-testid="upgrade-candidate" data-version={candidate.engineVersion} data-kind={candidate.verification.kind}>
      <p className="candidate-origin__head">
        <span className="candidate-origin__version">Version {candidate.engineVersion}</span>
        <span className="badge" data-tone={verification.tone} data-testid="candidate-verification">{verification.label}</span>
      </p>
      <p className="candidate-origin__sha">
        SHA-256 <code title={candidate.bundleSha256}>{`${candidate.bundleSha256.slice(0, 16)}…`}</code>
      </p>
      <ul className="candidate-origin__lines">
        {verification.lines.map((line) => <li key={line}>{line}</li>)}
      </ul>
    </div>
  )
}
