// The outgoing elders' last act (DESIGN §2, the section chain): once the section decided a handover,
// each of them signs the chain link from the old key to the decided one with its old key share and
// sends it to the others; 5 shares combine into the link, which verifies under the old key. No
// "one value per slot" record is needed: the decision fixes the one key an elder will link to.
import type { DkgResult } from '../../section/crypto/dkg.ts'
import { chainLinkMessage, type SectionChainLinkData } from '../../section/crypto/section-chain.ts'
import {
  combineShares, hashMessage, publicKeyFromHex, publicKeyShare, signatureFromHex, signatureToHex, signShare, verify, verifyShare,
  type G1Point, type HashedMessage, type PublicKeySet, type SignatureShare
} from '../../section/crypto/threshold-bls.ts'
import { ACCEPTED, ignored, violation, type LinkShareMessage, type SectionReceipt } from './section-messages.ts'

export class ChainLinkSigning {
  /** This elder's share, sent to the other outgoing elders until the handover completes. */
  readonly own: LinkShareMessage
  readonly #from: G1Point
  readonly #to: string
  readonly #elders: readonly string[]
  readonly #publicKeySet: PublicKeySet
  readonly #message: HashedMessage
  readonly #shares = new Map<number, SignatureShare>()
  #link: SectionChainLinkData | undefined

  /** `result` and `elders`: the outgoing elder's share of the old key, and the old elders in index order. */
  constructor (result: DkgResult, elders: readonly string[], from: string, to: string) {
    this.#from = publicKeyFromHex(from)
    this.#to = to
    this.#elders = elders
    this.#publicKeySet = result.publicKeySet
    this.#message = hashMessage(chainLinkMessage(this.#from, publicKeyFromHex(to)))
    const share = signShare(result.secretKeyShare, this.#message)
    this.own = { type: 'link-share', link: { from, to }, index: share.index, signature: signatureToHex(share.signature) }
    this.#shares.set(share.index, share)
  }

  /** The combined link, once 5 shares verified. */
  get link (): SectionChainLinkData | undefined { return this.#link }

  /** Another outgoing elder's share; the link is combined as soon as enough have verified. */
  receive (from: string, message: LinkShareMessage): SectionReceipt {
    const sender = this.#elders.indexOf(from) + 1
    if (sender === 0) return violation('a chain link share from a vault that is not an outgoing elder')
    if (sender !== message.index) return violation(`a chain link share of elder ${message.index} sent by elder ${sender}`)
    if (message.link.to !== this.#to) return ignored('a chain link share for another key than the one decided')
    if (this.#link !== undefined || this.#shares.has(sender)) return ignored('a chain link share already counted')
    let share: SignatureShare
    try {
      share = { index: sender, signature: signatureFromHex(message.signature) }
    } catch (err) {
      return violation(`a chain link share that is not a signature: ${(err as Error).message}`)
    }
    if (!verifyShare(publicKeyShare(this.#publicKeySet, sender), this.#message, share)) return violation('a chain link share that does not verify')
    this.#shares.set(sender, share)
    if (this.#shares.size > this.#publicKeySet.threshold) {
      const signature = combineShares([...this.#shares.values()], this.#publicKeySet.threshold)
      // Verified shares always combine to a valid signature; checked all the same before it is sent anywhere.
      if (!verify(this.#from, this.#message, signature)) throw new Error('verified chain link shares combined to a signature that does not verify')
      this.#link = { key: this.#to, signature: signatureToHex(signature) }
    }
    return ACCEPTED
  }
}
