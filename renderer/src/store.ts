// The dashboard's state (zustand, vanilla so tests need no React): the connection, the latest
// VaultStatus snapshot, recent events, the pause/resume actions, the upgrade actions (issue 5) and
// the pause-and-fix actions (issue 3), each with their pending and error state. The host client is injected; main.tsx passes the
// real one, tests a fake.
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { HostEvent, VaultEvent, VaultStatus } from '../../contract/host-api.ts'
import type { UpgradePolicy } from '../../contract/upgrade.ts'
import type { ConnectionState, HostClient, TransportKind } from './host-client.ts'
import { HostUnavailableError } from './host/errors.ts'
import { MAX_RECENT_EVENTS, mergeEvents } from './store/recent-events.ts'

/** The owner's controls of the vault itself: pause or resume it, or have it leave the network. */
export type VaultAction = 'pause' | 'resume' | 'leave'

/** Which vault control failed, so the message shows beside it. */
export type VaultActionError = { action: VaultAction, message: string }

export type UpgradeAction = 'check' | 'approve' | 'defer' | 'rollback' | 'setPolicy'

/** Which control failed, so the message shows beside it. */
export type UpgradeError = { action: UpgradeAction, message: string }

/** Pause and fix (DESIGN §2): what a vault its section paused may ask of its engine. */
export type StandingAction = 'selfCheck' | 'reconnect'

export type StandingError = { action: StandingAction, message: string }

export type DashboardData = {
  transport: TransportKind
  connection: ConnectionState
  /** The latest snapshot; null until the host first answers. Kept (stale) while reconnecting. */
  status: VaultStatus | null
  /** Newest first, at most `eventLimit`. */
  events: VaultEvent[]
  pendingAction: VaultAction | null
  actionError: VaultActionError | null
  /** One upgrade request at a time: they all change the same candidate. */
  pendingUpgrade: UpgradeAction | null
  upgradeError: UpgradeError | null
  pendingStanding: StandingAction | null
  standingError: StandingError | null
  /** The host answered getStatus with an error. */
  hostError: string | null
  /** The latest message from the host that broke the contract (it was dropped). */
  protocolError: string | null
}

export type DashboardActions = {
  start(): void
  stop(): void
  refresh(): Promise<void>
  pause(): Promise<void>
  resume(): Promise<void>
  /** The section decides the Leave (it may take a minute); the host then keeps the vault stopped, state 'left'. */
  leave(): Promise<void>
  checkUpgrade(): Promise<void>
  approveUpgrade(): Promise<void>
  /** `until`: epoch milliseconds; the host refuses a time past the candidate's deadline. */
  deferUpgrade(until: number): Promise<void>
  rollbackUpgrade(): Promise<void>
  setUpgradePolicy(policy: UpgradePolicy): Promise<void>
  runSelfCheck(): Promise<void>
  /** The engine refuses unless the self-check passes (SelfCheckFailedError, with the fixes) and the section paused it. */
  reconnect(): Promise<void>
  retryNow(): void
  dismissActionError(): void
  dismissUpgradeError(): void
  dismissStandingError(): void
  dismissProtocolError(): void
}

export type DashboardState = DashboardData & DashboardActions
export type DashboardStore = StoreApi<DashboardState>

export type DashboardStoreOptions = { client: HostClient, eventLimit?: number }

/** Newest snapshot wins: a slow getStatus reply must not overwrite a later pushed status. */
export function acceptStatus (current: VaultStatus | null, incoming: VaultStatus): VaultStatus {
  if (current === null || incoming.updatedAt >= current.updatedAt) return incoming
  return current
}

export function describeError (err: unknown): string {
  if (err instanceof Error && err.message !== '') return err.message
  return String(err)
}

export function initialDashboardData (transport: TransportKind): DashboardData {
  return {
    transport,
    connection: { phase: 'connecting' },
    status: null,
    events: [],
    pendingAction: null,
    actionError: null,
    pendingUpgrade: null,
    upgradeError: null,
    pendingStanding: null,
    standingError: null,
    hostError: null,
    protocolError: null
  }
}

