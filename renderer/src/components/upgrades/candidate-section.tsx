import { useId } from 'react'
import type { UpgradeCandidate, UpgradeStatus } from '../../../../contract/upgrade.ts'
import { ApproveControl } from './approve-control.tsx'
import { CandidateOrigin } from './candidate-origin.tsx'
import { DeferControl } from './defer-control.tsx'
import { EgressAttempts } from './egress-attempts.tsx'
import { IsolationLayers } from './isolation-layers.tsx'
import { MetricsTable } from './metrics-table.tsx'
import { ScheduleList } from './schedule-list.tsx'
import { ShadowProgress } from './shadow-progress.tsx'
import { candidateBlock } from './upgrade-offers.ts'
import { VerdictSummary } from './verdict-summary.tsx'

/** The offered version: where it comes from, the evidence of its shadow test, when it is due, and the decision. */
export function CandidateSection ({ upgrade, candidate, now }: { upgrade: UpgradeStatus, candidate: UpgradeCandidate, now: number }) {
  const headingId = useId()
  const { verdict } = candidate
  // While the candidate itself rules out a decision, Approve alone says why; Defer would repeat it.
  const undecidable = candidateBlock(upgrade) !== null
  return (
    <section className="upgrade-candidate" aria-labelledby={headingId}>
      <h3 id={headingId} className="subheading">Candidate</h3>
      <CandidateOrigin candidate={candidate} />
      <ShadowProgress shadow={candidate.shadow} now={now} />
      {verdict !== null && (
        <>
          <VerdictSummary verdict={verdict} />
          <MetricsTable baseline={verdict.baseline} candidate={verdict.candidate} />
          <IsolationLayers layers={verdict.isolation} />
          <EgressAttempts attempts={verdict.egress} />
        </>
      )}
      <h3 className="subheading">Schedule</h3>
      <ScheduleList candidate={candidate} policy={upgrade.policy} now={now} />
      <div className="upgrade-decision">
        <ApproveControl upgrade={upgrade} />
        {!undecidable && <DeferControl upgrade={upgrade} now={now} />}
      </div>
    </section>
  )
}
