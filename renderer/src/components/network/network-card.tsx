import type { VaultStatus } from '../../../../contract/host-api.ts'
import { formatCount } from '../../format/bytes.ts'
import { Card } from '../common/card.tsx'
import { Stat } from '../common/stat.tsx'

/** Peers, which network the vault belongs to, and where it listens. */
export function NetworkCard ({ status }: { status: VaultStatus }) {
  const { network, peers } = status
  const embedded = network.kind === 'embedded'
  return (
    <Card title="Network" className="network-card">
      <dl className="stats">
        <Stat label="Peers" testId="vault-peers" rawValue={peers} tone={peers === 0 && status.state === 'active' ? 'warn' : undefined}>
          {formatCount(peers)}
        </Stat>
        <Stat label="Network" rawValue={network.kind}>
          {embedded ? 'Embedded local network' : 'Configured network'}
        </Stat>
      </dl>
      <p className="network-card__explain">
        {embedded
          ? 'No bootstrap peers are configured, so the app runs a local network on this machine.'
          : `Joined through ${network.bootstrap.length} bootstrap peer${network.bootstrap.length === 1 ? '' : 's'}.`}
      </p>
      <h3 className="subheading">Listening on</h3>
      {network.listenAddrs.length === 0
        ? <p className="empty-note">Not listening yet.</p>
        : (
          <ul className="address-list">
            {network.listenAddrs.map((addr) => <li key={addr}><code>{addr}</code></li>)}
          </ul>
          )}
      {!embedded && network.bootstrap.length > 0 && (
        <details className="bootstrap-list">
          <summary>Bootstrap peers</summary>
          <ul className="address-list">
            {network.bootstrap.map((addr) => <li key={addr}><code>{addr}</code></li>)}
          </ul>
        </details>
      )}
    </Card>
  )
}
