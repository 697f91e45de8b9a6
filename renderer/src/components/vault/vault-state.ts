// How each engine state reads on the dashboard, which of pause / resume it offers, and whether the
// vault may leave the network.
import type { VaultState, VaultStatus } from '../../../../contract/host-api.ts'
import type { VaultAction } from '../../store.ts'
import { rejoinAgeOf } from '../pause/standing-text.ts'

export type Tone = 'good' | 'busy' | 'warn' | 'bad' | 'muted'

export type StateInfo = { label: string, tone: Tone, description: string }

export function describeState (state: VaultState): StateInfo {
  switch (state) {
    case 'starting': return { label: 'Starting', tone: 'busy', description: 'The engine is launching and loading its identity.' }
    case 'active': return { label: 'Active', tone: 'good', description: 'Serving and accepting data.' }
    case 'paused': return { label: 'Paused', tone: 'warn', description: 'Paused by you: serves reads, accepts no new data.' }
    case 'restarting': return { label: 'Restarting', tone: 'busy', description: 'The engine stopped; the host restarts it after a short wait.' }
    case 'failed': return { label: 'Failed', tone: 'bad', description: 'The engine kept crashing, so the host stopped restarting it.' }
    case 'stopped': return { label: 'Stopped', tone: 'muted', description: 'The engine is not running.' }
    case 'left': return { label: 'Left the network', tone: 'muted', description: 'Its section decided its Leave at your request: it serves and earns nothing.' }
    default: {
      const unreachable: never = state
      throw new TypeError(`unknown vault state ${String(unreachable)}`)
    }
  }
}

export type ActionOffer = { action: Exclude<VaultAction, 'leave'>, enabled: boolean, hint: string | null }

/** The one control the dashboard shows for a state: pause a running vault, resume a stopped one. */
export function offeredAction (state: VaultState): ActionOffer {
  switch (state) {
    case 'active': return { action: 'pause', enabled: true, hint: null }
    case 'starting':
    case 'restarting': return { action: 'pause', enabled: false, hint: 'Available once the vault is running.' }
    case 'paused': return { action: 'resume', enabled: true, hint: null }
    case 'failed':
    case 'stopped': return { action: 'resume', enabled: true, hint: 'Resuming asks the host to start the engine again.' }
    case 'left': return { action: 'resume', enabled: true, hint: 'Resuming joins the network again under a new name, at half the vault\'s age.' }
    default: {
      const unreachable: never = state
      throw new TypeError(`unknown vault state ${String(unreachable)}`)
    }
  }
}

/**
 * Leaving the network, offered to a member of a section while its engine runs: the question that
 * says what it costs before the owner confirms, or null when there is nothing to leave.
 */
export function leaveQuestion (status: Pick<VaultStatus, 'state' | 'age' | 'section'>): string | null {
  if ((status.state !== 'active' && status.state !== 'paused') || status.section?.isMember !== true) return null
  return `Leaving is for good: this vault of age ${status.age} may come back only under a new name, at age ${rejoinAgeOf(status.age)}. ` +
    'Its section decides the Leave, then the vault stops; its data stays on this computer.'
}
