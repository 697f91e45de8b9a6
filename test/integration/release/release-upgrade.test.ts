// Issue 4 meets issue 5: a release of the real engine (built from a copy of this checkout, its
// version above the app's), signed 2 of 3 by the repository's targets keys and attested by 2
// pinned builders, is published by a maintainer's node into a loopback network of in-process
// vaults. A live vault under VaultHost, started with the release trust file, hears the pointer,
// fetches the release from its peers and verifies it in its engine process; the host's upgrade
// manager takes it as a 'release' candidate on its own, shadow-tests it with the real runner and
// schedules it at the vault's turn in the signed rollout. Loopback only, no HTTP.
import assert from 'node:assert/strict'
import { access, mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Root } from '@tufjs/models'
import type { ReleaseCheck } from '../../../contract/host-api.ts'
import { createVault, type Vault } from '../../../node-core/engine/vault.ts'
import { ENGINE_VERSION } from '../../../node-core/engine/version.ts'
import { createVaultHost, type VaultHost } from '../../../node-core/host/vault-host.ts'
import { parseRoot } from '../../../node-core/release/metadata.ts'
import { compareEngineVersions } from '../../../node-core/release/release-custom.ts'
import { ReleaseClient } from '../../../node-core/release/network/release-client.ts'
import { addTarget, signRole } from '../../../node-core/release/repository.ts'
import { writeReleaseTrust } from '../../../node-core/release/release-trust.ts'
import { installDirectory } from '../../../node-core/upgrade/manager/engine-records.ts'
import { eligibleAt, MAX_ROLLOUT_JITTER_MS } from '../../../node-core/upgrade/schedule/rollout.ts'
import { waitForStatus } from '../../helpers/events.ts'
import { connected } from '../../helpers/release-network.ts'
import { attest, createFixture, description, publish, sha256Hex, trustFor, type Fixture } from '../../unit/release/release-fixtures.ts'
import { buildBundleFile, type BundleFile } from '../../helpers/bundle-fixture.ts'

const VAULTS = 4
const RELEASE_VERSION = '0.2.0'
/** Long enough for a verdict on loopback, short enough for the whole test to stay near a minute. */
const SHADOW_SECONDS = 8
const LIVE_CAPACITY_BYTES = 256 * 1024

