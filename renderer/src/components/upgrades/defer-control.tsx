import { useId, useState, type FormEvent } from 'react'
import type { UpgradeStatus } from '../../../../contract/upgrade.ts'
import { formatTimestamp } from '../../format/duration.ts'
import { useDashboard } from '../../store/use-dashboard.ts'
import { dateInputBounds, deferChoices, deferRefusal, parseDateTimeInputValue } from './defer-choices.ts'
import { UpgradeErrorNote } from './upgrade-error-note.tsx'
import { deferOffer } from './upgrade-offers.ts'
import { NOT_CONNECTED, useUpgradeRequest } from './use-upgrade-request.ts'

/** Defer by a day, a week, or to a picked date; never past the deadline (DESIGN §3, step 6). */
export function DeferControl ({ upgrade, now }: { upgrade: UpgradeStatus, now: number }) {
  const inputId = useId()
  const [picked, setPicked] = useState('')
  const { connected, pending } = useUpgradeRequest()
  const defer = useDashboard((s) => s.deferUpgrade)
  const offer = deferOffer(upgrade, now)
  const deadline = upgrade.candidate?.deadline ?? null
  const choices = deferChoices(now, deadline, formatTimestamp)
  const pickedAt = parseDateTimeInputValue(picked)
  const pickedRefusal = picked === '' ? null : deferRefusal(pickedAt ?? Number.NaN, now, deadline, formatTimestamp)
  const bounds = dateInputBounds(now, deadline)
  const usable = offer.enabled && connected
  const busy = pending !== null
  const refusals = [...new Set(choices.flatMap((choice) => choice.reason === null ? [] : [choice.reason]))]

  function submit (event: FormEvent<HTMLFormElement>): void {
    event.preventDefault()
    if (pickedAt !== null && pickedRefusal === null) void defer(pickedAt)
  }

  if (!usable) {
    return (
      <div className="upgrade-control upgrade-defer" data-testid="defer-control">
        <p className="upgrade-control__hint" data-testid="defer-hint"><strong>Defer:</strong> {connected ? offer.reason : NOT_CONNECTED}</p>
        <UpgradeErrorNote action="defer" verb="defer" />
      </div>
    )
  }

  return (
    <fieldset className="upgrade-control upgrade-defer" aria-busy={pending === 'defer'} data-testid="defer-control">
      <legend className="upgrade-defer__legend">{pending === 'defer' ? 'Deferring…' : 'Defer'}</legend>
      <div className="upgrade-defer__choices">
        {choices.map((choice) => (
          <button
            key={choice.id}
            type="button"
            className="button"
            data-testid={`defer-${choice.id}`}
            data-until={choice.until}
            disabled={!choice.enabled || busy}
            onClick={() => { void defer(choice.until) }}
          >
            {choice.label}
            <span className="upgrade-defer__until"> (until {formatTimestamp(choice.until)})</span>
          </button>
        ))}
      </div>
      {refusals.map((reason) => <p key={reason} className="upgrade-control__hint">{reason}</p>)}
      <form className="upgrade-defer__date" onSubmit={submit}>
        <label htmlFor={inputId}>Defer until</label>
        <input
          id={inputId}
          type="datetime-local"
          data-testid="defer-date"
          value={picked}
          min={bounds.min}
          max={bounds.max}
          aria-invalid={pickedRefusal !== null}
          onChange={(event) => { setPicked(event.target.value) }}
        />
        <button type="submit" className="button" data-testid="defer-date-button" disabled={pickedAt === null || pickedRefusal !== null || busy}>
          Defer to this date
        </button>
      </form>
      {pickedRefusal !== null && <p className="upgrade-control__hint tone-text--warn" role="status">{pickedRefusal}</p>}
      <UpgradeErrorNote action="defer" verb="defer" />
    </fieldset>
  )
}
