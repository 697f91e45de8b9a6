import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { amongOldest, describePhase, describePrefix, describeSelf, shortSectionKey, whyNoSection } from '../../../../../renderer/src/components/section/section-text.ts'
import { SAMPLE_NAME } from '../../../../helpers/sample-status.ts'
import { active, forming } from './section-fixtures.ts'

describe('describePhase', () => {
  it('while forming with fewer than 7 known, counts the known vaults against the 7 needed', () => {
    const phase = describePhase(forming(5, [20, 13, 6]), SAMPLE_NAME)
    assert.equal(phase.label, 'Forming')
    assert.match(phase.detail, /knows 4 of the 7 needed/)
  })

  it('once 7 are known, says whether this vault is among the 7 oldest that will key the section', () => {
    const among = describePhase(forming(19, [20, 18, 17, 16, 15, 14, 5, 5]), SAMPLE_NAME)
    assert.match(among.detail, /^9 vaults are known\. This vault is among the 7 oldest/)
    const outside = describePhase(forming(5, [20, 19, 18, 17, 16, 15, 14, 13]), SAMPLE_NAME)
    assert.match(outside.detail, /^9 vaults are known\. The 7 oldest will create the section key; this vault then asks them to admit it/)
  })

  it('explains keying, confirming and active in plain words', () => {
    const base = forming(20, [19, 18, 17, 16, 15, 14])
    assert.match(describePhase({ ...base, phase: 'keying' }, SAMPLE_NAME).detail, /distributed key generation/)
    assert.match(describePhase({ ...base, phase: 'confirming' }, SAMPLE_NAME).detail, /5 of the 7 elders to sign the same section key/)
    const live = describePhase(active(12, [20, 19]), SAMPLE_NAME)
    assert.deepEqual([live.label, live.tone], ['Active', 'good'])
  })
})

describe('describePrefix', () => {
  it('names the empty prefix as the whole network and any other by its bits', () => {
    assert.equal(describePrefix(''), 'Whole network (one section)')
    assert.equal(describePrefix('01'), 'Names starting with bits 01')
  })
})

describe('describeSelf', () => {
  it('tells an elder, an adult member and a vault waiting to join apart', () => {
    assert.equal(describeSelf(active(20, [19, 18, 17]), SAMPLE_NAME).role, 'elder')
    assert.equal(describeSelf(active(5, [20, 19, 18, 17, 16, 15, 14]), SAMPLE_NAME).role, 'adult')
    const waiting = describeSelf(active(5, [20, 19, 18, 17, 16, 15, 14], { isMember: false }), SAMPLE_NAME)
    assert.deepEqual([waiting.role, waiting.label], ['waiting', 'Waiting to join'])
  })

  it('tells a vault waiting while the section needs no storage why it waits', () => {
    const held = describeSelf(active(5, [20, 19, 18, 17, 16, 15, 14], { isMember: false, joinsAllowed: false }), SAMPLE_NAME)
    assert.equal(held.role, 'waiting')
    assert.match(held.detail, /admits new vaults only while it needs storage: .* joins once a member leaves or an adult is 90 % full/)
    assert.doesNotMatch(describeSelf(active(5, [20, 19, 18, 17, 16, 15, 14], { isMember: false, joinsAllowed: true }), SAMPLE_NAME).detail, /needs storage/)
  })

  it('before the section is active: a founding elder, an elder to be, or not a member yet', () => {
    const base = forming(20, [19, 18, 17, 16, 15, 14])
    assert.equal(describeSelf({ ...base, phase: 'keying' }, SAMPLE_NAME).role, 'elder-to-be')
    assert.equal(describeSelf(base, SAMPLE_NAME).role, 'elder-to-be')
    assert.equal(describeSelf(forming(20, [19, 18]), SAMPLE_NAME).role, 'founding')
    assert.equal(describeSelf(forming(5, [20, 19, 18, 17, 16, 15, 14]), SAMPLE_NAME).role, 'founding')
  })
})

describe('amongOldest', () => {
  it('looks at the first 7 listed only', () => {
    assert.equal(amongOldest(forming(14, [20, 19, 18, 17, 16, 15, 5]), SAMPLE_NAME), true)
    assert.equal(amongOldest(forming(13, [20, 19, 18, 17, 16, 15, 14]), SAMPLE_NAME), false)
  })
})

describe('shortSectionKey', () => {
  it('keeps both ends of a 96-digit key and leaves a short string alone', () => {
    assert.equal(shortSectionKey(`0123456789${'a'.repeat(78)}abcdef01`), '0123456789…abcdef01')
    assert.equal(shortSectionKey('abc'), 'abc')
  })
})

describe('whyNoSection', () => {
  it('blames a running engine that reports no section, and otherwise the engine not running', () => {
    assert.deepEqual((['active', 'paused', 'starting', 'restarting', 'failed', 'stopped'] as const).map(whyNoSection), [
      'no-section', 'no-section', 'not-running', 'not-running', 'not-running', 'not-running'
    ])
  })
})
