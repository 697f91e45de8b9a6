import type { ConnectionState, TransportKind } from '../../host-client.ts'
import { useDashboard } from '../../store/use-dashboard.ts'
import { ThemeSwitch } from './theme-switch.tsx'

function connectionLabel (connection: ConnectionState, transport: TransportKind): { text: string, tone: string } {
  switch (connection.phase) {
    case 'open': return { text: transport === 'electron' ? 'Connected' : `Connected to ${location.host}`, tone: 'good' }
    case 'connecting': return { text: 'Connecting…', tone: 'busy' }
    case 'reconnecting': return { text: 'Reconnecting…', tone: 'warn' }
    case 'blocked': return { text: 'Not connected', tone: 'bad' }
    case 'closed': return { text: 'Disconnected', tone: 'muted' }
    default: {
      const unreachable: never = connection
      throw new TypeError(`unknown connection phase ${String(unreachable)}`)
    }
  }
}

export function AppHeader () {
  const connection = useDashboard((state) => state.connection)
  const transport = useDashboard((state) => state.transport)
  const label = connectionLabel(connection, transport)
  return (
    <header className="app-header">
      <h1 className="app-header__title">Vault Manager</h1>
      <p className="connection-pill" data-tone={label.tone}>
        <span className="connection-pill__dot" aria-hidden="true" />
        {label.text}
      </p>
      <ThemeSwitch />
    </header>
  )
}
