// An elder's agenda (section-agenda.ts): what it proposes and what it objects to. Era activation
// needs 80% of the members and 5 of the 7 elders (DESIGN §2 versions and eras); joins state the
// joiner's age as its name's last byte.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SectionAgenda, type AgendaMembership } from '../../../../node-core/engine/section/section-agenda.ts'
import type { ActiveEra } from '../../../../node-core/engine/versions/eras.ts'
import { MemberHealth } from '../../../../node-core/engine/section/member-health.ts'
import type { Proposal } from '../../../../node-core/section/crypto/decisions.ts'
import { releaseKeyFromSeed } from '../../../../node-core/release/keys.ts'
import { signStorageReport, type StorageReport } from '../../../../node-core/engine/section/storage-reports.ts'
import type { JoinOrigin } from '../../../../node-core/engine/section/join-admission.ts'
import { ageOfHexName } from '../../../../node-core/engine/section/known-vaults.ts'

/** Vault names whose last byte (their age) is `age`. */
function vaultName (index: number, age = 10): string {
  return index.toString(16).padStart(62, '0') + age.toString(16).padStart(2, '0')
}

function sectionOf (memberCount: number, activeEra: ActiveEra = { era: 1, effectiveFromEpoch: 0 }, generation = 4): AgendaMembership {
  const members = new Set(Array.from({ length: memberCount }, (_, i) => vaultName(i)))
  const elders = [...members].slice(0, 7)
  return {
    generation,
    sectionKey: 'ab'.repeat(48),
    members,
    elders,
    activeEra,
    joinsAllowed: true,
    pendingHandover: undefined,
    handoverTarget: undefined,
    isMember: name => members.has(name),
    pauseOf: () => undefined,
    removedRejoinAge: () => undefined
  }
}

function agendaWith (membership: AgendaMembership, supporters: number[]): SectionAgenda {
  const agenda = new SectionAgenda({ prefix: '', membership, eraActivationDelay: 2, health: new MemberHealth() })
  const members = [...membership.members]
  members.forEach((name, i) => { agenda.noteEraSupport(name, supporters.includes(i) ? [1, 2] : [1]) })
  return agenda
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i)

function eraProposal (overrides: Partial<Proposal['payload']> = {}, subject = 'era-2'): Proposal {
  return { kind: 'era-activation', subject, generation: 4, sectionPrefix: '', payload: { era: 2, effectiveFromEpoch: 6, ...overrides } }
}

