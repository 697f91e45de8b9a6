// Where the headless host's socket lives. The host prints `http://127.0.0.1:PORT/?token=TOKEN`;
// the page carries the token in its query and hands it to the socket the same way.

/** The parts of `window.location` the client needs (a plain object in tests). */
export type PageLocation = { protocol: string, host: string, search: string }

export const SOCKET_PATH = '/api/ws'

/** The token from the page's query, or null when it is missing or empty. */
export function readToken (search: string): string | null {
  const token = new URLSearchParams(search).get('token')
  return token === null || token === '' ? null : token
}

/** `ws://127.0.0.1:PORT/api/ws?token=…` (wss when the page itself came over https). */
export function socketUrl (location: PageLocation, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${SOCKET_PATH}?token=${encodeURIComponent(token)}`
}

/**
 * The same path over plain HTTP. The browser hides the status of a refused WebSocket handshake,
 * so after a failed handshake the client asks again with fetch to tell "wrong token" (401/403)
 * from "host not running".
 */
export function authProbeUrl (token: string): string {
  return `${SOCKET_PATH}?token=${encodeURIComponent(token)}`
}