export function createDashboardStore ({ client, eventLimit = MAX_RECENT_EVENTS }: DashboardStoreOptions): DashboardStore {
  // After a reconnect the host may have restarted with a different clock: the first snapshot on
  // a fresh connection is taken as it is, later ones only if they are not older.
  let freshConnection = true

  return createStore<DashboardState>()((set, get) => {
    function takeStatus (status: VaultStatus): void {
      set((state) => ({
        status: freshConnection ? status : acceptStatus(state.status, status),
        events: mergeEvents(state.events, status.recentEvents, eventLimit),
        hostError: null
      }))
      freshConnection = false
    }

    function onEvent (event: HostEvent): void {
      switch (event.type) {
        case 'status':
          takeStatus(event.status)
          return
        case 'event':
          set((state) => ({ events: mergeEvents(state.events, [event.event], eventLimit) }))
          return
        default: {
          const unreachable: never = event
          throw new TypeError(`unknown host event ${String(unreachable)}`)
        }
      }
    }

    async function runAction (action: VaultAction): Promise<void> {
      if (get().pendingAction !== null) return
      set({ pendingAction: action, actionError: null })
      try {
        takeStatus(await client[action]({}))
      } catch (err) {
        set({ actionError: { action, message: describeError(err) } })
      } finally {
        set({ pendingAction: null })
      }
    }

    async function runUpgradeAction (action: UpgradeAction, request: () => Promise<VaultStatus>): Promise<void> {
      if (get().pendingUpgrade !== null) return
      set({ pendingUpgrade: action, upgradeError: null })
      try {
        takeStatus(await request())
      } catch (err) {
        set({ upgradeError: { action, message: describeError(err) } })
      } finally {
        set({ pendingUpgrade: null })
      }
    }

    async function runStandingAction (action: StandingAction, request: () => Promise<VaultStatus>): Promise<void> {
      if (get().pendingStanding !== null) return
      set({ pendingStanding: action, standingError: null })
      try {
        takeStatus(await request())
      } catch (err) {
        set({ standingError: { action, message: describeError(err) } })
      } finally {
        set({ pendingStanding: null })
      }
    }

    return {
      ...initialDashboardData(client.transport),
      start () {
        client.connect({
          onEvent,
          onConnection (connection) {
            set({ connection })
            if (connection.phase === 'open') {
              freshConnection = true
              void get().refresh()
            }
          },
          onProtocolError (message) { set({ protocolError: message }) }
        })
      },
      stop () { client.close() },
      async refresh () {
        try {
          takeStatus(await client.getStatus({}))
        } catch (err) {
          // A lost connection is already shown by the connection state; this is for the host's own errors.
          if (err instanceof Error && err.name === HostUnavailableError.NAME) return
          set({ hostError: describeError(err) })
        }
      },
      pause: () => runAction('pause'),
      resume: () => runAction('resume'),
      leave: () => runAction('leave'),
      checkUpgrade: () => runUpgradeAction('check', () => client.checkUpgrade({})),
      approveUpgrade: () => runUpgradeAction('approve', () => client.approveUpgrade({})),
      deferUpgrade: (until) => runUpgradeAction('defer', () => client.deferUpgrade({ until })),
      rollbackUpgrade: () => runUpgradeAction('rollback', () => client.rollbackUpgrade({})),
      setUpgradePolicy: (policy) => runUpgradeAction('setPolicy', () => client.setUpgradePolicy({ policy })),
      runSelfCheck: () => runStandingAction('selfCheck', () => client.runSelfCheck({})),
      reconnect: () => runStandingAction('reconnect', () => client.reconnect({})),
      retryNow () { client.reconnectNow() },
      dismissActionError () { set({ actionError: null }) },
      dismissUpgradeError () { set({ upgradeError: null }) },
      dismissStandingError () { set({ standingError: null }) },
      dismissProtocolError () { set({ protocolError: null }) }
    }
  })
}
