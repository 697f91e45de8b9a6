// The live side of eras (DESIGN §2, versions and eras; issue 4 deliver 5): after every decision
// the section applies, the vault checks its release against the section's active era. While an
// era it does not support is decided but not yet in effect, it warns; once the era is in effect it
// halts, stopping the network services, rather than keep speaking rules it does not know.
import type { EraNotice } from '../../../contract/host-api.ts'
import type { SectionService } from '../section/section-service.ts'
import { ActiveEraGuard } from './eras.ts'

export interface EraWatchComponents {
  section: Pick<SectionService, 'addEventListener' | 'node'>
  supportedEras: readonly number[]
  /** The vault stops its network services; called once, when an unsupported era takes effect. */
  halt(notice: EraNotice): void
  activity(kind: string, message: string): void
}

const CHECKED_ON = ['section:established', 'section:era', 'section:member-joined'] as const

export class EraWatch {
  readonly #components: EraWatchComponents
  #notice: EraNotice | undefined
  #halted = false

  constructor (components: EraWatchComponents) {
    this.#components = components
    for (const type of CHECKED_ON) components.section.addEventListener(type, () => { this.check() })
  }

  get notice (): EraNotice | undefined { return this.#notice }
  get halted (): boolean { return this.#halted }

  /** Compares the section's active era with this release's, at the section's current epoch. */
  check (): void {
    const { node } = this.#components.section
    const notice = new ActiveEraGuard(node.activeEra, this.#components.supportedEras).notice(node.generation)
    if (notice?.text === this.#notice?.text) return
    this.#notice = notice
    if (notice === undefined) return
    this.#components.activity(notice.level === 'error' ? 'era:unsupported' : 'era:upgrade-soon', notice.text)
    if (notice.level === 'error' && !this.#halted) {
      this.#halted = true
      this.#components.halt(notice)
    }
  }
}
