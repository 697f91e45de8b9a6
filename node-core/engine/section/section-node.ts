// The section as one vault runs it (DESIGN §2, issue 3), transport-agnostic: messages in from
// authenticated peers, messages out by name, timers through an injected schedule. SectionService
// connects it to libp2p; tests connect many in memory.
//
// forming    fewer than 7 vaults known: no elders yet. Vaults tell each other the oldest vaults
//            they know (hello) so the oldest find each other. Once the 7 oldest known have stayed
//            the same for the settle time, those 7 start the DKG.
// keying     an elder runs the DKG with the others (genesis-keying.ts); a change of the 7 oldest
//            abandons it and forming starts over.
// confirming its DKG done, the elder signs a statement of the genesis (its key, the elders) and
//            sends it to every vault it knows; if no supermajority of elders signs the same one in
//            time, the elders run the DKG again (the next attempt).
// active     a statement signed by 5 of the 7 elders fixes the genesis key, the start of the section
//            chain, for everyone. Members are the elders plus every vault admitted since by a Join
//            decision that verifies against the chain (join-consensus.ts); a vault that is not a
//            member asks the elders to join until it is.
// In this first step the elder set stays the founding one: a joiner older than an elder does not
// yet trigger a new DKG and the handover to the next section key; leaves, relocation and splits
// are modelled in section/rules but not run live.
import { TypedEventEmitter } from 'main-event'
import type { SectionStatus } from '../../../contract/host-api.ts'
import { releaseKeyFromSeed, type ReleaseKey } from '../../release/keys.ts'
import { DecisionAccumulator, ElderVoter, type Decision, type VoterState } from '../../section/crypto/decisions.ts'
import type { DkgResult } from '../../section/crypto/dkg.ts'
import type { Random } from '../../section/crypto/scalar.ts'
import { SectionChain } from '../../section/crypto/section-chain.ts'
import { groupPublicKey, publicKeyToHex } from '../../section/crypto/threshold-bls.ts'
import {
  DEFAULT_DKG_ROUND_TIMEOUT_MS, DEFAULT_FORMING_SETTLE_MS, DEFAULT_JOIN_RETRY_MS, DEFAULT_PROPOSAL_TIMEOUT_MS,
  MAX_BUFFERED_DECISIONS, MAX_BUFFERED_DKG_MESSAGES, MAX_BUFFERED_DKG_SESSIONS, MAX_HELLO_NAMES, NETWORK_PREFIX
} from './constants.ts'
import { GenesisKeying, keyingSession, sessionMismatch, type KeyingOutcome } from './genesis-keying.ts'
import { JoinConsensus } from './join-consensus.ts'
import { KnownVaults, nameToHex } from './known-vaults.ts'
import {
  ACCEPTED, ignored, violation, type DkgRoundMessage, type DkgShareEnvelope, type Keying, type SectionMessage, type SectionReceipt
} from './section-messages.ts'
import { SectionMembership } from './section-membership.ts'
import { buildSectionStatus, type SectionPhase } from './section-status.ts'
import { checkSignedStatement, membersDigest, signStatement, StatementQuorum, type SectionStatement } from './statements.ts'
import { timerSchedule, type Schedule } from './schedule.ts'

export interface SectionNodeComponents {
  identity: { name: Uint8Array, seed: Uint8Array }
  /** Sends one message to a vault by name (hex), best effort. */
  send(to: string, message: SectionMessage): void
  schedule?: Schedule
  random?: Random
  /** Stores an elder's voting record before its vote leaves (ElderVoter); in memory by default. */
  persistVoter?: (state: VoterState) => Promise<void>
}

export interface SectionNodeInit {
  formingSettleMs?: number
  dkgRoundTimeoutMs?: number
  proposalTimeoutMs?: number
  joinRetryMs?: number
}

export interface SectionNodeEvents {
  'section:phase': CustomEvent<SectionPhase>
  'section:established': CustomEvent<{ sectionKey: string, elders: string[], isElder: boolean, hasKeyShare: boolean }>
  'section:member-joined': CustomEvent<{ name: string, generation: number, decision: Decision }>
  'section:rejected': CustomEvent<{ from: string, type: SectionMessage['type'], reason: string, misbehaviour: boolean }>
  'section:keying': CustomEvent<{ attempt: number, outcome: 'started' | 'keyed' | 'failed', reason?: string }>
  'section:failure': CustomEvent<{ reason: string }>
}

