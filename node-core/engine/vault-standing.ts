// The vault's side of pause and fix (issue 3 deliver 4 and 6, DESIGN §2). As an elder it audits
// the section's adults (section-audits.ts); as a member it answers audits (the audit protocol),
// runs its self-check while its section has paused it, and on Reconnect asks the elders to resume
// it once the self-check passes. When its section demotes it, it says so ('vault:demoted'): the
// engine then rejoins under its next name (takeNextName).
import { TypedEventEmitter } from 'main-event'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { failedCheckFixes, type SelfCheck } from '../../contract/host-api.ts'
import { namedError } from '../../contract/named-error.ts'
import { AuditService, type AuditServiceInit } from './audit/audit-service.ts'
import type { AuditMaterialSnapshot } from './audit/audit-material.ts'
import { runSelfCheck } from './audit/self-check.ts'
import type { LocalTrust } from './network/local-trust.ts'
import { DEFAULT_PAUSED_SELF_CHECK_MS } from './section/constants.ts'
import { SectionAudits } from './section/section-audits.ts'
import type { SectionService } from './section/section-service.ts'
import type { ChunkStore } from './store/chunk-store.ts'

/** Reconnect while the self-check fails: its message lists each failed check's fix. */
export class SelfCheckFailedError extends namedError('SelfCheckFailedError') {}

export interface VaultStandingComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol'>
  trust: Pick<LocalTrust, 'penalize' | 'isIgnored' | 'reward'>
  store: ChunkStore
  section: SectionService
  putChunk: (peer: PeerId, bytes: Uint8Array, options: { signal: AbortSignal }) => Promise<boolean>
  /** Audit material a previous run kept, and where to keep it. */
  material?: AuditMaterialSnapshot
  persistMaterial?: (snapshot: AuditMaterialSnapshot) => Promise<void>
  listenAddresses: () => readonly string[]
  connectedPeers: () => number
  activity: (kind: string, message: string) => void
  now?: () => number
}

export interface VaultStandingInit {
  /** Time between an elder's audit rounds. */
  auditIntervalMs?: number
  /** How often a paused vault runs its self-check. */
  pausedSelfCheckMs?: number
  audit?: AuditServiceInit
}

export interface VaultStandingEvents {
  'vault:demoted': CustomEvent<{ rejoinAge: number }>
}

export class VaultStanding extends TypedEventEmitter<VaultStandingEvents> {
  readonly audits: AuditService
  readonly #components: VaultStandingComponents
  readonly #rounds: SectionAudits
  readonly #pausedSelfCheckMs: number
  #selfCheckTimer: ReturnType<typeof setInterval> | undefined

  constructor (components: VaultStandingComponents, init: VaultStandingInit = {}) {
    super()
    this.#components = components
    const { libp2p, trust, store, putChunk, material, persistMaterial, section, activity } = components
    this.audits = new AuditService({
      libp2p, trust, store, putChunk, ...(material === undefined ? {} : { material }), ...(persistMaterial === undefined ? {} : { persistMaterial })
    }, init.audit)
    this.#rounds = new SectionAudits({ section, audits: this.audits, activity }, init.auditIntervalMs === undefined ? {} : { intervalMs: init.auditIntervalMs })
    this.#pausedSelfCheckMs = init.pausedSelfCheckMs ?? DEFAULT_PAUSED_SELF_CHECK_MS
    section.addEventListener('section:standing', event => {
      if (!event.detail.self) return
      this.#watchWhilePaused()
      if (event.detail.kind === 'demote') {
        const rejoinAge = section.node.standing.rejoinAge
        if (rejoinAge !== null) this.dispatchEvent(new CustomEvent('vault:demoted', { detail: { rejoinAge } }))
      }
    })
    // A vault that restarts while paused learns it from the section's statement.
    section.addEventListener('section:established', () => { this.#watchWhilePaused() })
  }

  /** Registers the audit protocol: before libp2p starts, so identify announces it. */
  async start (): Promise<void> {
    await this.audits.start()
    this.#rounds.start()
  }

  async stop (): Promise<void> {
    clearInterval(this.#selfCheckTimer)
    this.#selfCheckTimer = undefined
    this.#rounds.stop()
    await this.audits.stop()
  }

  get paused (): boolean {
    const state = this.#components.section.node.standing.state
    return state === 'paused' || state === 'resume-requested'
  }

  async runSelfCheck (): Promise<SelfCheck> {
    const { store, listenAddresses, connectedPeers, section } = this.#components
    const report = await runSelfCheck({ store, alwaysCheck: this.audits.challengedAddresses(), listenAddresses, connectedPeers })
    const check: SelfCheck = { ...report, at: (this.#components.now ?? Date.now)() }
    section.node.recordSelfCheck(check)
    return check
  }

  /** Self-check, then ask the elders to resume this vault (NotPausedError when it is not paused). */
  async reconnect (): Promise<SelfCheck> {
    const check = await this.runSelfCheck()
    if (!check.passed) {
      const fixes = [...new Set(failedCheckFixes(check))]
      throw new SelfCheckFailedError(`the self-check fails, so the vault cannot ask to resume yet: ${fixes.join(' ')}`)
    }
    // Reads while the chunk folder was gone dropped chunks from the index: take the folder as it is now.
    await this.#components.store.reindex()
    await this.#components.section.node.requestResume()
    this.#components.activity('section:resume-requested', 'the self-check passed: asked the elders to resume this vault; they audit it on probation')
    return check
  }

  /** While paused, the self-check runs on its own, so the owner sees when the fix has worked. */
  #watchWhilePaused (): void {
    if (!this.paused) {
      clearInterval(this.#selfCheckTimer)
      this.#selfCheckTimer = undefined
      return
    }
    if (this.#selfCheckTimer !== undefined) return
    const check = (): void => { void this.runSelfCheck().catch((err: unknown) => { this.#components.activity('self-check:failed', (err as Error).message) }) }
    check()
    this.#selfCheckTimer = setInterval(check, this.#pausedSelfCheckMs)
    this.#selfCheckTimer.unref()
  }
}
