import { useId } from 'react'
import type { UpgradeStatus } from '../../../../contract/upgrade.ts'
import { useDashboard } from '../../store/use-dashboard.ts'
import { describePolicy, POLICIES } from './policy-text.ts'
import { UpgradeErrorNote } from './upgrade-error-note.tsx'
import { policyOffer } from './upgrade-offers.ts'
import { NOT_CONNECTED, useUpgradeRequest } from './use-upgrade-request.ts'

/** The owner's policy: automatic, ask or manual (DESIGN §3, step 6). */
export function PolicyControl ({ upgrade }: { upgrade: UpgradeStatus }) {
  const labelId = useId()
  const { connected, pending } = useUpgradeRequest()
  const setPolicy = useDashboard((s) => s.setUpgradePolicy)
  const offer = policyOffer(upgrade)
  const hint = !connected ? NOT_CONNECTED : offer.reason
  return (
    <div className="upgrade-control upgrade-policy">
      <div className="upgrade-policy__row">
        <span className="subheading" id={labelId}>Policy</span>
        <div className="segmented" role="group" aria-labelledby={labelId} data-testid="upgrade-policy" data-value={upgrade.policy}>
          {POLICIES.map(({ policy, label }) => (
            <button
              key={policy}
              type="button"
              className="segmented__option"
              data-testid={`policy-${policy}`}
              aria-pressed={upgrade.policy === policy}
              disabled={!offer.enabled || !connected || pending !== null}
              onClick={() => { if (policy !== upgrade.policy) void setPolicy(policy) }}
            >
              {label}
            </button>
          ))}
        </div>
        {pending === 'setPolicy' && <span className="upgrade-control__hint" role="status">Saving…</span>}
      </div>
      <p className="upgrade-control__hint">{describePolicy(upgrade.policy)}</p>
      {hint !== null && <p className="upgrade-control__hint">{hint}</p>}
      <UpgradeErrorNote action="setPolicy" verb="change the policy" />
    </div>
  )
}