describe('a section agenda', () => {
  it('proposes era 2 effective after its delay once 80% of the members and 5 elders support it', () => {
    // 20 members: elders 0-6; elders 0-4 and adults 7-17 support: 16 of 20 (80%), 5 of 7 elders.
    const agenda = agendaWith(sectionOf(20), [...range(0, 5), ...range(7, 18)])
    assert.deepEqual(agenda.next(), eraProposal())
    assert.equal(agenda.objection(eraProposal()), undefined)
  })

  it('objects while the members fall short, and while the elders do, with the counts', () => {
    const membersShort = agendaWith(sectionOf(20), [...range(0, 7), ...range(7, 15)])
    assert.equal(membersShort.next(), undefined)
    assert.match(membersShort.objection(eraProposal()) ?? '', /15 of 20 members \(75\.0%\) and 7 of 7 elders support era 2: members need at least 80%/)
    const eldersShort = agendaWith(sectionOf(20), [...range(0, 4), ...range(7, 20)])
    assert.equal(eldersShort.next(), undefined)
    assert.match(eldersShort.objection(eraProposal()) ?? '', /17 of 20 members \(85\.0%\) and 4 of 7 elders support era 2: elders need at least 5/)
  })

  it('objects to an era that is not the next one, an effective epoch that is not later, and a payload that names another era', () => {
    const agenda = agendaWith(sectionOf(10), range(0, 10))
    assert.match(agenda.objection(eraProposal({ era: 3 }, 'era-3')) ?? '', /an activation of era-3: the next era is 2/)
    assert.match(agenda.objection(eraProposal({ effectiveFromEpoch: 4 })) ?? '', /effective from epoch 4: expected a later epoch/)
    assert.match(agenda.objection(eraProposal({ era: 3 })) ?? '', /payload names era 3/)
    assert.match(agenda.objection({ ...eraProposal(), generation: 3 }) ?? '', /another generation/)
  })

  it('proposes nothing more while a decided era waits for its epoch', () => {
    const agenda = agendaWith(sectionOf(10, { era: 2, effectiveFromEpoch: 6 }), range(0, 10))
    assert.equal(agenda.next(), undefined)
    assert.match(agenda.objection(eraProposal({ era: 3 }, 'era-3')) ?? '', /the next era is not yet known/)
  })

  it('proposes the first pending join with the joiner\'s age, and objects to a wrong age or a member', () => {
    const membership = sectionOf(10)
    const agenda = agendaWith(membership, [])
    const joiner = vaultName(99, 7)
    assert.equal(agenda.requestJoin(joiner), undefined)
    assert.equal(agenda.requestJoin(joiner), 'join already requested')
    assert.equal(agenda.requestJoin(vaultName(0)), 'already a member')
    const join = agenda.next()
    assert.deepEqual(join, { kind: 'join', subject: joiner, generation: 4, sectionPrefix: '', payload: { age: 7 } })
    assert.match(agenda.objection({ ...join, payload: { age: 8 } }) ?? '', /an age other than the last byte/)
    assert.match(agenda.objection({ ...join, subject: vaultName(1) }) ?? '', /already a member/)
  })

  it('proposes joiners first come, first served, whatever their names', () => {
    const agenda = agendaWith(sectionOf(10), [])
    const [later, earlier] = [vaultName(90, 5), vaultName(91, 5)]
    assert.equal(agenda.requestJoin(earlier), undefined)
    assert.equal(agenda.requestJoin(later), undefined)
    assert.equal(agenda.next()?.subject, earlier)
  })

  it('counts the era support a joiner told before this elder applied its Join decision; a vault that did not join is forgotten at the decision', () => {
    // 9 members, the 7 elders supporting: 7 of 9 (77.8%) is short of 80%.
    const membership = sectionOf(9)
    const members = membership.members as Set<string>
    const agenda = agendaWith(membership, range(0, 7))
    const [joiner, stranger] = [vaultName(99, 7), vaultName(98, 7)]
    assert.equal(agenda.noteEraSupport(joiner, [1, 2]), undefined)
    assert.equal(agenda.noteEraSupport(stranger, [1, 2]), undefined)
    assert.equal(agenda.next(), undefined)
    members.add(joiner)
    agenda.generationChanged()
    assert.deepEqual(agenda.next(), eraProposal(), '8 of 10 members support era 2')
    members.add(stranger)
    agenda.generationChanged()
    assert.match(agenda.objection(eraProposal()) ?? '', /8 of 11 members \(72\.7%\)/)
  })

  it('keeps era support from at most 64 vaults that are not members, until the next decision', () => {
    const agenda = agendaWith(sectionOf(9), [])
    for (const i of range(100, 164)) assert.equal(agenda.noteEraSupport(vaultName(i), [1, 2]), undefined)
    assert.equal(agenda.noteEraSupport(vaultName(100), [1]), undefined, 'one already kept may say it again')
    assert.equal(agenda.noteEraSupport(vaultName(164), [1, 2]), 'era support from a vault that is not a member, with 64 such kept already')
    agenda.generationChanged()
    assert.equal(agenda.noteEraSupport(vaultName(164), [1, 2]), undefined)
  })

  it('proposes a Leave for a member that asked, at half its age to rejoin, and objects to one it has no request for', () => {
    const membership = sectionOf(10)
    const member = vaultName(10, 14)
    const stranger = vaultName(99, 14)
    ;(membership.members as Set<string>).add(member)
    const agenda = agendaWith(membership, [])
    const leave: Proposal = { kind: 'leave', subject: member, generation: 4, sectionPrefix: '', payload: { rejoinAge: 7 } }
    assert.equal(agenda.objection(leave), `this elder has no leave request from ${member.slice(0, 16)}...`)
    assert.equal(agenda.requestLeave(stranger), 'a leave request from a vault that is not a member')
    assert.equal(agenda.requestLeave(member), undefined)
    assert.equal(agenda.requestLeave(member), 'leave already requested')
    assert.deepEqual(agenda.next(), leave)
    assert.equal(agenda.objection(leave), undefined)
    assert.equal(agenda.objection({ ...leave, payload: { rejoinAge: 14 } }), `a leave of ${member.slice(0, 16)}... whose rejoinAge is 14, not 7`)
    assert.equal(agenda.objection({ ...leave, subject: stranger }), `a leave of ${stranger.slice(0, 16)}..., which is not a member`)
  })

  it('objects to a relocate proposal (the rule moves members, not a proposal), and to a pause its own audits do not call for', () => {
    const agenda = agendaWith(sectionOf(10), [])
    assert.match(agenda.objection({ kind: 'relocate', subject: vaultName(3), generation: 4, sectionPrefix: '', payload: {} }) ?? '', /relocates by the rule after each decision, never by a proposal/)
    assert.match(agenda.objection({ kind: 'pause', subject: vaultName(8), generation: 4, sectionPrefix: '', payload: {} }) ?? '', /this elder's audits call for no pause of/)
  })
})

describe('a section agenda\'s joins while the section needs storage (DESIGN §2 "Joins")', () => {
  const adult = releaseKeyFromSeed(new Uint8Array(32).fill(7), 'section')
  const stranger = releaseKeyFromSeed(new Uint8Array(32).fill(8), 'section')
  const joiner = vaultName(99, 5)

  /** 12 members (7 elders, 4 adults named by index, and `adult`) whose joins switch is off. */
  function switchedOff (): AgendaMembership & { generation: number } {
    const base = sectionOf(11)
    const members = new Set([...base.members, adult.public])
    return { ...base, members, isMember: name => members.has(name), joinsAllowed: false }
  }

  const fullReport = (overrides: { level?: number, generation?: number } = {}, key = adult): StorageReport =>
    signStorageReport(key, { prefix: '', generation: overrides.generation ?? 4, level: overrides.level ?? 9 })

  it('proposes no new vault while joins are off, and objects to another elder\'s join then', () => {
    const agenda = agendaWith(switchedOff(), [])
    assert.equal(agenda.requestJoin(joiner), undefined, 'the request waits on the agenda')
    assert.equal(agenda.next(), undefined)
    const join: Proposal = { kind: 'join', subject: joiner, generation: 4, sectionPrefix: '', payload: { age: 5 } }
    assert.match(agenda.objection(join) ?? '', /joins are off: no member left since the last join, and no adult reported it is 90 % full/)
  })

  it('lets one join in on an adult\'s signed report that it is 90 % full, which the join carries and every elder checks', () => {
    const agenda = agendaWith(switchedOff(), [])
    agenda.requestJoin(joiner)
    const report = fullReport()
    assert.equal(agenda.noteStorageReport(adult.public, report), undefined)
    const join = agenda.next()
    assert.deepEqual(join?.payload, { age: 5, storageReporter: adult.public, storageLevel: 9, storageSignature: report.signature })
    assert.ok(join !== undefined)
    assert.equal(agendaWith(switchedOff(), []).objection(join), undefined, 'an elder that never saw the report checks the one the join carries')
    const forged = fullReport({}, stranger).signature
    assert.match(agenda.objection({ ...join, payload: { ...join.payload, storageSignature: forged } }) ?? '', /a storage report whose signature is not [0-9a-f]{16}\.\.\.'s/)
    assert.match(agenda.objection({ ...join, payload: { ...join.payload, storageLevel: 10 } }) ?? '', /signature is not/, 'the level is signed')
    assert.match(agenda.objection({ ...join, generation: 5 }) ?? '', /another generation/)
  })

  it('refuses a report below 90 %, from an elder or a stranger, for a past generation, or sent by another vault', () => {
    const membership = switchedOff()
    const agenda = agendaWith(membership, [])
    assert.match(agenda.noteStorageReport(adult.public, fullReport({ level: 8 })) ?? '', /reported level 8: a section needs storage once an adult is at 9 or more/)
    assert.match(agenda.noteStorageReport(stranger.public, fullReport({}, stranger)) ?? '', /which is not an active adult of the section/)
    assert.match(agenda.noteStorageReport(adult.public, fullReport({ generation: 3 })) ?? '', /a storage report for generation 3, the section is at 4/)
    assert.match(agenda.noteStorageReport(membership.elders[0] ?? '', fullReport()) ?? '', /a storage report for [0-9a-f]{16}\.\.\. sent by/)
    agenda.requestJoin(joiner)
    assert.equal(agenda.next(), undefined)
  })

  it('keeps a report for the next generation until it comes: the adult may apply a decision first', () => {
    const membership = switchedOff()
    const agenda = agendaWith(membership, [])
    agenda.requestJoin(joiner)
    assert.equal(agenda.noteStorageReport(adult.public, fullReport({ generation: 5 })), undefined)
    assert.equal(agenda.next(), undefined)
    membership.generation = 5
    agenda.generationChanged()
    assert.equal(agenda.next()?.payload.storageLevel, 9)
  })

  it('admits a founder it expected while joins are off, marked so, and objects to one it did not expect', () => {
    const founder = vaultName(96, 5)
    const agenda = new SectionAgenda({ prefix: '', membership: switchedOff(), eraActivationDelay: 2, health: new MemberHealth(), vouchedFounders: new Set([founder]) })
    assert.equal(agenda.requestJoin(founder), undefined)
    const join = agenda.next()
    assert.deepEqual(join?.payload, { age: 5, expectedFounder: true })
    assert.ok(join !== undefined)
    assert.equal(agenda.objection(join), undefined)
    assert.equal(agendaWith(switchedOff(), []).objection(join), 'a join as a founder this elder did not expect')
  })

  it('admits a relocated vault, and one rejoining at half its age (RFC 0045 relocates it), while joins are off: its checked proof decides', () => {
    const cases: Array<{ name: string, origin: JoinOrigin, unchecked: string }> = [
      { name: vaultName(98, 8), origin: { relocatedFrom: vaultName(97, 7) }, unchecked: 'a relocated join whose proof this elder has not checked' },
      { name: vaultName(95, 6), origin: { demotedFrom: vaultName(94, 12) }, unchecked: 'a demoted vault\'s rejoin whose proof this elder has not checked' }
    ]
    for (const { name, origin, unchecked } of cases) {
      const agenda = agendaWith(switchedOff(), [])
      assert.equal(agenda.requestJoin(name, origin), undefined)
      const join = agenda.next()
      assert.deepEqual(join?.payload, { age: ageOfHexName(name), ...origin })
      assert.ok(join !== undefined)
      assert.equal(agenda.objection(join), undefined)
      assert.equal(agendaWith(switchedOff(), []).objection(join), unchecked)
    }
  })
})
