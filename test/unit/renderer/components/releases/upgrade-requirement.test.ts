import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { requirementLines, upgradeRequirement } from '../../../../../renderer/src/components/releases/upgrade-requirement.ts'
import { sampleVersions } from '../../../../helpers/sample-status.ts'
import { HOUR, NOW, sampleCandidate, sampleUpgrade } from '../../helpers/sample-upgrade.ts'

const required = { ...sampleVersions(null), upgradeRequired: { minimum: ['/vault/section/3.0.0'], since: NOW - 2 * HOUR } }

describe('upgradeRequirement', () => {
  it('is null when neither peers nor the era require an upgrade', () => {
    assert.equal(upgradeRequirement(sampleVersions(null), sampleUpgrade()), null)
    assert.equal(upgradeRequirement(sampleVersions(null), sampleUpgrade({ candidate: null })), null)
  })

  it('without a deadline, says how long the notice has stood', () => {
    const requirement = upgradeRequirement(required, sampleUpgrade({ candidate: null }))
    assert.deepEqual(requirement, { minimum: ['/vault/section/3.0.0'], since: NOW - 2 * HOUR, deadline: null })
    assert.deepEqual(requirementLines(requirement, NOW, 'UTC'), [
      'Peers say this vault\'s engine is outdated: they need at least /vault/section/3.0.0.',
      'No deadline is set; this notice has stood since 2027-01-15 06:00:00 (2 h ago).'
    ])
  })

  it('takes the deadline from the candidate the active era requires', () => {
    const upgrade = sampleUpgrade({ candidate: sampleCandidate({ deadline: NOW + 26 * HOUR }) })
    const requirement = upgradeRequirement(required, upgrade)
    assert.deepEqual(requirement?.deadline, { at: NOW + 26 * HOUR, engineVersion: '1.5.0' })
    assert.equal(requirementLines(requirement, NOW, 'UTC')[1], 'Deadline: the active era requires version 1.5.0 by 2027-01-16 10:00:00 (in 1 d 2 h).')
  })

  it('shows an era\'s deadline even before any peer complains, and says when it has passed', () => {
    const upgrade = sampleUpgrade({ candidate: sampleCandidate({ deadline: NOW - HOUR }) })
    const requirement = upgradeRequirement(sampleVersions(null), upgrade)
    assert.deepEqual(requirement, { minimum: [], since: null, deadline: { at: NOW - HOUR, engineVersion: '1.5.0' } })
    assert.deepEqual(requirementLines(requirement, NOW, 'UTC'), ['Deadline passed: the active era has required version 1.5.0 since 2027-01-15 07:00:00 (1 h ago).'])
  })
})
