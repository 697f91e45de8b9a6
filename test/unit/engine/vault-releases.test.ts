// A vault given a release trust follows releases and keeps what it accepted in its data dir: after
// a restart it offers the pointer it kept, refuses an older one, still trusts the rotated root,
// and reports the check in its status. A shadow vault takes no part in releases.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { identityFromSeed } from '../../../node-core/engine/identity/identity-file.ts'
import { createVault, type Vault } from '../../../node-core/engine/vault.ts'
import type { ReleaseFollowerEvents } from '../../../node-core/release/network/release-follower.ts'
import { encodeReleaseFrame } from '../../../node-core/release/network/release-gossip.ts'
import { signReleasePointer, type ReleasePointer } from '../../../node-core/release/network/release-pointer.ts'
import type { ReleaseTrust } from '../../../node-core/release/release-trust.ts'
import { createFixture, trustFor, type Fixture } from '../release/release-fixtures.ts'

const PEER = '12D3KooWPeer'
const pointerV = (version: number): ReleasePointer => ({ version, indexAddress: 'ab'.repeat(32), timestampVersion: version, publishedAt: '2026-11-21T10:00:00.000Z' })

async function checked (vault: Vault): Promise<ReleaseFollowerEvents['release:checked']['detail']> {
  const follower = vault.releaseFollower
  if (follower === undefined) throw new Error('the vault follows no releases')
  return await new Promise(resolve => { follower.addEventListener('release:checked', event => { resolve(event.detail) }, { once: true }) })
}

describe('a vault following releases across a restart', () => {
  let fixture: Fixture
  let trust: ReleaseTrust
  let dataDir = ''
  const identity = identityFromSeed(Uint8Array.from(randomBytes(32)))
  const vaults: Vault[] = []

  before(async () => {
    fixture = await createFixture()
    trust = await trustFor(fixture)
    dataDir = await mkdtemp(join(fixture.dir, 'vault-'))
  })
  after(async () => {
    for (const vault of vaults) await vault.stop()
    await fixture.cleanup()
  })

  async function start (): Promise<Vault> {
    const vault = await createVault({ dataDir, identity, localNetwork: true, releaseTrust: trust })
    vaults.push(vault)
    await vault.start()
    return vault
  }

  it('keeps the pointer and its check, offers the pointer again and never goes back below it', async () => {
    const first = await start()
    const v2 = signReleasePointer(pointerV(2), fixture.keys.timestamp)
    const check = checked(first)
    assert.equal(await first.releases?.receiveFrame(encodeReleaseFrame(v2), PEER), 'accepted')
    // No peer holds the release's chunks: the check says so, and the pointer is kept all the same.
    const { check: unavailable } = await check
    assert.equal(unavailable.verdict === 'rejected' ? unavailable.code : unavailable.verdict, 'unavailable')
    assert.deepEqual(first.status().versions.latestRelease, { pointerVersion: 2, indexAddress: 'ab'.repeat(32), publishedAt: '2026-11-21T10:00:00.000Z', check: unavailable })
    await first.stop()

    const second = await start()
    assert.deepEqual(second.releases?.latest, v2)
    assert.equal(await second.releases?.receiveFrame(encodeReleaseFrame(signReleasePointer(pointerV(1), fixture.keys.timestamp)), PEER), 'rejected')
    assert.equal(await second.releases?.receiveFrame(encodeReleaseFrame(v2), PEER), 'known')
    assert.equal(second.status().versions.latestRelease?.pointerVersion, 2)
  })

  it('refuses a release trust in shadow mode', async () => {
    await assert.rejects(
      createVault({ dataDir: await mkdtemp(join(fixture.dir, 'shadow-')), identity, releaseTrust: trust, listen: ['/ip4/127.0.0.1/tcp/0'], shadow: { snapshotDir: fixture.dir } }),
      { name: 'ShadowConfigError', message: /takes no part in release gossip/ }
    )
  })
})
