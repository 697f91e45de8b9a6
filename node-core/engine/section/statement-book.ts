// The statements a vault holds: elders' signatures gathered per statement until a supermajority
// (StatementQuorum), the member list each one names, the latest complete one, and which vault was
// last passed which, so a vault that does not know the section hears it once.
import { MAX_TRACKED_STATEMENTS, StatementQuorum, checkSignedStatement, membersDigest, type SectionStatement, type SignedStatement } from './statements.ts'
import type { SectionMessage } from './section-messages.ts'

export type StatementTaken =
  | { ok: false, reason: string }
  | { ok: true, /** A statement that has just reached its supermajority. */ complete: { id: string, statement: SectionStatement, members: string[] } | undefined }

export class StatementBook {
  readonly #quorum = new StatementQuorum()
  readonly #members = new Map<string, string[]>()
  readonly #relayed = new Map<string, string>()
  #latest: { id: string, statement: SectionStatement } | undefined

  get latest (): { id: string, statement: SectionStatement } | undefined { return this.#latest }

  setLatest (id: string, statement: SectionStatement): void {
    this.#latest = { id, statement }
  }

  /** One signed statement, from the wire or this elder's own; `members` is the list sent with it. */
  take (value: unknown, members: readonly string[]): StatementTaken {
    const checked = checkSignedStatement(value)
    if (!checked.ok) return checked
    if (checked.signed.statement.membersDigest !== membersDigest(members)) return { ok: false, reason: 'the member list does not match the statement\'s digest' }
    return { ok: true, complete: this.#add(checked.signed, checked.id, members) }
  }

  /** The latest complete statement with every signature held, for a vault that has not had it. */
  relayFor (name: string, options: { again?: boolean } = {}): SectionMessage | undefined {
    const latest = this.#latest
    const members = latest === undefined ? undefined : this.#members.get(latest.id)
    if (latest === undefined || members === undefined) return undefined
    if (options.again !== true && this.#relayed.get(name) === latest.id) return undefined
    this.#relayed.set(name, latest.id)
    return { type: 'section-info', statements: this.#quorum.signatures(latest.id).slice(0, latest.statement.elders.length), members }
  }

  /** The latest complete statement with its signatures, as a section-info answer; nothing is remembered of who asked. */
  latestInfo (): SectionMessage | undefined {
    const latest = this.#latest
    const members = latest === undefined ? undefined : this.#members.get(latest.id)
    if (latest === undefined || members === undefined) return undefined
    return { type: 'section-info', statements: this.#quorum.signatures(latest.id).slice(0, latest.statement.elders.length), members }
  }

  #add (signed: SignedStatement, id: string, members: readonly string[]): { id: string, statement: SectionStatement, members: string[] } | undefined {
    if (!this.#members.has(id)) {
      this.#members.set(id, [...members])
      for (const old of this.#members.keys()) if (this.#members.size > 2 * MAX_TRACKED_STATEMENTS) this.#members.delete(old)
    }
    const result = this.#quorum.add(signed, id)
    const list = this.#members.get(id)
    if (result.status !== 'complete' || list === undefined || this.#latest?.id === id) return undefined
    return { id, statement: result.statement, members: list }
  }
}
