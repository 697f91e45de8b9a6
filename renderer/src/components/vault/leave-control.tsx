import type { VaultStatus } from '../../../../contract/host-api.ts'
import { useDashboard } from '../../store/use-dashboard.ts'
import { ConfirmAction } from '../common/confirm-action.tsx'
import { useVaultAction } from './use-vault-action.ts'
import { leaveQuestion } from './vault-state.ts'

/** Leave the network for good, after the question that says what it costs; the host's refusal beside it. */
export function LeaveControl ({ status }: { status: VaultStatus }) {
  const { connected, pending: pendingAction, error: actionError, dismissError } = useVaultAction()
  const leave = useDashboard((s) => s.leave)
  const question = leaveQuestion(status)
  if (question === null) return null
  return (
    <div className="vault-leave">
      <ConfirmAction
        label="Leave the network…"
        pendingLabel="Leaving: waiting for the section's decision…"
        question={question}
        confirmLabel="Leave the network"
        testId="leave-button"
        disabled={!connected || pendingAction !== null}
        pending={pendingAction === 'leave'}
        onConfirm={() => { void leave() }}
      />
      {actionError?.action === 'leave' && (
        <div className="inline-error" role="alert" data-testid="leave-error">
          <p>Could not leave: {actionError.message}</p>
          <button type="button" className="button button--small" onClick={dismissError}>Dismiss</button>
        </div>
      )}
    </div>
  )
}
