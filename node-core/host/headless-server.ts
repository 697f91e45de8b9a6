// The headless transport: the built dashboard and HostApi over HTTP and WebSocket, on loopback,
// behind a random token. It carries the same contract as Electron IPC (dispatchHostRequest).
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { z } from 'zod'
import {
  dispatchHostRequest, HOST_API_VERSION, SocketClientMessageSchema, type HostApi, type HostEvent, type SocketServerMessage
} from '../../contract/host-api.ts'
import type { VaultHost } from './vault-host.ts'
import { writeJsonFile } from '../storage/json-file.ts'
import { namedError } from '../../contract/named-error.ts'

export const HOST_FILE = 'host.json'
export const TOKEN_COOKIE = 'vault_token'
const MAX_BODY_BYTES = 64 * 1024

export const HostFileSchema = z.object({
  version: z.literal(1),
  url: z.string().url(),
  origin: z.string().url(),
  token: z.string().min(16),
  pid: z.number().int().positive(),
  port: z.number().int().positive(),
  startedAt: z.number().int().nonnegative()
})
export type HostFile = z.infer<typeof HostFileSchema>

/** The dashboard's Content Security Policy, the same as the Electron window's. */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

export interface HeadlessServerInit {
  host: Pick<VaultHost, 'subscribe'> & HostApi
  dataDir: string
  rendererDir: string
  port?: number
  bind?: string
  /** Needed to bind anywhere but loopback: the dashboard controls the vault. */
  allowRemote?: boolean
  token?: string
}

export interface HeadlessServer {
  url: string
  origin: string
  token: string
  port: number
  close(): Promise<void>
}

export class RemoteBindError extends namedError('RemoteBindError') {}

export function isLoopback (address: string): boolean {
  return address === 'localhost' || address === '::1' || (isIP(address) === 4 && address.startsWith('127.'))
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
}