type DkgMessage = DkgRoundMessage | DkgShareEnvelope

export class SectionNode extends TypedEventEmitter<SectionNodeEvents> {
  readonly self: string
  readonly #components: SectionNodeComponents
  readonly #key: ReleaseKey
  readonly #schedule: Schedule
  readonly #settleMs: number
  readonly #roundMs: number
  readonly #proposalMs: number
  readonly #joinRetryMs: number
  readonly #known: KnownVaults
  readonly #quorum = new StatementQuorum()
  readonly #statementMembers = new Map<string, string[]>()
  readonly #bufferedDkg = new Map<string, Array<{ from: string, message: DkgMessage }>>()
  readonly #futureDecisions: Decision[] = []
  /** The statement id last passed to each vault, so each hears it once. */
  readonly #relayed = new Map<string, string>()
  #phase: SectionPhase = 'forming'
  #target: string[] | undefined
  #cancelSettle: (() => void) | undefined
  #keying: GenesisKeying | undefined
  #keyed: { keying: Keying, result: DkgResult } | undefined
  #cancelConfirm: (() => void) | undefined
  #membership: SectionMembership | undefined
  #latest: { id: string, statement: SectionStatement } | undefined
  #lastDecision: Decision | null = null
  #consensus: JoinConsensus | undefined
  #cancelJoinRetry: (() => void) | undefined
  #helloNames = ''
  #queue: Promise<unknown> = Promise.resolve()
  #stopped = false

