import type { SectionStanding } from '../../../../contract/host-api.ts'
import type { StandingAction } from '../../store.ts'
import { useDashboard } from '../../store/use-dashboard.ts'
import { NOT_CONNECTED } from '../upgrades/use-upgrade-request.ts'
import { reconnectOffer } from './standing-text.ts'
import { useStandingRequest } from './use-standing-request.ts'

const VERB: Record<StandingAction, string> = { selfCheck: 'run the self-check', reconnect: 'reconnect' }

/** Run self-check and Reconnect, Reconnect enabled only once the self-check passed; the host's refusal beside them. */
export function StandingControls ({ standing }: { standing: SectionStanding }) {
  const { connected, pending, error } = useStandingRequest()
  const runSelfCheck = useDashboard((s) => s.runSelfCheck)
  const reconnect = useDashboard((s) => s.reconnect)
  const dismiss = useDashboard((s) => s.dismissStandingError)
  const offer = reconnectOffer(standing)
  // Once the resume is requested the elders decide: nothing to press until they pause it again.
  if (standing.state !== 'paused') return <p className="pause-card__hint" data-testid="resume-requested">{offer.hint}</p>
  return (
    <div className="pause-card__controls">
      <div className="pause-card__buttons">
        <button type="button" className="button" data-testid="run-self-check-button" disabled={!connected || pending !== null} aria-busy={pending === 'selfCheck'} onClick={() => { void runSelfCheck() }}>
          {pending === 'selfCheck' ? 'Checking…' : 'Run self-check'}
        </button>
        <button type="button" className="button button--primary" data-testid="reconnect-button" disabled={!connected || pending !== null || !offer.enabled} aria-busy={pending === 'reconnect'} onClick={() => { void reconnect() }}>
          {pending === 'reconnect' ? 'Reconnecting…' : 'Reconnect'}
        </button>
      </div>
      <p className="pause-card__hint" data-testid="reconnect-hint">{connected ? offer.hint : NOT_CONNECTED}</p>
      {error !== null && (
        <div className="inline-error" role="alert" data-testid={`standing-error-${error.action}`}>
          <p>Could not {VERB[error.action]}: {error.message}</p>
          <button type="button" className="button button--small" onClick={dismiss}>Dismiss</button>
        </div>
      )}
    </div>
  )
}
