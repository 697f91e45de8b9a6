// Elders audit the section's members (issue 3 deliver 4, DESIGN §2): each round, a voting elder
// challenges every adult for a storage proof of the audit chunks it placed on it (placing them
// first if it has none there), and feeds each result to its dysfunction tracking in the section
// (SectionNode.noteAudit). A paused member that asks to resume is audited at once: its probation.
import type { AuditService } from '../audit/audit-service.ts'
import { DEFAULT_AUDIT_INTERVAL_MS } from './constants.ts'
import { timerSchedule, type Schedule } from './schedule.ts'
import type { SectionService } from './section-service.ts'
import { peerIdOfHexName } from './section-service.ts'

/** Audits of one round run at once: well under the audit service's own bound (DEFAULT_MAX_AUDITS_IN_FLIGHT). */
const ROUND_CONCURRENCY = 8

export interface SectionAuditsComponents {
  section: Pick<SectionService, 'node' | 'addEventListener' | 'removeEventListener'>
  audits: Pick<AuditService, 'audit' | 'placeMaterial' | 'materialOf'>
  activity(kind: string, message: string): void
  schedule?: Schedule
}

export interface SectionAuditsInit {
  /** Time between an elder's audit rounds. */
  intervalMs?: number
}

export class SectionAudits {
  readonly #components: SectionAuditsComponents
  readonly #intervalMs: number
  readonly #schedule: Schedule
  readonly #auditing = new Set<string>()
  #cancel: (() => void) | undefined
  #stopped = true
  readonly #onProbation = (event: CustomEvent<{ name: string }>): void => { void this.#auditOne(event.detail.name) }

  constructor (components: SectionAuditsComponents, init: SectionAuditsInit = {}) {
    this.#components = components
    this.#intervalMs = init.intervalMs ?? DEFAULT_AUDIT_INTERVAL_MS
    this.#schedule = components.schedule ?? timerSchedule
  }

  start (): void {
    this.#stopped = false
    this.#components.section.addEventListener('section:probation', this.#onProbation)
    this.#arm()
  }

  stop (): void {
    this.#stopped = true
    this.#cancel?.()
    this.#components.section.removeEventListener('section:probation', this.#onProbation)
  }

  /**
   * One round: every adult of the section, ROUND_CONCURRENCY at a time, so a member that does not
   * answer costs the round its timeout once, not once per member after it. Only a voting elder audits.
   */
  async round (): Promise<void> {
    const { node } = this.#components.section
    const membership = node.membership
    if (!node.isVotingElder || membership === undefined) return
    const adults = [...membership.members].filter(name => name !== node.self && !membership.elders.includes(name))
    const worker = async (): Promise<void> => {
      for (let name = adults.shift(); name !== undefined && !this.#stopped; name = adults.shift()) await this.#auditOne(name)
    }
    await Promise.all(Array.from({ length: ROUND_CONCURRENCY }, worker))
  }

  #arm (): void {
    if (this.#stopped) return
    this.#cancel = this.#schedule(this.#intervalMs, async () => {
      await this.round()
      this.#arm()
    })
  }

  async #auditOne (name: string): Promise<void> {
    if (this.#auditing.has(name)) return
    this.#auditing.add(name)
    try {
      const { audits, section } = this.#components
      const peer = peerIdOfHexName(name)
      if (audits.materialOf(peer).length === 0) {
        const placement = await audits.placeMaterial(peer)
        if (placement.placed.length === 0) {
          const why = placement.errors[0]?.message ?? 'no chunk stored'
          await section.node.noteAudit(name, { passed: false, kind: 'missed-audit', reason: `would not take audit chunks: ${why}`.slice(0, 300) })
          return
        }
      }
      const result = await audits.audit(peer)
      await section.node.noteAudit(name, { passed: result.outcome === 'passed', ...(result.kind === undefined ? {} : { kind: result.kind }), reason: result.reason })
    } catch (err) {
      // The auditor's own trouble (stopping, busy): no verdict on the member.
      if (!this.#stopped) this.#components.activity('audit:skipped', `audit of ${name.slice(0, 16)}… skipped: ${(err as Error).message}`)
    } finally {
      this.#auditing.delete(name)
    }
  }
}
