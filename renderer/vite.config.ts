// Builds the dashboard into dist/renderer. `base: './'` keeps asset URLs relative, so the same
// build loads from file:// in Electron and from the headless host's HTTP server.
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

// No inline scripts or styles anywhere in the build; connect-src 'self' covers the same-origin
// WebSocket. Hosts may send a stricter header as well; the page works under either.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'"
].join('; ')

/** Adds the CSP to the built page only: the dev server needs inline scripts for hot reload. */
function contentSecurityPolicy (): Plugin {
  return {
    name: 'vault-manager:csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }
    ]
  }
}

// `VAULT_HOST=http://127.0.0.1:PORT npx vite --config renderer/vite.config.ts` proxies the socket
// to a running headless host, so the dev server can show a live vault (open it with ?token=…).
const devHost = process.env.VAULT_HOST

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true
  },
  server: {
    host: '127.0.0.1',
    proxy: devHost === undefined ? undefined : { '/api': { target: devHost, ws: true } }
  }
})
