import type { VaultState } from '../../../../contract/host-api.ts'
import { describeState } from './vault-state.ts'

export function StateBadge ({ state }: { state: VaultState }) {
  const info = describeState(state)
  return (
    <span className="badge" data-tone={info.tone} data-testid="vault-state" data-state={state} title={info.description}>
      {info.label}
    </span>
  )
}