export async function startHeadlessServer (init: HeadlessServerInit): Promise<HeadlessServer> {
  const bind = init.bind ?? '127.0.0.1'
  if (!isLoopback(bind) && init.allowRemote !== true) {
    throw new RemoteBindError(`refusing to serve the dashboard on ${bind}: anyone who reaches it could control the vault; pass --allow-remote to do it anyway`)
  }
  const token = init.token ?? randomBytes(24).toString('base64url')
  const tokenBytes = Buffer.from(token)
  const tokenMatches = (candidate: string | undefined): boolean => {
    if (candidate === undefined) return false
    const bytes = Buffer.from(candidate)
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes)
  }
  let port = init.port ?? 0
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${bind}:${port}`])

  const authorized = (request: IncomingMessage, url: URL): boolean => {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    return tokenMatches(url.searchParams.get('token') ?? undefined) || tokenMatches(bearer) || tokenMatches(readCookie(request, TOKEN_COOKIE))
  }
  // DNS rebinding: a page on another name that resolves to 127.0.0.1 must not reach us.
  const hostAllowed = (request: IncomingMessage): boolean => init.allowRemote === true || allowedHosts().has(request.headers.host ?? '')

  const server = createServer((request, response) => {
    handle(request, response).catch(err => {
      if (!response.headersSent) sendJson(response, 500, { ok: false, error: { name: 'InternalError', message: err instanceof Error ? err.message : String(err) } })
      else response.destroy()
    })
  })

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://placeholder')
    if (!hostAllowed(request)) { sendText(response, 403, 'forbidden host header'); return }
    if (!authorized(request, url)) {
      sendText(response, 401, 'unauthorized: open the URL with the token that `vault start --headless` printed (also in host.json)')
      return
    }
    if (url.pathname === '/api/call' && request.method === 'POST') {
      let body: string
      try {
        body = await readBody(request)
      } catch (err) {
        sendJson(response, 413, { ok: false, error: { name: 'PayloadTooLargeError', message: err instanceof Error ? err.message : String(err) } })
        return
      }
      let raw: unknown
      try { raw = JSON.parse(body) } catch { raw = undefined }
      sendJson(response, 200, await dispatchHostRequest(init.host, raw))
      return
    }
    if (url.pathname === '/api/status' && request.method === 'GET') {
      sendJson(response, 200, await dispatchHostRequest(init.host, { verb: 'getStatus' }))
      return
    }
    if (url.pathname === '/api/version') {
      sendJson(response, 200, { hostApi: HOST_API_VERSION })
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') { sendText(response, 405, 'method not allowed'); return }
    await serveStatic(init.rendererDir, url.pathname, response, url.searchParams.has('token') ? token : undefined)
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES })
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://placeholder')
    const origin = request.headers.origin
    const originAllowed = origin === undefined || init.allowRemote === true || allowedHosts().has(origin.replace(/^http:\/\//, ''))
    if (url.pathname !== '/api/ws' || !hostAllowed(request) || !originAllowed || !authorized(request, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      return
    }
    sockets.handleUpgrade(request, socket, head, ws => { serveSocket(ws) })
  })

  const serveSocket = (ws: WebSocket): void => {
    const send = (message: SocketServerMessage): void => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message)) }
    const unsubscribe = init.host.subscribe((event: HostEvent) => { send({ event }) })
    ws.on('close', unsubscribe)
    ws.on('message', data => {
      let parsed
      try {
        parsed = SocketClientMessageSchema.safeParse(JSON.parse(data.toString()))
      } catch {
        parsed = undefined
      }
      if (parsed?.success !== true) {
        send({ id: 0, reply: { ok: false, error: { name: 'InvalidRequestError', message: 'expected {"id": number, "request": {"verb": ..., "params": {...}}}' } } })
        return
      }
      const { id, request } = parsed.data
      void dispatchHostRequest(init.host, request).then(reply => { send({ id, reply }) })
    })
    init.host.getStatus({}).then(status => { send({ event: { type: 'status', status } }) }, () => { /* the next status event brings it */ })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, bind, () => { server.off('error', reject); resolve() })
  })
  const address = server.address()
  port = typeof address === 'object' && address !== null ? address.port : port
  const hostPart = bind.includes(':') ? `[${bind}]` : bind
  const origin = `http://${hostPart}:${port}`
  const url = `${origin}/?token=${token}`
  const hostFile: HostFile = { version: 1, url, origin, token, pid: process.pid, port, startedAt: Date.now() }
  await writeJsonFile(join(init.dataDir, HOST_FILE), hostFile)

  return {
    url,
    origin,
    token,
    port,
    close: async () => {
      for (const client of sockets.clients) client.terminate()
      await new Promise<void>(resolve => { sockets.close(() => { resolve() }) })
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
      await rm(join(init.dataDir, HOST_FILE), { force: true })
    }
  }
}

async function serveStatic (root: string, pathname: string, response: ServerResponse, setCookieToken: string | undefined): Promise<void> {
  const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^[/\\]+/, '')
  const path = join(root, relative)
  if (!path.startsWith(root + sep) && path !== root) { sendText(response, 403, 'forbidden path'); return }
  let body: Buffer
  try {
    body = await readFile(path)
  } catch {
    if (relative === 'index.html') {
      sendText(response, 503, 'the dashboard is not built: run `npm run build:renderer` (npm run headless does it for you)')
      return
    }
    sendText(response, 404, 'not found')
    return
  }
  const headers: Record<string, string> = {
    'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    'Content-Security-Policy': DASHBOARD_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store'
  }
  // The token came in the URL once; a cookie carries it for the page's scripts and styles.
  if (setCookieToken !== undefined) headers['Set-Cookie'] = `${TOKEN_COOKIE}=${setCookieToken}; HttpOnly; SameSite=Strict; Path=/`
  response.writeHead(200, headers)
  response.end(body)
}

function readCookie (request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
}

async function readBody (request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > MAX_BODY_BYTES) throw new RangeError(`request body exceeds ${MAX_BODY_BYTES} bytes`)
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function sendJson (response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
  response.end(JSON.stringify(value))
}

function sendText (response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
  response.end(text + '\n')
}
