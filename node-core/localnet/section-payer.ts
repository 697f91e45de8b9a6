// How the local network's client pays for what it stores (DESIGN §2 "Earnings": clients pay a
// store cost per chunk into the section). It learns the section's elders as a joiner does, from a
// statement signed by a supermajority of them (asked of a vault that holds its chunk), and sends
// each elder a store-payment for the chunk; each elder counts it once per chunk address.
import type { Libp2p, PeerId } from '@libp2p/interface'
import { STORE_COST_PER_CHUNK } from '../engine/section/constants.ts'
import { peerIdOfHexName, querySection, sendSectionMessage } from '../engine/section/section-service.ts'
import { StatementBook } from '../engine/section/statement-book.ts'

/** Payments between two lookups of the elders, so a new elder set is found without asking each time. */
const RELEARN_EVERY = 100
/**
 * How long a payment to one elder may take, retries included. Longer than a section message's: an
 * elder busy pairing signature shares answers late, and a payment it never counts is paid for nothing.
 */
const PAYMENT_TIMEOUT_MS = 30_000

export interface SectionPayerInit {
  /** Ledger units per chunk. */
  storeCost?: number
  timeoutMs?: number
}

export interface Payment {
  address: string
  amount: number
  /** Elders that took the payment's message. */
  elders: number
}

export class SectionPayer {
  readonly #libp2p: Pick<Libp2p, 'dialProtocol'>
  readonly #storeCost: number
  readonly #timeoutMs: number
  #section: { prefix: string, elders: string[] } | undefined
  #sinceLearned = 0

  constructor (libp2p: Pick<Libp2p, 'dialProtocol'>, init: SectionPayerInit = {}) {
    this.#libp2p = libp2p
    this.#storeCost = init.storeCost ?? STORE_COST_PER_CHUNK
    this.#timeoutMs = init.timeoutMs ?? PAYMENT_TIMEOUT_MS
    if (!Number.isSafeInteger(this.#storeCost) || this.#storeCost < 1) throw new RangeError(`"storeCost" expected a positive integer, got ${this.#storeCost}`)
  }

  /** Pays the store cost of chunk `address` to every elder; `holders` are vaults to ask for the elders. Undefined while no section is known. */
  async pay (address: string, holders: readonly PeerId[]): Promise<Payment | undefined> {
    if (this.#section === undefined || this.#sinceLearned >= RELEARN_EVERY) await this.#learn(holders)
    const section = this.#section
    if (section === undefined) return undefined
    this.#sinceLearned++
    const message = { type: 'store-payment' as const, prefix: section.prefix, address, amount: this.#storeCost }
    const sent = await Promise.allSettled(section.elders.map(async elder => {
      await sendSectionMessage(this.#libp2p, peerIdOfHexName(elder), message, { signal: AbortSignal.timeout(this.#timeoutMs) })
    }))
    const elders = sent.filter(result => result.status === 'fulfilled').length
    // No elder took it: the elders may have changed, so ask again next time.
    if (elders === 0) this.#section = undefined
    return { address, amount: this.#storeCost, elders }
  }

  /** The elders named by the first supermajority-signed statement a holder gives; the last known kept when none answers. */
  async #learn (holders: readonly PeerId[]): Promise<void> {
    for (const peer of holders) {
      try {
        const answer = await querySection(this.#libp2p, peer, { signal: AbortSignal.timeout(this.#timeoutMs) })
        if (answer?.type !== 'section-info') continue
        const book = new StatementBook()
        for (const statement of answer.statements) {
          const taken = book.take(statement, answer.members)
          if (!taken.ok) break
          if (taken.complete !== undefined) {
            this.#section = { prefix: taken.complete.statement.prefix, elders: [...taken.complete.statement.elders] }
            this.#sinceLearned = 0
            return
          }
        }
      } catch {
        // A holder that does not answer: the next one may.
      }
    }
  }
}
