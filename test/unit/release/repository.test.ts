import assert from 'node:assert/strict'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { chunkAddress } from '../../../node-core/engine/store/chunk-address.ts'
import { AttestationMismatchError } from '../../../node-core/release/attestations.ts'
import { releaseKeyFromSeed } from '../../../node-core/release/keys.ts'
import { REVOKED_FIELD, serializeMetadata } from '../../../node-core/release/metadata.ts'
import {
  addTarget, ExpiredRoleError, initRepository, latestRoot, loadRepository, NotARoleKeyError, publishRelease, RepositoryExistsError,
  RotationError, rotateRoot, saveRepository, signRole, thresholdStatus, ThresholdNotMetError, TargetExistsError, updateOnlineRoles
} from '../../../node-core/release/repository.ts'
import { attest, bundleBytes, createFixture, description, publish, seedFrom, stageRelease } from './release-fixtures.ts'

const DAY_MS = 24 * 3600 * 1000

describe('release repository', () => {
  it('init: n owner-only keys per role, root v1 and targets signed by all, online roles at version 1; never over an existing one', async () => {
    const fixture = await createFixture()
    try {
      const keyFiles = (await readdir(join(fixture.dir, 'keys'))).sort()
      assert.deepEqual(keyFiles, ['root-1.json', 'root-2.json', 'root-3.json', 'snapshot-1.json', 'targets-1.json', 'targets-2.json', 'targets-3.json', 'timestamp-1.json'])
      for (const file of keyFiles) assert.equal((await stat(join(fixture.dir, 'keys', file))).mode & 0o777, 0o600)
      const root = latestRoot(fixture.repo).signed
      assert.equal(root.roles.root?.threshold, 2)
      assert.deepEqual(root.roles.targets?.keyIDs, fixture.keys.targets.map(key => key.keyid))
      assert.equal(thresholdStatus(fixture.repo, 'root').signers.length, 3)
      assert.equal(fixture.repo.snapshot.signed.meta['targets.json']?.version, 1)
      // createFixture published once: timestamp v2 over snapshot v1.
      assert.equal(fixture.repo.timestamp.signed.version, 2)
      await assert.rejects(createFixtureAt(fixture.dir), RepositoryExistsError)
    } finally {
      await fixture.cleanup()
    }
  })

  it('round-trips through disk', async () => {
    const fixture = await createFixture()
    try {
      await stageRelease(fixture, '1.0.0')
      await saveRepository(fixture.repo)
      const loaded = await loadRepository(fixture.repo.dir)
      assert.deepEqual(loaded.roots.map(root => serializeMetadata(root)), fixture.repo.roots.map(root => serializeMetadata(root)))
      assert.deepEqual(serializeMetadata(loaded.targets), serializeMetadata(fixture.repo.targets))
      assert.deepEqual(loaded.config, fixture.repo.config)
      await writeFile(join(fixture.repo.dir, 'metadata', '3.root.json'), await readFile(join(fixture.repo.dir, 'metadata', '1.root.json')))
      await assert.rejects(loadRepository(fixture.repo.dir), /1\.root\.json, 2\.root\.json, \.\.\. without gaps; found 1, 3/)
    } finally {
      await fixture.cleanup()
    }
  })

  it('add-target stages an unsigned version; sign refuses other keys; publish refuses until the threshold is met', async () => {
    const fixture = await createFixture()
    try {
      const bytes = bundleBytes('engine')
      const file = join(fixture.dir, 'engine.tar')
      await writeFile(file, bytes)
      const target = await addTarget(fixture.repo, { bundlePath: file, release: description('1.0.0'), attestations: attest(bytes, '1.0.0', fixture.builders.slice(0, 2)), now: () => fixture.now })
      assert.equal(target.length, bytes.length)
      assert.deepEqual((target.custom as { egress: unknown }).egress, { allowedHosts: [] })
      assert.equal(fixture.repo.targets.signed.version, 2)
      assert.deepEqual(fixture.repo.targets.signatures, {})
      await assert.rejects(addTarget(fixture.repo, { bundlePath: file, release: description('1.0.0'), attestations: [] }), TargetExistsError)
      await assert.rejects(addTarget(fixture.repo, { bundlePath: file, name: 'other.tar', release: description('1.0.1'), attestations: attest(bytes, '1.0.0', fixture.builders) }), AttestationMismatchError)
      await assert.rejects(addTarget(fixture.repo, { bundlePath: file, name: '../escape', release: description('1.0.1'), attestations: [] }), RangeError)
      await assert.rejects(addTarget(fixture.repo, { bundlePath: file, name: 'float.tar', release: { ...description('1.0.1'), dataFormatVersion: 1.5 }, attestations: [] }), /dataFormatVersion/)

      assert.throws(() => signRole(fixture.repo, 'targets', fixture.keys.root.slice(0, 1)), NotARoleKeyError)
      const [t1, t2] = fixture.keys.targets
      assert.ok(t1 !== undefined && t2 !== undefined)
      assert.equal(signRole(fixture.repo, 'targets', [t1]).satisfied, false)
      await assert.rejects(publish(fixture), (err: Error) => err instanceof ThresholdNotMetError && /targets v2: 1 of 2 required signatures/.test(err.message))
      // Signing twice with one key still counts once.
      assert.equal(signRole(fixture.repo, 'targets', [t1]).signers.length, 1)
      assert.equal(signRole(fixture.repo, 'targets', [t2]).satisfied, true)
      const timestampBefore = fixture.repo.timestamp.signed.version
      const { files } = await publishRelease(fixture.repo, { outDir: fixture.outDir, keys: fixture.onlineKeys, now: () => fixture.now })
      assert.equal(files.at(-1), 'timestamp.json', 'the timestamp is written last')
      assert.ok(files.includes(`targets/${target.hashes.sha256 ?? ''}.engine.tar`))
      assert.ok(files.includes('2.targets.json') && files.includes('2.snapshot.json') && files.includes('1.root.json'))
      assert.equal(fixture.repo.timestamp.signed.version, timestampBefore + 1)
      const snapshotBytes = await readFile(join(fixture.outDir, '2.snapshot.json'))
      assert.deepEqual(fixture.repo.timestamp.signed.snapshotMeta.hashes, { sha256: chunkAddress(snapshotBytes) })
      assert.equal(fixture.repo.timestamp.signed.snapshotMeta.length, snapshotBytes.length)
    } finally {
      await fixture.cleanup()
    }
  })

  it('re-signs the snapshot only when targets changed, and the timestamp every time; online keys only', async () => {
    const fixture = await createFixture()
    try {
      const snapshot = fixture.repo.snapshot.signed.version
      const timestamp = fixture.repo.timestamp.signed.version
      updateOnlineRoles(fixture.repo, fixture.onlineKeys, fixture.now)
      assert.equal(fixture.repo.snapshot.signed.version, snapshot)
      assert.equal(fixture.repo.timestamp.signed.version, timestamp + 1)
      await stageRelease(fixture, '1.0.0')
      updateOnlineRoles(fixture.repo, fixture.onlineKeys, fixture.now)
      assert.equal(fixture.repo.snapshot.signed.version, snapshot + 1)
      assert.equal(fixture.repo.snapshot.signed.meta['targets.json']?.version, fixture.repo.targets.signed.version)
      assert.throws(() => { updateOnlineRoles(fixture.repo, fixture.keys.targets, fixture.now) }, NotARoleKeyError)
      assert.throws(() => { updateOnlineRoles(fixture.repo, fixture.keys.snapshot, fixture.now) }, (err: Error) => err instanceof ThresholdNotMetError && /timestamp/.test(err.message))
    } finally {
      await fixture.cleanup()
    }
  })

  it('rotation: root N+1 needs root N\'s threshold and its own; a removed key helps retire itself but never counts again', async () => {
    const fixture = await createFixture()
    try {
      const [r1, r2, r3] = fixture.keys.root
      assert.ok(r1 !== undefined && r2 !== undefined && r3 !== undefined)
      const [r4, r5] = ['root 4', 'root 5'].map(label => releaseKeyFromSeed(seedFrom(label), label))
      assert.ok(r4 !== undefined && r5 !== undefined)
      assert.throws(() => rotateRoot(fixture.repo, { changes: { root: { remove: [r4.keyid] } } }), RotationError)
      assert.throws(() => rotateRoot(fixture.repo, { changes: { root: { remove: [r1.keyid, r2.keyid] } } }), /root would have 1 key\(s\) and threshold 2/)
      assert.throws(() => rotateRoot(fixture.repo, { changes: { root: { add: [r4, r4] } } }), /added to root twice/)
      assert.equal(fixture.repo.roots.length, 1, 'a refused rotation stages nothing')

      const staged = rotateRoot(fixture.repo, { changes: { root: { remove: [r1.keyid, r2.keyid], add: [r4, r5] } }, now: () => fixture.now })
      assert.equal(staged.signed.version, 2)
      assert.deepEqual(staged.signed.unrecognizedFields[REVOKED_FIELD], { root: [r1.keyid, r2.keyid].sort() })
      assert.equal(Object.keys(staged.signed.keys).includes(r1.keyid), false)
      assert.throws(() => rotateRoot(fixture.repo, { changes: {} }), /root v2 is not fully signed yet/)

      signRole(fixture.repo, 'root', [r4, r5])
      assert.match(thresholdStatus(fixture.repo, 'root').detail, /2 of 2 required signatures, and 0 of 2 from root v1's keys/)
      signRole(fixture.repo, 'root', [r3])
      assert.equal(thresholdStatus(fixture.repo, 'root').satisfied, false)
      await assert.rejects(publish(fixture), ThresholdNotMetError)
      // r1 is leaving, yet root v1 trusts it: its signature completes v1's threshold, not v2's.
      const status = signRole(fixture.repo, 'root', [r1])
      assert.equal(status.satisfied, true)
      assert.deepEqual(status.signers.sort(), [r3.keyid, r4.keyid, r5.keyid].sort())
      assert.equal(status.signers.includes(r1.keyid), false)
      await publish(fixture)
      // Once root v3 is staged, r1 belongs to neither v2 nor v3: it cannot sign any more.
      rotateRoot(fixture.repo, { changes: { root: { threshold: 3 } }, now: () => fixture.now })
      assert.throws(() => signRole(fixture.repo, 'root', [r1]), NotARoleKeyError)
    } finally {
      await fixture.cleanup()
    }
  })

  it('refuses to publish expired targets until renewed', async () => {
    const fixture = await createFixture()
    try {
      await stageRelease(fixture, '1.0.0')
      fixture.now = new Date(fixture.now.getTime() + 91 * DAY_MS)
      await assert.rejects(publish(fixture), (err: Error) => err instanceof ExpiredRoleError && /targets v2 expired at .*--renew/.test(err.message))
    } finally {
      await fixture.cleanup()
    }
  })
})

async function createFixtureAt (dir: string): Promise<void> {
  await initRepository({ dir: join(dir, 'repo'), keysDir: join(dir, 'other-keys'), roles: { root: { n: 1, k: 1 }, targets: { n: 1, k: 1 }, snapshot: { n: 1, k: 1 }, timestamp: { n: 1, k: 1 } } })
}
