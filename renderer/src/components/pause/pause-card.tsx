import type { VaultStatus } from '../../../../contract/host-api.ts'
import { Card } from '../common/card.tsx'
import { DeadlineCountdown } from './deadline-countdown.tsx'
import { SelfCheckResults } from './self-check-results.tsx'
import { StandingControls } from './standing-controls.tsx'
import { describeCost, describeDemotion, fixSteps } from './standing-text.ts'

/**
 * Issue 3, deliver 7, the pause-and-fix notice: while the section has paused this vault (or audits
 * its resume), what is wrong, what it costs, the steps to fix it, the self-check and Reconnect, and
 * the countdown to demotion; once demoted, that it was removed and the age it rejoins at.
 */
export function PauseCard ({ status }: { status: Pick<VaultStatus, 'age' | 'section'> }) {
  const section = status.section
  if (section === null) return null
  const { standing } = section
  switch (standing.state) {
    case 'active':
      return null
    case 'demoted':
      return (
        <Card title="Removed from its section" className="pause-card" testId="pause-card" aside={<span className="badge" data-tone="bad">Demoted</span>}>
          <p className="pause-card__lead" data-testid="pause-demoted">{describeDemotion(standing, status.age)}</p>
        </Card>
      )
    case 'paused':
    case 'resume-requested': {
      const requested = standing.state === 'resume-requested'
      const steps = fixSteps(standing.selfCheck)
      return (
        <Card
          title={requested ? 'Resume requested' : 'Paused by its section'}
          className={requested ? 'pause-card pause-card--probation' : 'pause-card'}
          testId="pause-card"
          aside={<span className="badge" data-tone={requested ? 'busy' : 'bad'}>{requested ? 'On probation' : 'Paused'}</span>}
        >
          <div className="pause-card__part">
            <h3 className="subheading">What is wrong</h3>
            {standing.pause === null
              ? <p>The section paused this vault without giving a reason.</p>
              : <ul className="pause-card__reasons" data-testid="pause-reasons">{standing.pause.reasons.map((reason) => <li key={reason}>{reason}</li>)}</ul>}
          </div>
          <div className="pause-card__part">
            <h3 className="subheading">What it costs</h3>
            <p data-testid="pause-cost">{describeCost(status.age)}</p>
            {standing.pause !== null && !requested && <DeadlineCountdown pause={standing.pause} generation={section.generation} deadlineAt={standing.deadlineAt} />}
          </div>
          {!requested && (
            <div className="pause-card__part">
              <h3 className="subheading">How to fix it{steps.source === 'self-check' ? ' (from the self-check)' : ''}</h3>
              <ol className="pause-card__steps" data-testid="pause-steps" data-source={steps.source}>{steps.steps.map((step) => <li key={step}>{step}</li>)}</ol>
            </div>
          )}
          <SelfCheckResults selfCheck={standing.selfCheck} />
          <StandingControls standing={standing} />
        </Card>
      )
    }
    default: {
      const unknownState: never = standing.state
      throw new RangeError(`unknown standing ${String(unknownState)}`)
    }
  }
}
