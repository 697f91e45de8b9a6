import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compareEngineVersions, ReleaseDescriptionSchema } from '../../../node-core/release/release-custom.ts'
import { description } from './release-fixtures.ts'

describe('release custom fields', () => {
  it('orders engine versions as semver.org section 11 does (its own example list)', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.9.0', '1.10.0', '2.0.0']
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        assert.equal(compareEngineVersions(ordered[i] ?? '', ordered[j] ?? ''), Math.sign(i - j), `${ordered[i]} vs ${ordered[j]}`)
      }
    }
    assert.throws(() => compareEngineVersions('1.0', '1.0.0'), RangeError)
  })

  it('accepts a description, defaulting egress to no hosts, and refuses what TUF cannot sign or the design forbids', () => {
    assert.deepEqual(ReleaseDescriptionSchema.parse(description('1.0.0')).egress, { allowedHosts: [] })
    const refused = [
      { ...description('1.0.0'), eras: [1, 2, 3] },
      { ...description('1.0.0'), eras: [2, 1] },
      { ...description('1.0.0'), rollout: { ...description('1.0.0').rollout, durationSeconds: 0.5 } },
      { ...description('1.0.0'), egress: { allowedHosts: ['Example.COM'] } },
      { ...description('1.0.0'), protocols: [] },
      { ...description('1.0.0'), surprise: true }
    ]
    for (const candidate of refused) assert.equal(ReleaseDescriptionSchema.safeParse(candidate).success, false, JSON.stringify(candidate))
    assert.deepEqual(ReleaseDescriptionSchema.parse({ ...description('1.0.0'), egress: { allowedHosts: ['time.example.org'] } }).egress.allowedHosts, ['time.example.org'])
  })
})
