import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { approveOffer, candidateBlock, deferOffer, policyOffer, rollbackOffer } from '../../../../../renderer/src/components/upgrades/upgrade-offers.ts'
import { NOW, sampleCandidate, sampleUpgrade, withVerdict } from '../../helpers/sample-upgrade.ts'

const switching = { phase: 'draining' as const, since: NOW }

describe('approveOffer', () => {
  it('allows a passing candidate at once, without a confirmation', () => {
    assert.deepEqual(approveOffer(sampleUpgrade()), { enabled: true, reason: null, confirm: null })
  })

  it('allows a marginal candidate only through a confirmation that names the version', () => {
    const offer = approveOffer(sampleUpgrade({ candidate: withVerdict('marginal') }))
    assert.equal(offer.enabled, true)
    assert.match(offer.confirm ?? '', /1\.5\.0.*slightly worse/)
  })

  it('refuses a failed candidate, one still running or untested, and says why', () => {
    assert.deepEqual(approveOffer(sampleUpgrade({ candidate: withVerdict('fail') })), {
      enabled: false, reason: 'The candidate failed its shadow test, so it cannot be installed.', confirm: null
    })
    const running = sampleCandidate({ shadow: { state: 'running', progress: 0.4, startedAt: NOW }, verdict: null })
    assert.equal(approveOffer(sampleUpgrade({ candidate: running })).reason, 'Wait for the shadow test to finish.')
    const untested = sampleCandidate({ shadow: { state: 'idle', progress: 0, startedAt: null }, verdict: null })
    assert.equal(approveOffer(sampleUpgrade({ candidate: untested })).reason, 'The candidate has not been shadow-tested yet.')
  })

  it('refuses with no candidate, during a switch, once approved, and for a version that failed before', () => {
    assert.equal(approveOffer(sampleUpgrade({ candidate: null })).enabled, false)
    assert.equal(approveOffer(sampleUpgrade({ switching })).reason, 'A switch is under way.')
    assert.match(approveOffer(sampleUpgrade({ candidate: sampleCandidate({ approved: true }) })).reason ?? '', /^Approved/)
    assert.match(approveOffer(sampleUpgrade({ failedVersions: ['1.5.0'] })).reason ?? '', /failed before/)
  })

  it('refuses an unverified release but lets a development bundle through (the owner chose to run it)', () => {
    const unverified = sampleCandidate({ verification: { kind: 'release', verified: false, reasons: ['1 of 2 attestations'], signedBy: [], attestedBy: [] } })
    assert.match(approveOffer(sampleUpgrade({ candidate: unverified })).reason ?? '', /could not be verified/)
    const development = sampleCandidate({ verification: { kind: 'development', verified: false, reasons: [], signedBy: [], attestedBy: [] } })
    assert.equal(approveOffer(sampleUpgrade({ candidate: development })).enabled, true)
  })

  it('checks the candidate before the verdict: a failed-before version is refused even with a pass', () => {
    assert.match(candidateBlock(sampleUpgrade({ failedVersions: ['1.5.0'] })) ?? '', /failed before/)
    assert.equal(candidateBlock(sampleUpgrade({ failedVersions: ['1.3.0'] })), null)
  })
})

describe('deferOffer', () => {
  it('allows deferring a passing or marginal candidate under the automatic and ask policies', () => {
    assert.equal(deferOffer(sampleUpgrade(), NOW).enabled, true)
    assert.equal(deferOffer(sampleUpgrade({ policy: 'automatic', candidate: withVerdict('marginal') }), NOW).enabled, true)
  })

  it('has nothing to defer under the manual policy, once approved, or for a failed candidate', () => {
    assert.match(deferOffer(sampleUpgrade({ policy: 'manual' }), NOW).reason ?? '', /manual policy/)
    assert.equal(deferOffer(sampleUpgrade({ candidate: sampleCandidate({ approved: true }) }), NOW).reason, 'Already approved.')
    assert.equal(deferOffer(sampleUpgrade({ candidate: withVerdict('fail') }), NOW).enabled, false)
  })

  it('refuses once the deadline has passed, and allows right before it', () => {
    const due = (deadline: number) => sampleUpgrade({ candidate: sampleCandidate({ deadline }) })
    assert.match(deferOffer(due(NOW), NOW).reason ?? '', /deadline has passed/)
    assert.equal(deferOffer(due(NOW + 1), NOW).enabled, true)
  })
})

describe('rollbackOffer', () => {
  it('offers a confirmed rollback to the previous version', () => {
    const offer = rollbackOffer(sampleUpgrade({ previous: { engineVersion: '1.3.0', bundleSha256: null } }))
    assert.equal(offer.enabled, true)
    assert.match(offer.confirm, /Return to version 1\.3\.0\?/)
  })

  it('refuses without a previous version or during a switch', () => {
    assert.equal(rollbackOffer(sampleUpgrade()).reason, 'There is no previous version to return to.')
    assert.equal(rollbackOffer(sampleUpgrade({ previous: { engineVersion: '1.3.0', bundleSha256: null }, switching })).enabled, false)
  })
})

describe('policyOffer', () => {
  it('lets the owner change the policy except during a switch', () => {
    assert.equal(policyOffer(sampleUpgrade()).enabled, true)
    assert.equal(policyOffer(sampleUpgrade({ switching })).enabled, false)
  })
})

