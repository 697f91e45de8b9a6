import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BrowserWindowPort } from '../../../electron/ports.ts'
import { createMainWindow, dashboardSenderCheck, revealWindow } from '../../../electron/window.ts'
import type { MainWindowOptions } from '../../../electron/window.ts'
import {
  createFakeElectron, invokeEvent, mainFrame, NavigationAttempt, PRELOAD_PATH, RecordingLogger,
  RENDERER_PATH, RENDERER_URL
} from './fakes.ts'

function open (overrides: Partial<MainWindowOptions> = {}) {
  const electron = createFakeElectron()
  let quitting = false
  const window = createMainWindow({
    BrowserWindow: electron.BrowserWindow,
    preloadPath: PRELOAD_PATH,
    rendererPath: RENDERER_PATH,
    rendererUrl: RENDERER_URL,
    startHidden: false,
    isQuitting: () => quitting,
    log: new RecordingLogger(),
    ...overrides
  })
  const fake = electron.windows[0]
  assert.ok(fake)
  assert.equal(fake, window)
  return { fake, setQuitting: (value: boolean) => { quitting = value } }
}

describe('createMainWindow', () => {
  it('isolates and sandboxes the renderer and loads the built preload', () => {
    const { fake } = open()
    const prefs = fake.options.webPreferences
    assert.ok(prefs)
    assert.equal(prefs.contextIsolation, true)
    assert.equal(prefs.sandbox, true)
    assert.equal(prefs.nodeIntegration, false)
    assert.equal(prefs.nodeIntegrationInWorker, false)
    assert.equal(prefs.nodeIntegrationInSubFrames, false)
    assert.equal(prefs.webSecurity, true)
    assert.equal(prefs.allowRunningInsecureContent, false)
    assert.equal(prefs.webviewTag, false)
    assert.equal(prefs.preload, PRELOAD_PATH)
  })

  it('loads the built renderer from disk', () => {
    const { fake } = open()
    assert.equal(fake.loadedFile, RENDERER_PATH)
  })

  it('shows itself when ready, unless started hidden', () => {
    const shown = open().fake
    assert.equal(shown.options.show, false)
    shown.emit('ready-to-show')
    assert.equal(shown.visible, true)

    const hidden = open({ startHidden: true }).fake
    hidden.emit('ready-to-show')
    assert.equal(hidden.visible, false)
  })

  it('blocks navigation away from the app page and window.open', () => {
    const { fake } = open()
    const away = new NavigationAttempt('https://attacker.example/')
    fake.webContents.emit('will-navigate', away)
    assert.equal(away.defaultPrevented, true)
    assert.ok(fake.webContents.windowOpenHandler)
    assert.deepEqual(fake.webContents.windowOpenHandler({ url: 'https://attacker.example/' }), { action: 'deny' })
  })

  it('hides to the tray on close while the app runs', () => {
    const { fake } = open()
    fake.show()
    const close = fake.tryClose()
    assert.equal(close.defaultPrevented, true)
    assert.equal(fake.destroyed, false)
    assert.equal(fake.visible, false)
  })

  it('really closes once the app is quitting', () => {
    const { fake, setQuitting } = open()
    setQuitting(true)
    const close = fake.tryClose()
    assert.equal(close.defaultPrevented, false)
    assert.equal(fake.destroyed, true)
  })

  it('logs a page that fails to load instead of crashing main', async () => {
    const log = new RecordingLogger()
    const electron = createFakeElectron()
    let rejectLoad = (_err: Error): void => {}
    class FailingWindow extends electron.BrowserWindow {
      override async loadFile (): Promise<void> {
        await new Promise<void>((_resolve, reject) => { rejectLoad = reject })
      }
    }
    createMainWindow({
      BrowserWindow: FailingWindow,
      preloadPath: PRELOAD_PATH,
      rendererPath: RENDERER_PATH,
      rendererUrl: RENDERER_URL,
      startHidden: false,
      isQuitting: () => false,
      log
    })
    rejectLoad(new Error('ERR_FILE_NOT_FOUND'))
    await new Promise<void>((resolve) => { setImmediate(resolve) })
    assert.equal(log.errors.length, 1)
  })
})

describe('revealWindow', () => {
  it('restores a minimised hidden window, shows and focuses it', () => {
    const { fake } = open()
    fake.minimized = true
    revealWindow(fake)
    assert.equal(fake.minimized, false)
    assert.equal(fake.visible, true)
    assert.equal(fake.focusCount, 1)
  })
})

describe('dashboardSenderCheck', () => {
  it('accepts the main frame of the dashboard window on the app page', () => {
    const { fake } = open()
    const check = dashboardSenderCheck(() => fake, RENDERER_URL)
    assert.equal(check(invokeEvent(fake.webContents.id, mainFrame(`${RENDERER_URL}#/notices`))), true)
  })

  it('refuses other windows, subframes, other pages, vanished frames and a missing or destroyed window', () => {
    const { fake } = open()
    const id = fake.webContents.id
    const check = dashboardSenderCheck(() => fake, RENDERER_URL)
    assert.equal(check(invokeEvent(id + 1, mainFrame(RENDERER_URL))), false, 'another webContents')
    assert.equal(check(invokeEvent(id, { url: RENDERER_URL, parent: mainFrame(RENDERER_URL) })), false, 'a subframe')
    assert.equal(check(invokeEvent(id, mainFrame('https://attacker.example/'))), false, 'a foreign page')
    assert.equal(check(invokeEvent(id, mainFrame('file:///tmp/evil.html'))), false, 'another local file')
    assert.equal(check(invokeEvent(id, null)), false, 'a frame that is gone')
    assert.equal(dashboardSenderCheck(() => null, RENDERER_URL)(invokeEvent(id, mainFrame(RENDERER_URL))), false, 'no window')
    const destroyed: BrowserWindowPort = fake
    fake.destroyed = true
    assert.equal(dashboardSenderCheck(() => destroyed, RENDERER_URL)(invokeEvent(id, mainFrame(RENDERER_URL))), false, 'destroyed window')
  })
})
