// The dashboard window: locked-down webPreferences, the built renderer loaded from file://, and
// closing hides it to the tray so the vault keeps running.
import type { BrowserWindowConstructorOptions } from 'electron'
import type { SenderCheck } from './ipc.ts'
import type { BrowserWindowCtor, BrowserWindowPort, Logger } from './ports.ts'
import { hardenWebContents, isAppPageUrl } from './security.ts'

export interface MainWindowOptions {
  BrowserWindow: BrowserWindowCtor
  /** Absolute path of the built preload bundle (dist/electron/preload.cjs). */
  preloadPath: string
  /** Absolute path of the built renderer page (dist/renderer/index.html). */
  rendererPath: string
  /** file:// URL of rendererPath, as Chromium reports it for the page's frames. */
  rendererUrl: string
  /** Window icon (Linux and Windows; macOS uses the bundle's icon). */
  iconPath?: string
  /** Start in the tray (e.g. launched at login); the window appears when the owner opens it. */
  startHidden: boolean
  /** Read on each close: while quitting, the window really closes. */
  isQuitting: () => boolean
  log: Logger
}

export function mainWindowOptions (preloadPath: string, iconPath?: string): BrowserWindowConstructorOptions {
  return {
    ...(iconPath === undefined ? {} : { icon: iconPath }),
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    title: 'Vault Manager',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false
    }
  }
}

export function createMainWindow (options: MainWindowOptions): BrowserWindowPort {
  const window = new options.BrowserWindow(mainWindowOptions(options.preloadPath, options.iconPath))
  hardenWebContents(window.webContents, options.rendererUrl)
  window.on('close', (event) => {
    if (options.isQuitting()) return
    event.preventDefault()
    window.hide()
  })
  if (!options.startHidden) window.once('ready-to-show', () => { window.show() })
  window.loadFile(options.rendererPath).catch((err: unknown) => {
    options.log.error('Vault Manager: the dashboard page failed to load', err)
  })
  return window
}

/** Brings the window to the front, restoring it from the tray or the taskbar. */
export function revealWindow (window: BrowserWindowPort): void {
  if (window.isDestroyed()) return
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}

/**
 * Accepts IPC only from the main frame of the dashboard window, showing the app's own page.
 * Anything else (another window, a subframe, a page navigated elsewhere, a frame already gone)
 * is refused.
 */
export function dashboardSenderCheck (getWindow: () => BrowserWindowPort | null, rendererUrl: string): SenderCheck {
  return (event) => {
    const window = getWindow()
    if (window === null || window.isDestroyed()) return false
    const frame = event.senderFrame
    return event.sender.id === window.webContents.id &&
      frame !== null &&
      frame.parent === null &&
      isAppPageUrl(frame.url, rendererUrl)
  }
}