describe('a live vault upgrades to a release published into its network', { timeout: 180_000 }, () => {
  let fixture: Fixture
  let bundle: BundleFile
  let root: Root
  let host: VaultHost | undefined
  let dataDir = ''
  const vaults: Vault[] = []
  const rollout = { seed: sha256Hex('release-upgrade rollout'), start: new Date(Math.ceil(Date.now() / 1000) * 1000 + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), durationSeconds: 24 * 3600 }

  before(async () => {
    fixture = await createFixture()
    bundle = await buildBundleFile(fixture.dir, 'release', RELEASE_VERSION)
    assert.equal(compareEngineVersions(RELEASE_VERSION, ENGINE_VERSION), 1, 'the release must be newer than the app\'s engine')
    // The maintainers' path: add the target with 2 of the 3 builders' attestations, 2 of 3 targets keys sign.
    await addTarget(fixture.repo, {
      bundlePath: bundle.path,
      name: `vault-engine-${RELEASE_VERSION}.tar.gz`,
      release: { ...description(RELEASE_VERSION), rollout },
      attestations: attest(bundle.bytes, RELEASE_VERSION, fixture.builders.slice(0, 2)),
      now: () => fixture.now
    })
    signRole(fixture.repo, 'targets', fixture.keys.targets.slice(0, 2))
    await publish(fixture)
    root = parseRoot(JSON.parse(await readFile(join(fixture.clientDir, 'root.json'), 'utf8'))).signed

    for (let i = 0; i < VAULTS; i++) {
      const vault = await createVault({ dataDir: join(fixture.dir, `vault-${i}`), localNetwork: true, bootstrap: vaults[0]?.multiaddrs() ?? [], trustedReleaseRoot: () => root })
      await vault.start()
      vaults.push(vault)
    }
    const [first] = vaults
    assert.ok(first !== undefined)
    await connected(first, VAULTS - 1)

    const trustFile = join(fixture.dir, 'release-trust.json')
    await writeReleaseTrust(trustFile, await trustFor(fixture))
    dataDir = join(fixture.dir, 'host')
    await mkdir(dataDir)
    host = createVaultHost({
      dataDir,
      bootstrap: vaults.flatMap(vault => vault.multiaddrs()),
      listenHost: '127.0.0.1',
      // Too small for the bundle's chunk: the live vault can only have it from its peers.
      capacityBytes: LIVE_CAPACITY_BYTES,
      releaseTrustFile: trustFile,
      upgrades: { releaseShadowSeconds: SHADOW_SECONDS }
    })
    await host.start()
    await waitForStatus(host, status => status.state === 'active' && status.peers >= VAULTS, `the live vault connected to the ${VAULTS} vaults`)
  })

  after(async () => {
    await host?.stop()
    await Promise.allSettled(vaults.map(async vault => { await vault.stop() }))
    await rm(fixture.dir, { recursive: true, force: true })
  })

  it('hears, fetches and verifies the release, then shadow-tests it as a release candidate scheduled by the signed rollout', async () => {
    assert.ok(host !== undefined)
    const before = await host.getStatus({})
    assert.equal(before.versions.latestRelease, null)
    assert.equal(before.upgrade.candidate, null)

    // A maintainer's machine: no vault, listens on nothing, joins through one vault.
    const client = new ReleaseClient({ bootstrap: vaults[0]?.multiaddrs() ?? [], timeoutMs: 10_000 })
    const published = await client.publish({ releaseDir: fixture.outDir, timestampKeys: fixture.keys.timestamp })
    assert.ok(published.chunks > published.files, 'the bundle spans more than one chunk')

    const heard = await waitForStatus(host, status => status.versions.latestRelease?.check !== null && status.versions.latestRelease !== null, 'the live engine to check the release', 60_000)
    const latest = heard.versions.latestRelease
    assert.ok(latest !== null)
    assert.equal(latest.pointerVersion, published.pointer.pointer.version)
    assert.equal(latest.indexAddress, published.indexAddress)
    const expected: ReleaseCheck = {
      verdict: 'verified',
      checkedAt: latest.check?.checkedAt ?? 0,
      engineVersion: RELEASE_VERSION,
      bundleSha256: bundle.sha256,
      bundlePath: join(dataDir, 'vault', 'releases', `${bundle.sha256}.tar.gz`),
      rootVersion: 1,
      rootSignedBy: fixture.keys.root.map(key => key.keyid).sort(),
      signedBy: fixture.keys.targets.slice(0, 2).map(key => key.keyid).sort(),
      attestedBy: fixture.builders.slice(0, 2).map(key => key.keyid).sort(),
      rollout,
      egress: { allowedHosts: [] },
      eras: [1]
    }
    assert.deepEqual(latest.check, expected)
    assert.deepEqual(await readFile(expected.bundlePath), Buffer.from(bundle.bytes))
    assert.ok(bundle.bytes.length > LIVE_CAPACITY_BYTES && heard.store.bytes <= LIVE_CAPACITY_BYTES, 'the bundle was fetched from peers, not held by the live vault')

    // The manager took it without being asked; the real shadow runner decides.
    const tested = await waitForStatus(host, status => status.upgrade.candidate?.shadow.state === 'done', 'the release\'s shadow run', 90_000)
    const candidate = tested.upgrade.candidate
    assert.ok(candidate !== null)
    assert.equal(candidate.engineVersion, RELEASE_VERSION)
    assert.equal(candidate.bundleSha256, bundle.sha256)
    assert.deepEqual(candidate.verification, { kind: 'release', verified: true, reasons: [], signedBy: expected.signedBy, attestedBy: expected.attestedBy })
    assert.equal(candidate.deadline, null, 'the network is in an era the live engine supports')
    const verdict = candidate.verdict
    assert.ok(verdict !== null)
    assert.notEqual(verdict.result, 'fail', verdict.reasons.map(reason => reason.message).join('; '))
    assert.equal(verdict.candidate.engineVersion, RELEASE_VERSION)
    assert.deepEqual(verdict.egress.filter(attempt => !attempt.allowed), [])
    // Its turn in the rollout: HMAC(seed, name) against the cursor, plus at most an hour of jitter.
    const earliest = eligibleAt(rollout, tested.name, 0)
    assert.ok(candidate.eligibleAt !== null && candidate.eligibleAt >= earliest && candidate.eligibleAt <= earliest + MAX_ROLLOUT_JITTER_MS, `eligible at ${String(candidate.eligibleAt)}, turn from ${earliest}`)
    assert.ok(earliest >= Date.parse(rollout.start) && earliest <= Date.parse(rollout.start) + rollout.durationSeconds * 1000)
    await access(installDirectory(dataDir, bundle.sha256))
    assert.ok(tested.recentEvents.some(event => event.kind === 'release:verified'), 'the owner\'s event log says the release verified')
  })
})
