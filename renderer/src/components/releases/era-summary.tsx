import type { VersionsStatus } from '../../../../contract/host-api.ts'
import { Stat } from '../common/stat.tsx'
import { describeEraSupport } from './era-text.ts'

/** The active era, whether this vault supports it, and the version this vault runs. */
export function EraSummary ({ versions, engineVersion }: { versions: VersionsStatus, engineVersion: string }) {
  const support = describeEraSupport(versions)
  return (
    <div className="era-summary">
      <dl className="stats">
        <Stat label="Active era" testId="active-era" rawValue={versions.activeEra}>
          {`Era ${versions.activeEra} `}
          <span className="badge" data-tone={support.tone} data-testid="era-support">{support.label}</span>
        </Stat>
        <Stat label="This vault runs" testId="running-version" rawValue={engineVersion}><code>{engineVersion}</code></Stat>
      </dl>
      <p className="era-summary__detail" data-testid="supported-eras" data-value={versions.supportedEras.join(',')}>{support.detail}</p>
      {versions.eraNotice !== null && (
        <p className="era-summary__notice" role={versions.eraNotice.level === 'error' ? 'alert' : 'status'} data-testid="era-notice" data-level={versions.eraNotice.level}>
          {versions.eraNotice.text}
        </p>
      )}
    </div>
  )
}
