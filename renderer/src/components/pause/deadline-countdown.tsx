import type { SectionStanding } from '../../../../contract/host-api.ts'
import { formatTimestamp } from '../../format/duration.ts'
import { useNow } from '../../hooks/use-now.ts'
import { deadlineCountdown } from './standing-text.ts'

type DeadlineProps = { pause: NonNullable<SectionStanding['pause']>, generation: number, deadlineAt: number | null }

/** Churns left until the section demotes the vault and, with the engine's estimate, a live time countdown. */
export function DeadlineCountdown ({ pause, generation, deadlineAt }: DeadlineProps) {
  const now = useNow(1000)
  const countdown = deadlineCountdown(pause, generation, deadlineAt, now)
  return (
    <p className="pause-card__deadline" data-testid="pause-countdown" data-churns-left={countdown.churnsLeft}>
      <strong>{countdown.churnsText}</strong> before demotion (generation {pause.deadline}; the section is at {generation})
      {countdown.timeText !== null && deadlineAt !== null && (
        <>: <time dateTime={new Date(deadlineAt).toISOString()} title={formatTimestamp(deadlineAt)}>{countdown.timeText}</time></>
      )}
    </p>
  )
}
