// One run of the elders' distributed key generation over the section protocol (DESIGN §2: no
// trusted dealer), for the section's genesis (section-forming.ts) or for a handover to a new elder
// set (elder-handover.ts). It drives dkg.ts's participant through its three rounds: each elder sends its
// secret shares point to point (the libp2p stream is encrypted and authenticated) and broadcasts
// one batch per round; a round ends as soon as every other elder's batch (and, when dealing, its
// share) has arrived, or after the round timeout, so a silent elder costs one timeout per round
// and is disqualified as a dealer. The dealing round's timeout only starts once a supermajority of
// the elders has dealt: an elder that settled on the elder set before the others waits for them
// rather than deal alone and fail. The sender of each message is the authenticated peer, mapped to
// its elder index here, never an index read from the message. At genesis each elder's dealing batch also
// names the vaults it knows: the founding members are every vault known to an elder whose batch
// arrived, so elders that heard the same batches (as the DKG assumes) agree on them too.
import { sha3_256 } from '@noble/hashes/sha3.js'
import { bytesToHex } from '@noble/curves/utils.js'
import { createDkgParticipant, type DkgOutgoing, type DkgParticipant, type DkgResult } from '../../section/crypto/dkg.ts'
import type { Random } from '../../section/crypto/scalar.ts'
import { supermajority } from '../../section/rules/elders.ts'
import {
  ACCEPTED, ignored, violation, type DkgRound, type DkgRoundMessage, type DkgShareEnvelope, type Keying, type SectionMessage,
  type SectionReceipt
} from './section-messages.ts'
import type { Schedule } from './schedule.ts'
import { MAX_BUFFERED_DKG_MESSAGES, MAX_BUFFERED_DKG_SESSIONS } from './constants.ts'

const SESSION_DOMAIN = 'vault-manager/section-dkg/v1'

/** The DKG session of a run: SHA3-256 over the prefix, the attempt, the elders in index order and, for a handover, the key it hands over from. */
export function keyingSession (keying: Keying): string {
  const fields = [keying.prefix, keying.attempt, keying.elders, ...(keying.from === undefined ? [] : [keying.from])]
  return bytesToHex(sha3_256(new TextEncoder().encode(`${SESSION_DOMAIN}\u0000${JSON.stringify(fields)}`)))
}

/** Why a message's inner DKG messages do not belong to the run its header names, if they do not. */
export function sessionMismatch (message: DkgRoundMessage | DkgShareEnvelope): string | undefined {
  const session = keyingSession(message.keying)
  const inner = message.type === 'dkg-round' ? message.messages : [message.message]
  return inner.some(m => m.session !== session) ? 'a DKG message whose session does not match the run its header names' : undefined
}

export interface KeyingComponents {
  /** This vault's name (hex). */
  self: string
  send(to: string, message: SectionMessage): void
  schedule: Schedule
  random?: Random
}

export type KeyingOutcome =
  | { ok: true, keying: Keying, result: DkgResult, /** Sorted; the elders among them. */ founders: string[] }
  | { ok: false, keying: Keying, error: Error }

/** What a run's driver reports of each attempt (section-forming.ts, elder-handover.ts). */
export type KeyingProgress = (attempt: number, outcome: 'started' | 'keyed' | 'failed', reason?: string) => void

/**
 * How both drivers take a run's end: a failed attempt is reported and the next one started; a keyed
 * one is kept, then reported. Returns the key share kept, if any.
 */
export function settleKeying (
  outcome: KeyingOutcome,
  driver: { report: KeyingProgress, retry: (attempt: number) => void, keep: (keyed: { keying: Keying, result: DkgResult }) => void }
): { keying: Keying, result: DkgResult } | undefined {
  const attempt = outcome.keying.attempt
  if (!outcome.ok) {
    driver.report(attempt, 'failed', outcome.error.message)
    driver.retry(attempt + 1)
    return undefined
  }
  const keyed = { keying: outcome.keying, result: outcome.result }
  driver.keep(keyed)
  driver.report(attempt, 'keyed')
  return keyed
}

