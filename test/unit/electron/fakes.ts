// Fakes of the Electron modules the main process uses, and of the host. Each call to
// createFakeElectron() returns fresh classes, so tests never share instances.
import { EventEmitter } from 'node:events'
import type { BrowserWindowConstructorOptions } from 'electron'
import type { HostEvent, Notice, VaultStatus } from '../../../contract/host-api.ts'
import { sampleStatus } from '../../helpers/sample-status.ts'
import type {
  FrameLike, HeadersReceivedDetails, HeadersReceivedResponse, HostLike, HostLikeOptions,
  IpcInvokeEventLike, IpcInvokeHandler, Logger, MenuItemTemplate, NotificationOptions,
  PreventableEvent, Schedule, WindowOpenResponse
} from '../../../electron/ports.ts'

export const USER_DATA = '/home/farmer/.config/Vault Manager'
export const RENDERER_PATH = '/opt/vault-manager/dist/renderer/index.html'
export const RENDERER_URL = 'file:///opt/vault-manager/dist/renderer/index.html'
export const PRELOAD_PATH = '/opt/vault-manager/dist/electron/preload.cjs'
export const ASSETS_PATH = '/opt/vault-manager/assets'

export function makeStatus (overrides: Partial<VaultStatus> = {}): VaultStatus {
  return sampleStatus({
    name: '12D3KooWQmExampleVaultNameForTestsOnly7Kx2pLm9',
    protocols: ['/vault/1.0.0'],
    peers: 9,
    store: { chunks: 10, bytes: 4096, capacityBytes: 1_000_000, full: false, quarantined: 0 },
    network: { kind: 'embedded', bootstrap: [], listenAddrs: ['/ip4/127.0.0.1/tcp/4001'] },
    recentEvents: [],
    updatedAt: 1_700_000_000_500,
    ...overrides
  })
}

export function makeNotice (overrides: Partial<Notice> = {}): Notice {
  return {
    id: 'disk-full',
    severity: 'critical',
    title: 'Disk almost full',
    detail: 'Not earning: the store cannot accept new chunks.',
    fix: 'Free some space or lower the storage cap.',
    since: 1_700_000_000_000,
    ...overrides
  }
}

export class RecordingEvent implements PreventableEvent {
  defaultPrevented = false
  preventDefault (): void { this.defaultPrevented = true }
}

export class NavigationAttempt extends RecordingEvent {
  readonly url: string
  constructor (url: string) {
    super()
    this.url = url
  }
}

export class FakeImage {
  readonly path: string
  readonly empty: boolean
  constructor (path: string, empty = false) {
    this.path = path
    this.empty = empty
  }

  isEmpty (): boolean { return this.empty }
}

export class FakeWebContents extends EventEmitter {
  readonly id: number
  readonly sent: Array<{ channel: string, args: unknown[] }> = []
  windowOpenHandler: ((details: { url: string }) => WindowOpenResponse) | null = null
  destroyed = false
  constructor (id: number) {
    super()
    this.id = id
  }

  send (channel: string, ...args: unknown[]): void { this.sent.push({ channel, args }) }
  isDestroyed (): boolean { return this.destroyed }
  setWindowOpenHandler (handler: (details: { url: string }) => WindowOpenResponse): void { this.windowOpenHandler = handler }
}

export function mainFrame (url: string): FrameLike {
  return { url, parent: null }
}

export function invokeEvent (senderId: number, frame: FrameLike | null): IpcInvokeEventLike {
  return { sender: { id: senderId }, senderFrame: frame }
}

export class FakeIpcMain {
  readonly handlers = new Map<string, IpcInvokeHandler>()
  handle (channel: string, listener: IpcInvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }

  removeHandler (channel: string): void { this.handlers.delete(channel) }

