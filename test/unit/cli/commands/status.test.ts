// `vault status` prints the vault's age and its section: prefix, phase, elders and whether it is one.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { formatSection, formatStatus } from '../../../../node-core/cli/commands/status.ts'
import { ACTIVE_STANDING, VaultStatusSchema, type SectionStatus } from '../../../../contract/host-api.ts'
import { SAMPLE_NAME, SAMPLE_SELF_CHECK_FAILED, SAMPLE_SELF_CHECK_PASSED, sampleStanding, sampleStatus } from '../../../helpers/sample-status.ts'

const ELDERS = [20, 19, 17, 15, 13, 12, 10].map((age, i) => ({ name: `12D3KooWElder${i}`, age }))

function section (overrides: Partial<SectionStatus> = {}): SectionStatus {
  return {
    phase: 'active',
    prefix: '',
    sectionKey: 'ab'.repeat(48),
    elders: ELDERS,
    members: [...ELDERS, { name: SAMPLE_NAME, age: 12 }],
    memberCount: 8,
    isElder: false,
    isMember: true,
    generation: 3,
    standing: ACTIVE_STANDING,
    ...overrides
  }
}

describe('vault status', () => {
  it('prints the age and the section: prefix, generation, members, elder count and ages, whether this vault is an elder, the key', () => {
    const text = formatStatus(sampleStatus({ age: 12, section: section() }))
    assert.match(text, /^age {6}12$/m)
    assert.match(text, /^section {2}'' \(the whole network\), generation 3, 8 members$/m)
    assert.match(text, /^elders {3}7 \(ages 20, 19, 17, 15, 13, 12, 10\); this vault is not an elder$/m)
    assert.match(text, /^key {6}abababababababab…$/m)
    assert.match(text, /^era {6}1 \(this engine supports 1\)$/m)
    assert.match(formatSection(section({ isElder: true })).join('\n'), /this vault is an elder$/m)
  })

  it('says when the vault still asks to join, when the section is forming or keying, and when the engine runs none', () => {
    assert.match(formatSection(section({ isMember: false })).join('\n'), /\(this vault is asking to join\)/)
    assert.deepEqual(formatSection(section({ phase: 'forming', elders: [], sectionKey: null, memberCount: 4 })), ["section  '' (the whole network), forming: 4 vaults known, no elders until 7 are"])
    assert.match(formatSection(section({ phase: 'keying', sectionKey: null, prefix: '01' }))[0] ?? '', /^section {2}'01', keying/)
    assert.deepEqual(formatSection(null), ['section  none: this engine runs no section'])
  })

  it('says a vault that left is in no section, earns nothing, and how to start it again', () => {
    const text = formatStatus(sampleStatus({ name: '', age: 0, state: 'left', section: null }))
    assert.match(text, /^vault {4}\(left the network\)$/m)
    assert.match(text, /^age {6}-$/m)
    assert.match(text, /^state {4}left$/m)
    assert.match(text, /^section {2}none: this vault left the network; vault resume starts it again under a new name$/m)
    assert.match(text, /^earnings 0: a vault that left the network earns nothing$/m)
  })

  it('adds nothing for an active standing, and shows a paused one: the reasons, the churns left, the deadline and the self-check', () => {
    assert.equal(formatSection(section()).filter(line => line.startsWith('standing')).length, 0)
    const paused = formatSection(section({ generation: 58, standing: sampleStanding() }))
    assert.deepEqual(paused.slice(3), [
      'standing paused by the section: missed-audit x6; unresponsive x3',
      '         42 churns left (demoted at generation 100, about 2023-11-15 04:13 UTC)',
      '         no self-check yet; run vault resume'
    ])
    const failed = formatSection(section({ generation: 120, standing: sampleStanding({ deadlineAt: null, selfCheck: SAMPLE_SELF_CHECK_FAILED }) }))
    assert.deepEqual(failed.slice(4), ['         0 churns left (demoted at generation 100)', '         the self-check failed 2 of 6 checks; run vault resume'])
    assert.match(formatSection(section({ standing: sampleStanding({ selfCheck: SAMPLE_SELF_CHECK_PASSED }) })).at(-1) ?? '', /the self-check passed; run vault resume$/)
  })

  it('says when the elders audit a resume request, and when the vault was demoted with the age it may rejoin at', () => {
    assert.equal(formatSection(section({ standing: sampleStanding({ state: 'resume-requested' }) })).at(-1), 'standing resume requested: the elders are auditing this vault on probation')
    assert.equal(formatSection(section({ standing: sampleStanding({ state: 'demoted', rejoinAge: 6 }) })).at(-1), 'standing demoted: removed from the section; may rejoin at age 6')
    assert.match(formatStatus(sampleStatus({ section: section({ standing: sampleStanding({ state: 'demoted', rejoinAge: 6 }) }) })), /^standing demoted/m)
  })
})

describe('vault status: earnings', () => {
  const records = [{ epoch: 3, sectionPrefix: '', amount: 240, pool: 300, signedAt: 1000 }, { epoch: 4, sectionPrefix: '', amount: 80, pool: 100, signedAt: 2000 }]

  it('prints the sum of the signed reward records naming the vault, and the latest', () => {
    const text = formatStatus(sampleStatus({ age: 8, section: section(), earnings: { total: '320', records } }))
    assert.match(text, /^earnings 320 ledger units from 2 signed reward records \(latest: epoch 4, 80 of a pool of 100\)$/m)
  })

  it('says why a vault earned nothing: age 5, paused, an elder, or no record yet', () => {
    const none = { total: '0', records: [] }
    assert.match(formatStatus(sampleStatus({ age: 5, section: section(), earnings: none })), /^earnings 0: a vault of age 5 earns nothing until its first relocation/m)
    assert.match(formatStatus(sampleStatus({ age: 9, section: section({ standing: sampleStanding() }), earnings: none })), /^earnings 0: a paused vault earns nothing/m)
    assert.match(formatStatus(sampleStatus({ age: 20, section: section({ isElder: true }), earnings: none })), /^earnings 0: elders run the section/m)
    assert.match(formatStatus(sampleStatus({ age: 9, section: section(), earnings: none })), /^earnings 0: no reward record names this vault yet/m)
  })

  it('carries earnings { total, records } in --json, and an older host\'s status without them parses as nothing earned', () => {
    const status = sampleStatus({ earnings: { total: '320', records } })
    assert.deepEqual(JSON.parse(JSON.stringify(status)).earnings, { total: '320', records })
    const { earnings: _dropped, ...older } = status
    assert.deepEqual(VaultStatusSchema.parse(older).earnings, { total: '0', records: [] })
  })
})
