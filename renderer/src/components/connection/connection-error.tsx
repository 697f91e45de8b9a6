import type { ReactNode } from 'react'
import type { ConnectionProblem } from '../../host-client.ts'
import { formatDuration } from '../../format/duration.ts'
import { useNow } from '../../hooks/use-now.ts'
import { useDashboard } from '../../store/use-dashboard.ts'
import { TextWithCode } from '../common/text-with-code.tsx'
import { describeProblem } from './connection-text.ts'

function ErrorPanel ({ title, children }: { title: string, children: ReactNode }) {
  return (
    <div className="state-panel state-panel--error" data-testid="connection-error" role="alert">
      <h2 className="state-panel__title">{title}</h2>
      {children}
    </div>
  )
}

/** Retrying will not help: no token, a refused token, or no host at all. */
export function BlockedError ({ problem }: { problem: ConnectionProblem }) {
  const text = describeProblem(problem)
  return (
    <ErrorPanel title={text.title}>
      <p className="state-panel__detail"><TextWithCode text={text.detail} /></p>
    </ErrorPanel>
  )
}

/** The host has not answered yet and the client keeps trying. */
export function UnreachableError ({ attempt, retryAt, reason }: { attempt: number, retryAt: number, reason: string }) {
  const now = useNow(1000)
  const retryNow = useDashboard((state) => state.retryNow)
  const wait = retryAt - now
  return (
    <ErrorPanel title="Cannot reach the vault host">
      <p className="state-panel__detail">{reason} Is the Vault Manager app or <code className="nowrap">vault start --headless</code> still running?</p>
      <p className="state-panel__detail">
        {wait > 0 ? `Trying again in ${formatDuration(wait + 999)}` : 'Trying again now'} (attempt {attempt}).
      </p>
      <button type="button" className="button" onClick={retryNow}>Retry now</button>
    </ErrorPanel>
  )
}

/** Connected, but the host answered getStatus with an error. */
export function HostError ({ message }: { message: string }) {
  const refresh = useDashboard((state) => state.refresh)
  return (
    <ErrorPanel title="The host reported an error">
      <p className="state-panel__detail">{message}</p>
      <button type="button" className="button" onClick={() => { void refresh() }}>Try again</button>
    </ErrorPanel>
  )
}