export class KeyingRun {
  readonly keying: Keying
  readonly session: string
  readonly index: number
  readonly #components: KeyingComponents
  readonly #participant: DkgParticipant
  readonly #roundTimeoutMs: number
  readonly #onOutcome: (outcome: KeyingOutcome) => void
  readonly #heard: Record<DkgRound, Set<number>> = { dealing: new Set(), complaining: new Set(), justifying: new Set() }
  readonly #sharesFrom = new Set<number>()
  readonly #founders: Set<string>
  #round: DkgRound | 'created' | 'done' = 'created'
  #cancelTimer: (() => void) | undefined

  constructor (components: KeyingComponents, init: { keying: Keying, roundTimeoutMs: number, known: readonly string[] }, onOutcome: (outcome: KeyingOutcome) => void) {
    const index = init.keying.elders.indexOf(components.self) + 1
    if (index === 0) throw new RangeError('"self" expected one of the elders of the run')
    this.keying = init.keying
    this.session = keyingSession(init.keying)
    this.index = index
    this.#components = components
    this.#roundTimeoutMs = init.roundTimeoutMs
    this.#onOutcome = onOutcome
    this.#founders = new Set([...init.known, ...init.keying.elders])
    this.#participant = createDkgParticipant({
      session: this.session,
      participants: init.keying.elders.length,
      // Any supermajority of the elders signs: t + 1 = 5 of 7 (DESIGN §2).
      threshold: supermajority(init.keying.elders.length) - 1,
      index,
      ...(components.random === undefined ? {} : { random: components.random })
    })
  }

  get round (): DkgRound | 'created' | 'done' {
    return this.#round
  }

  start (): void {
    if (this.#round !== 'created') return
    const outgoing = this.#participant.start()
    for (const { to, message } of outgoing.direct) {
      const recipient = this.keying.elders[to - 1]
      if (recipient !== undefined) this.#components.send(recipient, { type: 'dkg-share', keying: this.keying, message })
    }
    // A handover's run has no founders to name: its members are the section's.
    this.#enter('dealing', outgoing, this.keying.from === undefined ? [...this.#founders].sort() : undefined)
  }

  stop (): void {
    this.#cancelTimer?.()
    this.#round = 'done'
  }

  receive (from: string, message: DkgRoundMessage | DkgShareEnvelope): SectionReceipt {
    const sender = this.keying.elders.indexOf(from) + 1
    if (sender === 0 || sender === this.index) return violation('a DKG message from a vault that is not another elder of the run')
    if (this.#round === 'done') return ignored('the DKG run has ended')
    if (message.type === 'dkg-share') {
      if (message.message.recipient !== this.index) return violation(`a DKG share addressed to elder ${message.message.recipient}, sent to elder ${this.index}`)
      if (this.#sharesFrom.has(sender)) return ignored(`elder ${sender} already sent its share`)
      this.#sharesFrom.add(sender)
      const receipt = this.#participant.receive(sender, message.message)
      this.#maybeAdvance()
      return receipt.accepted ? ACCEPTED : ignored(receipt.reason)
    }
    const heard = this.#heard[message.round]
    if (heard.has(sender)) return ignored(`elder ${sender} already sent its ${message.round} batch`)
    if (message.round === 'dealing' && message.messages.some(m => m.type !== 'dkg-commitments')) return violation('a dealing batch holds messages of other rounds')
    if (message.round === 'complaining' && message.messages.some(m => m.type !== 'dkg-complaint')) return violation('a complaint batch holds messages of other rounds')
    if (message.round === 'justifying' && message.messages.some(m => m.type !== 'dkg-justification')) return violation('a justification batch holds messages of other rounds')
    heard.add(sender)
    for (const name of message.founders ?? []) this.#founders.add(name)
    if (this.#round === 'dealing' && this.#cancelTimer === undefined && this.#enoughDealers()) this.#armTimer()
    // A dealer's misbehaviour inside a batch is the DKG's to judge (it disqualifies the dealer).
    const reasons = message.messages.map(m => this.#participant.receive(sender, m)).flatMap(r => r.accepted ? [] : [r.reason])
    this.#maybeAdvance()
    return reasons.length === 0 ? ACCEPTED : ignored(reasons.join('; '))
  }

  #enter (round: DkgRound, outgoing: DkgOutgoing, founders?: string[]): void {
    this.#round = round
    for (const elder of this.keying.elders) {
      if (elder !== this.#components.self) this.#components.send(elder, { type: 'dkg-round', keying: this.keying, round, messages: outgoing.broadcast, ...(founders === undefined ? {} : { founders }) })
    }
    this.#cancelTimer?.()
    this.#cancelTimer = undefined
    if (round !== 'dealing' || this.#enoughDealers()) this.#armTimer()
    this.#maybeAdvance()
  }

  #enoughDealers (): boolean {
    return this.#heard.dealing.size + 1 >= supermajority(this.keying.elders.length)
  }

  #armTimer (): void {
    this.#cancelTimer = this.#components.schedule(this.#roundTimeoutMs, () => { this.#endRound() })
  }

  #complete (round: DkgRound): boolean {
    for (let index = 1; index <= this.keying.elders.length; index++) {
      if (index === this.index) continue
      if (!this.#heard[round].has(index)) return false
      if (round === 'dealing' && !this.#sharesFrom.has(index)) return false
    }
    return true
  }

  #maybeAdvance (): void {
    const round = this.#round
    if (round === 'created' || round === 'done') return
    if (this.#complete(round)) this.#endRound()
  }

  #endRound (): void {
    switch (this.#round) {
      case 'dealing': this.#enter('complaining', this.#participant.endDealing()); return
      case 'complaining': this.#enter('justifying', this.#participant.endComplaints()); return
      case 'justifying': this.#finish(); return
      case 'created':
      case 'done':
        return
      default: {
        const unknown: never = this.#round
        throw new RangeError(`unknown DKG round ${String(unknown)}`)
      }
    }
  }

  #finish (): void {
    this.#cancelTimer?.()
    this.#round = 'done'
    let outcome: KeyingOutcome
    try {
      outcome = { ok: true, keying: this.keying, result: this.#participant.finish(), founders: [...this.#founders].sort() }
    } catch (err) {
      outcome = { ok: false, keying: this.keying, error: err instanceof Error ? err : new Error(String(err)) }
    }
    this.#onOutcome(outcome)
  }
}

/**
 * DKG messages for runs this vault has not started yet (another elder started first): kept, a
 * bounded number per run and of runs, the oldest run's dropped first, and replayed when it starts.
 */
export class KeyingBuffer {
  readonly #sessions = new Map<string, Array<{ from: string, message: DkgRoundMessage | DkgShareEnvelope }>>()

  keep (from: string, message: DkgRoundMessage | DkgShareEnvelope): SectionReceipt {
    const session = keyingSession(message.keying)
    let kept = this.#sessions.get(session)
    if (kept === undefined) {
      if (this.#sessions.size >= MAX_BUFFERED_DKG_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value ?? '')
      kept = []
      this.#sessions.set(session, kept)
    }
    if (kept.length >= MAX_BUFFERED_DKG_MESSAGES) return ignored('too many messages for a DKG run this vault has not started')
    kept.push({ from, message })
    return ignored('kept until this vault starts that DKG run')
  }

  /** Starts `run`, then hands it the messages kept for it. */
  start (run: KeyingRun): void {
    run.start()
    const kept = this.#sessions.get(run.session) ?? []
    this.#sessions.delete(run.session)
    for (const { from, message } of kept) run.receive(from, message)
  }

  clear (): void {
    this.#sessions.clear()
  }
}
