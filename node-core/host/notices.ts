// Notices (DESIGN §4): each problem the host can see, with what it costs and how to fix it.
// They are derived from the current state, so a notice clears itself once its cause is gone.
import { failedCheckFixes, type EraNotice, type ErrorValue, type Notice, type SectionStanding, type StoreStatus, type VaultState } from '../../contract/host-api.ts'
import { rejoinAge } from '../section/economy/pause-and-fix.ts'
import { upgradeNotices, type UpgradeNoticeInputs } from '../upgrade/manager/upgrade-notices.ts'

export interface NoticeInputs {
  state: VaultState
  peers: number
  store: StoreStatus
  restarts: number
  lastError: ErrorValue | undefined
  embedded: boolean
  settingsProblem: string | undefined
  /** The vault left the network at its owner's request: the age it may rejoin at, under a new name. */
  left?: { at: number, rejoinAge: number }
  /** Set when a peer told this vault it is outdated: the protocol ids it needs at least, and when. */
  upgradeRequired: { minimum: string[], since: number } | undefined
  /** The section's era is one this release does not support (DESIGN §2, versions and eras). */
  eraNotice?: EraNotice
  /** The upgrade manager's view (issue 5); absent before it has started. */
  upgrade?: Omit<UpgradeNoticeInputs, 'now'>
  /** This vault's standing in its section (DESIGN §2, pause, fix, demote); absent without a section. */
  section?: StandingNoticeInputs
  now: number
}

export interface StandingNoticeInputs {
  standing: SectionStanding
  /** The section's generation now: the pause deadline is one. */
  generation: number
  age: number
}

export function buildNotices (inputs: NoticeInputs): Notice[] {
  const notices: Notice[] = []
  const add = (notice: Omit<Notice, 'since'>): void => { notices.push({ ...notice, since: inputs.now }) }

  if (inputs.state === 'failed') {
    add({
      id: 'engine-crash-loop',
      severity: 'critical',
      title: 'The vault engine keeps crashing',
      detail: `It stopped ${inputs.restarts + 1} times in a short while, so the host stopped restarting it. Not serving, not earning, and age is at risk while it is down.${inputs.lastError === undefined ? '' : ` Last error: ${inputs.lastError.message}`}`,
      fix: 'Check free disk space and that the data folder is writable, then press Resume to start it again.'
    })
  } else if (inputs.state === 'restarting') {
    add({
      id: 'engine-restarting',
      severity: 'warning',
      title: 'The vault engine stopped unexpectedly',
      detail: 'The host is restarting it. Requests are not served until it is back.',
      fix: 'Nothing to do if it recovers; if this repeats, check free disk space and memory.'
    })
  }
  if (inputs.left !== undefined) {
    notices.push({
      id: 'vault-left',
      severity: 'info',
      title: 'This vault left the network',
      detail: 'Its section decided its Leave at your request, and the vault is stopped: it serves and earns nothing. Its data and earnings records stay on this disk.',
      fix: `To farm again, press Resume: it joins under a new name, at age ${inputs.left.rejoinAge}.`,
      since: inputs.left.at
    })
  }
  if (inputs.upgradeRequired !== undefined) {
    notices.push({
      id: 'upgrade-required',
      severity: 'critical',
      title: 'Upgrade required',
      detail: `Peers say this vault's engine is outdated: they need at least ${inputs.upgradeRequired.minimum.join(', ')}. ` +
        'Up-to-date vaults refuse and disconnect it, so it is not earning, and it cannot be chosen as elder.',
      fix: 'Install the update: let Vault Manager\'s upgrade pipeline install the latest verified engine, or update the desktop app.',
      since: inputs.upgradeRequired.since
    })
  }
  if (inputs.eraNotice !== undefined) {
    const stopped = inputs.eraNotice.level === 'error'
    add({
      id: 'era-unsupported',
      severity: stopped ? 'critical' : 'warning',
      title: stopped ? 'Stopped: the network moved to an era this vault does not support' : 'Upgrade before the network\'s next era',
      detail: inputs.eraNotice.text,
      fix: 'Install the latest verified release from the Upgrades view (or update the desktop app), then start the vault again.'
    })
  }
  if (inputs.section !== undefined) {
    const notice = standingNotice(inputs.section)
    if (notice !== undefined) add(notice)
  }
  if (inputs.upgrade !== undefined) notices.push(...upgradeNotices({ ...inputs.upgrade, now: inputs.now }))
  if (inputs.state === 'paused') {
    add({
      id: 'paused-by-owner',
      severity: 'info',
      title: 'Paused by you',
      detail: 'The vault serves what it holds but accepts no new data, so it earns nothing for new chunks.',
      fix: 'Press Resume when you want it to take new data again.'
    })
  }
  if (inputs.state === 'active' && inputs.peers === 0) {
    add({
      id: 'no-peers',
      severity: 'warning',
      title: 'Not connected to any other vault',
      detail: 'Without peers the vault cannot receive or serve data.',
      fix: 'Check the internet connection and that the firewall lets the vault connect out; it keeps retrying.'
    })
  }
  if (inputs.store.full) {
    add({
      id: 'store-full',
      severity: 'warning',
      title: 'Storage is full',
      detail: `${inputs.store.bytes} of ${inputs.store.capacityBytes} bytes are used; new chunks are refused, so the vault earns nothing for them.`,
      fix: 'Raise the storage cap or move the data folder to a larger disk.'
    })
  }
  if (inputs.store.quarantined > 0) {
    add({
      id: 'store-corruption',
      severity: 'warning',
      title: `${inputs.store.quarantined} corrupt chunk${inputs.store.quarantined === 1 ? ' was' : 's were'} quarantined`,
      detail: 'Their bytes no longer matched their addresses; they were never served and the network holds other copies.',
      fix: 'Check the disk\'s health (SMART) and free space.'
    })
  }
  if (inputs.settingsProblem !== undefined) {
    add({ id: 'settings-unreadable', severity: 'warning', title: 'Settings could not be read', detail: inputs.settingsProblem })
  }
  if (inputs.embedded) {
    add({
      id: 'embedded-network',
      severity: 'info',
      title: 'Running on an embedded local network',
      detail: 'No bootstrap peers are configured, so this vault joined a local network of vaults on this computer. Nothing leaves the machine.',
      fix: 'To farm on a real network, start with its bootstrap addresses (vault start --bootstrap ADDR).'
    })
  }
  return notices
}

