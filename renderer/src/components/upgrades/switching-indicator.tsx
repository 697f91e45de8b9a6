import type { UpgradeStatus } from '../../../../contract/upgrade.ts'
import { formatTimeAgo, formatTimestamp } from '../../format/duration.ts'
import { describePhase, phaseProgress, SWITCH_STEPS } from './switch-phases.ts'

type Switching = NonNullable<UpgradeStatus['switching']>

/** Where a switch is, step by step, in words (the current step is also marked for screen readers). */
export function SwitchingIndicator ({ switching, now }: { switching: Switching, now: number }) {
  const progress = phaseProgress(switching.phase)
  const current = SWITCH_STEPS.indexOf(switching.phase)
  return (
    <div className="switching" role="status" data-testid="switching-phase" data-phase={switching.phase} data-tone={switching.phase === 'rolling-back' ? 'bad' : 'busy'}>
      <p className="switching__text">
        <strong>Switching engines.</strong> {progress.text}; started{' '}
        <time dateTime={new Date(switching.since).toISOString()} title={formatTimestamp(switching.since)}>{formatTimeAgo(switching.since, now)}</time>.
      </p>
      {progress.step !== null && (
        <ol className="switch-steps">
          {SWITCH_STEPS.map((step, index) => (
            <li key={step} className="switch-steps__step" data-state={index < current ? 'done' : index === current ? 'current' : 'todo'} aria-current={index === current ? 'step' : undefined}>
              {describePhase(step)}{index < current ? ' (done)' : ''}
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}
