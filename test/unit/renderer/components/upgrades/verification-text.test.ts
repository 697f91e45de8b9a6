import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeVerification } from '../../../../../renderer/src/components/upgrades/verification-text.ts'

describe('describeVerification', () => {
  it('names who signed a verified release and which builders attested it', () => {
    const text = describeVerification({ kind: 'release', verified: true, reasons: [], signedBy: ['root-1', 'root-2'], attestedBy: ['builder-a'] })
    assert.equal(text.label, 'Verified release')
    assert.deepEqual(text.lines, ['Signed by root-1, root-2.', 'Built and attested by builder-a.'])
  })

  it('says plainly that a development bundle is unsigned', () => {
    const text = describeVerification({ kind: 'development', verified: false, reasons: [], signedBy: [], attestedBy: [] })
    assert.equal(text.label, 'Unsigned local bundle')
    assert.equal(text.tone, 'warn')
    assert.match(text.lines[0] ?? '', /nobody signed it/)
  })

  it('shows why a release failed verification', () => {
    const text = describeVerification({ kind: 'release', verified: false, reasons: ['only 1 of 2 attestations match'], signedBy: [], attestedBy: [] })
    assert.deepEqual([text.label, text.tone, text.lines], ['Release not verified', 'bad', ['only 1 of 2 attestations match']])
  })
})
