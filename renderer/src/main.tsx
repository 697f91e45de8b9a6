// Entry: pick the transport, build the store, render. Styles come from CSS files only, so the
// page runs under a strict Content-Security-Policy (no inline scripts or style attributes).
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.tsx'
import { createHostClient } from './host-client.ts'
import { createDashboardStore } from './store.ts'
import { DashboardStoreContext } from './store/use-dashboard.ts'
import { applyThemePreference, initialThemePreference } from './theme/use-theme.ts'
import './styles/theme.css'
import './styles/layout.css'
import './styles/components.css'
import './styles/panels.css'

applyThemePreference(initialThemePreference())

const client = createHostClient({
  bridge: window.vaultHost,
  location: window.location,
  WebSocket: window.WebSocket,
  fetch: (url, init) => window.fetch(url, init)
})
const store = createDashboardStore({ client })
store.getState().start()
window.addEventListener('pagehide', () => { store.getState().stop() })
// A page restored from the back-forward cache reconnects instead of showing a frozen status.
window.addEventListener('pageshow', (event) => { if (event.persisted) store.getState().start() })

const container = document.getElementById('root')
if (container === null) throw new Error('index.html has no #root element')
createRoot(container).render(
  <StrictMode>
    <DashboardStoreContext value={store}>
      <App />
    </DashboardStoreContext>
  </StrictMode>
)
