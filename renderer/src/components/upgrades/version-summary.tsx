import type { UpgradeStatus } from '../../../../contract/upgrade.ts'
import { Stat } from '../common/stat.tsx'
import { RollbackControl } from './rollback-control.tsx'

function shortSha (sha: string | null): string {
  return sha === null ? 'shipped with the app' : `bundle ${sha.slice(0, 12)}…`
}

/** The engine that runs live, the one a rollback returns to, and the rollback itself. */
export function VersionSummary ({ upgrade }: { upgrade: UpgradeStatus }) {
  const { current, previous } = upgrade
  return (
    <div className="upgrade-versions">
      <dl className="stats">
        <Stat label="Current version" testId="upgrade-current" rawValue={current.engineVersion}>
          {current.engineVersion}
          <span className="upgrade-versions__origin" data-testid="upgrade-current-bundle" data-sha={current.bundleSha256 ?? ''} title={current.bundleSha256 ?? undefined}>{shortSha(current.bundleSha256)}</span>
        </Stat>
        <Stat label="Previous version" testId="upgrade-previous" rawValue={previous?.engineVersion ?? ''}>
          {previous === null ? 'None' : previous.engineVersion}
          {previous !== null && <span className="upgrade-versions__origin" data-testid="upgrade-previous-bundle" data-sha={previous.bundleSha256 ?? ''} title={previous.bundleSha256 ?? undefined}>{shortSha(previous.bundleSha256)}</span>}
        </Stat>
      </dl>
      <RollbackControl upgrade={upgrade} />
    </div>
  )
}