const RECONNECT_FIX = 'Press Reconnect (or run vault resume): the vault runs its self-check and, once it passes, asks the elders to resume it.'

/** The pause-and-fix notice (issue 3, deliver 7): what is wrong, what it costs, how to fix it. */
export function standingNotice ({ standing, generation, age }: StandingNoticeInputs): Omit<Notice, 'since'> | undefined {
  switch (standing.state) {
    case 'active':
      return undefined
    case 'paused': {
      const reasons = standing.pause?.reasons ?? []
      const deadline = standing.pause === null ? '' : ` within ${churns(Math.max(0, standing.pause.deadline - generation))} (by generation ${standing.pause.deadline})`
      const failed = failedCheckFixes(standing.selfCheck)
      return {
        id: 'section-paused',
        severity: 'critical',
        title: 'Paused by its section',
        detail: `The section's elders paused this vault${reasons.length === 0 ? '' : `: ${reasons.join('; ')}`}. ` +
          'While paused it takes no new data and earns nothing. ' +
          // RFC 0045: a demoted vault rejoins at half its age.
          `Its age ${age} is at risk: unless it is fixed and resumed${deadline}, it is demoted, removed from the section, and rejoins at age ${rejoinAge(age)}.`,
        fix: failed.length > 0
          ? failed.join(' ')
          : standing.selfCheck?.passed === true ? 'The last self-check passed: press Reconnect (or run vault resume) to ask the elders to resume it.' : RECONNECT_FIX
      }
    }
    case 'resume-requested':
      return {
        id: 'resume-requested',
        severity: 'info',
        title: 'Resume requested',
        detail: `The self-check passed and the vault asked to be resumed. The elders are auditing it on probation: if it passes, it resumes at age ${age}; if not, it is paused again.`
      }
    case 'demoted':
      return {
        id: 'section-demoted',
        severity: 'critical',
        title: 'Demoted: removed from its section',
        detail: `The pause was not fixed in time, or the vault was paused too often, so the section removed it. It may rejoin at age ${standing.rejoinAge ?? rejoinAge(age)} (half its age, at least 5), and earns nothing until it has joined again.`,
        fix: 'Fix what caused the pause before the vault rejoins, or it will be paused again.'
      }
    default: {
      const unknownState: never = standing.state
      throw new RangeError(`unknown standing ${String(unknownState)}`)
    }
  }
}

function churns (count: number): string {
  return `${count} churn${count === 1 ? '' : 's'}`
}
