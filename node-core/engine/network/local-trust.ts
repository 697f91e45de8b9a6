// Local trust (DESIGN §2): each vault keeps its own score per peer and ignores peers that fall
// below a threshold. No network-wide agreement is needed.
import { TypedEventEmitter } from 'main-event'

export interface LocalTrustInit {
  /** Score at or below which a peer is ignored. */
  ignoreBelow?: number
  /** Score a peer gains back per successful exchange, up to 0. */
  recoveryPerSuccess?: number
}

export type TrustOffence = 'oversize' | 'malformed' | 'mismatch' | 'truncated' | 'failed-request' | 'outdated'

/** How much each offence costs: sending bad data is worse than failing to answer. */
export const OFFENCE_PENALTY: Record<TrustOffence, number> = {
  oversize: 5,
  malformed: 5,
  mismatch: 5,
  truncated: 3,
  'failed-request': 1,
  // DESIGN §2: a peer older than the previous protocol version loses local trust (deranking).
  outdated: 10
}

export interface LocalTrustEvents {
  'trust:lowered': CustomEvent<{ peer: string, offence: TrustOffence, reason: string, score: number }>
}

export class LocalTrust extends TypedEventEmitter<LocalTrustEvents> {
  private readonly scores = new Map<string, number>()
  private readonly ignoreBelow: number
  private readonly recoveryPerSuccess: number

  constructor (init: LocalTrustInit = {}) {
    super()
    this.ignoreBelow = init.ignoreBelow ?? -20
    this.recoveryPerSuccess = init.recoveryPerSuccess ?? 0.1
  }

  score (peer: string): number {
    return this.scores.get(peer) ?? 0
  }

  isIgnored (peer: string): boolean {
    return this.score(peer) <= this.ignoreBelow
  }

  penalize (peer: string, offence: TrustOffence, reason: string): void {
    const score = this.score(peer) - OFFENCE_PENALTY[offence]
    this.scores.set(peer, score)
    this.dispatchEvent(new CustomEvent('trust:lowered', { detail: { peer, offence, reason, score } }))
  }

  reward (peer: string): void {
    const score = this.score(peer)
    if (score < 0) this.scores.set(peer, Math.min(0, score + this.recoveryPerSuccess))
  }
}
