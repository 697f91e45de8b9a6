// How a vault follows its section's key through a handover (DESIGN §2: the old section key signs
// the new one; issue 3 deliver 1). The incoming elders' DKG is elder-handover.ts; this is the rest.
// Once the handover is decided, no elder votes until the chain link arrives, and each outgoing
// elder signs the link with its old share (chain-link-signing.ts), sending it to the other outgoing
// elders again each round timeout; 5 shares combine into the link, which goes to every member with
// the decision. Every vault's chain takes the link, and the elders holding a share of the new key
// vote with it from then on. An elder the section moved keeps its share until then: its move is
// held back until the new elders hold the key.
import type { Decision } from '../../section/crypto/decisions.ts'
import type { DkgResult } from '../../section/crypto/dkg.ts'
import type { SectionChainLinkData } from '../../section/crypto/section-chain.ts'
import { ChainLinkSigning } from './chain-link-signing.ts'
import type { ElderRole } from './elder-role.ts'
import type { Schedule } from './schedule.ts'
import type { SectionMembership } from './section-membership.ts'
import { ACCEPTED, ignored, violation, type LinkShareMessage, type SectionMessage, type SectionReceipt } from './section-messages.ts'
import type { SectionRewards } from './section-rewards.ts'

/** A churn moved this vault: it rejoins under a new name (section-node's `section:relocated`). */
export interface Relocated {
  name: string
  oldAge: number
  newAge: number
  destination: string
  decisionSignatures: string[]
  self: boolean
}

export interface HandoverFollowerComponents {
  self: string
  membership(): SectionMembership | undefined
  elder: Pick<ElderRole, 'keyShare' | 'start' | 'standDown'>
  rewards: Pick<SectionRewards, 'start' | 'standDown'>
  /** The share of `key` this vault's handover run gave it, if any (elder-handover.ts). */
  resultFor(key: string): DkgResult | undefined
  send(to: string, message: SectionMessage): void
  schedule: Schedule
  /** Applies the handover decision sent with a link, when this vault missed it. */
  applyDecision(decision: Decision): Promise<SectionReceipt>
  /** The chain took the link: the node moves on as after any generation. */
  linked(): Promise<void>
  handedOver(detail: { sectionKey: string, elders: string[], isElder: boolean, hasKeyShare: boolean, generation: number }): void
  relocated(detail: Relocated): void
}

export class HandoverFollower {
  readonly #components: HandoverFollowerComponents
  readonly #roundMs: number
  /** An outgoing elder's chain link signing, from the handover decision until the new elders hold the key. */
  #linking: ChainLinkSigning | undefined
  #cancelLinkResend: (() => void) | undefined
  /** The section key the elder role last followed. */
  #followedKey: string | undefined
  /** This elder's own move, held back until the handover it made due puts the key with the new elders. */
  #heldRelocation: Relocated | undefined

  constructor (components: HandoverFollowerComponents, init: { roundMs: number }) {
    this.#components = components
    this.#roundMs = init.roundMs
  }

  /** The section this vault founded or joined has this key: the elder role already holds it. */
  established (sectionKey: string): void {
    this.#followedKey = sectionKey
  }

  /** A churn moved a vault: an elder holding the key moves once the handover is done, any other at once. */
  moved (move: Relocated): void {
    if (move.self && this.#components.membership()?.elders.includes(this.#components.self) === true) this.#heldRelocation = move
    else this.#components.relocated(move)
  }

  /**
   * After each generation. A handover decided: an outgoing elder signs the chain link with its old
   * share, and no elder votes until the link arrives. The link arrived: the elders that hold a
   * share of the new key vote with it.
   */
  follow (): void {
    const membership = this.#components.membership()
    if (membership === undefined) return
    const { elder, rewards, self } = this.#components
    const pending = membership.pendingHandover
    if (pending !== undefined) {
      const share = elder.keyShare
      if (share !== undefined && this.#linking === undefined) {
        this.#linking = new ChainLinkSigning(share.result, share.elders, membership.sectionKey, pending.key)
        this.#sendLinkShare(this.#linking, share.elders)
      }
      elder.standDown()
      rewards.standDown()
      return
    }
    const key = membership.sectionKey
    if (this.#followedKey === key) return
    this.#followedKey = key
    this.#linking = undefined
    this.#cancelLinkResend?.()
    elder.standDown()
    rewards.standDown()
    const elders = [...membership.elders]
    const result = elders.includes(self) ? this.#components.resultFor(key) : undefined
    if (result !== undefined) {
      elder.start(result, membership)
      rewards.start(result, elders)
    }
    this.#components.handedOver({ sectionKey: key, elders, isElder: elders.includes(self), hasKeyShare: result !== undefined, generation: membership.generation })
    const held = this.#heldRelocation
    if (held !== undefined && !elders.includes(self)) {
      this.#heldRelocation = undefined
      this.#components.relocated(held)
    }
  }

  async onLinkShare (from: string, message: LinkShareMessage): Promise<SectionReceipt> {
    const linking = this.#linking
    if (linking === undefined) return ignored('this vault is not signing a chain link')
    const receipt = linking.receive(from, message)
    const membership = this.#components.membership()
    const pending = membership?.pendingHandover
    if (linking.link !== undefined && pending !== undefined) {
      // Every member, the new elders among them, learns the link, with the decision in case it missed that.
      for (const name of membership?.members ?? []) if (name !== this.#components.self) this.#components.send(name, { type: 'chain-link', decision: pending.decision, link: linking.link })
      await this.onChainLink(pending.decision, linking.link)
    }
    return receipt
  }

  /** The link to the key of a handover decision: this vault's chain takes it and the new elders take over. */
  async onChainLink (decision: Decision, link: SectionChainLinkData): Promise<SectionReceipt> {
    const membership = this.#components.membership()
    if (membership === undefined) return ignored('this vault does not know the section yet')
    if (decision.proposal.kind !== 'handover') return violation('a chain link sent with a decision that is not a handover')
    if (decision.proposal.generation === membership.generation) {
      const applied = await this.#components.applyDecision(decision)
      if (!applied.accepted) return applied
    }
    const pending = membership.pendingHandover
    if (pending === undefined || pending.key !== link.key) return ignored('no handover to that key is pending here')
    const chain = membership.chain.toData()
    const refused = membership.takeChain({ ...chain, links: [...chain.links, link] })
    if (refused !== undefined) return violation(refused)
    await this.#components.linked()
    return ACCEPTED
  }

  stop (): void {
    this.#cancelLinkResend?.()
  }

  /** This outgoing elder's link share, to the other outgoing elders, again each round timeout until the handover completes. */
  #sendLinkShare (linking: ChainLinkSigning, outgoing: readonly string[]): void {
    for (const elder of outgoing) if (elder !== this.#components.self) this.#components.send(elder, linking.own)
    this.#cancelLinkResend = this.#components.schedule(this.#roundMs, () => { if (this.#linking === linking) this.#sendLinkShare(linking, outgoing) })
  }
}
