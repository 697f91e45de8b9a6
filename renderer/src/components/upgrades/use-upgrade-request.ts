// What every upgrade control needs from the store: whether it can reach the host and which
// upgrade request, if any, is in flight.
import type { UpgradeAction } from '../../store.ts'
import { useDashboard } from '../../store/use-dashboard.ts'

export const NOT_CONNECTED = 'Not connected to the host.'

export function useUpgradeRequest (): { connected: boolean, pending: UpgradeAction | null } {
  const connected = useDashboard((s) => s.connection.phase === 'open')
  const pending = useDashboard((s) => s.pendingUpgrade)
  return { connected, pending }
}
