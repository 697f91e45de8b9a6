import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { VersionRole } from '../../../../../renderer/src/components/releases/known-versions.ts'
import { describeEvidence, describeRole, evidenceTexts } from '../../../../../renderer/src/components/releases/version-text.ts'
import { SAMPLE_VERIFIED_RELEASE } from '../../../../helpers/sample-status.ts'

const check = SAMPLE_VERIFIED_RELEASE.check
if (check?.verdict !== 'verified') throw new Error('the sample release is not verified')

describe('describeEvidence', () => {
  it('names the keys that signed a verified release and the builders that attested it, shortened', () => {
    const text = describeEvidence({ kind: 'release', check })
    assert.deepEqual([text.label, text.tone], ['Verified release', 'good'])
    assert.deepEqual(text.lines, [
      `Signed by 2 release keys (${'d5'.repeat(6)}…, ${'d6'.repeat(6)}…).`,
      `Built and attested by 2 builders (${'e7'.repeat(6)}…, ${'e8'.repeat(6)}…).`
    ])
  })

  it('words a candidate as the Upgrades view does, after its bundle', () => {
    const text = describeEvidence({
      kind: 'candidate',
      bundleSha256: 'ab'.repeat(32),
      verification: { kind: 'development', verified: false, reasons: [], signedBy: [], attestedBy: [] }
    })
    assert.deepEqual([text.label, text.tone], ['Unsigned local bundle', 'warn'])
    assert.equal(text.lines[0], `Bundle ${'ab'.repeat(6)}….`)
    assert.match(text.lines[1] ?? '', /nobody signed it/)
  })

  it('does not claim signatures it does not have for an installed bundle', () => {
    const text = describeEvidence({ kind: 'installed', bundleSha256: 'cd'.repeat(32) })
    assert.equal(text.label, 'Installed bundle')
    assert.match(text.lines[0] ?? '', /does not say who signed it/)
    assert.equal(describeEvidence({ kind: 'shipped' }).label, 'Shipped with the app')
  })
})

describe('evidenceTexts', () => {
  it('says a version only peers run was not checked, and a failed one without peers has no record', () => {
    assert.match(evidenceTexts({ evidence: [], peerCount: 2 })[0]?.lines[0] ?? '', /Known only because peers run it/)
    assert.match(evidenceTexts({ evidence: [], peerCount: 0 })[0]?.lines[0] ?? '', /keeps no record/)
    assert.equal(evidenceTexts({ evidence: [{ kind: 'shipped' }], peerCount: 0 }).length, 1)
  })
})

describe('describeRole', () => {
  it('gives each role its own words and marks a failed version as bad', () => {
    const roles: VersionRole[] = ['running', 'candidate', 'latest-release', 'previous', 'failed']
    assert.equal(new Set(roles.map(role => describeRole(role).label)).size, roles.length)
    assert.deepEqual(describeRole('failed'), { label: 'Failed on this vault', tone: 'bad' })
  })
})
