import type { VaultStatus } from '../../../../contract/host-api.ts'
import { formatCount } from '../../format/bytes.ts'
import { formatDuration, formatTimestamp } from '../../format/duration.ts'
import { useNow } from '../../hooks/use-now.ts'
import { Card } from '../common/card.tsx'
import { Stat } from '../common/stat.tsx'

/** The engine release and the child process the host supervises. */
export function EngineCard ({ status }: { status: VaultStatus }) {
  const now = useNow(1000)
  const { engine } = status
  return (
    <Card title="Engine" className="engine-card">
      <dl className="stats">
        <Stat label="Version" testId="engine-version">{status.engineVersion}</Stat>
        <Stat label="Process" rawValue={engine.pid ?? ''}>{engine.pid === null ? 'Not running' : `PID ${engine.pid}`}</Stat>
        <Stat label="Uptime">
          {engine.startedAt === null
            ? '—'
            : <time dateTime={new Date(engine.startedAt).toISOString()} title={`Started ${formatTimestamp(engine.startedAt)}`}>{formatDuration(now - engine.startedAt)}</time>}
        </Stat>
        <Stat label="Restarts" rawValue={engine.restarts} tone={engine.restarts > 0 ? 'warn' : undefined}>{formatCount(engine.restarts)}</Stat>
      </dl>
      <h3 className="subheading">Protocols</h3>
      {status.protocols.length === 0
        ? <p className="empty-note">None announced yet.</p>
        : (
          <ul className="chip-list" data-testid="engine-protocols">
            {status.protocols.map((protocol) => <li key={protocol} className="chip"><code>{protocol}</code></li>)}
          </ul>
          )}
    </Card>
  )
}
