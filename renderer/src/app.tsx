import type { VaultStatus } from '../../contract/host-api.ts'
import { ConnectionBanner, HostErrorBanner, ProtocolErrorBanner } from './components/connection/connection-banner.tsx'
import { BlockedError, HostError, UnreachableError } from './components/connection/connection-error.tsx'
import { Loading } from './components/connection/loading.tsx'
import { EarningsCard } from './components/earnings/earnings-card.tsx'
import { EngineCard } from './components/engine/engine-card.tsx'
import { RecentEvents } from './components/events/recent-events.tsx'
import { AppHeader } from './components/layout/app-header.tsx'
import { NetworkCard } from './components/network/network-card.tsx'
import { NoticesPanel } from './components/notices/notices-panel.tsx'
import { PauseCard } from './components/pause/pause-card.tsx'
import { ReleasesCard } from './components/releases/releases-card.tsx'
import { SectionCard } from './components/section/section-card.tsx'
import { StorageCard } from './components/storage/storage-card.tsx'
import { UpgradesCard } from './components/upgrades/upgrades-card.tsx'
import { AgeCard } from './components/vault/age-card.tsx'
import { VaultCard } from './components/vault/vault-card.tsx'
import { useDashboard } from './store/use-dashboard.ts'

function Dashboard ({ status }: { status: VaultStatus }) {
  const events = useDashboard((state) => state.events)
  // Main column: what the owner acts on (age, state, notices, upgrades, releases, events); side column: the facts
  // (the section sits by the network it is part of).
  // Releases sits by Upgrades: its table of versions needs the wider column.
  return (
    <div className="dashboard">
      <div className="dashboard__main">
        {/* A vault its section paused is the first thing the owner must act on (issue 3, deliver 7). */}
        <PauseCard status={status} />
        <div className="dashboard__hero">
          <AgeCard status={status} />
          <VaultCard status={status} />
        </div>
        <EarningsCard status={status} />
        <NoticesPanel notices={status.notices} />
        <UpgradesCard upgrade={status.upgrade} />
        <ReleasesCard status={status} />
        <RecentEvents events={events} />
      </div>
      <div className="dashboard__side">
        <StorageCard store={status.store} />
        <NetworkCard status={status} />
        <SectionCard status={status} />
        <EngineCard status={status} />
      </div>
    </div>
  )
}

/** Picks what the page shows: an error that needs the owner, a wait, or the dashboard. */
function Body () {
  const connection = useDashboard((state) => state.connection)
  const status = useDashboard((state) => state.status)
  const hostError = useDashboard((state) => state.hostError)
  // A refused token outranks stale data: the page must not look healthy while it cannot update.
  if (connection.phase === 'blocked') return <BlockedError problem={connection.problem} />
  if (status !== null) return <Dashboard status={status} />
  if (connection.phase === 'reconnecting') return <UnreachableError attempt={connection.attempt} retryAt={connection.retryAt} reason={connection.reason} />
  if (hostError !== null) return <HostError message={hostError} />
  return <Loading />
}

export function App () {
  return (
    <div className="app">
      <AppHeader />
      <main className="page">
        <ConnectionBanner />
        <HostErrorBanner />
        <ProtocolErrorBanner />
        <Body />
      </main>
    </div>
  )
}
