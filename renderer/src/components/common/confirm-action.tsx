import { useState } from 'react'

type ConfirmActionProps = {
  label: string
  pendingLabel: string
  /** Asked before acting; null acts at once. */
  question: string | null
  confirmLabel: string
  testId: string
  disabled: boolean
  pending: boolean
  primary?: boolean
  /** Ties the button to the text that explains why it is disabled. */
  describedBy?: string
  onConfirm: () => void
}

/** A button that, when `question` is set, asks first and acts only on the explicit yes. */
export function ConfirmAction ({ label, pendingLabel, question, confirmLabel, testId, disabled, pending, primary = false, describedBy, onConfirm }: ConfirmActionProps) {
  const [asking, setAsking] = useState(false)
  const className = primary ? 'button button--primary' : 'button'
  if (asking && question !== null && !disabled) {
    return (
      <div className="confirm" role="group" aria-label={label} data-testid={`${testId}-question`}>
        <p className="confirm__question">{question}</p>
        <div className="confirm__buttons">
          <button type="button" className={className} data-testid={`${testId}-confirm`} onClick={() => { setAsking(false); onConfirm() }}>
            {confirmLabel}
          </button>
          {/* Focus lands on the safe answer, so a stray Enter does not confirm. */}
          <button type="button" className="button button--quiet" autoFocus onClick={() => { setAsking(false) }}>Cancel</button>
        </div>
      </div>
    )
  }
  return (
    <button
      type="button"
      className={className}
      data-testid={testId}
      disabled={disabled}
      aria-busy={pending}
      aria-describedby={describedBy}
      onClick={() => { if (question === null) onConfirm(); else setAsking(true) }}
    >
      {pending ? pendingLabel : label}
    </button>
  )
}
