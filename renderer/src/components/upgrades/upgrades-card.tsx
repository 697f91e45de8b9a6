import type { UpgradeStatus } from '../../../../contract/upgrade.ts'
import { useNow } from '../../hooks/use-now.ts'
import { Card } from '../common/card.tsx'
import { CandidateSection } from './candidate-section.tsx'
import { CheckControl } from './check-control.tsx'
import { FailedVersions } from './failed-versions.tsx'
import { PolicyControl } from './policy-control.tsx'
import { SwitchingIndicator } from './switching-indicator.tsx'
import { UpgradeHistory } from './upgrade-history.tsx'
import { VersionSummary } from './version-summary.tsx'

/** Issue 5, deliver 6: the candidate and its evidence, the owner's decision, and what happened before. */
export function UpgradesCard ({ upgrade }: { upgrade: UpgradeStatus }) {
  // Often enough that a time the host just set does not read as still ahead.
  const now = useNow(5000)
  const { candidate, switching } = upgrade
  return (
    <Card
      title="Upgrades"
      className="upgrades-card"
      testId="upgrades-panel"
      aside={switching !== null && <span className="badge" data-tone="busy">Switching</span>}
    >
      <VersionSummary upgrade={upgrade} />
      <PolicyControl upgrade={upgrade} />
      {switching !== null && <SwitchingIndicator switching={switching} now={now} />}
      {candidate === null ? <CheckControl /> : <CandidateSection upgrade={upgrade} candidate={candidate} now={now} />}
      <FailedVersions versions={upgrade.failedVersions} />
      <UpgradeHistory history={upgrade.history} now={now} />
    </Card>
  )
}
