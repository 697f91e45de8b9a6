import assert from 'node:assert/strict'
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { WebSocket } from 'ws'
import type { HostEvent, VaultStatus } from '../../../contract/host-api.ts'
import { HOST_FILE, HostFileSchema, RemoteBindError, startHeadlessServer, type HeadlessServer } from '../../../node-core/host/headless-server.ts'
import { sampleStatus } from '../../helpers/sample-status.ts'

/** An in-memory host: the server under test only carries the contract. */
function memoryHost () {
  let status: VaultStatus = sampleStatus()
  const listeners = new Set<(event: HostEvent) => void>()
  const publish = (): void => { for (const listener of listeners) listener({ type: 'status', status }) }
  return {
    calls: [] as string[],
    subscribe (listener: (event: HostEvent) => void) { listeners.add(listener); return () => { listeners.delete(listener) } },
    async getStatus () { this.calls.push('getStatus'); return status },
    async pause () { this.calls.push('pause'); status = { ...status, state: 'paused' }; publish(); return status },
    async resume () { this.calls.push('resume'); status = { ...status, state: 'active' }; publish(); return status },
    async checkUpgrade () { this.calls.push('checkUpgrade'); return status },
    async shadowUpgrade () { this.calls.push('shadowUpgrade'); return status },
    async approveUpgrade () { this.calls.push('approveUpgrade'); return status },
    async deferUpgrade () { this.calls.push('deferUpgrade'); return status },
    async rollbackUpgrade () { this.calls.push('rollbackUpgrade'); return status },
    async setUpgradePolicy () { this.calls.push('setUpgradePolicy'); return status },
    async runSelfCheck () { this.calls.push('runSelfCheck'); return status },
    async leave () { this.calls.push('leave'); status = { ...status, state: 'left' }; publish(); return status },
    async reconnect (): Promise<VaultStatus> {
      this.calls.push('reconnect')
      throw Object.assign(new Error('the section has not paused this vault: there is nothing to resume'), { name: 'NotPausedError' })
    }
  }
}

async function nextMessage (ws: WebSocket, match: (message: unknown) => boolean): Promise<unknown> {
  return await new Promise(resolve => {
    const onMessage = (data: Buffer): void => {
      const message: unknown = JSON.parse(data.toString())
      if (!match(message)) return
      ws.off('message', onMessage)
      resolve(message)
    }
    ws.on('message', onMessage)
  })
}

describe('headless server', () => {
  let dir: string
  let server: HeadlessServer
  const host = memoryHost()

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-headless-'))
    await mkdir(join(dir, 'renderer'))
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Vault Manager</title>')
    server = await startHeadlessServer({ host, dataDir: dir, rendererDir: join(dir, 'renderer') })
  })

  after(async () => {
    await server.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('listens on loopback and writes host.json with the token, owner-only', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=.{16,}$/)
    const info = await stat(join(dir, HOST_FILE))
    assert.equal(info.mode & 0o777, 0o600)
    const file = HostFileSchema.parse(JSON.parse(await readFile(join(dir, HOST_FILE), 'utf8')))
    assert.equal(file.token, server.token)
    assert.equal(file.pid, process.pid)
  })

  it('answers 401 without the token, for pages, the API and the socket', async () => {
    assert.equal((await fetch(`${server.origin}/`)).status, 401)
    assert.equal((await fetch(`${server.origin}/api/status`)).status, 401)
    assert.equal((await fetch(`${server.origin}/api/status`, { headers: { Authorization: 'Bearer wrong-token-of-some-length' } })).status, 401)
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api/ws`)
    const closed = await new Promise<string>(resolve => { ws.on('error', err => { resolve(err.message) }) })
    assert.match(closed, /401/)
    assert.deepEqual(host.calls.filter(call => call !== 'getStatus'), [], 'no verb ran for an unauthorised request')
  })

  it('serves the dashboard with the token and sets a cookie for its assets', async () => {
    const page = await fetch(server.url)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /Vault Manager/)
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/)
    const cookie = page.headers.get('set-cookie') ?? ''
    assert.match(cookie, /HttpOnly/)
    const withCookie = await fetch(`${server.origin}/index.html`, { headers: { Cookie: cookie.split(';')[0] ?? '' } })
    assert.equal(withCookie.status, 200)
  })

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http')
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}`, { headers: { Host: `evil.example:${server.port}` } }, res => { resolve(res.statusCode ?? 0); res.resume() })
      req.on('error', reject)
      req.end()
    })
    assert.equal(status, 403)
  })

  it('carries HostApi calls over HTTP, with errors as values', async () => {
    const call = async (body: unknown): Promise<unknown> => await (await fetch(`${server.origin}/api/call`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    })).json()
    assert.deepEqual(await call({ verb: 'getStatus' }), { ok: true, value: sampleStatus() })
    const bad = await call({ verb: 'formatDisk' })
    assert.equal((bad as { ok: boolean }).ok, false)
    assert.equal((bad as { error: { name: string } }).error.name, 'InvalidRequestError')
    const extra = await call({ verb: 'pause', params: { force: true } })
    assert.equal((extra as { ok: boolean }).ok, false)
  })

  it('carries the pause-and-fix verbs, with the host\'s error name and message', async () => {
    const call = async (body: unknown): Promise<unknown> => await (await fetch(`${server.origin}/api/call`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    })).json()
    assert.deepEqual(await call({ verb: 'runSelfCheck', params: {} }), { ok: true, value: sampleStatus() })
    assert.deepEqual(await call({ verb: 'reconnect', params: {} }), {
      ok: false,
      error: { name: 'NotPausedError', message: 'the section has not paused this vault: there is nothing to resume' }
    })
    assert.deepEqual(host.calls.slice(-2), ['runSelfCheck', 'reconnect'])
  })

  it('pushes status over the socket and answers requests with their id', async () => {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api/ws?token=${server.token}`, { headers: { Origin: server.origin } })
    const first = await nextMessage(ws, () => true) as { event: HostEvent }
    assert.equal(first.event.type, 'status')
    const pushed = nextMessage(ws, message => (message as { event?: HostEvent }).event?.type === 'status')
    const replied = nextMessage(ws, message => (message as { id?: number }).id === 7)
    ws.send(JSON.stringify({ id: 7, request: { verb: 'pause', params: {} } }))
    const reply = await replied as { reply: { ok: boolean, value: VaultStatus } }
    assert.equal(reply.reply.ok, true)
    assert.equal(reply.reply.value.state, 'paused')
    assert.equal(((await pushed) as { event: { status: VaultStatus } }).event.status.state, 'paused')
    const invalid = nextMessage(ws, message => (message as { id?: number }).id === 0)
    ws.send('not json')
    assert.equal(((await invalid) as { reply: { ok: boolean } }).reply.ok, false)
    ws.close()
  })

  it('refuses to bind beyond loopback without an explicit flag', async () => {
    await assert.rejects(startHeadlessServer({ host, dataDir: dir, rendererDir: dir, bind: '0.0.0.0' }), RemoteBindError)
  })
})
