// An incoming elder's part in a handover (DESIGN §2: the DKG re-runs whenever the elder set
// changes; issue 3 deliver 1). After every decision each member works out the elders the section
// elects (its 7 oldest active members, section-membership.ts). When they differ from the elders
// holding the section key, the elected ones run the DKG among themselves (keying-run.ts), the run
// named by the key it hands over from; each one whose run ended with a key tells the current
// elders, signed, again each round timeout until the handover is decided (handover-proposal.ts).
// A change of the elected set abandons the run for a new one; a failed run is followed by the
// next attempt, which the others join as soon as they hear of it. The current elders decide the
// handover, sign the chain link to the new key with their old shares, and the new elders take
// over with the share their run gave them (section-node.ts).
import type { DkgResult } from '../../section/crypto/dkg.ts'
import type { Random } from '../../section/crypto/scalar.ts'
import { groupPublicKey, publicKeyToHex } from '../../section/crypto/threshold-bls.ts'
import type { ReleaseKey } from '../../release/keys.ts'
import { handoverKeyMessage, type HandoverTarget } from './handover-proposal.ts'
import { KeyingBuffer, KeyingRun, keyingSession, sessionMismatch, settleKeying, type KeyingOutcome, type KeyingProgress } from './keying-run.ts'
import { ignored, violation, type DkgRoundMessage, type DkgShareEnvelope, type HandoverKeyMessage, type Keying, type SectionMessage, type SectionReceipt } from './section-messages.ts'
import type { Schedule } from './schedule.ts'

export interface ElderHandoverComponents {
  self: string
  key: ReleaseKey
  send(to: string, message: SectionMessage): void
  /** Runs its callbacks in the node's queue. */
  schedule: Schedule
  /** Runs a task in the node's queue, after the current one. */
  later(task: () => void | Promise<void>): void
  random?: Random
  /** The elders holding the section key now: the ones told of this vault's new key. */
  currentElders(): readonly string[]
  /** This vault is a current elder too: its own claim goes to its own agenda. */
  ownClaim(message: HandoverKeyMessage): void
  keying: KeyingProgress
}

export class ElderHandover {
  readonly #components: ElderHandoverComponents
  readonly #roundMs: number
  readonly #buffered = new KeyingBuffer()
  #target: HandoverTarget | undefined
  #run: KeyingRun | undefined
  #keyed: { keying: Keying, result: DkgResult } | undefined
  #cancelClaim: (() => void) | undefined

  constructor (components: ElderHandoverComponents, init: { roundMs: number }) {
    this.#components = components
    this.#roundMs = init.roundMs
  }

  /** The share of `key` this vault holds from its run, if it does. */
  resultFor (key: string): DkgResult | undefined {
    const keyed = this.#keyed
    return keyed !== undefined && publicKeyToHex(groupPublicKey(keyed.result.publicKeySet)) === key ? keyed.result : undefined
  }

  /**
   * After a decision or a handover: the handover due now, if any. `target` undefined: none is due
   * (or one was decided and waits for its link), so runs stop; a run already keyed keeps its
   * share for the decided key.
   */
  reconsider (target: HandoverTarget | undefined): void {
    if (target === undefined) {
      this.#stopRun()
      this.#target = undefined
      return
    }
    if (this.#target !== undefined && sameTarget(this.#target, target)) return
    this.#stopRun()
    this.#keyed = undefined
    this.#target = target
    if (target.elected.includes(this.#components.self)) this.#start(0)
  }

  stop (): void {
    this.#stopRun()
    this.#target = undefined
    this.#buffered.clear()
  }

  onDkg (from: string, message: DkgRoundMessage | DkgShareEnvelope): SectionReceipt {
    const mismatch = sessionMismatch(message)
    if (mismatch !== undefined) return violation(mismatch)
    const { keying } = message
    if (!keying.elders.includes(from)) return violation('a DKG message from a vault that is not an elder of the run it names')
    if (!keying.elders.includes(this.#components.self)) return ignored('a handover run this vault takes no part in')
    const session = keyingSession(keying)
    const run = this.#run
    if (run?.session === session) return run.receive(from, message)
    // Another incoming elder moved on to the next attempt: join it rather than wait.
    const target = this.#target
    if (target !== undefined && run !== undefined && keying.from === target.sectionKey && keying.elders.join() === target.elected.join() && keying.attempt > run.keying.attempt) {
      this.#start(keying.attempt)
      return this.#run?.receive(from, message) ?? ignored('the handover run did not start')
    }
    return this.#buffered.keep(from, message)
  }

  #start (attempt: number): void {
    const target = this.#target
    if (target === undefined) return
    this.#stopRun()
    const keying: Keying = { prefix: target.prefix, attempt, elders: [...target.elected], from: target.sectionKey }
    const { self, send, random } = this.#components
    const run = new KeyingRun({ self, send, schedule: this.#components.schedule, ...(random === undefined ? {} : { random }) },
      { keying, roundTimeoutMs: this.#roundMs, known: [] },
      outcome => { this.#components.later(() => { this.#ended(outcome) }) })
    this.#run = run
    this.#components.keying(attempt, 'started')
    this.#buffered.start(run)
  }

  #ended (outcome: KeyingOutcome): void {
    if (this.#run?.keying !== outcome.keying) return
    const keyed = settleKeying(outcome, { report: this.#components.keying, retry: attempt => { this.#start(attempt) }, keep: kept => { this.#keyed = kept } })
    if (keyed !== undefined) this.#claim(handoverKeyMessage(this.#components.key, keyed.keying, publicKeyToHex(groupPublicKey(keyed.result.publicKeySet))))
  }

  /** Tells the current elders this vault's key, again each round timeout until the handover is decided or abandoned. */
  #claim (message: HandoverKeyMessage): void {
    const { self, send, ownClaim } = this.#components
    for (const elder of this.#components.currentElders()) {
      if (elder === self) ownClaim(message)
      else send(elder, message)
    }
    this.#cancelClaim = this.#components.schedule(this.#roundMs, () => { this.#claim(message) })
  }

  #stopRun (): void {
    this.#run?.stop()
    this.#run = undefined
    this.#cancelClaim?.()
    this.#cancelClaim = undefined
  }
}

function sameTarget (a: HandoverTarget, b: HandoverTarget): boolean {
  return a.prefix === b.prefix && a.sectionKey === b.sectionKey && a.elected.join() === b.elected.join()
}
