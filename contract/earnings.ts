// Why a vault has earned nothing yet (DESIGN §2 "Earnings"), said the same way by the CLI and the
// dashboard: the rule that keeps it out of the reward records, or that none has named it yet.
import type { VaultStatus } from './host-api.ts'

/** DESIGN §2: reward records weight adults by 2^age from this age; younger vaults earn nothing. */
export const MIN_EARNING_AGE = 6

export function earningsEmptyReason (status: Pick<VaultStatus, 'age' | 'section' | 'state'>): string {
  if (status.state === 'left') return 'a vault that left the network earns nothing'
  const section = status.section
  if (section?.standing.state === 'paused' || section?.standing.state === 'resume-requested') return 'a paused vault earns nothing until the section resumes it'
  if (section?.standing.state === 'demoted') return 'a demoted vault earns nothing; it rejoins under a new name'
  if (status.age < MIN_EARNING_AGE) return `a vault of age ${status.age} earns nothing until its first relocation (age ${MIN_EARNING_AGE} and up earn, by 2^age)`
  if (section === null || section.phase !== 'active' || !section.isMember) return 'not a member of a section yet: rewards go to members that hold data'
  if (section.isElder) return 'elders run the section; the reward records pay the adults that hold and serve data'
  return 'no reward record names this vault yet: the elders sign one each reward epoch once it passes their audits and clients pay for storage'
}
