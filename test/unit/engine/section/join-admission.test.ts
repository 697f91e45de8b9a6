// Live join admission (issue 3 deliver 3): a new vault joins at age 5; an older one shows a
// relocation or demotion proof; and every joiner answers the elder's resource challenge. Each
// refusal carries its reason, and an elder objects to another's Join it has not checked itself.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { encodeProposal, type Decision, type Proposal } from '../../../../node-core/section/crypto/decisions.ts'
import { dealSharesAsTrustedDealer, groupPublicKey, publicKeyToHex, signatureToHex, signShare } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { createDemotionProof, encodeDemotionProof } from '../../../../node-core/section/rules/demotion-proof.ts'
import { leadingZeroBits, resourceProofHash, solveResourceChallenge } from '../../../../node-core/section/rules/resource-challenge.ts'
import type { VaultIdentity } from '../../../../node-core/engine/identity/identity-file.ts'
import { JoinAdmission, type Admission, type AdmissionView } from '../../../../node-core/engine/section/join-admission.ts'
import { JoinRequests, MAX_ANSWERED_DIFFICULTY } from '../../../../node-core/engine/section/join-requests.ts'
import { DEFAULT_MEMBER_HEALTH_OPTIONS, MemberHealth } from '../../../../node-core/engine/section/member-health.ts'
import { SectionAgenda } from '../../../../node-core/engine/section/section-agenda.ts'
import { SectionMembership } from '../../../../node-core/engine/section/section-membership.ts'
import {
  decodeSectionMessage, DemotionProofWireSchema, type DemotionProofWire, type JoinChallengeMessage, type JoinRequestMessage, type SectionMessage
} from '../../../../node-core/engine/section/section-messages.ts'
import { membersDigest } from '../../../../node-core/engine/section/statements.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'
import { identityOfAge, ManualClock, MemorySection, newVaultIdentity, testIdentity } from './memory-section.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const DIFFICULTY = 8
const TTL_MS = 10_000

const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom('join-admission') })
const sectionKey = publicKeyToHex(groupPublicKey(dealt.publicKeySet))

/** The section's signature on `proposal`, as 5 elders' shares would combine to. */
function decide (proposal: Proposal): Decision {
  return { proposal, sectionKey, signature: signatureToHex(signShare({ index: 1, scalar: dealt.secret }, encodeProposal(proposal)).signature) }
}

function nameOfAge (label: string, age: number): string {
  const bytes = createHash('sha256').update(label).digest()
  bytes[31] = age
  return hex(bytes)
}

const elders = [20, 19, 18, 17, 16, 15, 14].map((age, i) => nameOfAge(`elder-${i}`, age))
/** An adult of age 12: demoted, it rejoins at age 6. */
const adult = identityOfAge('join-admission/adult', 12)
const stranger = identityOfAge('join-admission/stranger', 12)

function membershipOf (members: readonly string[]): SectionMembership {
  const statement = { prefix: '', chain: { genesisKey: sectionKey, links: [] }, elders, generation: 0, membersDigest: membersDigest(members), lastDecision: null, eraDecision: null, pauseDecisions: [], joinsOn: true }
  const made = SectionMembership.fromStatement(statement, members)
  assert.ok(made.ok, made.ok ? '' : made.reason)
  return made.membership
}

/** A section whose elders demoted the adult at generation 0. */
function demotedSection (): SectionMembership {
  const membership = membershipOf([...elders, hex(adult.name), hex(stranger.name)])
  const demote: Proposal = { kind: 'demote', subject: hex(adult.name), generation: 0, sectionPrefix: '', payload: { reason: 'grace-expired', rejoinAge: 6 } }
  const outcome = membership.applyDecision(decide(demote))
  assert.ok(outcome.applied, outcome.applied ? '' : outcome.reason)
  assert.equal(membership.removedRejoinAge(hex(adult.name)), 6)
  return membership
}

function agendaOf (membership: SectionMembership): SectionAgenda {
  return new SectionAgenda({ prefix: '', membership, eraActivationDelay: 1, health: new MemberHealth(DEFAULT_MEMBER_HEALTH_OPTIONS) })
}

function demotionProof (oldSeed: Uint8Array, newName: Uint8Array): DemotionProofWire {
  return DemotionProofWireSchema.parse(encodeDemotionProof(createDemotionProof({ oldSeed, newName })))
}

