import { formatDuration, formatEventTime } from '../../format/duration.ts'
import { useNow } from '../../hooks/use-now.ts'
import { useDashboard } from '../../store/use-dashboard.ts'

/**
 * Above a dashboard that is still showing data: the connection dropped (the data is the last
 * known snapshot), or the host sent something the contract does not allow.
 */
export function ConnectionBanner () {
  const connection = useDashboard((state) => state.connection)
  const updatedAt = useDashboard((state) => state.status?.updatedAt ?? null)
  const retryNow = useDashboard((state) => state.retryNow)
  const now = useNow(1000)
  if (connection.phase !== 'reconnecting' || updatedAt === null) return null
  const wait = connection.retryAt - now
  return (
    <div className="banner banner--warn" role="status" data-testid="reconnecting">
      <p className="banner__text">
        <strong>Reconnecting to the host…</strong>{' '}
        {wait > 0 ? `Next try in ${formatDuration(wait + 999)}` : 'Trying now'} (attempt {connection.attempt}).
        {' '}Showing the last status received at {formatEventTime(updatedAt, now)}.
      </p>
      <button type="button" className="button button--small" onClick={retryNow}>Retry now</button>
    </div>
  )
}

export function ProtocolErrorBanner () {
  const message = useDashboard((state) => state.protocolError)
  const dismiss = useDashboard((state) => state.dismissProtocolError)
  if (message === null) return null
  return (
    <div className="banner banner--bad" role="alert">
      <p className="banner__text"><strong>Unexpected data from the host.</strong> {message} The dashboard ignored it.</p>
      <button type="button" className="button button--small" onClick={dismiss}>Dismiss</button>
    </div>
  )
}

/** The host answered getStatus with an error while older data is still on screen. */
export function HostErrorBanner () {
  const message = useDashboard((state) => state.hostError)
  const hasStatus = useDashboard((state) => state.status !== null)
  const refresh = useDashboard((state) => state.refresh)
  if (message === null || !hasStatus) return null
  return (
    <div className="banner banner--bad" role="alert">
      <p className="banner__text"><strong>The host reported an error.</strong> {message}</p>
      <button type="button" className="button button--small" onClick={() => { void refresh() }}>Try again</button>
    </div>
  )
}
