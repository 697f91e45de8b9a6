// How a section comes to be (issue 3), before any vault knows its key. Vaults tell each other the
// oldest vaults they know (hello), so the oldest find each other; the elders are the 7 oldest
// known (rules/elders.ts). Once those have stayed the same for the settle time, each of them
// starts the DKG (keying-run.ts); a change of the 7 oldest abandons it and settling starts
// over. DKG messages for a run this vault has not started yet (another elder settled first) are
// kept and replayed when it does. When a run ends with a key, the node confirms it (section-node.ts):
// if no supermajority of the elders signs the same key in time, the next attempt runs. An elder
// that has signed a genesis holds to it while it waits: a change of the oldest known then no longer
// restarts the run (the vault joins by decision instead), since a second signed genesis could
// complete a second supermajority somewhere. The residue of that risk is an attempt that times out
// while its genesis still completes elsewhere late. A vault the elders expect as a founder (the
// host's own vault on an embedded network: once aged, it could not join later without a proof)
// holds the keying back until it is known, or until the wait for it ends.
import type { DkgResult } from '../../section/crypto/dkg.ts'
import type { Random } from '../../section/crypto/scalar.ts'
import { MAX_HELLO_NAMES, NETWORK_PREFIX } from './constants.ts'
import { groupPublicKey, publicKeyToHex } from '../../section/crypto/threshold-bls.ts'
import { KeyingBuffer, KeyingRun, keyingSession, sessionMismatch, settleKeying, type KeyingOutcome, type KeyingProgress } from './keying-run.ts'
import { KnownVaults } from './known-vaults.ts'
import {
  ACCEPTED, ignored, violation, type DkgRoundMessage, type DkgShareEnvelope, type Keying, type SectionMessage, type SectionReceipt
} from './section-messages.ts'
import type { Schedule } from './schedule.ts'

export type FormingPhase = 'forming' | 'keying' | 'confirming'

/** Round timeouts an elder waits, after signing a genesis, for a supermajority to sign the same. */
const CONFIRM_ROUNDS = 3
export type DkgMessage = DkgRoundMessage | DkgShareEnvelope

export interface SectionFormingComponents {
  self: string
  send(to: string, message: SectionMessage): void
  /** Runs its callbacks in the node's queue. */
  schedule: Schedule
  /** Runs a task in the node's queue, after the current one. */
  later(task: () => Promise<void>): void
  random?: Random
  phaseChanged(phase: FormingPhase): void
  keying: KeyingProgress
  /** A DKG run ended with a key: the node signs and sends the genesis statement. */
  keyed(keying: Keying, result: DkgResult, founders: string[]): Promise<void>
}

export class SectionForming {
  readonly known: KnownVaults
  readonly #components: SectionFormingComponents
  readonly #settleMs: number
  readonly #roundMs: number
  readonly #buffered = new KeyingBuffer()
  /**
   * The next attempt for each elder set this vault has keyed with. A run is never started twice:
   * its first messages are with the others already, and a second dealing would contradict them.
   */
  readonly #nextAttempt = new Map<string, number>()
  #phase: FormingPhase = 'forming'
  #target: string[] | undefined
  #keying: KeyingRun | undefined
  #keyed: { keying: Keying, result: DkgResult } | undefined
  /** Every run of this forming that keyed, by its section key (a few: one per attempt at most). */
  readonly #keyedRuns = new Map<string, { keying: Keying, result: DkgResult }>()
  #cancelTimer: (() => void) | undefined
  #helloNames = ''
  #done = false
  /** Expected founders not known yet; empty once all are known or the wait for them ended. */
  readonly #awaited: Set<string>
  /** The elders settled while founders were awaited: keying starts once they are known. */
  #settledAwaiting = false

  constructor (components: SectionFormingComponents, init: { settleMs: number, roundMs: number, expectedFounders?: { names: readonly string[], waitMs: number } }) {
    this.#components = components
    this.#settleMs = init.settleMs
    this.#roundMs = init.roundMs
    this.known = new KnownVaults(components.self)
    this.#awaited = new Set((init.expectedFounders?.names ?? []).filter(name => name !== components.self))
    if (this.#awaited.size > 0) {
      components.schedule(init.expectedFounders?.waitMs ?? 0, () => {
        this.#awaited.clear()
        this.#foundersArrived()
      })
    }
  }

