// What one elder has seen paid into its section and paid out of it (DESIGN §2 "Earnings"): the
// store payments per reward epoch, each chunk address counted once, and the pool of each epoch's
// record, the one it signed or the one the section signed. What is left to pay is what came in
// minus what went out: a pool that found no earner carries over to the next epoch by itself, and
// no record is signed that would pay out more than this elder saw come in. Memory is bounded:
// REWARD_LEDGER_EPOCHS epochs in detail, older ones folded into two totals.
import { MAX_PAYMENTS_PER_EPOCH, REWARD_LEDGER_EPOCHS } from './constants.ts'

export type PaymentOutcome = 'counted' | 'duplicate' | 'epoch-full' | 'too-old'

interface EpochPayments {
  total: number
  addresses: Set<string>
}

export class RewardLedger {
  readonly #paid = new Map<number, EpochPayments>()
  readonly #paidOut = new Map<number, { signed?: number, settled?: number }>()
  #foldedIn = 0
  #foldedOut = 0
  /** Epochs below this are folded. */
  #floor = 0

  /** Counts a payment for `address` in `epoch`, once per address within the epochs kept. */
  pay (epoch: number, address: string, amount: number): PaymentOutcome {
    this.#fold(epoch)
    if (epoch < this.#floor) return 'too-old'
    for (const payments of this.#paid.values()) if (payments.addresses.has(address)) return 'duplicate'
    let payments = this.#paid.get(epoch)
    if (payments === undefined) {
      payments = { total: 0, addresses: new Set() }
      this.#paid.set(epoch, payments)
    }
    if (payments.addresses.size >= MAX_PAYMENTS_PER_EPOCH) return 'epoch-full'
    payments.addresses.add(address)
    payments.total += amount
    return 'counted'
  }

  /** Paid in during `epoch` alone. */
  paidIn (epoch: number): number {
    return this.#paid.get(epoch)?.total ?? 0
  }

  /** This elder signed a record for `epoch` paying out `pool`. */
  signed (epoch: number, pool: number): void {
    this.#fold(epoch)
    if (epoch < this.#floor) return
    this.#paidOut.set(epoch, { ...this.#paidOut.get(epoch), signed: pool })
  }

  /** The section signed the record of `epoch`: its pool is what went out, whatever this elder signed. */
  settled (epoch: number, pool: number): void {
    this.#fold(epoch)
    if (epoch < this.#floor) return
    this.#paidOut.set(epoch, { ...this.#paidOut.get(epoch), settled: pool })
  }

  isSettled (epoch: number): boolean {
    return this.#paidOut.get(epoch)?.settled !== undefined
  }

  /**
   * Ledger units left to pay: paid in during epochs up to `paidUpTo` (all by default), minus the
   * pools of every epoch's record but `except`'s (the record being judged).
   */
  available (options: { paidUpTo?: number, except?: number } = {}): number {
    const upTo = options.paidUpTo ?? Number.MAX_SAFE_INTEGER
    let paidIn = this.#foldedIn
    for (const [epoch, payments] of this.#paid) if (epoch <= upTo) paidIn += payments.total
    let paidOut = this.#foldedOut
    for (const [epoch, out] of this.#paidOut) if (epoch !== options.except) paidOut += out.settled ?? out.signed ?? 0
    return Math.max(0, paidIn - paidOut)
  }

  /** Folds epochs that fell REWARD_LEDGER_EPOCHS behind `epoch` into the totals. */
  #fold (epoch: number): void {
    const floor = epoch - REWARD_LEDGER_EPOCHS + 1
    if (floor <= this.#floor) return
    this.#floor = floor
    for (const [old, payments] of this.#paid) {
      if (old >= floor) continue
      this.#foldedIn += payments.total
      this.#paid.delete(old)
    }
    for (const [old, out] of this.#paidOut) {
      if (old >= floor) continue
      this.#foldedOut += out.settled ?? out.signed ?? 0
      this.#paidOut.delete(old)
    }
  }
}
