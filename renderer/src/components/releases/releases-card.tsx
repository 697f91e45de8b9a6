import type { VaultStatus } from '../../../../contract/host-api.ts'
import { useNow } from '../../hooks/use-now.ts'
import { Card } from '../common/card.tsx'
import { EraSummary } from './era-summary.tsx'
import { knownVersions } from './known-versions.ts'
import { KnownVersionsTable } from './known-versions-table.tsx'
import { LatestReleaseSection } from './latest-release-section.tsx'
import { UpgradeRequiredAlert } from './upgrade-required-alert.tsx'
import { upgradeRequirement } from './upgrade-requirement.ts'

/**
 * Issue 4, deliver 6: the active era, any upgrade the vault is required to make and by when, the
 * latest release and its check, and every known version with its evidence and peer count.
 */
export function ReleasesCard ({ status }: { status: VaultStatus }) {
  // Often enough that "in 3 h" and "since 5 min" stay true between status pushes.
  const now = useNow(5000)
  const requirement = upgradeRequirement(status.versions, status.upgrade)
  return (
    <Card
      title="Releases"
      className="releases-card"
      testId="releases-panel"
      aside={requirement !== null && <span className="badge" data-tone="bad">Upgrade required</span>}
    >
      {requirement !== null && <UpgradeRequiredAlert requirement={requirement} now={now} />}
      <EraSummary versions={status.versions} engineVersion={status.engineVersion} />
      <LatestReleaseSection latest={status.versions.latestRelease} followsReleases={status.versions.followsReleases} />
      <KnownVersionsTable known={knownVersions(status)} />
    </Card>
  )
}
