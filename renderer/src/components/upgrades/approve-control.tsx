import { useId } from 'react'
import type { UpgradeStatus } from '../../../../contract/upgrade.ts'
import { useDashboard } from '../../store/use-dashboard.ts'
import { ConfirmAction } from '../common/confirm-action.tsx'
import { UpgradeErrorNote } from './upgrade-error-note.tsx'
import { approveOffer } from './upgrade-offers.ts'
import { NOT_CONNECTED, useUpgradeRequest } from './use-upgrade-request.ts'

/** Approve the candidate now: only on a pass, or on a marginal verdict after confirming. */
export function ApproveControl ({ upgrade }: { upgrade: UpgradeStatus }) {
  const hintId = useId()
  const { connected, pending } = useUpgradeRequest()
  const approve = useDashboard((s) => s.approveUpgrade)
  const offer = approveOffer(upgrade)
  const hint = !connected ? NOT_CONNECTED : offer.reason
  const version = upgrade.candidate?.engineVersion ?? ''
  return (
    <div className="upgrade-control">
      <ConfirmAction
        label={`Approve ${version} now`}
        pendingLabel="Approving…"
        question={offer.confirm}
        confirmLabel={`Yes, install ${version}`}
        testId="approve-button"
        primary
        disabled={!offer.enabled || !connected || pending !== null}
        pending={pending === 'approve'}
        describedBy={hint === null ? undefined : hintId}
        onConfirm={() => { void approve() }}
      />
      {hint !== null && <p id={hintId} className="upgrade-control__hint" data-testid="approve-hint">{hint}</p>}
      <UpgradeErrorNote action="approve" verb="approve" />
    </div>
  )
}
