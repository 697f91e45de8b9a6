// The main process's lifecycle, free of Electron imports so that tests can drive it with fakes:
// one instance, a locked-down session and window, the host behind IPC, the tray, notifications,
// and a quit that stops the vault cleanly.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { HostEvent, VaultStatus } from '../contract/host-api.ts'
import { registerHostIpc } from './ipc.ts'
import { EVENT_CHANNEL } from './ipc-channels.ts'
import { createNoticeNotifier } from './notifications.ts'
import type {
  AppPort, BrowserWindowCtor, BrowserWindowPort, CreateHost, HostLike, ImageLike, IpcMainPort,
  Logger, MenuPort, NativeImagePort, NotificationCtor, Schedule, SessionPort, TrayCtor
} from './ports.ts'
import { denyAllPermissions, hardenWebContents, installContentSecurityPolicy } from './security.ts'
import { createVaultTray } from './tray.ts'
import type { TrayState, VaultTray } from './tray.ts'
import { createMainWindow, dashboardSenderCheck, revealWindow } from './window.ts'

export const DEFAULT_STOP_TIMEOUT_MS = 15_000

/** Image is Electron's NativeImage in main.ts and a stand-in in tests. */
export interface ElectronModules<Image extends ImageLike> {
  app: AppPort
  BrowserWindow: BrowserWindowCtor
  Tray: TrayCtor<Image>
  Menu: MenuPort
  ipcMain: IpcMainPort
  nativeImage: NativeImagePort<Image>
  Notification: NotificationCtor
  session: { readonly defaultSession: SessionPort }
}

export interface AppPaths {
  /** The bundled preload script (dist/electron/preload.cjs). */
  preload: string
  /** The built dashboard page (dist/renderer/index.html). */
  renderer: string
  /** The folder holding tray-<state>.png and icon.png. */
  assets: string
}

export interface VaultAppOptions<Image extends ImageLike> {
  electron: ElectronModules<Image>
  createHost: CreateHost
  paths: AppPaths
  /** Start in the tray without showing the window (e.g. launched at login). */
  startHidden?: boolean
  log?: Logger
  now?: () => number
  schedule?: Schedule
  /** How long Quit waits for the host to stop before exiting anyway. */
  stopTimeoutMs?: number
}

/** 'secondary': another instance was already running; this one asked it to show and quit. */
export type VaultAppRole = 'primary' | 'secondary'

const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms)
  return () => { clearTimeout(timer) }
}

function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Resolves when the host has stopped, failed to stop, or overrun its time. Never rejects. */
async function stopHostWithin (host: HostLike, timeoutMs: number, schedule: Schedule, log: Logger): Promise<void> {
  let cancel = (): void => {}
  const overrun = new Promise<void>((resolve) => {
    cancel = schedule(() => {
      log.warn(`Vault Manager: the vault did not stop within ${timeoutMs} ms; quitting anyway`)
      resolve()
    }, timeoutMs)
  })
  try {
    await Promise.race([host.stop(), overrun])
  } catch (err) {
    log.error('Vault Manager: the vault failed to stop cleanly', err)
  } finally {
    cancel()
  }
}

export async function startVaultApp<Image extends ImageLike> (options: VaultAppOptions<Image>): Promise<VaultAppRole> {
  const { app, ipcMain, nativeImage } = options.electron
  const log = options.log ?? console
  const schedule = options.schedule ?? realSchedule
  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS

  if (!app.requestSingleInstanceLock()) {
    // The running instance receives 'second-instance' and shows its window.
    app.quit()
    return 'secondary'
  }
  // Every renderer sandboxed, whatever a window's own preferences say. Must precede 'ready'.
  app.enableSandbox()

  const rendererUrl = pathToFileURL(options.paths.renderer).href
  let window: BrowserWindowPort | null = null
  let tray: VaultTray | null = null
  let host: HostLike | null = null
  let unsubscribe = (): void => {}
  let revealOnCreate = options.startHidden !== true
  let quitting = false
  let hostStopped = false
  let stopping: Promise<void> | null = null

  const openDashboard = (): void => {
    if (window === null) revealOnCreate = true
    else revealWindow(window)
  }

  app.on('second-instance', openDashboard)
  app.on('activate', openDashboard)
  // Closing the window hides it; the vault keeps running in the tray until Quit.
  app.on('window-all-closed', () => {})
  app.on('web-contents-created', (_event, contents) => { hardenWebContents(contents, rendererUrl) })
  app.on('before-quit', (event) => {
    quitting = true
    if (host === null || hostStopped) return
    event.preventDefault()
    if (stopping !== null) return
    const stoppingHost = host
    stopping = stopHostWithin(stoppingHost, stopTimeoutMs, schedule, log).then(() => {
      hostStopped = true
      unsubscribe()
      tray?.destroy()
      app.quit()
    })
  })

  await app.whenReady()
  if (quitting) return 'primary'

  const { defaultSession } = options.electron.session
  installContentSecurityPolicy(defaultSession)
  denyAllPermissions(defaultSession)

  const vaultHost = options.createHost({ dataDir: join(app.getPath('userData'), 'vault') })
  host = vaultHost
  registerHostIpc(ipcMain, vaultHost, dashboardSenderCheck(() => window, rendererUrl))

  window = createMainWindow({
    BrowserWindow: options.electron.BrowserWindow,
    preloadPath: options.paths.preload,
    rendererPath: options.paths.renderer,
    rendererUrl,
    iconPath: join(options.paths.assets, 'icon.png'),
    startHidden: !revealOnCreate,
    isQuitting: () => quitting,
    log
  })

  const loadTrayIcon = (state: TrayState): Image => {
    const image = nativeImage.createFromPath(join(options.paths.assets, `tray-${state}.png`))
    if (image.isEmpty()) log.warn(`Vault Manager: the tray icon for "${state}" is missing`)
    return image
  }
  const icons: Record<TrayState, Image> = {
    active: loadTrayIcon('active'),
    paused: loadTrayIcon('paused'),
    problem: loadTrayIcon('problem')
  }

  const notifier = createNoticeNotifier({
    Notification: options.electron.Notification,
    now: options.now ?? Date.now,
    onClick: openDashboard
  })
  const showStatus = (status: VaultStatus): void => {
    tray?.show({ kind: 'status', status })
    notifier.observe(status)
  }
  const runTrayVerb = (verb: 'pause' | 'resume'): void => {
    vaultHost[verb]({}).then(showStatus, (err: unknown) => {
      log.error(`Vault Manager: ${verb} failed`, err)
    })
  }
  const vaultTray = createVaultTray({
    Tray: options.electron.Tray,
    Menu: options.electron.Menu,
    icons,
    actions: {
      openDashboard,
      pause: () => { runTrayVerb('pause') },
      resume: () => { runTrayVerb('resume') },
      quit: () => { app.quit() }
    }
  })
  tray = vaultTray

  unsubscribe = vaultHost.subscribe((event: HostEvent) => {
    const target = window
    if (target !== null && !target.isDestroyed() && !target.webContents.isDestroyed()) {
      target.webContents.send(EVENT_CHANNEL, event)
    }
    if (event.type === 'status') showStatus(event.status)
  })

  try {
    await vaultHost.start()
    showStatus(await vaultHost.getStatus({}))
  } catch (err) {
    log.error('Vault Manager: the vault failed to start', err)
    vaultTray.show({ kind: 'error', message: `the vault failed to start: ${errorMessage(err)}` })
  }
  return 'primary'
}
