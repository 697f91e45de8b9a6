// The tray: an icon per state (active, paused, problem), a tooltip with name, age and state, and
// a menu whose pause item follows the vault's state.
import type { VaultState, VaultStatus } from '../contract/host-api.ts'
import type { ImageLike, MenuItemTemplate, MenuPort, TrayCtor, TrayPort } from './ports.ts'

export type TrayState = 'active' | 'paused' | 'problem'

/** What the tray shows: before the first status, a status, or a host that failed to start. */
export type TrayView =
  | { kind: 'starting' }
  | { kind: 'status', status: VaultStatus }
  | { kind: 'error', message: string }

export interface TrayActions {
  openDashboard(): void
  pause(): void
  resume(): void
  quit(): void
}

/** Windows truncates tray tooltips at 127 characters. */
const TOOLTIP_MAX = 127

function stateIcon (state: VaultState): TrayState {
  switch (state) {
    case 'active': return 'active'
    case 'paused':
    case 'left':
    case 'starting': return 'paused'
    case 'restarting':
    case 'failed':
    case 'stopped': return 'problem'
    default: {
      const unknownState: never = state
      throw new TypeError(`"state" expected a VaultState, got ${String(unknownState)}`)
    }
  }
}

function criticalNotices (status: VaultStatus): number {
  return status.notices.filter((notice) => notice.severity === 'critical').length
}

export function trayStateOf (view: TrayView): TrayState {
  switch (view.kind) {
    case 'starting': return 'paused'
    case 'error': return 'problem'
    case 'status': return criticalNotices(view.status) > 0 ? 'problem' : stateIcon(view.status.state)
    default: {
      const unknownView: never = view
      throw new TypeError(`"view" expected a TrayView, got ${JSON.stringify(unknownView)}`)
    }
  }
}

/** A PeerId is long and its head is the same for every ed25519 key, so the tail identifies it. */
export function shortVaultName (name: string): string {
  return name.length > 12 ? `…${name.slice(-8)}` : name
}

export function trayTooltip (view: TrayView): string {
  let text: string
  switch (view.kind) {
    case 'starting':
      text = 'Vault Manager: starting'
      break
    case 'error':
      text = `Vault Manager: ${view.message}`
      break
    case 'status': {
      const { status } = view
      const critical = criticalNotices(status)
      text = `Vault Manager\nVault ${shortVaultName(status.name)} · age ${status.age} · ${status.state}`
      if (critical > 0) text += ` · ${critical} critical ${critical === 1 ? 'notice' : 'notices'}`
      break
    }
    default: {
      const unknownView: never = view
      throw new TypeError(`"view" expected a TrayView, got ${JSON.stringify(unknownView)}`)
    }
  }
  return text.length > TOOLTIP_MAX ? `${text.slice(0, TOOLTIP_MAX - 1)}…` : text
}

export function trayMenuTemplate (view: TrayView, actions: TrayActions): MenuItemTemplate[] {
  const state = view.kind === 'status' ? view.status.state : null
  const pauseItem: MenuItemTemplate = state === 'paused'
    ? { label: 'Resume vault', click: () => { actions.resume() } }
    : { label: 'Pause vault', enabled: state === 'active', click: () => { actions.pause() } }
  return [
    { label: 'Open dashboard', click: () => { actions.openDashboard() } },
    pauseItem,
    { type: 'separator' },
    { label: 'Quit', click: () => { actions.quit() } }
  ]
}

export interface VaultTrayOptions<Image extends ImageLike> {
  Tray: TrayCtor<Image>
  Menu: MenuPort
  icons: Record<TrayState, Image>
  actions: TrayActions
}

export interface VaultTray {
  show(view: TrayView): void
  destroy(): void
}

export function createVaultTray<Image extends ImageLike> (options: VaultTrayOptions<Image>): VaultTray {
  const initial: TrayView = { kind: 'starting' }
  const tray: TrayPort<Image> = new options.Tray(options.icons[trayStateOf(initial)])
  tray.on('click', () => { options.actions.openDashboard() })
  let destroyed = false
  const show = (view: TrayView): void => {
    if (destroyed) return
    tray.setImage(options.icons[trayStateOf(view)])
    tray.setToolTip(trayTooltip(view))
    tray.setContextMenu(options.Menu.buildFromTemplate(trayMenuTemplate(view, options.actions)))
  }
  show(initial)
  return {
    show,
    destroy () {
      if (destroyed) return
      destroyed = true
      tray.destroy()
    }
  }
}
