// The slice of Electron that the main process uses, as structural interfaces. main.ts hands the
// real modules in (the compiler checks that they fit); tests hand in fakes, because the Electron
// runtime cannot run under the Node test runner.
import type { BrowserWindowConstructorOptions } from 'electron'
import type { HostApi, HostEvent } from '../contract/host-api.ts'

/** The host as the shell sees it: the HostApi verbs plus its lifecycle and event stream. */
export interface HostLike extends HostApi {
  start(): Promise<void>
  stop(): Promise<void>
  subscribe(listener: (event: HostEvent) => void): () => void
}

export interface HostLikeOptions {
  dataDir: string
}

export type CreateHost = (options: HostLikeOptions) => HostLike

export interface PreventableEvent {
  preventDefault(): void
}

export interface NavigationEvent extends PreventableEvent {
  readonly url: string
}

export interface FrameLike {
  readonly url: string
  /** null for a main frame. */
  readonly parent: FrameLike | null
}

export interface IpcInvokeEventLike {
  readonly sender: { readonly id: number }
  /** null once the frame has navigated away or been destroyed. */
  readonly senderFrame: FrameLike | null
}

export type IpcInvokeHandler = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>

export interface IpcMainPort {
  handle(channel: string, listener: IpcInvokeHandler): void
  removeHandler(channel: string): void
}

export interface WindowOpenResponse {
  action: 'deny'
}

export interface WebContentsPort {
  readonly id: number
  send(channel: string, ...args: unknown[]): void
  isDestroyed(): boolean
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenResponse): void
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown
}

export interface BrowserWindowPort {
  readonly webContents: WebContentsPort
  loadFile(filePath: string): Promise<void>
  show(): void
  hide(): void
  focus(): void
  restore(): void
  isMinimized(): boolean
  isDestroyed(): boolean
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown
  once(event: 'ready-to-show', listener: () => void): unknown
}

export type BrowserWindowCtor = new (options: BrowserWindowConstructorOptions) => BrowserWindowPort

export type HeaderMap = Record<string, string | string[]>

export interface HeadersReceivedDetails {
  readonly url: string
  readonly responseHeaders?: Record<string, string[]>
}

export interface HeadersReceivedResponse {
  responseHeaders?: HeaderMap
}

export interface SessionPort {
  readonly webRequest: {
    onHeadersReceived(listener: (details: HeadersReceivedDetails, callback: (response: HeadersReceivedResponse) => void) => void): void
  }
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void
}

/** An image handle (Electron's NativeImage); the shell only passes it along. */
export interface ImageLike {
  isEmpty(): boolean
}

export interface NativeImagePort<Image extends ImageLike = ImageLike> {
  createFromPath(path: string): Image
}

export interface MenuItemTemplate {
  label?: string
  type?: 'normal' | 'separator'
  enabled?: boolean
  click?: () => void
}

/** A built menu (Electron's Menu); the shell only passes it along. */
export interface MenuLike {
  readonly items: readonly unknown[]
}

export interface MenuPort {
  buildFromTemplate(template: MenuItemTemplate[]): MenuLike
}

export interface TrayPort<Image extends ImageLike = ImageLike> {
  setImage(image: Image): void
  setToolTip(toolTip: string): void
  setContextMenu(menu: MenuLike | null): void
  on(event: 'click', listener: () => void): unknown
  destroy(): void
}

export type TrayCtor<Image extends ImageLike = ImageLike> = new (image: Image) => TrayPort<Image>

export interface NotificationPort {
  show(): void
  on(event: 'click', listener: () => void): unknown
}

export interface NotificationOptions {
  title: string
  body: string
  urgency?: 'normal' | 'critical' | 'low'
}

export interface NotificationCtor {
  new (options: NotificationOptions): NotificationPort
  isSupported(): boolean
}

export interface AppPort {
  requestSingleInstanceLock(): boolean
  enableSandbox(): void
  whenReady(): Promise<void>
  getPath(name: 'userData'): string
  quit(): void
  on(event: 'second-instance', listener: () => void): unknown
  on(event: 'activate', listener: () => void): unknown
  on(event: 'window-all-closed', listener: () => void): unknown
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsPort) => void): unknown
}

export interface Logger {
  warn(message: string, ...details: unknown[]): void
  error(message: string, ...details: unknown[]): void
}

/** Runs fn after ms; returns a function that cancels it. */
export type Schedule = (fn: () => void, ms: number) => () => void
