import type { UpgradeStatus } from '../../../../contract/upgrade.ts'
import { useDashboard } from '../../store/use-dashboard.ts'
import { ConfirmAction } from '../common/confirm-action.tsx'
import { UpgradeErrorNote } from './upgrade-error-note.tsx'
import { rollbackOffer } from './upgrade-offers.ts'
import { NOT_CONNECTED, useUpgradeRequest } from './use-upgrade-request.ts'

/** Return to the previous version by hand (DESIGN §3, step 7), after confirming. */
export function RollbackControl ({ upgrade }: { upgrade: UpgradeStatus }) {
  const { connected, pending } = useUpgradeRequest()
  const rollback = useDashboard((s) => s.rollbackUpgrade)
  const offer = rollbackOffer(upgrade)
  const hint = !connected ? NOT_CONNECTED : offer.reason
  if (upgrade.previous === null) return null
  return (
    <div className="upgrade-control">
      <ConfirmAction
        label={`Roll back to ${upgrade.previous.engineVersion}`}
        pendingLabel="Rolling back…"
        question={offer.confirm}
        confirmLabel="Yes, roll back"
        testId="rollback-button"
        disabled={!offer.enabled || !connected || pending !== null}
        pending={pending === 'rollback'}
        onConfirm={() => { void rollback() }}
      />
      {hint !== null && <p className="upgrade-control__hint">{hint}</p>}
      <UpgradeErrorNote action="rollback" verb="roll back" />
    </div>
  )
}
