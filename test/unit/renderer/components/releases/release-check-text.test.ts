import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ReleaseRejectionCodeSchema } from '../../../../../contract/host-api.ts'
import {
  countOf, describeRejection, describeReleaseCheck, releaseFacts, shortKeyId
} from '../../../../../renderer/src/components/releases/release-check-text.ts'
import { SAMPLE_REJECTED_RELEASE, SAMPLE_VERIFIED_RELEASE } from '../../../../helpers/sample-status.ts'

const verified = SAMPLE_VERIFIED_RELEASE.check
if (verified?.verdict !== 'verified') throw new Error('the sample release is not verified')

describe('describeReleaseCheck', () => {
  it('says that no release trust is configured, or that none was announced yet, as the status says', () => {
    const unconfigured = describeReleaseCheck(null, false)
    assert.deepEqual([unconfigured.state, unconfigured.label, unconfigured.tone], ['none', 'Not following releases', 'muted'])
    assert.match(unconfigured.summary, /No release trust is configured on this vault \(vault start --release-trust FILE\)/)
    const quiet = describeReleaseCheck(null, true)
    assert.deepEqual([quiet.state, quiet.label], ['none', 'No release known'])
    assert.match(quiet.summary, /follows signed releases, but none has been announced/)
  })

  it('says a release is being checked while its check is pending', () => {
    const text = describeReleaseCheck({ ...SAMPLE_VERIFIED_RELEASE, check: null }, true)
    assert.deepEqual([text.state, text.tone], ['checking', 'busy'])
  })

  it('counts who signed and who attested a verified release', () => {
    const text = describeReleaseCheck(SAMPLE_VERIFIED_RELEASE, true)
    assert.deepEqual([text.state, text.label, text.tone], ['verified', 'Verified', 'good'])
    assert.equal(text.summary, 'Version 1.5.0: signed by 2 release keys and reproduced by 2 builders, as this vault\'s trusted root requires.')
  })

  it('names the attack a rejected release was refused for', () => {
    const text = describeReleaseCheck(SAMPLE_REJECTED_RELEASE, true)
    assert.deepEqual([text.state, text.label, text.tone], ['rejected', 'Rejected', 'bad'])
    assert.equal(text.summary, 'Too few release keys signed it: this vault will not run it.')
  })
})

describe('describeRejection', () => {
  it('gives every rejection code its own words', () => {
    const codes = ReleaseRejectionCodeSchema.options
    const labels = new Set(codes.map(describeRejection))
    assert.equal(labels.size, codes.length)
  })
})

describe('releaseFacts', () => {
  it('lists the keys that signed, the root, the builders, eras, rollout, egress and bundle', () => {
    const facts = releaseFacts(verified, 'UTC')
    assert.deepEqual(facts.map(fact => fact.id), ['signed-by', 'root', 'attested-by', 'eras', 'rollout', 'egress', 'bundle'])
    const byId = new Map(facts.map(fact => [fact.id, fact]))
    assert.deepEqual(byId.get('signed-by')?.keys, verified.signedBy)
    assert.deepEqual(byId.get('root')?.keys, verified.rootSignedBy)
    assert.equal(byId.get('root')?.text, 'version 2, signed by 2 root keys')
    assert.deepEqual(byId.get('attested-by')?.keys, verified.attestedBy)
    assert.equal(byId.get('eras')?.text, 'supports eras 1 and 2')
    assert.equal(byId.get('rollout')?.text, 'vaults become eligible one by one over 7 days from 2026-01-02 00:00:00')
    assert.equal(byId.get('egress')?.text, 'only peers of the network, no other host')
    assert.equal(byId.get('bundle')?.text, verified.bundleSha256)
  })

  it('names the hosts a release may reach and a rollout shorter than a day', () => {
    const facts = releaseFacts({ ...verified, egress: { allowedHosts: ['time.example'] }, rollout: { ...verified.rollout, durationSeconds: 7200 }, eras: [2] })
    const byId = new Map(facts.map(fact => [fact.id, fact.text]))
    assert.equal(byId.get('egress'), 'peers of the network and time.example')
    assert.match(byId.get('rollout') ?? '', /^vaults become eligible one by one over 2 hours from /)
    assert.equal(byId.get('eras'), 'supports era 2')
  })
})

describe('shortKeyId and countOf', () => {
  it('shortens a SHA-256 key id to 12 digits and leaves short ids whole', () => {
    assert.equal(shortKeyId('d5'.repeat(32)), `${'d5'.repeat(6)}…`)
    assert.equal(shortKeyId('builder-a'), 'builder-a')
  })

  it('uses the singular for one', () => {
    assert.deepEqual([countOf(1, 'key'), countOf(0, 'key'), countOf(3, 'key')], ['1 key', '0 keys', '3 keys'])
  })
})
