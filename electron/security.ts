// Electron security checklist items that live in main: CSP response header, denied permissions,
// no navigation away from the app page, no new windows, no <webview>.
// https://www.electronjs.org/docs/latest/tutorial/security
import type { PreventableEvent, SessionPort, WebContentsPort } from './ports.ts'

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'"
].join('; ')

/**
 * True when url is the app's own page: a file: URL with the same path as appUrl. Query and
 * fragment are ignored so that the dashboard may route with a hash.
 */
export function isAppPageUrl (url: string, appUrl: string): boolean {
  if (!URL.canParse(url)) return false
  const candidate = new URL(url)
  const app = new URL(appUrl)
  return candidate.protocol === 'file:' && candidate.host === app.host && candidate.pathname === app.pathname
}

/**
 * Sets the CSP header on every response of the session, replacing any policy the response
 * carried. The renderer's <meta> policy is the one Chromium is sure to apply to file:// pages;
 * the header is the second layer.
 */
export function installContentSecurityPolicy (session: SessionPort): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') responseHeaders[name] = value
    }
    responseHeaders['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY]
    callback({ responseHeaders })
  })
}

/** The dashboard needs no camera, notifications, geolocation or any other web permission. */
export function denyAllPermissions (session: SessionPort): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => { callback(false) })
  session.setPermissionCheckHandler(() => false)
}

const hardened = new WeakSet<WebContentsPort>()

/** Keeps contents on the app page: navigation elsewhere, window.open and <webview> are refused. */
export function hardenWebContents (contents: WebContentsPort, appUrl: string): void {
  if (hardened.has(contents)) return
  hardened.add(contents)
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (event) => {
    if (!isAppPageUrl(event.url, appUrl)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event: PreventableEvent) => { event.preventDefault() })
}
