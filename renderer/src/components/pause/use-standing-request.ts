// What the pause-and-fix controls need from the store: whether the host is reachable, which
// request is in flight, and the last refusal (the upgrade controls' pattern, use-upgrade-request.ts).
import type { StandingAction, StandingError } from '../../store.ts'
import { useDashboard } from '../../store/use-dashboard.ts'

export function useStandingRequest (): { connected: boolean, pending: StandingAction | null, error: StandingError | null } {
  const connected = useDashboard((s) => s.connection.phase === 'open')
  const pending = useDashboard((s) => s.pendingStanding)
  const error = useDashboard((s) => s.standingError)
  return { connected, pending, error }
}
