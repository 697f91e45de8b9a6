// Playwright drives the system's Chromium: Playwright's own browser download is not reachable
// everywhere. VAULT_E2E_CHROMIUM overrides the path.
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM_PATH = process.env.VAULT_E2E_CHROMIUM ?? '/usr/bin/chromium'

export async function launchChromium (): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      // Chromium refuses its own sandbox as root (CI runs as root).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // Keep the browser itself off the network: only the loopback dashboard is visited.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  })
}
