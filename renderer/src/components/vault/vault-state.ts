// How each engine state reads on the dashboard, and which of pause / resume it offers.
import type { VaultState } from '../../../../contract/host-api.ts'
import type { VaultAction } from '../../store.ts'

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

export type ActionOffer = { action: VaultAction, enabled: boolean, hint: string | null }

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
