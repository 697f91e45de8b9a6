import type { UpgradeAction } from '../../store.ts'
import { useDashboard } from '../../store/use-dashboard.ts'

/** The host's refusal of one upgrade request, shown beside the control that sent it. */
export function UpgradeErrorNote ({ action, verb }: { action: UpgradeAction, verb: string }) {
  const error = useDashboard((s) => s.upgradeError)
  const dismiss = useDashboard((s) => s.dismissUpgradeError)
  if (error === null || error.action !== action) return null
  return (
    <div className="inline-error" role="alert" data-testid={`upgrade-error-${action}`}>
      <p>Could not {verb}: {error.message}</p>
      <button type="button" className="button button--small" onClick={dismiss}>Dismiss</button>
    </div>
  )
}
