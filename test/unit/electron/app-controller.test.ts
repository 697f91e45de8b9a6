import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { HostEvent } from '../../../contract/host-api.ts'
import { startVaultApp } from '../../../electron/app-controller.ts'
import type { VaultAppOptions } from '../../../electron/app-controller.ts'
import { FORBIDDEN_SENDER_ERROR } from '../../../electron/ipc.ts'
import { CONTENT_SECURITY_POLICY } from '../../../electron/security.ts'
import {
  ASSETS_PATH, clickMenuItem, createFakeElectron, FakeApp, FakeHost, FakeIpcMain, FakeSession, FakeWebContents,
  invokeEvent, mainFrame, makeNotice, makeStatus, ManualScheduler, menuItem, NavigationAttempt,
  PRELOAD_PATH, RecordingLogger, RENDERER_PATH, RENDERER_URL, settle, USER_DATA
} from './fakes.ts'
import type { FakeImage } from './fakes.ts'

interface HarnessSetup {
  lockGranted?: boolean
  hostStartError?: Error
}

function harness (setup: HarnessSetup = {}) {
  const electron = createFakeElectron()
  const app = new FakeApp(() => { for (const window of electron.windows) window.tryClose() })
  const ipcMain = new FakeIpcMain()
  const session = new FakeSession()
  const hosts: FakeHost[] = []
  const log = new RecordingLogger()
  const scheduler = new ManualScheduler()
  app.lockGranted = setup.lockGranted ?? true
  const options: VaultAppOptions<FakeImage> = {
    electron: {
      app,
      BrowserWindow: electron.BrowserWindow,
      Tray: electron.Tray,
      Menu: electron.Menu,
      ipcMain,
      nativeImage: electron.nativeImage,
      Notification: electron.Notification,
      session: { defaultSession: session }
    },
    createHost: (hostOptions) => {
      const host = new FakeHost(hostOptions)
      host.startError = setup.hostStartError ?? null
      hosts.push(host)
      return host
    },
    paths: { preload: PRELOAD_PATH, renderer: RENDERER_PATH, assets: ASSETS_PATH },
    log,
    now: () => 1_700_000_000_000,
    schedule: scheduler.schedule,
    stopTimeoutMs: 5_000
  }
  return { electron, app, ipcMain, session, hosts, log, scheduler, options }
}

async function started (setup?: HarnessSetup) {
  const h = harness(setup)
  const role = await startVaultApp(h.options)
  assert.equal(role, 'primary')
  const host = h.hosts[0]
  const window = h.electron.windows[0]
  const tray = h.electron.trays[0]
  assert.ok(host && window && tray)
  return { ...h, host, window, tray }
}

describe('startVaultApp: single instance', () => {
  it('a second instance quits at once and starts nothing', async () => {
    const h = harness({ lockGranted: false })
    assert.equal(await startVaultApp(h.options), 'secondary')
    assert.equal(h.app.quitCalls, 1)
    assert.equal(h.hosts.length, 0)
    assert.equal(h.electron.windows.length, 0)
    assert.equal(h.electron.trays.length, 0)
    assert.equal(h.ipcMain.handlers.size, 0)
  })

  it('the first instance brings its window forward when another is launched', async () => {
    const { app, window } = await started()
    window.tryClose()
    window.minimized = true
    assert.equal(window.visible, false)
    app.emit('second-instance', {}, ['vault-manager'], '/home/farmer')
    assert.equal(window.visible, true)
    assert.equal(window.minimized, false)
    assert.equal(window.focusCount, 1)
    assert.equal(app.quitCalls, 0)
  })
})

