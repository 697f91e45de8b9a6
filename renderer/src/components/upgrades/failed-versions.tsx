/** Versions that failed a shadow test or a health window: never retried automatically. */
export function FailedVersions ({ versions }: { versions: readonly string[] }) {
  if (versions.length === 0) return null
  return (
    <div className="failed-versions">
      <h3 className="subheading">Failed versions, never installed automatically</h3>
      <ul className="chip-list" data-testid="failed-versions">
        {versions.map((version) => <li key={version} className="chip" data-version={version}><code>{version}</code></li>)}
      </ul>
    </div>
  )
}
