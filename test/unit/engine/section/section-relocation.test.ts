// Relocation in the live section (issue 3, deliver 3): a decision's churn moves members by the
// rule; the moved vault grinds a name of age + 1, signs its move with its old key and rejoins; the
// elders check that proof against the decision they applied, and refuse a forged one with its reason.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeProposal, type Decision, type Proposal } from '../../../../node-core/section/crypto/decisions.ts'
import { dealSharesAsTrustedDealer, groupPublicKey, publicKeyToHex, signatureToHex, signShare } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { createRelocationProof, encodeRelocationProof } from '../../../../node-core/section/rules/relocation.ts'
import { grindKeys } from '../../../../node-core/engine/identity/grind.ts'
import { identityFromSeed, writeIdentity, type VaultIdentity } from '../../../../node-core/engine/identity/identity-file.ts'
import { loadRelocationProof, relocateIdentity } from '../../../../node-core/engine/identity/relocated-identity.ts'
import { SectionAgenda } from '../../../../node-core/engine/section/section-agenda.ts'
import { DEFAULT_MEMBER_HEALTH_OPTIONS, MemberHealth } from '../../../../node-core/engine/section/member-health.ts'
import { SectionMembership } from '../../../../node-core/engine/section/section-membership.ts'
import { RelocationProofWireSchema, type RelocationProofWire } from '../../../../node-core/engine/section/section-messages.ts'
import { membersDigest } from '../../../../node-core/engine/section/statements.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** A name of `age` no one holds the key of: elders here only need to be the oldest. */
function nameOfAge (label: string, age: number): string {
  const bytes = createHash('sha256').update(label).digest()
  bytes[31] = age
  return hex(bytes)
}

const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom('section-relocation') })
const sectionKey = publicKeyToHex(groupPublicKey(dealt.publicKeySet))

/** The section's signature on `proposal`, as 5 elders' shares would combine to (the dealer's secret signs directly). */
function decide (proposal: Proposal): Decision {
  const signature = signShare({ index: 1, scalar: dealt.secret }, encodeProposal(proposal)).signature
  return { proposal, sectionKey, signature: signatureToHex(signature) }
}

const elders = [20, 19, 18, 17, 16, 15, 14].map((age, i) => nameOfAge(`elder-${i}`, age))

function membershipOf (members: readonly string[]): SectionMembership {
  const statement = {
    prefix: '', chain: { genesisKey: sectionKey, links: [] }, elders, generation: 0, membersDigest: membersDigest(members), lastDecision: null, eraDecision: null, pauseDecisions: [], joinsOn: true
  }
  const made = SectionMembership.fromStatement(statement, members)
  assert.ok(made.ok, made.ok ? '' : made.reason)
  return made.membership
}

function joinOf (subject: string, generation: number): Proposal {
  return { kind: 'join', subject, generation, sectionPrefix: '', payload: { age: 5 } }
}