describe('startVaultApp: window, session and host', () => {
  it('creates the host with its data under userData/vault and starts it', async () => {
    const { host } = await started()
    assert.equal(host.options.dataDir, join(USER_DATA, 'vault'))
    assert.deepEqual(host.calls.slice(0, 2), ['start', 'getStatus'])
  })

  it('sandboxes every renderer and opens a locked-down window on the built page', async () => {
    const { app, window } = await started()
    assert.equal(app.sandboxEnabled, true)
    assert.equal(window.options.webPreferences?.contextIsolation, true)
    assert.equal(window.options.webPreferences?.sandbox, true)
    assert.equal(window.options.webPreferences?.nodeIntegration, false)
    assert.equal(window.options.webPreferences?.preload, PRELOAD_PATH)
    assert.equal(window.loadedFile, RENDERER_PATH)
    window.emit('ready-to-show')
    assert.equal(window.visible, true)
  })

  it('applies the CSP header and denies permissions on the default session', async () => {
    const { session } = await started()
    assert.ok(session.headersListener && session.permissionCheckHandler)
    let headers: unknown = null
    session.headersListener({ url: RENDERER_URL }, (response) => { headers = response.responseHeaders })
    assert.deepEqual(headers, { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
    assert.equal(session.permissionCheckHandler(null, 'media'), false)
  })

  it('hardens web contents created later, too', async () => {
    const { app, electron } = await started()
    const stray = new FakeWebContents(99)
    app.emit('web-contents-created', {}, stray)
    const attempt = new NavigationAttempt('https://attacker.example/')
    stray.emit('will-navigate', attempt)
    assert.equal(attempt.defaultPrevented, true)
    assert.ok(stray.windowOpenHandler)
    assert.equal(electron.windows.length, 1)
  })

  it('keeps running in the tray when the window is closed', async () => {
    const { window, host, app } = await started()
    const close = window.tryClose()
    assert.equal(close.defaultPrevented, true)
    assert.equal(window.destroyed, false)
    assert.equal(host.calls.includes('stop'), false)
    assert.equal(app.quitCalls, 0)
  })

  it('shows a host that fails to start as a problem in the tray and still serves the window', async () => {
    const { tray, window, log } = await started({ hostStartError: new Error('engine binary missing') })
    assert.equal(tray.image.path, join(ASSETS_PATH, 'tray-problem.png'))
    assert.match(tray.toolTip, /failed to start: engine binary missing/)
    assert.equal(window.loadedFile, RENDERER_PATH)
    assert.equal(log.errors.length, 1)
  })
})

describe('startVaultApp: IPC', () => {
  it('answers the window and refuses a foreign sender without touching the host', async () => {
    const { ipcMain, window, host } = await started()
    const callsBefore = host.calls.length
    const foreign = await ipcMain.invoke('vault:pause', invokeEvent(window.webContents.id + 100, mainFrame(RENDERER_URL)), { verb: 'pause', params: {} })
    assert.partialDeepStrictEqual(foreign, { ok: false, error: { name: FORBIDDEN_SENDER_ERROR } })
    const spoofedPage = await ipcMain.invoke('vault:pause', invokeEvent(window.webContents.id, mainFrame('https://attacker.example/')), { verb: 'pause', params: {} })
    assert.partialDeepStrictEqual(spoofedPage, { ok: false, error: { name: FORBIDDEN_SENDER_ERROR } })
    assert.equal(host.calls.length, callsBefore)

    const own = await ipcMain.invoke('vault:getStatus', invokeEvent(window.webContents.id, mainFrame(RENDERER_URL)), { verb: 'getStatus', params: {} })
    assert.deepEqual(own, { ok: true, value: makeStatus() })
    assert.equal(host.calls.at(-1), 'getStatus')
  })

  it('forwards host events to the window on vault:event', async () => {
    const { host, window } = await started()
    const event: HostEvent = { type: 'event', event: { at: 1, kind: 'peer:connect', message: 'peer joined' } }
    host.emit(event)
    assert.deepEqual(window.webContents.sent.at(-1), { channel: 'vault:event', args: [event] })
  })

  it('does not send to a destroyed window', async () => {
    const { host, window, app } = await started()
    app.emit('before-quit', { preventDefault: () => {} })
    window.tryClose()
    const sentBefore = window.webContents.sent.length
    host.emit({ type: 'event', event: { at: 1, kind: 'x', message: 'y' } })
    assert.equal(window.webContents.sent.length, sentBefore)
  })
})

describe('startVaultApp: tray', () => {
  it('follows status events with its icon and tooltip', async () => {
    const { host, tray } = await started()
    assert.equal(tray.image.path, join(ASSETS_PATH, 'tray-active.png'))
    host.emit({ type: 'status', status: makeStatus({ state: 'restarting' }) })
    assert.equal(tray.image.path, join(ASSETS_PATH, 'tray-problem.png'))
    assert.match(tray.toolTip, /age 12 · restarting/)
  })

  it('pauses and resumes the vault, the label following the state', async () => {
    const { host, tray } = await started()
    clickMenuItem(tray.menu, 'Pause vault')
    await settle()
    assert.equal(host.calls.at(-1), 'pause')
    assert.equal(tray.image.path, join(ASSETS_PATH, 'tray-paused.png'))
    assert.throws(() => menuItem(tray.menu, 'Pause vault'))

    clickMenuItem(tray.menu, 'Resume vault')
    await settle()
    assert.equal(host.calls.at(-1), 'resume')
    assert.equal(tray.image.path, join(ASSETS_PATH, 'tray-active.png'))
    assert.equal(menuItem(tray.menu, 'Pause vault').enabled, true)
  })

  it('logs a failed pause and leaves the tray as it was', async () => {
    const { host, tray, log } = await started()
    host.pause = async () => { throw new Error('engine busy') }
    clickMenuItem(tray.menu, 'Pause vault')
    await settle()
    assert.equal(log.errors.length, 1)
    assert.equal(tray.image.path, join(ASSETS_PATH, 'tray-active.png'))
  })

  it('opens the dashboard from the tray', async () => {
    const { tray, window } = await started()
    window.tryClose()
    clickMenuItem(tray.menu, 'Open dashboard')
    assert.equal(window.visible, true)
  })

  it('notifies a new critical notice once', async () => {
    const { host, electron } = await started()
    const status = makeStatus({ notices: [makeNotice()] })
    host.emit({ type: 'status', status })
    host.emit({ type: 'status', status })
    assert.deepEqual(electron.notifications.map((n) => n.options.title), ['Disk almost full'])
  })
})

describe('startVaultApp: quit', () => {
  it('stops the host and waits for it before the app exits', async () => {
    const { host, tray, app, window } = await started()
    let releaseStop = (): void => {}
    host.stopGate = new Promise<void>((resolve) => { releaseStop = resolve })
    clickMenuItem(tray.menu, 'Quit')
    await settle()
    assert.equal(host.calls.filter((call) => call === 'stop').length, 1)
    assert.equal(app.exitedFlag, false, 'the app waits for the host')

    app.quit() // a second request (e.g. Cmd+Q) while stopping neither exits nor stops twice
    await settle()
    assert.equal(app.exitedFlag, false)
    assert.equal(host.calls.filter((call) => call === 'stop').length, 1)

    releaseStop()
    await app.exited
    assert.equal(host.stopped, true)
    assert.equal(host.subscriberCount, 0)
    assert.equal(tray.destroyed, true)
    assert.equal(window.destroyed, true, 'windows really close on quit')
  })

  it('exits anyway when the host does not stop in time', async () => {
    const { host, app, scheduler, log } = await started()
    host.stopGate = new Promise<void>(() => {})
    app.quit()
    await settle()
    assert.equal(app.exitedFlag, false)
    assert.deepEqual(scheduler.pending.map((timer) => timer.ms), [5_000])
    scheduler.fireAll()
    await app.exited
    assert.equal(host.stopped, false)
    assert.equal(log.warnings.length, 1)
  })

  it('exits when the host fails to stop, logging why', async () => {
    const { host, app, log } = await started()
    host.stop = async () => { throw new Error('engine did not answer') }
    app.quit()
    await app.exited
    assert.equal(log.errors.length, 1)
  })
})