/** An elder's admission with a manual clock, keeping the challenges it sends. */
function elderAdmission (): { admission: JoinAdmission, clock: ManualClock, challenges: Array<{ to: string, message: JoinChallengeMessage }> } {
  const clock = new ManualClock()
  const challenges: Array<{ to: string, message: JoinChallengeMessage }> = []
  const send = (to: string, message: SectionMessage): void => { if (message.type === 'join-challenge') challenges.push({ to, message }) }
  const admission = new JoinAdmission({ send, schedule: clock.schedule, random: seededRandom('join-admission/nonces') }, { difficulty: DIFFICULTY, challengeTtlMs: TTL_MS })
  return { admission, clock, challenges }
}

function refusal (admission: Admission): string {
  assert.ok(!admission.admitted && !admission.receipt.accepted)
  return `${admission.receipt.misbehaviour ? 'misbehaviour' : 'ignored'}: ${admission.receipt.reason}`
}

/** A join request from `joiner` answering `challenge`, solved for `solvedFor` (the joiner by default). */
function answered (joiner: VaultIdentity, challenge: JoinChallengeMessage, extra: Partial<JoinRequestMessage> = {}, solvedFor = joiner.name): JoinRequestMessage {
  const { solution } = solveResourceChallenge({ nonce: Buffer.from(challenge.nonce, 'hex'), difficulty: challenge.difficulty }, solvedFor)
  return { type: 'join-request', prefix: '', ...extra, resource: { name: hex(joiner.name), nonce: challenge.nonce, solution: hex(solution) } }
}

