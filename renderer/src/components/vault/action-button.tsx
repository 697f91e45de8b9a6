import type { VaultState } from '../../../../contract/host-api.ts'
import { useDashboard } from '../../store/use-dashboard.ts'
import { useVaultAction } from './use-vault-action.ts'
import { offeredAction } from './vault-state.ts'

const TEXT = {
  pause: { idle: 'Pause vault', pending: 'Pausing…', testId: 'pause-button' },
  resume: { idle: 'Resume vault', pending: 'Resuming…', testId: 'resume-button' }
} as const

/** Pause a running vault or resume a stopped one, with the request's progress and error. */
export function ActionButton ({ state }: { state: VaultState }) {
  const { connected, pending: pendingAction, error: actionError, dismissError } = useVaultAction()
  const pause = useDashboard((s) => s.pause)
  const resume = useDashboard((s) => s.resume)

  const offer = offeredAction(state)
  const text = TEXT[offer.action]
  const pending = pendingAction !== null
  const hint = !connected ? 'Not connected to the host.' : offer.hint

  return (
    <div className="vault-action">
      <button
        type="button"
        className={offer.action === 'pause' ? 'button' : 'button button--primary'}
        data-testid={text.testId}
        disabled={!offer.enabled || pending || !connected}
        aria-busy={pendingAction === offer.action}
        onClick={() => { void (offer.action === 'pause' ? pause() : resume()) }}
      >
        {pendingAction === offer.action ? text.pending : text.idle}
      </button>
      {hint !== null && <p className="vault-action__hint">{hint}</p>}
      {actionError !== null && actionError.action !== 'leave' && (
        <div className="inline-error" role="alert" data-testid="action-error">
          <p>Could not {actionError.action}: {actionError.message}</p>
          <button type="button" className="button button--small" onClick={dismissError}>Dismiss</button>
        </div>
      )}
    </div>
  )
}