  get phase (): FormingPhase { return this.#phase }

  /**
   * This vault's share of `sectionKey` with `elders`, from any run of this forming that keyed: the
   * section may be founded on an attempt this elder already moved on from (its confirmation timed out).
   */
  shareOf (sectionKey: string, elders: readonly string[]): DkgResult | undefined {
    const keyed = this.#keyedRuns.get(sectionKey)
    return keyed?.keying.elders.join() === elders.join() ? keyed.result : undefined
  }

  /** The section exists: no more settling, runs or hellos. */
  finish (): void {
    this.#done = true
    this.#cancelTimer?.()
    this.#keying?.stop()
    this.#keying = undefined
    this.#buffered.clear()
  }

  /** A vault seen speaking the section protocol; true when it was new. */
  learn (name: string): boolean {
    if (!this.known.add(name)) return false
    if (this.#done) return true
    if (this.#awaited.delete(name) && this.#awaited.size === 0) this.#foundersArrived()
    this.#reconsider()
    // Tell the newcomer, and everyone when the oldest known changed, which vaults are oldest.
    const hello = this.#hello()
    const names = hello.vaults.join()
    const targets = names === this.#helloNames ? [name] : this.known.names().filter(known => known !== this.#components.self)
    this.#helloNames = names
    for (const target of targets) this.#components.send(target, hello)
    return true
  }

  onHello (from: string, vaults: readonly string[]): SectionReceipt {
    this.learn(from)
    if (this.#done) return ACCEPTED
    // Introduce this vault to vaults that would be elders: the connection makes each known to the other.
    for (const name of vaults) if (name !== this.#components.self && this.known.wouldBeElder(name)) this.#components.send(name, this.#hello())
    return ACCEPTED
  }

  onDkg (from: string, message: DkgMessage): SectionReceipt {
    const mismatch = sessionMismatch(message)
    if (mismatch !== undefined) return violation(mismatch)
    const { keying } = message
    if (!keying.elders.includes(from)) return violation('a DKG message from a vault that is not an elder of the run it names')
    if (this.#done) return ignored('the section already has its key')
    if (keying.prefix !== NETWORK_PREFIX || !keying.elders.includes(this.#components.self)) return ignored('a DKG run this vault takes no part in')
    const session = keyingSession(keying)
    const current = this.#keying
    if (current?.session === session) return current.receive(from, message)
    // Another elder started the next attempt for the same elders: join it rather than wait, unless
    // this elder has signed a genesis (its own confirmation timeout moves it on).
    if (this.#phase === 'keying' && this.#target?.join() === keying.elders.join() && current !== undefined && keying.attempt > current.keying.attempt) {
      this.#start(keying.attempt)
      return this.#keying?.receive(from, message) ?? ignored('the DKG run did not start')
    }
    return this.#buffered.keep(from, message)
  }

  #hello (): { type: 'hello', vaults: string[] } {
    return { type: 'hello', vaults: this.known.oldest(MAX_HELLO_NAMES) }
  }

  #reconsider (): void {
    if (this.#phase === 'confirming') return
    const elders = this.known.elders()
    if (elders !== undefined && elders.join() === this.#target?.join()) return
    this.#target = elders
    // Settled for the old elders: the new ones settle again, if this vault is one of them.
    this.#settledAwaiting = false
    this.#cancelTimer?.()
    this.#keying?.stop()
    this.#keying = undefined
    this.#keyed = undefined
    this.#setPhase('forming')
    if (elders === undefined || !elders.includes(this.#components.self)) return
    this.#cancelTimer = this.#components.schedule(this.#settleMs, () => { this.#start(0) })
  }

  /** The expected founders are all known, or the wait for them ended: settled elders key now. */
  #foundersArrived (): void {
    if (!this.#settledAwaiting || this.#done) return
    this.#settledAwaiting = false
    this.#start(0)
  }

  #start (wanted: number): void {
    const elders = this.#target
    if (elders === undefined || this.#done || !elders.includes(this.#components.self)) return
    if (this.#awaited.size > 0) {
      this.#settledAwaiting = true
      return
    }
    this.#cancelTimer?.()
    this.#keying?.stop()
    this.#keyed = undefined
    const attempt = Math.max(wanted, this.#nextAttempt.get(elders.join()) ?? 0)
    this.#nextAttempt.set(elders.join(), attempt + 1)
    const keying: Keying = { prefix: NETWORK_PREFIX, attempt, elders }
    const { self, send, random } = this.#components
    const run = new KeyingRun({ self, send, schedule: this.#components.schedule, ...(random === undefined ? {} : { random }) },
      { keying, roundTimeoutMs: this.#roundMs, known: this.known.names() },
      outcome => { this.#components.later(async () => { await this.#ended(outcome) }) })
    this.#keying = run
    this.#setPhase('keying')
    this.#components.keying(attempt, 'started')
    this.#buffered.start(run)
  }

  async #ended (outcome: KeyingOutcome): Promise<void> {
    if (this.#done || this.#keying?.keying !== outcome.keying) return
    settleKeying(outcome, {
      report: this.#components.keying,
      retry: attempt => { this.#start(attempt) },
      keep: kept => {
        this.#keyed = kept
        this.#keyedRuns.set(publicKeyToHex(groupPublicKey(kept.result.publicKeySet)), kept)
        this.#setPhase('confirming')
      }
    })
    if (!outcome.ok) return
    // Disagreeing views of the DKG show as no supermajority for any one key: run it again, with
    // the oldest known now.
    this.#cancelTimer = this.#components.schedule(CONFIRM_ROUNDS * this.#roundMs, () => {
      if (this.#done || this.#keyed?.keying !== outcome.keying) return
      const elders = this.known.elders()
      if (elders?.join() === outcome.keying.elders.join()) {
        this.#start(outcome.keying.attempt + 1)
        return
      }
      this.#setPhase('forming')
      this.#reconsider()
    })
    await this.#components.keyed(outcome.keying, outcome.result, outcome.founders)
  }

  #setPhase (phase: FormingPhase): void {
    if (this.#phase === phase) return
    this.#phase = phase
    this.#components.phaseChanged(phase)
  }
}
