import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { VaultState } from '../../../contract/host-api.ts'
import { createVaultTray, shortVaultName, trayMenuTemplate, trayStateOf, trayTooltip } from '../../../electron/tray.ts'
import type { TrayActions, TrayState, TrayView } from '../../../electron/tray.ts'
import { clickMenuItem, createFakeElectron, FakeImage, makeNotice, makeStatus, menuItem } from './fakes.ts'

function statusView (state: VaultState, critical = false): TrayView {
  return { kind: 'status', status: makeStatus({ state, notices: critical ? [makeNotice()] : [] }) }
}

function recordingActions (): { actions: TrayActions, calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    actions: {
      openDashboard: () => { calls.push('openDashboard') },
      pause: () => { calls.push('pause') },
      resume: () => { calls.push('resume') },
      quit: () => { calls.push('quit') }
    }
  }
}

describe('trayStateOf', () => {
  it('maps every vault state to an icon', () => {
    const expected: Record<VaultState, TrayState> = {
      active: 'active',
      paused: 'paused',
      starting: 'paused',
      restarting: 'problem',
      failed: 'problem',
      stopped: 'problem',
      left: 'paused'
    }
    for (const [state, icon] of Object.entries(expected)) {
      assert.equal(trayStateOf(statusView(state as VaultState)), icon, state)
    }
  })

  it('shows a problem whenever a critical notice is open, even while active', () => {
    assert.equal(trayStateOf(statusView('active', true)), 'problem')
    assert.equal(trayStateOf({ kind: 'status', status: makeStatus({ notices: [makeNotice({ severity: 'warning' })] }) }), 'active')
  })

  it('shows a host that failed to start as a problem and a starting one as not yet serving', () => {
    assert.equal(trayStateOf({ kind: 'error', message: 'boom' }), 'problem')
    assert.equal(trayStateOf({ kind: 'starting' }), 'paused')
  })
})

describe('trayTooltip', () => {
  it('names the vault, its age and its state', () => {
    const tooltip = trayTooltip(statusView('paused'))
    assert.equal(tooltip, 'Vault Manager\nVault …7Kx2pLm9 · age 12 · paused')
  })

  it('counts critical notices', () => {
    assert.match(trayTooltip(statusView('active', true)), /· 1 critical notice$/)
  })

  it('stays within the 127 characters Windows shows', () => {
    const tooltip = trayTooltip({ kind: 'error', message: 'x'.repeat(500) })
    assert.equal(tooltip.length, 127)
    assert.ok(tooltip.endsWith('…'))
  })

  it('keeps short names whole and shortens PeerIds to their distinctive tail', () => {
    assert.equal(shortVaultName('vault-a'), 'vault-a')
    assert.equal(shortVaultName('12D3KooWAbCdEfGhIjKlMnOp'), '…IjKlMnOp')
  })
})

describe('trayMenuTemplate', () => {
  it('offers Pause while active and Resume while paused', () => {
    const { actions, calls } = recordingActions()
    const active = { items: trayMenuTemplate(statusView('active'), actions) }
    assert.equal(menuItem(active, 'Pause vault').enabled, true)
    assert.throws(() => menuItem(active, 'Resume vault'))
    clickMenuItem(active, 'Pause vault')

    const paused = { items: trayMenuTemplate(statusView('paused'), actions) }
    assert.throws(() => menuItem(paused, 'Pause vault'))
    clickMenuItem(paused, 'Resume vault')
    assert.deepEqual(calls, ['pause', 'resume'])
  })

  it('disables Pause while the vault is not serving', () => {
    const { actions } = recordingActions()
    for (const view of [statusView('starting'), statusView('restarting'), { kind: 'starting' } as const]) {
      assert.equal(menuItem({ items: trayMenuTemplate(view, actions) }, 'Pause vault').enabled, false)
    }
  })

  it('always offers Open dashboard and Quit', () => {
    const { actions, calls } = recordingActions()
    const menu = { items: trayMenuTemplate({ kind: 'error', message: 'boom' }, actions) }
    clickMenuItem(menu, 'Open dashboard')
    clickMenuItem(menu, 'Quit')
    assert.deepEqual(calls, ['openDashboard', 'quit'])
  })
})

describe('createVaultTray', () => {
  const icons = { active: new FakeImage('active.png'), paused: new FakeImage('paused.png'), problem: new FakeImage('problem.png') }

  it('starts with the not-yet-serving icon and follows each view', () => {
    const electron = createFakeElectron()
    const { actions } = recordingActions()
    const vaultTray = createVaultTray({ Tray: electron.Tray, Menu: electron.Menu, icons, actions })
    const tray = electron.trays[0]
    assert.ok(tray)
    assert.equal(tray.image, icons.paused)
    assert.equal(tray.toolTip, 'Vault Manager: starting')

    vaultTray.show(statusView('active'))
    assert.equal(tray.image, icons.active)
    assert.match(tray.toolTip, /age 12 · active/)
    assert.equal(menuItem(tray.menu, 'Pause vault').enabled, true)

    vaultTray.show(statusView('active', true))
    assert.equal(tray.image, icons.problem)
  })

  it('opens the dashboard on click and ignores views after destroy', () => {
    const electron = createFakeElectron()
    const { actions, calls } = recordingActions()
    const vaultTray = createVaultTray({ Tray: electron.Tray, Menu: electron.Menu, icons, actions })
    const tray = electron.trays[0]
    assert.ok(tray)
    tray.emit('click')
    assert.deepEqual(calls, ['openDashboard'])
    vaultTray.destroy()
    assert.equal(tray.destroyed, true)
    vaultTray.show(statusView('active'))
    assert.equal(tray.image, icons.paused)
  })
})
