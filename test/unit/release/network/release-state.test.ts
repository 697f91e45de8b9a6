// What a live vault keeps of the releases it followed, so that a restart cannot roll it back: the
// highest pointer version and that pointer, the check of its release, and the TUF root after any
// rotation, which the trust config never moves back.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ReleaseCheck } from '../../../../contract/host-api.ts'
import { releaseKeyFromSeed } from '../../../../node-core/release/keys.ts'
import { signReleasePointer, type ReleasePointer } from '../../../../node-core/release/network/release-pointer.ts'
import { RELEASE_STATE_FILE, RELEASE_TUF_DIR, ReleaseStateStore } from '../../../../node-core/release/network/release-state.ts'
import { rotateRoot, signRole } from '../../../../node-core/release/repository.ts'
import type { ReleaseTrust } from '../../../../node-core/release/release-trust.ts'
import { createFixture, publish, readJson, seedFrom, trustFor, type Fixture } from '../release-fixtures.ts'

const pointerV = (version: number): ReleasePointer => ({ version, indexAddress: 'ab'.repeat(32), timestampVersion: version, publishedAt: '2026-11-21T10:00:00.000Z' })
const REJECTED: ReleaseCheck = { verdict: 'rejected', checkedAt: 5, code: 'frozen', reasons: ['frozen metadata: timestamp.json has expired'] }

describe('release state kept by a live vault', () => {
  let fixture: Fixture
  let trust: ReleaseTrust

  before(async () => {
    fixture = await createFixture()
    trust = await trustFor(fixture)
  })
  after(async () => { await fixture.cleanup() })

  const open = async (dataDir: string, given: ReleaseTrust = trust): Promise<ReleaseStateStore> => await ReleaseStateStore.open({ dataDir, trust: given, now: () => 1234 })

  it('starts from the pinned root with no pointer, then keeps the highest pointer and its check across a restart', async () => {
    const dataDir = await mkdtemp(join(fixture.dir, 'state-'))
    const fresh = await open(dataDir)
    assert.equal(fresh.root.version, 1)
    assert.deepEqual(await readJson(join(dataDir, RELEASE_TUF_DIR, 'root.json')), trust.root)
    assert.equal(fresh.lastPointerVersion, 0)
    assert.equal(fresh.pointer, undefined)
    assert.deepEqual(fresh.problems, [])

    const v3 = signReleasePointer(pointerV(3), fixture.keys.timestamp)
    await fresh.accept(v3)
    assert.equal(fresh.check, null)
    await fresh.checked(3, REJECTED)
    // A check of a pointer that is no longer the latest is dropped.
    await fresh.checked(2, { ...REJECTED, code: 'rollback' })
    const restarted = await open(dataDir)
    assert.equal(restarted.lastPointerVersion, 3)
    assert.deepEqual(restarted.pointer, v3)
    assert.deepEqual(restarted.check, REJECTED)
    // A new pointer clears the check of the old one.
    await restarted.accept(signReleasePointer(pointerV(4), fixture.keys.timestamp))
    assert.equal((await open(dataDir)).check, null)
  })

  it('keeps a rotated root over the older one in the trust config, and takes a newer pinned root', async () => {
    const dataDir = await mkdtemp(join(fixture.dir, 'state-'))
    await open(dataDir)
    const [, r2, r3] = fixture.keys.root
    assert.ok(r2 !== undefined && r3 !== undefined)
    rotateRoot(fixture.repo, { changes: { root: { remove: [], add: [releaseKeyFromSeed(seedFrom('state root 4'), 'root-4')] } }, now: () => fixture.now })
    signRole(fixture.repo, 'root', [r2, r3])
    await publish(fixture)
    const rotated = await readJson(join(fixture.outDir, '2.root.json'))
    // What tuf-js leaves after following the rotation: root.json is v2.
    await writeFile(join(dataDir, RELEASE_TUF_DIR, 'root.json'), JSON.stringify(rotated))
    const restarted = await open(dataDir)
    assert.equal(restarted.root.version, 2)
    assert.equal((await readJson(join(dataDir, RELEASE_TUF_DIR, 'root.json')) as { signed: { version: number } }).signed.version, 2)
    // The owner gives a trust file pinning root v2 to a vault that only ever saw v1.
    const other = await mkdtemp(join(fixture.dir, 'state-'))
    await open(other)
    const newer = await open(other, { ...trust, root: rotated as ReleaseTrust['root'] })
    assert.equal(newer.root.version, 2)
  })

  it('moves an unreadable state file aside and says so; a kept pointer that no longer verifies is dropped but its version stays the floor', async () => {
    const dataDir = await mkdtemp(join(fixture.dir, 'state-'))
    await open(dataDir)
    await writeFile(join(dataDir, RELEASE_STATE_FILE), '{"version":1,')
    const repaired = await open(dataDir)
    assert.equal(repaired.lastPointerVersion, 0)
    assert.match(repaired.problems[0] ?? '', /release-state\.json is not valid JSON; moved to .*release-state\.json\.unreadable-1234/)
    assert.ok((await readdir(dataDir)).includes(`${RELEASE_STATE_FILE}.unreadable-1234`))

    const stranger = signReleasePointer(pointerV(7), [releaseKeyFromSeed(seedFrom('state stranger'), 'stranger')])
    await writeFile(join(dataDir, RELEASE_STATE_FILE), JSON.stringify({ version: 1, lastPointerVersion: 7, pointer: stranger, check: REJECTED }))
    const tampered = await open(dataDir)
    assert.equal(tampered.pointer, undefined)
    assert.equal(tampered.check, null)
    assert.equal(tampered.lastPointerVersion, 7)
    assert.match(tampered.problems[0] ?? '', /the release pointer v7 kept from before no longer verifies .*it is not offered to peers/)
    assert.equal(JSON.parse(await readFile(join(dataDir, RELEASE_STATE_FILE), 'utf8')).lastPointerVersion, 7)
  })
})
