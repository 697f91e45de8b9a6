// The owner's upgrade policies (DESIGN §3, step 6), in the order the switch offers them.
import type { UpgradePolicy } from '../../../../contract/upgrade.ts'

export const POLICIES: ReadonlyArray<{ policy: UpgradePolicy, label: string, description: string }> = [
  { policy: 'automatic', label: 'Automatic', description: 'A version that passes its shadow test is installed at its scheduled time.' },
  { policy: 'ask', label: 'Ask me', description: 'A version that passes waits for you to approve it now or defer it.' },
  { policy: 'manual', label: 'Manual', description: 'Nothing is installed until you approve it; there is no schedule.' }
]

export function describePolicy (policy: UpgradePolicy): string {
  const entry = POLICIES.find((candidate) => candidate.policy === policy)
  if (entry === undefined) throw new TypeError(`unknown upgrade policy ${String(policy)}`)
  return entry.description
}