describe('join admission', () => {
  it('refuses a join at age 9 without a proof, with its reason, and challenges no one', () => {
    const membership = membershipOf(elders)
    const { admission, challenges } = elderAdmission()
    const old = identityOfAge('join-admission/grinder', 9)
    const view: AdmissionView = { agenda: agendaOf(membership), membership }
    assert.equal(refusal(admission.admit(hex(old.name), { type: 'join-request', prefix: '' }, view)),
      'ignored: a join at age 9 without a relocation or demotion proof: a new vault joins at age 5')
    assert.deepEqual(challenges, [])
  })

  it('challenges a new vault; refuses a missing, foreign, wrong or stale answer with its reason, and takes the right one', async () => {
    const membership = membershipOf(elders)
    const { admission, clock, challenges } = elderAdmission()
    const view: AdmissionView = { agenda: agendaOf(membership), membership }
    const joiner = newVaultIdentity('join-admission/joiner')
    const other = newVaultIdentity('join-admission/other')
    const from = hex(joiner.name)
    const ask = { type: 'join-request', prefix: '' } as const

    assert.equal(refusal(admission.admit(from, ask, view)), `ignored: a join without an answer to a resource challenge: challenged at difficulty ${DIFFICULTY}`)
    const first = challenges.at(-1)
    assert.ok(first !== undefined && first.to === from)
    assert.equal(first.message.difficulty, DIFFICULTY)
    admission.admit(from, ask, view)
    assert.equal(challenges.at(-1)?.message.nonce, first.message.nonce, 'asking again while it is open sends the same challenge')

    assert.match(refusal(admission.admit(from, answered(other, first.message), view)), /^misbehaviour: a resource proof for [0-9a-f]{16}\.\.\. sent by [0-9a-f]{16}\.\.\.$/)
    // An answer solved for another name does not hash to the difficulty under the joiner's own.
    let wrong = answered(joiner, first.message, {}, other.name)
    for (let i = 0; leadingZeroBits(resourceProofHash({ nonce: Buffer.from(first.message.nonce, 'hex'), difficulty: DIFFICULTY }, joiner.name, Buffer.from(wrong.resource?.solution ?? '', 'hex'))) >= DIFFICULTY; i++) {
      wrong = answered(joiner, first.message, {}, identityOfAge(`join-admission/other-${i}`, 5).name)
    }
    assert.match(refusal(admission.admit(from, wrong, view)), /^misbehaviour: resource proof refused: ResourceProofError: resource proof has \d leading zero bits; the challenge asks for 8$/)
    assert.equal(refusal(admission.admit(from, answered(joiner, first.message), view)),
      `ignored: a resource proof for a nonce this elder did not give ${from.slice(0, 16)}... or that expired: challenged again`, 'a refused answer used up its nonce')

    const second = challenges.at(-1)
    assert.ok(second !== undefined && second.message.nonce !== first.message.nonce)
    await clock.advance(TTL_MS)
    assert.match(refusal(admission.admit(from, answered(joiner, second.message), view)), /^ignored: a resource proof for a nonce this elder did not give .* or that expired/)

    const third = challenges.at(-1)
    assert.ok(third !== undefined && third.message.nonce !== second.message.nonce)
    assert.deepEqual(admission.admit(from, answered(joiner, third.message), view), { admitted: true, origin: undefined })
    assert.match(refusal(admission.admit(from, answered(joiner, third.message), view)), /or that expired/, 'a nonce answers once')
  })

  it('admits a demoted vault at its rejoin age with the proof its old key signed, once; an elder that has not checked it objects', () => {
    const membership = demotedSection()
    const { admission, challenges } = elderAdmission()
    const agenda = agendaOf(membership)
    const view: AdmissionView = { agenda, membership }
    const rejoined = identityOfAge('join-admission/rejoined', 6)
    const from = hex(rejoined.name)
    const demotion = demotionProof(adult.seed, rejoined.name)

    assert.equal(refusal(admission.admit(from, { type: 'join-request', prefix: '', demotion }, view)), 'ignored: a join without an answer to a resource challenge: challenged at difficulty 8')
    const challenge = challenges.at(-1)
    assert.ok(challenge !== undefined)
    const admitted = admission.admit(from, answered(rejoined, challenge.message, { demotion }), view)
    assert.deepEqual(admitted, { admitted: true, origin: { demotedFrom: hex(adult.name) } })
    assert.ok(admitted.admitted)
    assert.equal(agenda.requestJoin(from, admitted.origin), undefined)
    const proposal = agenda.next()
    assert.deepEqual(proposal, { kind: 'join', subject: from, generation: 1, sectionPrefix: '', payload: { age: 6, demotedFrom: hex(adult.name) } })
    assert.equal(agenda.objection(proposal), undefined)
    assert.equal(agendaOf(membership).objection(proposal), 'a demoted vault\'s rejoin whose proof this elder has not checked')

    assert.ok(membership.applyDecision(decide(proposal)).applied)
    assert.ok(membership.isMember(from))
    const twice = identityOfAge('join-admission/rejoined-twice', 6)
    const receipt = membership.checkDemotion(hex(twice.name), demotionProof(adult.seed, twice.name))
    assert.match(receipt?.accepted === false ? receipt.reason : '', /^the removed name [0-9a-f]{16}\.\.\. already rejoined as [0-9a-f]{16}\.\.\.$/)
  })

  it('refuses a demotion proof with a wrong age byte, signed by another key, sent by another or for a name never demoted, each with its reason', () => {
    const membership = demotedSection()
    const age6 = identityOfAge('join-admission/age-6', 6)
    const age7 = identityOfAge('join-admission/age-7', 7)
    const checked = (from: VaultIdentity, proof: DemotionProofWire): string => {
      const receipt = membership.checkDemotion(hex(from.name), proof)
      assert.ok(receipt !== undefined && !receipt.accepted)
      return `${receipt.misbehaviour ? 'misbehaviour' : 'ignored'}: ${receipt.reason}`
    }
    assert.equal(membership.checkDemotion(hex(age6.name), demotionProof(adult.seed, age6.name)), undefined, 'the right proof holds')
    assert.equal(checked(age7, demotionProof(adult.seed, age7.name)),
      'misbehaviour: demotion proof refused: DemotionAgeError: the new name\'s age byte is 7 and the proof says 7; the demoted vault rejoins at age 6')
    const signedByAnother = { ...demotionProof(stranger.seed, age6.name), oldName: hex(adult.name) }
    assert.match(checked(age6, signedByAnother), /^misbehaviour: demotion proof refused: DemotionSignatureError: the old key [0-9a-f]{64} did not sign the new name$/)
    assert.match(checked(age7, demotionProof(adult.seed, age6.name)), /^misbehaviour: a demotion proof for [0-9a-f]{16}\.\.\. sent by [0-9a-f]{16}\.\.\.$/)
    assert.match(checked(age6, demotionProof(stranger.seed, age6.name)), /^ignored: no demotion or leave of [0-9a-f]{16}\.\.\. known to this vault$/)
  })

  it('refuses on the wire a join request that shows both a relocation and a demotion proof', () => {
    const demotion = demotionProof(adult.seed, identityOfAge('join-admission/both', 6).name)
    const relocation = { ...demotion, decisionSignatures: ['ab'.repeat(96)] }
    const bytes = new TextEncoder().encode(JSON.stringify({ type: 'join-request', prefix: '', relocation, demotion }))
    assert.throws(() => decodeSectionMessage(bytes), { name: 'MalformedSectionMessageError', message: /a relocation or a demotion proof, not both/ })
  })

  it('objects to another elder\'s Join of a vault older than 5 that shows no proof (a faulty proposer)', () => {
    const membership = membershipOf(elders)
    const subject = nameOfAge('grinder', 200)
    const proposal: Proposal = { kind: 'join', subject, generation: 0, sectionPrefix: '', payload: { age: 200 } }
    assert.equal(agendaOf(membership).objection(proposal), 'a join at age 200 without a relocation or demotion proof: a new vault joins at age 5')
    assert.equal(agendaOf(membership).objection({ ...proposal, payload: { age: 200, relocatedFrom: elders[0] ?? '', demotedFrom: elders[1] ?? '' } }), 'a join that claims both a relocation and a demotion')
  })
})