  constructor (components: SectionNodeComponents, init: SectionNodeInit = {}) {
    super()
    this.self = nameToHex(components.identity.name)
    this.#components = components
    this.#key = releaseKeyFromSeed(components.identity.seed, 'section')
    if (this.#key.public !== this.self) throw new RangeError('"identity.seed" does not belong to "identity.name"')
    const schedule = components.schedule ?? timerSchedule
    // Timer callbacks run in the same queue as messages: the state changes one input at a time.
    this.#schedule = (ms, callback) => schedule(ms, () => { void this.#serially(async () => { if (!this.#stopped) await callback() }) })
    this.#settleMs = init.formingSettleMs ?? DEFAULT_FORMING_SETTLE_MS
    this.#roundMs = init.dkgRoundTimeoutMs ?? DEFAULT_DKG_ROUND_TIMEOUT_MS
    this.#proposalMs = init.proposalTimeoutMs ?? DEFAULT_PROPOSAL_TIMEOUT_MS
    this.#joinRetryMs = init.joinRetryMs ?? DEFAULT_JOIN_RETRY_MS
    this.#known = new KnownVaults(this.self)
  }

  get phase (): SectionPhase { return this.#phase }
  get membership (): SectionMembership | undefined { return this.#membership }
  get isVotingElder (): boolean { return this.#consensus !== undefined }

  status (): SectionStatus {
    const membership = this.#membership
    return buildSectionStatus({
      phase: this.#phase,
      prefix: NETWORK_PREFIX,
      sectionKey: membership?.sectionKey ?? null,
      elders: membership?.elders ?? [],
      // While forming there are no members yet: the vaults known so far stand in.
      members: membership?.members ?? this.#known.names(),
      self: this.self,
      generation: membership?.generation ?? 0,
      isMember: membership?.isMember(this.self) ?? false
    })
  }

  stop (): void {
    this.#stopped = true
    for (const cancel of [this.#cancelSettle, this.#cancelConfirm, this.#cancelJoinRetry]) cancel?.()
    this.#keying?.stop()
    this.#consensus?.stop()
  }

  /** A peer speaking the section protocol, over an authenticated connection. */
  async vaultSeen (name: string): Promise<void> {
    await this.#serially(() => { this.#learn(name) })
  }

  async receive (from: string, message: SectionMessage): Promise<SectionReceipt> {
    const receipt = await this.#serially(async () => await this.#route(from, message))
    if (!receipt.accepted && receipt.misbehaviour) this.#emit('section:rejected', { from, type: message.type, reason: receipt.reason, misbehaviour: true })
    return receipt
  }

  async #route (from: string, message: SectionMessage): Promise<SectionReceipt> {
    if (this.#stopped) return ignored('the section service has stopped')
    if (from === this.self) return violation('a message from this vault\'s own name')
    switch (message.type) {
      case 'hello': return this.#onHello(from, message.vaults)
      case 'dkg-round':
      case 'dkg-share':
        return this.#onDkg(from, message)
      case 'section-info': return await this.#onSectionInfo(message.statements, message.members)
      case 'join-request':
        if (message.prefix !== NETWORK_PREFIX) return ignored(`a join request for section "${message.prefix}"`)
        return this.#consensus === undefined ? ignored('this vault is not a voting elder') : await this.#consensus.requestJoin(from)
      case 'vote': return this.#consensus === undefined ? ignored('this vault is not a voting elder') : await this.#consensus.receiveVote(from, message.vote)
      case 'decision': return await this.#onDecision(from, message.decision)
      default: {
        const unknown: never = message
        return violation(`unknown message ${JSON.stringify(unknown).slice(0, 100)}`)
      }
    }
  }

  // --- forming ---------------------------------------------------------------------------------

  #learn (name: string): void {
    if (!this.#known.add(name)) return
    if (this.#membership !== undefined) {
      this.#relayTo(name)
      return
    }
    this.#reconsiderElders()
    this.#sendHello(name)
  }

  #onHello (from: string, vaults: readonly string[]): SectionReceipt {
    this.#learn(from)
    if (this.#membership !== undefined) return ACCEPTED
    // Introduce ourselves to vaults that would be elders: the connection makes them known.
    for (const name of vaults) if (name !== this.self && this.#known.wouldBeElder(name)) this.#components.send(name, this.#hello())
    return ACCEPTED
  }

  #hello (): SectionMessage {
    return { type: 'hello', vaults: this.#known.oldest(MAX_HELLO_NAMES) }
  }

  /** Tells the new vault, and everyone when the oldest known changed, which vaults are oldest. */
  #sendHello (newcomer: string): void {
    const hello = this.#hello()
    const names = hello.type === 'hello' ? hello.vaults.join(',') : ''
    const targets = names === this.#helloNames ? [newcomer] : this.#known.names().filter(name => name !== this.self)
    this.#helloNames = names
    for (const name of targets) this.#components.send(name, hello)
  }

  #reconsiderElders (): void {
    const elders = this.#known.elders()
    if (elders !== undefined && this.#target !== undefined && elders.join() === this.#target.join()) return
    this.#target = elders
    this.#cancelSettle?.()
    this.#cancelConfirm?.()
    this.#keying?.stop()
    this.#keying = undefined
    this.#keyed = undefined
    this.#setPhase('forming')
    if (elders === undefined || !elders.includes(this.self)) return
    this.#cancelSettle = this.#schedule(this.#settleMs, () => { this.#startKeying(0) })
  }

  // --- keying and confirming -------------------------------------------------------------------

  #startKeying (attempt: number): void {
    const elders = this.#target
    if (elders === undefined || this.#membership !== undefined) return
    this.#cancelSettle?.()
    this.#cancelConfirm?.()
    this.#keying?.stop()
    this.#keyed = undefined
    const keying: Keying = { prefix: NETWORK_PREFIX, attempt, elders }
    const run = new GenesisKeying({
      self: this.self,
      send: (to, message) => { this.#components.send(to, message) },
      schedule: this.#schedule,
      ...(this.#components.random === undefined ? {} : { random: this.#components.random })
    }, { keying, roundTimeoutMs: this.#roundMs }, outcome => { void this.#serially(async () => { await this.#onKeyed(outcome) }) })
    this.#keying = run
    this.#setPhase('keying')
    this.#emit('section:keying', { attempt, outcome: 'started' })
    run.start()
    const buffered = this.#bufferedDkg.get(run.session) ?? []
    this.#bufferedDkg.delete(run.session)
    for (const { from, message } of buffered) run.receive(from, message)
  }

  #onDkg (from: string, message: DkgMessage): SectionReceipt {
    const mismatch = sessionMismatch(message)
    if (mismatch !== undefined) return violation(mismatch)
    const { keying } = message
    if (!keying.elders.includes(from)) return violation('a DKG message from a vault that is not an elder of the run it names')
    if (this.#membership !== undefined) return ignored('the section already has its key')
    if (keying.prefix !== NETWORK_PREFIX || !keying.elders.includes(this.self)) return ignored('a DKG run this vault takes no part in')
    const session = keyingSession(keying)
    const current = this.#keying
    if (current?.session === session) return current.receive(from, message)
    // Another elder restarted the DKG for the same elders: join its attempt rather than wait.
    const sameElders = this.#target?.join() === keying.elders.join()
    if (sameElders && current !== undefined && keying.attempt > current.keying.attempt) {
      this.#startKeying(keying.attempt)
      return this.#keying?.receive(from, message) ?? ignored('the DKG run did not start')
    }
    let buffered = this.#bufferedDkg.get(session)
    if (buffered === undefined) {
      if (this.#bufferedDkg.size >= MAX_BUFFERED_DKG_SESSIONS) return ignored('too many DKG runs this vault has not started')
      buffered = []
      this.#bufferedDkg.set(session, buffered)
    }
    if (buffered.length >= MAX_BUFFERED_DKG_MESSAGES) return ignored('too many messages for a DKG run this vault has not started')
    buffered.push({ from, message })
    return ignored('kept until this vault starts that DKG run')
  }

  async #onKeyed (outcome: KeyingOutcome): Promise<void> {
    if (this.#stopped || this.#membership !== undefined || this.#keying?.keying !== outcome.keying) return
    const attempt = outcome.keying.attempt
    if (!outcome.ok) {
      this.#emit('section:keying', { attempt, outcome: 'failed', reason: outcome.error.message })
      this.#startKeying(attempt + 1)
      return
    }
    this.#keyed = { keying: outcome.keying, result: outcome.result }
    this.#setPhase('confirming')
    this.#emit('section:keying', { attempt, outcome: 'keyed' })
    const chain = SectionChain.fromGenesis(groupPublicKey(outcome.result.publicKeySet))
    const elders = outcome.keying.elders
    await this.#announce({ prefix: NETWORK_PREFIX, chain: chain.toData(), elders: [...elders], generation: 0, membersDigest: membersDigest(elders), lastDecision: null }, elders)
    // Disagreeing views of the DKG show as no supermajority for any one key: run it again.
    this.#cancelConfirm = this.#schedule(2 * this.#roundMs, () => {
      if (this.#membership === undefined && this.#keyed?.keying === outcome.keying) this.#startKeying(attempt + 1)
    })
  }

  // --- statements ------------------------------------------------------------------------------

  /** Signs a statement as an elder and sends it, with the member list, to every vault known. */
  async #announce (statement: SectionStatement, members: readonly string[]): Promise<void> {
    const signed = signStatement(statement, this.#key)
    const checked = checkSignedStatement(signed)
    if (!checked.ok) throw new Error(`this elder's own statement does not check: ${checked.reason}`)
    this.#statementMembers.set(checked.id, [...members])
    const targets = new Set([...this.#known.names(), ...members])
    targets.delete(this.self)
    for (const name of targets) this.#components.send(name, { type: 'section-info', statements: [signed], members: [...members] })
    await this.#takeStatement(checked.id, signed.statement, this.#quorum.add(signed, checked.id))
  }

  async #onSectionInfo (statements: readonly unknown[], members: readonly string[]): Promise<SectionReceipt> {
    const digest = membersDigest(members)
    for (const value of statements) {
      const checked = checkSignedStatement(value)
      if (!checked.ok) return violation(checked.reason)
      if (checked.signed.statement.membersDigest !== digest) return violation('the member list does not match the statement\'s digest')
      if (!this.#statementMembers.has(checked.id)) {
        this.#statementMembers.set(checked.id, [...members])
        for (const old of this.#statementMembers.keys()) if (this.#statementMembers.size > 64) this.#statementMembers.delete(old)
      }
      await this.#takeStatement(checked.id, checked.signed.statement, this.#quorum.add(checked.signed, checked.id))
    }
    return ACCEPTED
  }

  async #takeStatement (id: string, statement: SectionStatement, result: ReturnType<StatementQuorum['add']>): Promise<void> {
    if (result.status !== 'complete' || this.#latest?.id === id) return
    const members = this.#statementMembers.get(id)
    if (members === undefined) return
    const membership = this.#membership
    if (membership === undefined) {
      const created = SectionMembership.fromStatement(statement, members)
      if (!created.ok) {
        this.#emit('section:failure', { reason: `a statement signed by a supermajority of its elders does not check: ${created.reason}` })
        return
      }
      this.#membership = created.membership
      this.#latest = { id, statement }
      this.#lastDecision = statement.lastDecision
      this.#established()
      return
    }
    if (statement.generation === membership.generation && statement.membersDigest === membersDigest(membership.members)) {
      // The statement of the generation this vault reached by a decision: keep it to pass on.
      if ((this.#latest?.statement.generation ?? -1) < statement.generation) this.#latest = { id, statement }
      return
    }
    const outcome = membership.adoptStatement(statement, members)
    if (!outcome.adopted) {
      if (!outcome.stale) this.#emit('section:failure', { reason: `a statement signed by a supermajority of its elders cannot be taken: ${outcome.reason}` })
      return
    }
    this.#latest = { id, statement }
    this.#lastDecision = statement.lastDecision
    if (outcome.decision !== undefined) this.#memberJoined(outcome.decision)
    await this.#afterGeneration()
  }

  /** Passes the section's latest statement, with every elder signature held, to a vault. */
  #relayTo (name: string): void {
    const latest = this.#latest
    const members = latest === undefined ? undefined : this.#statementMembers.get(latest.id)
    if (latest === undefined || members === undefined || this.#relayed.get(name) === latest.id) return
    this.#relayed.set(name, latest.id)
    this.#components.send(name, { type: 'section-info', statements: this.#quorum.signatures(latest.id).slice(0, latest.statement.elders.length), members })
  }

  // --- active ----------------------------------------------------------------------------------

  #established (): void {
    const membership = this.#membership
    if (membership === undefined) return
    for (const cancel of [this.#cancelSettle, this.#cancelConfirm]) cancel?.()
    this.#keying?.stop()
    this.#keying = undefined
    this.#bufferedDkg.clear()
    this.#setPhase('active')
    const isElder = membership.elders.includes(this.self)
    const keyed = this.#keyed
    const holdsShare = isElder && keyed !== undefined && keyed.keying.elders.join() === membership.elders.join() &&
      publicKeyToHex(groupPublicKey(keyed.result.publicKeySet)) === publicKeyToHex(membership.chain.genesisKey)
    if (holdsShare) this.#startVoting(keyed.result, membership)
    this.#emit('section:established', { sectionKey: membership.sectionKey, elders: [...membership.elders], isElder, hasKeyShare: holdsShare })
    // Vaults known while forming that are not members need the statement to ask to join.
    for (const name of this.#known.names()) if (name !== this.self && !membership.isMember(name)) this.#relayTo(name)
    this.#askToJoin()
  }

  #startVoting (result: DkgResult, membership: SectionMembership): void {
    const voter = new ElderVoter({
      secretKeyShare: result.secretKeyShare,
      publicKeySet: result.publicKeySet,
      ...(this.#components.persistVoter === undefined ? {} : { persist: this.#components.persistVoter })
    })
    this.#consensus = new JoinConsensus({
      self: this.self,
      elders: membership.elders,
      prefix: NETWORK_PREFIX,
      voter,
      accumulator: new DecisionAccumulator({ publicKeySet: result.publicKeySet, elders: membership.elders.length, sectionPrefix: NETWORK_PREFIX }),
      membership,
      send: (to, message) => { this.#components.send(to, message) },
      schedule: this.#schedule,
      decided: async decision => { await this.#onOwnDecision(decision) },
      proposalTimeoutMs: this.#proposalMs
    })
  }

  /** Until this vault is a member it asks every elder to admit it, again after each retry period. */
  #askToJoin (): void {
    this.#cancelJoinRetry?.()
    this.#cancelJoinRetry = undefined
    const membership = this.#membership
    if (membership === undefined || membership.isMember(this.self)) return
    for (const elder of membership.elders) this.#components.send(elder, { type: 'join-request', prefix: NETWORK_PREFIX })
    this.#cancelJoinRetry = this.#schedule(this.#joinRetryMs, () => { this.#askToJoin() })
  }

  /** A decision this elder combined from 5 votes: applied here, then sent to every member and the joiner. */
  async #onOwnDecision (decision: Decision): Promise<void> {
    const membership = this.#membership
    if (membership === undefined) return
    const outcome = membership.applyDecision(decision)
    if (!outcome.applied) return
    for (const name of membership.members) if (name !== this.self) this.#components.send(name, { type: 'decision', decision })
    this.#lastDecision = decision
    this.#memberJoined(decision)
    await this.#afterGeneration()
  }

  async #onDecision (from: string, decision: Decision): Promise<SectionReceipt> {
    const membership = this.#membership
    if (membership === undefined) return ignored('this vault does not know the section yet')
    const outcome = membership.applyDecision(decision)
    if (outcome.applied) {
      this.#lastDecision = decision
      this.#memberJoined(decision)
      await this.#afterGeneration()
      return ACCEPTED
    }
    switch (outcome.problem) {
      case 'future-generation':
        if (this.#futureDecisions.length < MAX_BUFFERED_DECISIONS) this.#futureDecisions.push(decision)
        return ignored(outcome.reason)
      case 'stale-generation':
      case 'already-member':
      case 'unsupported-kind':
        return ignored(outcome.reason)
      case 'malformed':
      case 'wrong-section':
      case 'unknown-section-key':
      case 'bad-signature':
        // A decision that does not verify never counts, and its sender vouched for it.
        return violation(`${outcome.problem}: ${outcome.reason}`)
      default: {
        const unknown: never = outcome.problem
        return violation(`unknown problem ${String(unknown)}`)
      }
    }
  }

  /** After the section moved to a new generation: elders vote on, sign and send the new statement. */
  async #afterGeneration (): Promise<void> {
    const membership = this.#membership
    if (membership === undefined) return
    await this.#consensus?.generationChanged()
    if (membership.elders.includes(this.self) && this.#lastDecision !== null && this.#lastDecision.proposal.generation === membership.generation - 1) {
      const members = [...membership.members]
      await this.#announce({
        prefix: NETWORK_PREFIX,
        chain: membership.chain.toData(),
        elders: [...membership.elders],
        generation: membership.generation,
        membersDigest: membersDigest(members),
        lastDecision: this.#lastDecision
      }, members)
    }
    if (membership.isMember(this.self)) {
      this.#cancelJoinRetry?.()
      this.#cancelJoinRetry = undefined
    }
    const ready = this.#futureDecisions.filter(decision => decision.proposal.generation === membership.generation)
    if (ready.length > 0) {
      this.#futureDecisions.splice(0, this.#futureDecisions.length, ...this.#futureDecisions.filter(decision => decision.proposal.generation > membership.generation))
      for (const decision of ready) await this.#onDecision(this.self, decision)
    }
  }

  #memberJoined (decision: Decision): void {
    const generation = this.#membership?.generation ?? 0
    this.#emit('section:member-joined', { name: decision.proposal.subject, generation, decision })
  }

  // --- plumbing --------------------------------------------------------------------------------

  #setPhase (phase: SectionPhase): void {
    if (this.#phase === phase) return
    this.#phase = phase
    this.#emit('section:phase', phase)
  }

  #emit<K extends keyof SectionNodeEvents> (type: K, detail: SectionNodeEvents[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }

  async #serially<T> (task: () => T | Promise<T>): Promise<T> {
    const run = this.#queue.then(task)
    this.#queue = run.catch((err: unknown) => {
      this.#emit('section:failure', { reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
    })
    return await run
  }
}
