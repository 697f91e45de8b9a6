// What the vault's own controls (pause / resume, leave) need from the store: whether the host is
// reachable, which request is in flight, and the last refusal (use-standing-request.ts's pattern).
import type { VaultAction, VaultActionError } from '../../store.ts'
import { useDashboard } from '../../store/use-dashboard.ts'

export function useVaultAction (): { connected: boolean, pending: VaultAction | null, error: VaultActionError | null, dismissError: () => void } {
  const connected = useDashboard((s) => s.connection.phase === 'open')
  const pending = useDashboard((s) => s.pendingAction)
  const error = useDashboard((s) => s.actionError)
  const dismissError = useDashboard((s) => s.dismissActionError)
  return { connected, pending, error, dismissError }
}
