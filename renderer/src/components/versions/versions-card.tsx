import type { VaultStatus } from '../../../../contract/host-api.ts'
import { formatCount } from '../../format/bytes.ts'
import { formatTimestamp } from '../../format/duration.ts'
import { Card } from '../common/card.tsx'
import { Stat } from '../common/stat.tsx'
import { peerVersionRows, totalPeers } from './peer-versions.ts'

/** Eras, which engine versions known peers run, the latest release heard of, and any upgrade demand. */
export function VersionsCard ({ status }: { status: VaultStatus }) {
  const { versions } = status
  const rows = peerVersionRows(versions.peers, status.engineVersion)
  const release = versions.latestRelease
  return (
    <Card title="Versions" className="versions-card" testId="versions-panel">
      <dl className="stats">
        <Stat label="Active era" testId="active-era" rawValue={versions.activeEra}>{`Era ${versions.activeEra}`}</Stat>
        <Stat label="Supported eras" rawValue={versions.supportedEras.join(',')}>{versions.supportedEras.join(', ')}</Stat>
      </dl>
      {versions.upgradeRequired !== null && (
        <p className="versions-card__upgrade tone-text--bad" data-testid="upgrade-required">
          {`Upgrade required since ${formatTimestamp(versions.upgradeRequired.since)}: peers need at least ${versions.upgradeRequired.minimum.join(', ')}.`}
        </p>
      )}
      <h3 className="subheading">{`Known peers by version (${formatCount(totalPeers(rows))})`}</h3>
      {rows.length === 0
        ? <p className="empty-note">No peer identified yet.</p>
        : (
          <ul className="peer-versions" data-testid="peer-versions">
            {rows.map((row) => (
              <li key={`${row.engineVersion} ${row.compatibility}`} className="peer-versions__row" data-version={row.engineVersion} data-compatibility={row.compatibility} data-count={row.count}>
                <code className="peer-versions__version">{row.engineVersion}{row.own ? ' (this vault)' : ''}</code>
                <span className="badge" data-tone={row.tone}>{row.label}</span>
                <span className="peer-versions__count">{formatCount(row.count)}</span>
              </li>
            ))}
          </ul>
          )}
      <h3 className="subheading">Latest release</h3>
      <div className="versions-card__release" data-testid="latest-release" data-version={release?.pointerVersion ?? ''}>
        {release === null
          ? <p className="empty-note">No release announced yet.</p>
          : (
            <p>
              {`Release ${release.pointerVersion}, published ${formatTimestamp(Date.parse(release.publishedAt))}; index `}
              <code title={release.indexAddress}>{`${release.indexAddress.slice(0, 12)}…`}</code>
            </p>
            )}
      </div>
    </Card>
  )
}
