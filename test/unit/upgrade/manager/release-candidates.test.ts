// When a release brings a deadline, and which releases may become candidates at all.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { SAMPLE_REJECTED_RELEASE, SAMPLE_VERIFIED_RELEASE } from '../../../helpers/sample-status.ts'
import {
  EngineReleaseSource, ERA_UPGRADE_GRACE_MS, eraDeadline, ReleaseNotVerifiedError, releaseRefusal, type CandidateContext
} from '../../../../node-core/upgrade/manager/release-candidates.ts'

const NOW = Date.parse('2026-01-05T00:00:00Z')

describe('release candidates', () => {
  it('set a deadline only when the network\'s active era is one the live engine lacks and the release brings', () => {
    assert.equal(eraDeadline([1, 2], { active: 2, supported: [1] }, NOW), NOW + ERA_UPGRADE_GRACE_MS)
    assert.equal(ERA_UPGRADE_GRACE_MS, 7 * 24 * 3600 * 1000)
    assert.equal(eraDeadline([1, 2], { active: 1, supported: [1] }, NOW), null, 'the live engine is fine in era 1')
    assert.equal(eraDeadline([1, 2], { active: 2, supported: [1, 2] }, NOW), null, 'the live engine already speaks era 2')
    assert.equal(eraDeadline([1], { active: 2, supported: [1] }, NOW), null, 'this release does not help')
    assert.equal(eraDeadline([1, 2], null, NOW), null, 'the engine has not reported its eras')
  })

  it('take only a verified release newer than the live engine, not failed before, not already tested', () => {
    const context: CandidateContext = { currentVersion: '1.4.0', failedVersions: [], candidate: null }
    assert.equal(releaseRefusal(SAMPLE_VERIFIED_RELEASE, context), undefined)
    assert.match(releaseRefusal(SAMPLE_REJECTED_RELEASE, context) ?? '', /rejected \(threshold-not-met\)/)
    assert.match(releaseRefusal(SAMPLE_VERIFIED_RELEASE, { ...context, currentVersion: '1.5.0' }) ?? '', /already runs/)
    // Semantic order, not text order: 1.10.0 is newer than 1.5.0.
    assert.match(releaseRefusal(SAMPLE_VERIFIED_RELEASE, { ...context, currentVersion: '1.10.0' }) ?? '', /older than the running 1\.10\.0/)
    assert.match(releaseRefusal(SAMPLE_VERIFIED_RELEASE, { ...context, failedVersions: ['1.5.0'] }) ?? '', /failed on this vault before/)
    const sha = 'b2'.repeat(32)
    assert.match(releaseRefusal(SAMPLE_VERIFIED_RELEASE, { ...context, candidate: { bundleSha256: sha, tested: true } }) ?? '', /already the candidate/)
    assert.equal(releaseRefusal(SAMPLE_VERIFIED_RELEASE, { ...context, candidate: { bundleSha256: sha, tested: false } }), undefined, 'a run cut short may run again')
  })

  it('install only from the engine\'s releases directory, by hash, and only a verified release', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'release-candidates-'))
    try {
      const source = new EngineReleaseSource({ liveDataDir: dir, eras: () => ({ active: 2, supported: [1] }), now: () => NOW })
      await assert.rejects(source.fetchVerified(SAMPLE_REJECTED_RELEASE), ReleaseNotVerifiedError)
      // The sample's bundlePath names /data/vault/releases; the host looks in its own live data dir.
      await assert.rejects(source.fetchVerified(SAMPLE_VERIFIED_RELEASE), { name: 'ReleaseBundleMissingError', message: new RegExp(`missing from ${join(dir, 'releases', 'b2'.repeat(32))}\\.tar\\.gz`) })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
