import { useDashboard } from '../../store/use-dashboard.ts'
import { UpgradeErrorNote } from './upgrade-error-note.tsx'
import { NOT_CONNECTED, useUpgradeRequest } from './use-upgrade-request.ts'

/** No candidate yet: say how one arrives, and let the owner look now. */
export function CheckControl () {
  const { connected, pending } = useUpgradeRequest()
  const check = useDashboard((s) => s.checkUpgrade)
  return (
    <div className="upgrade-control" data-testid="no-candidate">
      <p className="empty-note">No candidate version. The vault hears of new releases from its peers and shadow-tests a verified one before it may be installed.</p>
      <button type="button" className="button button--small" data-testid="check-upgrade-button" disabled={!connected || pending !== null} aria-busy={pending === 'check'} onClick={() => { void check() }}>
        {pending === 'check' ? 'Checking…' : 'Check for a release now'}
      </button>
      {!connected && <p className="upgrade-control__hint">{NOT_CONNECTED}</p>}
      <UpgradeErrorNote action="check" verb="check for a release" />
    </div>
  )
}