describe('relocation in the live section', { timeout: 120_000 }, () => {
  let adults: VaultIdentity[]
  let members: string[]
  /** The first join whose churn moves an adult: found by trying joiners in order, so the same every run. */
  let relocating: { decision: Decision, joiner: string }
  let dataDir: string

  before(async () => {
    adults = (await grindKeys(8, { prefix: '', age: 5 })).keys.map(key => identityFromSeed(key.seed))
    members = [...elders, ...adults.map(adult => hex(adult.name))]
    for (let i = 0; ; i++) {
      assert.ok(i < 2000, 'no churn ID qualified an adult in 2000 joins (expected about 1 in 32)')
      const joiner = nameOfAge(`joiner-${i}`, 5)
      const decision = decide(joinOf(joiner, 0))
      const probe = membershipOf(members)
      assert.ok(probe.applyDecision(decision).applied)
      if (probe.lastRelocations.length > 0) {
        relocating = { decision, joiner }
        break
      }
    }
    dataDir = await mkdtemp(join(tmpdir(), 'vault-relocation-'))
  })

  after(async () => { await rm(dataDir, { recursive: true, force: true }) })

  it('moves the members the decision\'s churn ID qualifies, by the rule: out of the section, to rejoin at age + 1', () => {
    const membership = membershipOf(members)
    assert.ok(membership.applyDecision(relocating.decision).applied)
    const moves = membership.lastRelocations
    // 16 members after the join: min(3, 16 - 14) = 2 moves at most; the joiner stays.
    assert.ok(moves.length >= 1 && moves.length <= 2)
    for (const move of moves) {
      const name = hex(move.oldName)
      assert.ok(adults.some(adult => hex(adult.name) === name))
      assert.equal(membership.isMember(name), false)
      assert.deepEqual([move.oldAge, move.newAge], [5, 6])
    }
    assert.ok(membership.isMember(relocating.joiner))
    assert.equal(membership.members.size, 16 - moves.length)
    assert.equal(membership.generation, 1)
  })

  it('admits the moved vault under its new name of age 6 with its proof; an elder that has not checked the proof objects', async () => {
    const membership = membershipOf(members)
    membership.applyDecision(relocating.decision)
    const [move] = membership.lastRelocations
    assert.ok(move !== undefined)
    const moved = adults.find(adult => hex(adult.name) === hex(move.oldName)) ?? assert.fail()
    await writeIdentity(dataDir, moved)
    const { identity, proof } = await relocateIdentity(dataDir, {
      newAge: move.newAge, destination: hex(move.destination), decisionSignatures: [relocating.decision.signature], sectionPrefix: ''
    })
    assert.equal(identity.age, 6)
    assert.deepEqual(await loadRelocationProof(dataDir, identity), proof)
    assert.ok((await readdir(dataDir)).includes(`identity.relocated-${hex(moved.name).slice(0, 16)}.json`), 'the old identity is kept aside')

    const newName = hex(identity.name)
    assert.equal(membership.checkRelocation(newName, proof), undefined)
    const agendaOf = (): SectionAgenda => new SectionAgenda({ prefix: '', membership, eraActivationDelay: 1, health: new MemberHealth(DEFAULT_MEMBER_HEALTH_OPTIONS) })
    const checked = agendaOf()
    assert.equal(checked.requestJoin(newName, { relocatedFrom: proof.oldName }), undefined)
    const proposal = checked.next()
    assert.deepEqual(proposal, { kind: 'join', subject: newName, generation: 1, sectionPrefix: '', payload: { age: 6, relocatedFrom: proof.oldName } })
    assert.equal(checked.objection(proposal), undefined)
    assert.equal(agendaOf().objection(proposal), 'a relocated join whose proof this elder has not checked')

    assert.ok(membership.applyDecision(decide(proposal)).applied)
    assert.ok(membership.isMember(newName))
  })

  it('refuses a forged proof, a wrong age byte, another decision, another sender and an unknown move, each with its reason', async () => {
    const membership = membershipOf(members)
    membership.applyDecision(relocating.decision)
    const [move] = membership.lastRelocations
    assert.ok(move !== undefined)
    const moved = adults.find(adult => hex(adult.name) === hex(move.oldName)) ?? assert.fail()
    const [age6, age7] = await Promise.all([6, 7].map(async age => identityFromSeed((await grindKeys(1, { prefix: '', age })).keys[0]?.seed ?? assert.fail())))
    assert.ok(age6 !== undefined && age7 !== undefined)
    const proofFor = (oldSeed: Uint8Array, newName: Uint8Array, signatures = [relocating.decision.signature]): RelocationProofWire =>
      RelocationProofWireSchema.parse(encodeRelocationProof(createRelocationProof({ oldSeed, newName, decisionSignatures: signatures.map(s => Uint8Array.from(Buffer.from(s, 'hex'))) })))
    const refusal = (from: string, proof: RelocationProofWire): string => {
      const receipt = membership.checkRelocation(from, proof)
      assert.ok(receipt !== undefined && !receipt.accepted)
      return `${receipt.misbehaviour ? 'misbehaviour' : 'ignored'}: ${receipt.reason}`
    }
    const other = adults.find(adult => !membership.lastRelocations.some(m => hex(m.oldName) === hex(adult.name))) ?? assert.fail()

    assert.match(refusal(hex(age7.name), proofFor(moved.seed, age7.name)), /^misbehaviour: relocation proof refused: RelocationAgeError: the new name's age byte is 7/)
    const signedByAnother = { ...proofFor(other.seed, age6.name), oldName: hex(moved.name) }
    assert.match(refusal(hex(age6.name), signedByAnother), /^misbehaviour: relocation proof refused: RelocationSignatureError: the old key .* did not sign/)
    const anotherDecision = decide(joinOf(nameOfAge('another', 5), 0)).signature
    assert.match(refusal(hex(age6.name), proofFor(moved.seed, age6.name, [anotherDecision])), /^misbehaviour: relocation proof refused: RelocationDecisionError: the proof is for another decision/)
    assert.match(refusal(hex(other.name), proofFor(moved.seed, age6.name)), /^misbehaviour: a relocation proof for .* sent by/)
    assert.match(refusal(hex(age6.name), proofFor(other.seed, age6.name)), /^ignored: no relocation of .* known to this vault/)
  })
})