describe('join requests (the joiner\'s side)', () => {
  const joiner = newVaultIdentity('join-requests/joiner')
  const challenge = (difficulty: number): JoinChallengeMessage => ({ type: 'join-challenge', prefix: '', nonce: hex(createHash('sha256').update(`nonce/${difficulty}`).digest()), difficulty })

  it('answers one challenge per request it sent, none it did not ask for and none harder than it can solve at once', () => {
    const requests = new JoinRequests({ self: hex(joiner.name) })
    assert.equal(requests.answer(elders[0] ?? '', challenge(4)), 'a join challenge this vault did not ask for')
    assert.deepEqual(requests.request(elders[0] ?? ''), { type: 'join-request', prefix: '' })
    const answer = requests.answer(elders[0] ?? '', challenge(4))
    assert.ok(typeof answer !== 'string' && answer.resource !== undefined)
    const bits = leadingZeroBits(resourceProofHash({ nonce: Buffer.from(challenge(4).nonce, 'hex'), difficulty: 4 }, joiner.name, Buffer.from(answer.resource.solution, 'hex')))
    assert.ok(bits >= 4)
    assert.equal(requests.answer(elders[0] ?? '', challenge(4)), 'a join challenge this vault did not ask for', 'one answer per request')
    assert.deepEqual(requests.request(elders[0] ?? '').resource, answer.resource, 'its next request shows the answer again')
    assert.equal(requests.answer(elders[0] ?? '', challenge(MAX_ANSWERED_DIFFICULTY + 1)), `a join challenge of difficulty ${MAX_ANSWERED_DIFFICULTY + 1}: this vault answers at most ${MAX_ANSWERED_DIFFICULTY}`)
  })
})

describe('joins in a live section in memory', { timeout: 120_000 }, () => {
  it('admits a new vault once it answers every elder\'s challenge, and never a vault of age 9 without a proof', async () => {
    const net = new MemorySection({ resourceDifficulty: 6 })
    const founders = Array.from({ length: 8 }, (_, i) => net.add(testIdentity(`join-live-${i}`)).self)
    await net.connectAll()
    await net.advance(1000)
    const grinder = net.add(identityOfAge('join-live/grinder', 9)).self
    const newcomer = net.add(newVaultIdentity('join-live/newcomer')).self
    await net.connect(grinder, founders[0] ?? '')
    await net.connect(newcomer, founders[0] ?? '')
    await net.advance(20_000)

    assert.equal(net.node(newcomer).status().isMember, true)
    assert.equal(net.node(grinder).status().isMember, false)
    const elders = net.node(founders[0] ?? '').status().elders.length
    const challenged = new Set(net.deliveries.filter(d => d.message.type === 'join-challenge' && d.to === newcomer && d.receipt.accepted).map(d => d.from))
    assert.equal(challenged.size, elders, 'every elder challenged the newcomer, and it answered each')
    assert.equal(net.deliveries.filter(d => d.message.type === 'join-challenge' && d.to === grinder).length, 0)
    const refusals = new Set(net.deliveries.filter(d => d.from === grinder && d.message.type === 'join-request').map(d => d.receipt.accepted ? 'accepted' : d.receipt.reason))
    assert.deepEqual([...refusals], ['a join at age 9 without a relocation or demotion proof: a new vault joins at age 5'])
    for (const node of net.nodes.values()) node.stop()
  })
})
