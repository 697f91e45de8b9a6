// The section policy a host or the local network sets (audit interval, grace in churns, reward
// epoch), as the section and standing init of each vault it starts. One mapping, for the host's
// own engine (engine-main) and for the local network's vaults (vault testnet).
import type { SectionServiceInit } from './section/section-service.ts'
import type { VaultStandingInit } from './vault-standing.ts'

export interface SectionPolicy {
  auditIntervalMs?: number | undefined
  graceChurns?: number | undefined
  rewardEpochMs?: number | undefined
}

export function sectionPolicyInit (policy: SectionPolicy): { section?: SectionServiceInit, standing?: VaultStandingInit } {
  const { auditIntervalMs, graceChurns, rewardEpochMs } = policy
  return {
    ...(graceChurns === undefined && rewardEpochMs === undefined
      ? {}
      : { section: { ...(graceChurns === undefined ? {} : { pauseAndFix: { graceChurns } }), ...(rewardEpochMs === undefined ? {} : { rewardEpochMs }) } }),
    ...(auditIntervalMs === undefined ? {} : { standing: { auditIntervalMs } })
  }
}
