// The section as the owner reads it (issue 3, deliver 7; DESIGN §2): what its phase means, where
// it sits in the network, and what this vault is in it.
import type { SectionStatus, VaultState } from '../../../../contract/host-api.ts'
import { formatCount } from '../../format/bytes.ts'
import type { Tone } from '../vault/vault-state.ts'

/** DESIGN §2: the 7 oldest members are the elders; 5 of them sign a decision. */
export const ELDER_COUNT = 7
export const SUPERMAJORITY = 5

/**
 * Why a status has no section: an engine that is up and reports none is a shadow engine or one
 * older than the section protocol (contract/host-api.ts); otherwise the engine is not running.
 */
export function whyNoSection (state: VaultState): 'no-section' | 'not-running' {
  return state === 'active' || state === 'paused' ? 'no-section' : 'not-running'
}

export interface PhaseText { label: string, tone: Tone, detail: string }

/** Whether this vault is among the 7 oldest of the vaults listed (oldest first, ties by name as the engine ranks). */
export function amongOldest (section: Pick<SectionStatus, 'members'>, name: string): boolean {
  return section.members.slice(0, ELDER_COUNT).some(member => member.name === name)
}

export function describePhase (section: SectionStatus, name: string): PhaseText {
  switch (section.phase) {
    case 'forming': {
      const known = section.memberCount
      if (known < ELDER_COUNT) {
        return {
          label: 'Forming',
          tone: 'busy',
          detail: `A section forms under its ${ELDER_COUNT} oldest vaults. This vault knows ${formatCount(known)} of the ${ELDER_COUNT} needed (itself included) and is waiting to hear of more.`
        }
      }
      return {
        label: 'Forming',
        tone: 'busy',
        detail: amongOldest(section, name)
          ? `${formatCount(known)} vaults are known. This vault is among the ${ELDER_COUNT} oldest, so it will be an elder: the ${ELDER_COUNT} wait until their set stays the same, then create the section key together.`
          : `${formatCount(known)} vaults are known. The ${ELDER_COUNT} oldest will create the section key; this vault then asks them to admit it.`
      }
    }
    case 'keying': return {
      label: 'Creating the key',
      tone: 'busy',
      detail: `This vault is one of the ${ELDER_COUNT} elders running the distributed key generation: each elder gets a share of the section key, and no vault ever holds the whole key.`
    }
    case 'confirming': return {
      label: 'Confirming the key',
      tone: 'busy',
      detail: `This vault has its key share and waits for ${SUPERMAJORITY} of the ${ELDER_COUNT} elders to sign the same section key.`
    }
    case 'active': return {
      label: 'Active',
      tone: 'good',
      detail: `The section has its key and its ${ELDER_COUNT} elders: every join, leave or relocation is a decision signed by ${SUPERMAJORITY} of them.`
    }
    default: {
      const unreachable: never = section.phase
      throw new TypeError(`unknown section phase ${String(unreachable)}`)
    }
  }
}

/** '' is the whole network: the network splits into sections only when it grows (DESIGN §2). */
export function describePrefix (prefix: string): string {
  return prefix === '' ? 'Whole network (one section)' : `Names starting with bits ${prefix}`
}

export type SelfRole = 'elder' | 'adult' | 'waiting' | 'founding' | 'elder-to-be'

export interface SelfRoleText { role: SelfRole, label: string, tone: Tone, detail: string }

/** What this vault is in its section. */
export function describeSelf (section: SectionStatus, name: string): SelfRoleText {
  if (section.phase === 'keying' || section.phase === 'confirming') {
    return { role: 'elder-to-be', label: 'Elder (founding)', tone: 'busy', detail: 'One of the oldest vaults known: it takes part in creating the section key.' }
  }
  if (section.phase === 'forming') {
    return amongOldest(section, name) && section.memberCount >= ELDER_COUNT
      ? { role: 'elder-to-be', label: 'Elder to be', tone: 'busy', detail: `Among the ${ELDER_COUNT} oldest vaults known: it will help create the section key.` }
      : { role: 'founding', label: 'Not a member yet', tone: 'muted', detail: 'The section does not exist yet; this vault will join it once it has a key.' }
  }
  if (section.isElder) return { role: 'elder', label: 'Elder', tone: 'good', detail: `One of the ${ELDER_COUNT} oldest members: it votes on decisions and holds a share of the section key.` }
  if (section.isMember) return { role: 'adult', label: 'Member', tone: 'good', detail: 'An adult member: it stores data and earns rewards; the elders decide for the section.' }
  const detail = section.joinsAllowed === false
    ? 'The section admits new vaults only while it needs storage: this vault keeps asking, and joins once a member leaves or an adult is 90 % full.'
    : 'The section is active and this vault is asking its elders to admit it.'
  return { role: 'waiting', label: 'Waiting to join', tone: 'warn', detail }
}

/** A copyable key is long: its first and last hex digits identify it at a glance. */
export function shortSectionKey (key: string): string {
  return key.length <= 20 ? key : `${key.slice(0, 10)}…${key.slice(-8)}`
}