  async invoke (channel: string, event: IpcInvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`)
    return await handler(event, ...args)
  }
}

export class FakeSession {
  headersListener: ((details: HeadersReceivedDetails, callback: (response: HeadersReceivedResponse) => void) => void) | null = null
  permissionRequestHandler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null
  permissionCheckHandler: ((webContents: unknown, permission: string) => boolean) | null = null
  readonly webRequest = {
    onHeadersReceived: (listener: (details: HeadersReceivedDetails, callback: (response: HeadersReceivedResponse) => void) => void): void => {
      this.headersListener = listener
    }
  }

  setPermissionRequestHandler (handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void {
    this.permissionRequestHandler = handler
  }

  setPermissionCheckHandler (handler: (webContents: unknown, permission: string) => boolean): void {
    this.permissionCheckHandler = handler
  }
}

export interface FakeMenu {
  readonly items: MenuItemTemplate[]
}

export const FakeMenuModule = {
  buildFromTemplate (template: MenuItemTemplate[]): FakeMenu { return { items: template } }
}

export function menuItem (menu: FakeMenu | null, label: string): MenuItemTemplate {
  const item = menu?.items.find((candidate) => candidate.label === label)
  if (item === undefined) throw new Error(`no menu item "${label}" in [${(menu?.items ?? []).map((i) => i.label ?? '-').join(', ')}]`)
  return item
}

export function clickMenuItem (menu: FakeMenu | null, label: string): void {
  const item = menuItem(menu, label)
  if (item.click === undefined) throw new Error(`menu item "${label}" has no click handler`)
  item.click()
}

/** Fresh fake classes per test: constructed instances are recorded on the returned object. */
export function createFakeElectron () {
  const windows: FakeBrowserWindow[] = []
  const trays: FakeTray[] = []
  const notifications: FakeNotification[] = []
  let nextWebContentsId = 1

  class FakeBrowserWindow extends EventEmitter {
    readonly options: BrowserWindowConstructorOptions
    readonly webContents = new FakeWebContents(nextWebContentsId++)
    loadedFile: string | null = null
    visible = false
    minimized = false
    destroyed = false
    focusCount = 0
    constructor (options: BrowserWindowConstructorOptions) {
      super()
      this.options = options
      windows.push(this)
    }

    async loadFile (filePath: string): Promise<void> { this.loadedFile = filePath }
    show (): void { this.visible = true }
    hide (): void { this.visible = false }
    focus (): void { this.focusCount++ }
    restore (): void { this.minimized = false }
    isMinimized (): boolean { return this.minimized }
    isDestroyed (): boolean { return this.destroyed }
    /** What Electron does on close: emit 'close', then destroy unless prevented. */
    tryClose (): RecordingEvent {
      const event = new RecordingEvent()
      this.emit('close', event)
      if (!event.defaultPrevented) {
        this.destroyed = true
        this.webContents.destroyed = true
        this.visible = false
      }
      return event
    }
  }

  class FakeTray extends EventEmitter {
    image: FakeImage
    toolTip = ''
    menu: FakeMenu | null = null
    destroyed = false
    constructor (image: FakeImage) {
      super()
      this.image = image
      trays.push(this)
    }

    setImage (image: FakeImage): void { this.image = image }
    setToolTip (toolTip: string): void { this.toolTip = toolTip }
    setContextMenu (menu: FakeMenu | null): void { this.menu = menu }
    destroy (): void { this.destroyed = true }
  }

  class FakeNotification extends EventEmitter {
    static supported = true
    static isSupported (): boolean { return FakeNotification.supported }
    readonly options: NotificationOptions
    shown = false
    constructor (options: NotificationOptions) {
      super()
      this.options = options
      notifications.push(this)
    }

    show (): void { this.shown = true }
  }

  const nativeImage = {
    missing: new Set<string>(),
    createFromPath (path: string): FakeImage { return new FakeImage(path, nativeImage.missing.has(path)) }
  }

  return {
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Notification: FakeNotification,
    Menu: FakeMenuModule,
    nativeImage,
    windows,
    trays,
    notifications
  }
}

export type FakeElectron = ReturnType<typeof createFakeElectron>

/**
 * Electron's app as far as the controller sees it. quit() emits 'before-quit' like Electron;
 * unless a listener prevents it, the app exits: windows are closed and `exited` resolves.
 */
export class FakeApp extends EventEmitter {
  lockGranted = true
  sandboxEnabled = false
  quitCalls = 0
  exitedFlag = false
  readonly exited: Promise<void>
  private readonly markExited: () => void
  private readonly closeWindows: () => void
  constructor (closeWindows: () => void = () => {}) {
    super()
    let markExited = (): void => {}
    this.exited = new Promise<void>((resolve) => { markExited = resolve })
    this.markExited = markExited
    this.closeWindows = closeWindows
  }

  requestSingleInstanceLock (): boolean { return this.lockGranted }
  enableSandbox (): void { this.sandboxEnabled = true }
  async whenReady (): Promise<void> {}
  getPath (name: 'userData'): string {
    if (name !== 'userData') throw new Error(`unexpected path ${String(name)}`)
    return USER_DATA
  }

  quit (): void {
    this.quitCalls++
    const event = new RecordingEvent()
    this.emit('before-quit', event)
    if (event.defaultPrevented) return
    this.closeWindows()
    this.exitedFlag = true
    this.markExited()
  }
}

/** A host whose replies, start and stop the test controls. */
export class FakeHost implements HostLike {
  readonly calls: string[] = []
  readonly options: HostLikeOptions
  status: VaultStatus = makeStatus()
  startError: Error | null = null
  stopped = false
  /** When set, stop() waits for it. */
  stopGate: Promise<void> | null = null
  private readonly listeners = new Set<(event: HostEvent) => void>()
  constructor (options: HostLikeOptions) {
    this.options = options
  }

  async start (): Promise<void> {
    this.calls.push('start')
    if (this.startError !== null) throw this.startError
  }

  async stop (): Promise<void> {
    this.calls.push('stop')
    if (this.stopGate !== null) await this.stopGate
    this.stopped = true
  }

  subscribe (listener: (event: HostEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  get subscriberCount (): number { return this.listeners.size }

  emit (event: HostEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  async getStatus (_params: Record<string, never>): Promise<VaultStatus> {
    this.calls.push('getStatus')
    return this.status
  }

  async pause (_params: Record<string, never>): Promise<VaultStatus> {
    this.calls.push('pause')
    this.status = { ...this.status, state: 'paused' }
    return this.status
  }

  async resume (_params: Record<string, never>): Promise<VaultStatus> {
    this.calls.push('resume')
    this.status = { ...this.status, state: 'active' }
    return this.status
  }

  // The upgrade verbs only record the call: the Electron side carries them like any other verb.
  async checkUpgrade (): Promise<VaultStatus> { return this.recordCall('checkUpgrade') }
  async shadowUpgrade (): Promise<VaultStatus> { return this.recordCall('shadowUpgrade') }
  async approveUpgrade (): Promise<VaultStatus> { return this.recordCall('approveUpgrade') }
  async deferUpgrade (): Promise<VaultStatus> { return this.recordCall('deferUpgrade') }
  async rollbackUpgrade (): Promise<VaultStatus> { return this.recordCall('rollbackUpgrade') }
  async setUpgradePolicy (): Promise<VaultStatus> { return this.recordCall('setUpgradePolicy') }
  // So do the pause-and-fix verbs (issue 3).
  async runSelfCheck (): Promise<VaultStatus> { return this.recordCall('runSelfCheck') }
  async reconnect (): Promise<VaultStatus> { return this.recordCall('reconnect') }
  async leave (): Promise<VaultStatus> { return this.recordCall('leave') }

  private recordCall (verb: string): VaultStatus {
    this.calls.push(verb)
    return this.status
  }
}

export class RecordingLogger implements Logger {
  readonly warnings: string[] = []
  readonly errors: string[] = []
  warn (message: string): void { this.warnings.push(message) }
  error (message: string): void { this.errors.push(message) }
}

/** A Schedule whose timers fire only when the test says so. */
export class ManualScheduler {
  readonly pending: Array<{ fn: () => void, ms: number, cancelled: boolean }> = []
  readonly schedule: Schedule = (fn, ms) => {
    const timer = { fn, ms, cancelled: false }
    this.pending.push(timer)
    return () => { timer.cancelled = true }
  }

  fireAll (): void {
    for (const timer of this.pending.splice(0)) if (!timer.cancelled) timer.fn()
  }
}

/** Resolves once every already-queued promise continuation has run. */
export async function settle (): Promise<void> {
  await new Promise<void>((resolve) => { setImmediate(resolve) })
}
