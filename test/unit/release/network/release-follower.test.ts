// A live vault following releases: each pointer the gossip accepts is kept, its release fetched
// as chunks and verified (tuf-js, pinned builders), the bundle kept as releases/<sha256>.tar.gz
// and the check reported, verified or rejected with its code. The chunks come from a map the test
// owns, standing in for the vault's peers.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TypedEventEmitter } from 'main-event'
import type { ReleaseCheck } from '../../../../contract/host-api.ts'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { ReleaseFollower } from '../../../../node-core/release/network/release-follower.ts'
import { chunkRelease, readReleaseDirectory, type FetchChunk } from '../../../../node-core/release/network/release-files.ts'
import type { ReleaseGossipEvents } from '../../../../node-core/release/network/release-gossip.ts'
import { signReleasePointer, type SignedReleasePointer } from '../../../../node-core/release/network/release-pointer.ts'
import { ReleaseStateStore } from '../../../../node-core/release/network/release-state.ts'
import { trustBuilders, type ReleaseTrust } from '../../../../node-core/release/release-trust.ts'
import { attest, bundleBytes, createFixture, publish, stageRelease, trustFor, type Fixture } from '../release-fixtures.ts'

interface Published { pointer: SignedReleasePointer, chunks: Map<string, Uint8Array> }

/** The publication as it is now, in chunks, with a pointer of `version`. */
async function publication (fixture: Fixture, dir: string, version: number): Promise<Published> {
  await publish(fixture, dir)
  const { indexAddress, chunks } = chunkRelease(await readReleaseDirectory(dir))
  const pointer = signReleasePointer({ version, indexAddress, timestampVersion: version, publishedAt: fixture.now.toISOString() }, fixture.keys.timestamp)
  return { pointer, chunks: new Map(chunks.map(chunk => [chunkAddress(chunk), chunk])) }
}

class TestGossip extends TypedEventEmitter<ReleaseGossipEvents> {
  hear (pointer: SignedReleasePointer): void {
    this.dispatchEvent(new CustomEvent('release:pointer', { detail: { pointer, from: '12D3KooWPeer', receivedAt: new Date() } }))
  }
}

async function nextCheck (follower: ReleaseFollower): Promise<{ pointerVersion: number, check: ReleaseCheck }> {
  return await new Promise(resolve => { follower.addEventListener('release:checked', event => { resolve(event.detail) }, { once: true }) })
}

describe('a live vault following releases', () => {
  let fixture: Fixture
  let trust: ReleaseTrust
  const followers: ReleaseFollower[] = []

  before(async () => {
    fixture = await createFixture()
    trust = await trustFor(fixture)
  })
  after(async () => {
    for (const follower of followers) await follower.stop()
    await fixture.cleanup()
  })

  async function follow (fetchChunk: FetchChunk, retryDelaysMs: number[] = []): Promise<{ follower: ReleaseFollower, gossip: TestGossip, state: ReleaseStateStore, dataDir: string }> {
    const dataDir = await mkdtemp(join(fixture.dir, 'vault-'))
    const state = await ReleaseStateStore.open({ dataDir, trust, now: () => fixture.now.getTime() })
    const gossip = new TestGossip()
    const follower = new ReleaseFollower({ gossip, fetchChunk, state, now: () => fixture.now.getTime() }, { pinnedBuilders: trustBuilders(trust), retryDelaysMs })
    follower.start()
    followers.push(follower)
    return { follower, gossip, state, dataDir }
  }

  it('keeps the pointer at once, verifies its release over chunks and keeps the bundle by its hash', async () => {
    const bytes = bundleBytes('followed engine 2.0.0', 300_000)
    await stageRelease(fixture, '2.0.0', { bytes })
    const published = await publication(fixture, join(fixture.dir, 'pub-2'), 2)
    const { follower, gossip, state, dataDir } = await follow(async address => published.chunks.get(address))
    const checked = nextCheck(follower)
    gossip.hear(published.pointer)
    assert.equal(state.lastPointerVersion, 2, 'kept before the check ends')
    assert.deepEqual(follower.latestRelease(), { pointerVersion: 2, indexAddress: published.pointer.pointer.indexAddress, publishedAt: fixture.now.toISOString(), check: null })
    const { pointerVersion, check } = await checked
    assert.equal(pointerVersion, 2)
    assert.equal(check.verdict, 'verified', JSON.stringify(check))
    if (check.verdict !== 'verified') return
    const sha256 = chunkAddress(bytes)
    assert.deepEqual(check, {
      verdict: 'verified',
      checkedAt: fixture.now.getTime(),
      engineVersion: '2.0.0',
      bundleSha256: sha256,
      bundlePath: join(dataDir, 'releases', `${sha256}.tar.gz`),
      rootVersion: 1,
      rootSignedBy: fixture.keys.root.map(key => key.keyid).sort(),
      signedBy: fixture.keys.targets.slice(0, 2).map(key => key.keyid).sort(),
      attestedBy: fixture.builders.slice(0, 2).map(key => key.keyid).sort(),
      rollout: check.rollout,
      egress: { allowedHosts: [] },
      eras: [1]
    })
    assert.equal(check.rollout.durationSeconds, 7 * 24 * 3600)
    assert.deepEqual(await readFile(check.bundlePath), bytes)
    assert.deepEqual(await readdir(join(dataDir, 'releases')), [`${sha256}.tar.gz`])
    assert.deepEqual(follower.latestRelease()?.check, check)
    // Kept across a restart, with nothing left to check.
    const reopened = await ReleaseStateStore.open({ dataDir, trust, now: () => 0 })
    assert.deepEqual(reopened.check, check)
    assert.deepEqual(reopened.pointer, published.pointer)
  })

  it('reports a release too few pinned builders attest as rejected with its code, and keeps no bundle', async () => {
    const bytes = bundleBytes('followed engine 3.0.0')
    await stageRelease(fixture, '3.0.0', { bytes, attestations: attest(bytes, '3.0.0', fixture.builders.slice(0, 1)) })
    const published = await publication(fixture, join(fixture.dir, 'pub-3'), 3)
    const { follower, gossip, dataDir } = await follow(async address => published.chunks.get(address))
    const checked = nextCheck(follower)
    gossip.hear(published.pointer)
    const { check } = await checked
    assert.equal(check.verdict, 'rejected')
    if (check.verdict !== 'rejected') return
    assert.equal(check.code, 'too-few-attestations')
    assert.match(check.reasons[0] ?? '', /too few matching attestations: 1 of the 2 required/)
    assert.deepEqual(await readdir(join(dataDir, 'releases')).catch(() => []), [])
  })

  it('calls chunks no peer serves unavailable and tries again, with the chunks now there', async () => {
    const published = await publication(fixture, join(fixture.dir, 'pub-4'), 4)
    let served = false
    const { follower, gossip } = await follow(async address => served ? published.chunks.get(address) : undefined, [1])
    const first = nextCheck(follower)
    gossip.hear(published.pointer)
    const missing = (await first).check
    assert.equal(missing.verdict === 'rejected' ? missing.code : missing.verdict, 'unavailable')
    const second = nextCheck(follower)
    served = true
    // Fetched this time: the newest release in targets is 3.0.0 of the test before, attested once.
    const fetched = (await second).check
    assert.equal(fetched.verdict === 'rejected' ? fetched.code : fetched.verdict, 'too-few-attestations')
  })
})
