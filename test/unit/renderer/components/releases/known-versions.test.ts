import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { knownPeerCount, knownVersions } from '../../../../../renderer/src/components/releases/known-versions.ts'
import { SAMPLE_VERIFIED_RELEASE, sampleStatus, sampleVersions } from '../../../../helpers/sample-status.ts'
import { sampleCandidate, sampleUpgrade } from '../../helpers/sample-upgrade.ts'

const RELEASE_SHA = 'b2'.repeat(32)

describe('knownVersions', () => {
  it('lists this vault\'s version and its peers\' versions newest first, with peer counts per version', () => {
    const known = knownVersions(sampleStatus())
    assert.deepEqual(known.rows.map(row => [row.engineVersion, row.roles, row.peerCount]), [
      ['1.4.0', ['running'], 15],
      ['1.3.2', [], 2]
    ])
    assert.deepEqual(known.rows[0]?.evidence, [{ kind: 'shipped' }])
    assert.deepEqual(known.rows[1]?.evidence, [])
    assert.equal(knownPeerCount(known), 17)
  })

  it('adds the latest verified release with its check, even before any peer runs it', () => {
    const known = knownVersions(sampleStatus({ versions: sampleVersions(SAMPLE_VERIFIED_RELEASE) }))
    const release = known.rows[0]
    assert.equal(release?.engineVersion, '1.5.0')
    assert.deepEqual(release.roles, ['latest-release'])
    assert.equal(release.peerCount, 0)
    assert.equal(release.evidence[0]?.kind, 'release')
  })

  it('shows a candidate that is the verified release once, with the release\'s evidence', () => {
    const upgrade = sampleUpgrade({ candidate: sampleCandidate({ engineVersion: '1.5.0', bundleSha256: RELEASE_SHA }) })
    const known = knownVersions(sampleStatus({ versions: sampleVersions(SAMPLE_VERIFIED_RELEASE), upgrade }))
    const row = known.rows.find(candidate => candidate.engineVersion === '1.5.0')
    assert.deepEqual(row?.roles, ['candidate', 'latest-release'])
    assert.deepEqual(row.evidence.map(evidence => evidence.kind), ['release'])
  })

  it('keeps a development bundle of the running version apart from the engine shipped with the app', () => {
    const candidate = sampleCandidate({
      engineVersion: '1.4.0',
      verification: { kind: 'development', verified: false, reasons: [], signedBy: [], attestedBy: [] }
    })
    const known = knownVersions(sampleStatus({ upgrade: sampleUpgrade({ candidate }) }))
    const row = known.rows.find(version => version.engineVersion === '1.4.0')
    assert.deepEqual(row?.roles, ['running', 'candidate'])
    assert.deepEqual(row.evidence.map(evidence => evidence.kind), ['shipped', 'candidate'])
  })

  it('names an installed running bundle, the rollback target and the versions that failed here', () => {
    const upgrade = sampleUpgrade({
      current: { engineVersion: '1.4.0', bundleSha256: 'cd'.repeat(32) },
      previous: { engineVersion: '1.3.2', bundleSha256: null },
      candidate: null,
      failedVersions: ['1.4.1']
    })
    const known = knownVersions(sampleStatus({ upgrade }))
    assert.deepEqual(known.rows.map(row => [row.engineVersion, row.roles, row.evidence.map(evidence => evidence.kind)]), [
      ['1.4.1', ['failed'], []],
      ['1.4.0', ['running'], ['installed']],
      ['1.3.2', ['previous'], ['shipped']]
    ])
  })

  it('claims nothing for the running version when the host\'s record names another (mid-switch)', () => {
    const known = knownVersions(sampleStatus({ engineVersion: '1.5.0' }))
    const row = known.rows.find(version => version.engineVersion === '1.5.0')
    assert.deepEqual(row?.roles, ['running'])
    assert.deepEqual(row.evidence, [])
  })

  it('counts peers that are not vaults apart and merges a version\'s compatibility groups', () => {
    const versions = sampleVersions(null)
    const known = knownVersions(sampleStatus({
      versions: {
        ...versions,
        peers: [
          { engineVersion: 'unknown', compatibility: 'unrelated', count: 3 },
          { engineVersion: '1.4.0', compatibility: 'current', count: 4 },
          { engineVersion: '1.4.0', compatibility: 'current', count: 1 },
          { engineVersion: '0.9.0', compatibility: 'too-old', count: 2 }
        ]
      }
    }))
    assert.deepEqual(known.rows.map(row => [row.engineVersion, row.peerCount]), [['1.4.0', 5], ['0.9.0', 2]])
    assert.deepEqual(known.rows[1]?.peers.map(peer => [peer.compatibility, peer.tone]), [['too-old', 'bad']])
    assert.equal(known.otherAgents, 3)
    assert.equal(knownPeerCount(known), 10)
  })
})
