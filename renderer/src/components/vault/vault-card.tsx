import { useState } from 'react'
import type { VaultStatus } from '../../../../contract/host-api.ts'
import { formatTimeAgo, formatTimestamp } from '../../format/duration.ts'
import { shortenVaultName } from '../../format/vault-name.ts'
import { useNow } from '../../hooks/use-now.ts'
import { CopyButton } from '../common/copy-button.tsx'
import { ActionButton } from './action-button.tsx'
import { LeaveControl } from './leave-control.tsx'
import { StateBadge } from './state-badge.tsx'
import { describeState } from './vault-state.ts'

/** Who the vault is (its name, the PeerId), what it is doing, the pause / resume control, and leaving the network. */
export function VaultCard ({ status }: { status: VaultStatus }) {
  const [showFullName, setShowFullName] = useState(false)
  const now = useNow(5000)
  const shortName = shortenVaultName(status.name)
  const isShortened = shortName !== status.name
  return (
    <section className="card vault-card" aria-labelledby="vault-heading">
      <header className="card__header">
        <h2 id="vault-heading" className="card__title">Vault</h2>
        <StateBadge state={status.state} />
      </header>
      <div className="vault-card__name-row">
        <code
          className={showFullName ? 'vault-name vault-name--full' : 'vault-name'}
          data-testid="vault-name"
          title={status.name}
        >
          {showFullName ? status.name : shortName}
        </code>
        <CopyButton text={status.name} label="Copy the vault name" />
        {isShortened && (
          <button type="button" className="button button--small button--quiet" aria-expanded={showFullName} onClick={() => { setShowFullName(!showFullName) }}>
            {showFullName ? 'Shorten' : 'Show full'}
          </button>
        )}
      </div>
      <p className="vault-card__state">{describeState(status.state).description}</p>
      <ActionButton state={status.state} />
      <LeaveControl status={status} />
      <p className="vault-card__updated">
        Updated <time dateTime={new Date(status.updatedAt).toISOString()} title={formatTimestamp(status.updatedAt)}>{formatTimeAgo(status.updatedAt, now)}</time>
      </p>
    </section>
  )
}
