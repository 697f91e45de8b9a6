/** Shown until the host's first status snapshot arrives. */
export function Loading () {
  return (
    <div className="state-panel" data-testid="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <h2 className="state-panel__title">Connecting to your vault…</h2>
      <p className="state-panel__detail">Waiting for the first status from the host.</p>
    </div>
  )
}
