import { formatCount } from '../../format/bytes.ts'
import { knownPeerCount, type KnownVersion, type KnownVersions } from './known-versions.ts'
import { describeRole, evidenceTexts } from './version-text.ts'

function VersionRow ({ version }: { version: KnownVersion }) {
  return (
    <tr data-version={version.engineVersion} data-roles={version.roles.join(' ')} data-peers={version.peerCount}>
      <th scope="row"><code>{version.engineVersion}</code></th>
      <td>
        {version.roles.length === 0
          ? <span className="known-versions__none">Peers only</span>
          : (
            <ul className="known-versions__badges">
              {version.roles.map((role) => {
                const { label, tone } = describeRole(role)
                return <li key={role}><span className="badge" data-tone={tone} data-role={role}>{label}</span></li>
              })}
            </ul>
            )}
      </td>
      <td>
        {evidenceTexts(version).map((text, index) => (
          <div key={index} className="known-versions__evidence" data-testid="version-evidence" data-label={text.label}>
            <span className="badge" data-tone={text.tone}>{text.label}</span>
            <ul className="known-versions__lines">
              {text.lines.map((line) => <li key={line}>{line}</li>)}
            </ul>
          </div>
        ))}
      </td>
      <td>
        <span className="known-versions__count">{formatCount(version.peerCount)}</span>
        {version.peers.length > 0 && (
          <ul className="known-versions__peers">
            {version.peers.map((peer) => (
              <li key={peer.compatibility} data-compatibility={peer.compatibility} data-count={peer.count}>
                <span className="badge" data-tone={peer.tone}>{peer.label}</span>{` ${formatCount(peer.count)}`}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  )
}

/** Every version known here: what it is to this vault, what vouches for it, how many known peers run it. */
export function KnownVersionsTable ({ known }: { known: KnownVersions }) {
  const peers = knownPeerCount(known)
  return (
    <div className="known-versions">
      <h3 className="subheading">{`Known versions (${formatCount(peers)} known ${peers === 1 ? 'peer' : 'peers'})`}</h3>
      <div className="known-versions__scroll" tabIndex={0} role="region" aria-label="Known versions">
        <table className="data-table known-versions__table" data-testid="known-versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">On this vault</th>
              <th scope="col">Verification</th>
              <th scope="col">Known peers</th>
            </tr>
          </thead>
          <tbody>
            {known.rows.map((version) => <VersionRow key={version.engineVersion} version={version} />)}
          </tbody>
        </table>
      </div>
      {known.otherAgents > 0 && (
        <p className="empty-note" data-testid="other-agents" data-count={known.otherAgents}>
          {`${formatCount(known.otherAgents)} other known ${known.otherAgents === 1 ? 'peer is' : 'peers are'} not vaults and run no engine version.`}
        </p>
      )}
      {peers === 0 && <p className="empty-note">No peer identified yet.</p>}
    </div>
  )
}
