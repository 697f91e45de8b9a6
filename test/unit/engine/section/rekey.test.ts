// A Rekey (rekey.ts): an elder's signed word that it holds no share of the section's key, taken by
// the other elders' agendas and proposed with the request in its payload, so an elder that never
// heard the request checks it on its own; refused with a reason when it is forged, comes from a
// vault that is not an elder, names another key, or when the section keyed for that elder before.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { releaseKeyFromSeed } from '../../../../node-core/release/keys.ts'
import { nameToHex } from '../../../../node-core/engine/section/known-vaults.ts'
import { MemberHealth } from '../../../../node-core/engine/section/member-health.ts'
import { rekeyObjection, rekeyProposal, rekeyRequest, rekeyRequestSigned, type RekeyView } from '../../../../node-core/engine/section/rekey.ts'
import { SectionAgenda, type AgendaMembership } from '../../../../node-core/engine/section/section-agenda.ts'
import { testIdentity } from './memory-section.ts'

const SECTION_KEY = 'ab'.repeat(48)
const identities = Array.from({ length: 8 }, (_, i) => testIdentity(`rekey-unit-${i}`))
const keys = identities.map(identity => releaseKeyFromSeed(identity.seed, 'section'))
const names = identities.map(identity => nameToHex(identity.name))
const elders = names.slice(0, 7)
const [claimantKey] = keys
const claimant = names[0] ?? ''
const outsider = names[7] ?? ''

function membership (overrides: Partial<AgendaMembership> = {}): AgendaMembership {
  const members = new Set(names)
  return {
    generation: 3,
    sectionKey: SECTION_KEY,
    members,
    elders,
    activeEra: { era: 1, effectiveFromEpoch: 0 },
    joinsAllowed: true,
    pendingHandover: undefined,
    handoverTarget: undefined,
    isMember: name => members.has(name),
    pauseOf: () => undefined,
    removedRejoinAge: () => undefined,
    ...overrides
  }
}

const view: RekeyView = { prefix: '', elders, sectionKey: SECTION_KEY, generation: 3 }

describe('a Rekey', () => {
  assert.ok(claimantKey !== undefined)
  const request = rekeyRequest(claimantKey, '', SECTION_KEY)

  it('is proposed by an elder that took the request, and another elder that never heard it votes for it', () => {
    assert.ok(rekeyRequestSigned(claimant, request))
    const proposer = new SectionAgenda({ prefix: '', membership: membership(), eraActivationDelay: 1, health: new MemberHealth() })
    assert.equal(proposer.noteRekeyRequest(claimant, request), undefined)
    const proposal = proposer.next()
    assert.deepEqual(proposal, rekeyProposal(claimant, request, view))
    assert.deepEqual(proposal, { kind: 'rekey', subject: claimant, generation: 3, sectionPrefix: '', payload: { sectionKey: SECTION_KEY, signature: request.signature } })
    const other = new SectionAgenda({ prefix: '', membership: membership(), eraActivationDelay: 1, health: new MemberHealth() })
    assert.equal(other.objection(proposal), undefined)
  })

  it('is refused with its reason: forged, from a vault that is not an elder, of another key, a second time, or while a handover is due', () => {
    const proposal = rekeyProposal(claimant, request, view)
    const forged = { ...proposal, payload: { ...proposal.payload, signature: 'cd'.repeat(64) } }
    assert.equal(rekeyObjection(forged, view, new Set()), 'a rekey whose request the elder did not sign')
    assert.equal(rekeyRequestSigned(outsider, request), false, 'signed by another vault than the sender')
    const fromOutsider = rekeyProposal(outsider, request, view)
    assert.equal(rekeyObjection(fromOutsider, view, new Set()), 'a rekey asked by a vault that is not an elder')
    assert.equal(rekeyObjection(proposal, { ...view, sectionKey: 'cd'.repeat(48) }, new Set()), 'a rekey of a key other than the section\'s current one')
    assert.equal(rekeyObjection(proposal, view, new Set([claimant])), 'the section keyed again for this elder once already')
    const dueHandover = new SectionAgenda({ prefix: '', membership: membership({ handoverTarget: { prefix: '', elected: elders, sectionKey: SECTION_KEY } }), eraActivationDelay: 1, health: new MemberHealth() })
    assert.equal(dueHandover.objection(proposal), 'a handover to the elders the section elects is due first')
    const agenda = new SectionAgenda({ prefix: '', membership: membership(), eraActivationDelay: 1, health: new MemberHealth(), rekeyed: new Set([claimant]) })
    assert.equal(agenda.noteRekeyRequest(claimant, request), 'the section keyed again for this elder once already')
    assert.equal(agenda.next(), undefined)
  })
})
