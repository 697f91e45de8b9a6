// The client's verdict on a release: the happy paths, then each attack of issue 4 rejected with
// its own code and reason. Attackers here hold the online keys (snapshot, timestamp) and control
// the mirror, the weakest points TUF assumes (TUF spec § "Goals to protect against specific
// attacks"); some also hold pinned builders' attestations, so TUF alone must stop them.
import assert from 'node:assert/strict'
import { cp, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Metadata, Root, Signature } from '@tufjs/models'
import { chunkAddress } from '../../../node-core/engine/store/chunk-address.ts'
import { createAttestation, type Attestation } from '../../../node-core/release/attestations.ts'
import { releaseKeyFromSeed, tufKey, tufSigner, type ReleaseKey } from '../../../node-core/release/keys.ts'
import { TargetCustomSchema } from '../../../node-core/release/release-custom.ts'
import { DirectorySource, type ReleaseSource } from '../../../node-core/release/release-source.ts'
import { TUF_SPEC_VERSION } from '../../../node-core/release/metadata.ts'
import { latestRoot, rotateRoot, signRole, updateOnlineRoles, writePublication, type Repository } from '../../../node-core/release/repository.ts'
import type { ReleaseVerdict } from '../../../node-core/release/verify-release.ts'
import {
  addTargetUnchecked, attest, bundleBytes, createFixture, description, publish, readJson, seedFrom, stageRelease, verify, type Fixture
} from './release-fixtures.ts'

const DAY_MS = 24 * 3600 * 1000
const EVIL = 'vault-engine-6.6.6.tar'
const mallory = releaseKeyFromSeed(seedFrom('mallory'), 'mallory')

function assertRejected (verdict: ReleaseVerdict, code: string, reason: RegExp): void {
  assert.equal(verdict.verdict, 'rejected', `expected a rejection, got ${JSON.stringify(verdict).slice(0, 300)}`)
  if (verdict.verdict !== 'rejected') return
  assert.equal(verdict.code, code, verdict.reasons.join(' | '))
  assert.match(verdict.reasons[0] ?? '', reason)
  assert.equal('release' in verdict, false)
}

/** A fixture where the client has verified release 1.0.0, so it holds trusted metadata. */
async function trustedClient (): Promise<Fixture> {
  const fixture = await createFixture()
  await stageRelease(fixture, '1.0.0')
  await publish(fixture)
  assert.equal((await verify(fixture)).verdict, 'verified')
  return fixture
}

/** The attacker adds an evil bundle (with real-looking attestations), signs targets as told, re-signs the online roles, and serves it. */
async function attackerPublishes (fixture: Fixture, signTargets: (repo: Repository) => void, options: { attestations?: Attestation[], bytes?: Buffer } = {}): Promise<void> {
  const bytes = options.bytes ?? bundleBytes('evil engine')
  const custom = TargetCustomSchema.parse({ ...description('6.6.6'), attestations: options.attestations ?? attest(bytes, '6.6.6', fixture.builders.slice(0, 2)) })
  await addTargetUnchecked(fixture, EVIL, bytes, custom)
  signTargets(fixture.repo)
  updateOnlineRoles(fixture.repo, fixture.onlineKeys, fixture.now)
  await writePublication(fixture.repo, fixture.outDir)
}

const signWith = (...keys: ReleaseKey[]) => (repo: Repository): void => { for (const key of keys) repo.targets.sign(tufSigner(key)) }

async function bundleFile (fixture: Fixture, name: string): Promise<string> {
  const file = (await readdir(join(fixture.outDir, 'targets'))).find(entry => entry.endsWith(`.${name}`))
  assert.ok(file !== undefined, `no published file for ${name}`)
  return join(fixture.outDir, 'targets', file)
}

describe('verifyRelease: releases that verify', () => {
  it('init, 2 of 3 builders attest, publish, verify: verified, with who signed and who attested, and the bundle kept', async () => {
    const fixture = await createFixture()
    try {
      const bytes = bundleBytes('engine 1.0.0')
      const name = await stageRelease(fixture, '1.0.0', { bytes })
      await publish(fixture)
      const downloadDir = join(fixture.dir, 'downloads')
      const verdict = await verify(fixture, { downloadDir })
      assert.equal(verdict.verdict, 'verified', JSON.stringify(verdict))
      if (verdict.verdict !== 'verified') return
      const { release } = verdict
      assert.equal(release.target, name)
      assert.equal(release.engineVersion, '1.0.0')
      assert.equal(release.sha256, chunkAddress(bytes))
      assert.equal(release.rootVersion, 1)
      // init signs root v1 with all three of its root keys.
      assert.deepEqual(release.rootSignedBy, fixture.keys.root.map(key => key.keyid).sort())
      assert.deepEqual(release.signedBy, fixture.keys.targets.slice(0, 2).map(key => key.keyid).sort())
      assert.deepEqual(release.attestedBy, fixture.builders.slice(0, 2).map(key => key.keyid).sort())
      assert.deepEqual(release.custom.egress, { allowedHosts: [] })
      assert.equal(release.custom.rollout.durationSeconds, 7 * 24 * 3600)
      assert.equal(verdict.bundlePath, join(downloadDir, name))
      assert.deepEqual(await readFile(join(downloadDir, name)), bytes)
      // Nothing but the verified bundle is left behind.
      assert.deepEqual(await readdir(downloadDir), [name])
      assert.deepEqual((await readdir(fixture.clientDir)).sort(), ['root.json', 'snapshot.json', 'targets.json', 'timestamp.json'])
      // A second check starts from the metadata the first one trusted.
      assert.equal((await verify(fixture)).verdict, 'verified')
    } finally {
      await fixture.cleanup()
    }
  })

  it('picks the highest engine version by semver when no target is named, or the one named', async () => {
    const fixture = await createFixture()
    try {
      for (const version of ['1.9.0', '1.10.0', '1.10.0-rc.1']) await stageRelease(fixture, version)
      await publish(fixture)
      const latest = await verify(fixture)
      assert.equal(latest.verdict === 'verified' ? latest.release.engineVersion : latest.reasons.join(), '1.10.0')
      const named = await verify(fixture, { target: 'vault-engine-1.9.0.tar' })
      assert.equal(named.verdict === 'verified' ? named.release.engineVersion : named.reasons.join(), '1.9.0')
      assertRejected(await verify(fixture, { target: 'vault-engine-0.0.1.tar' }), 'no-release', /has no target vault-engine-0\.0\.1\.tar/)
    } finally {
      await fixture.cleanup()
    }
  })

  it('an old client follows root N -> N+1 -> N+2 and trusts the rotated keys; the revoked root keys cannot make N+3', async () => {
    const fixture = await createFixture()
    try {
      const [r1, r2, r3] = fixture.keys.root
      assert.ok(r1 !== undefined && r2 !== undefined && r3 !== undefined)
      const r4 = releaseKeyFromSeed(seedFrom('root 4'), 'root-4')
      const r5 = releaseKeyFromSeed(seedFrom('root 5'), 'root-5')
      const [t1, t2] = fixture.keys.targets
      assert.ok(t1 !== undefined && t2 !== undefined)
      const t4 = releaseKeyFromSeed(seedFrom('targets 4'), 'targets-4')
      // v2: root key 1 and targets key 1 are replaced. Signed by 2 of v1's root keys and 2 of v2's.
      rotateRoot(fixture.repo, { changes: { root: { remove: [r1.keyid], add: [r4] }, targets: { remove: [t1.keyid], add: [t4] } }, now: () => fixture.now })
      signRole(fixture.repo, 'root', [r2, r3])
      signRole(fixture.repo, 'targets', [t2, t4])
      // v3: root key 2 goes too.
      rotateRoot(fixture.repo, { changes: { root: { remove: [r2.keyid], add: [r5] } }, now: () => fixture.now })
      signRole(fixture.repo, 'root', [r3, r4])
      await stageRelease(fixture, '2.0.0', { signers: [t2, t4] })
      await publish(fixture)
      const verdict = await verify(fixture)
      assert.equal(verdict.verdict, 'verified', JSON.stringify(verdict))
      if (verdict.verdict !== 'verified') return
      assert.equal(verdict.release.rootVersion, 3)
      assert.deepEqual(verdict.release.signedBy, [t2.keyid, t4.keyid].sort())
      // Root v3's own keys that signed it; r2 signed v2, not v3, and is not a v3 key anyway.
      assert.deepEqual(verdict.release.rootSignedBy, [r3.keyid, r4.keyid].sort())
      const trustedRoot = await readJson(join(fixture.clientDir, 'root.json'))
      assert.equal((trustedRoot as { signed: { version: number } }).signed.version, 3)

      // The holders of the two revoked root keys try to take over with root v4.
      rotateRoot(fixture.repo, { changes: { root: { remove: [r3.keyid, r4.keyid, r5.keyid], add: [mallory], threshold: 1 } }, now: () => fixture.now })
      for (const key of [r1, r2, mallory]) latestRoot(fixture.repo).sign(tufSigner(key))
      await writePublication(fixture.repo, fixture.outDir)
      assertRejected(await verify(fixture), 'revoked-key', /revoked key: root v4 is signed by .*which root v3 revoked for root/)
    } finally {
      await fixture.cleanup()
    }
  })
})

describe('verifyRelease: each attack is rejected with its own reason', () => {
  it('unsigned targets', async () => {
    const fixture = await trustedClient()
    try {
      await attackerPublishes(fixture, () => {})
      const downloadDir = join(fixture.dir, 'downloads')
      assertRejected(await verify(fixture, { downloadDir }), 'unsigned', /unsigned metadata: targets v3 carries no signatures; it needs 2 of root v1's targets keys/)
      assert.deepEqual(await readdir(downloadDir), [], 'nothing of a rejected release is kept')
    } finally {
      await fixture.cleanup()
    }
  })

  it('wrongly signed targets: a key that is not a targets key, or a targets key\'s signature that does not verify', async () => {
    const fixture = await trustedClient()
    try {
      const [t1] = fixture.keys.targets
      assert.ok(t1 !== undefined)
      await attackerPublishes(fixture, repo => {
        signWith(mallory)(repo)
        // t1's signature over other bytes, filed under t1.
        repo.targets.signatures[t1.keyid] = new Signature({ keyID: t1.keyid, sig: tufSigner(t1)(Buffer.from('something else')).sig })
      })
      assertRejected(await verify(fixture), 'wrongly-signed', new RegExp(`wrongly signed: no signature on targets v3 verifies.*${mallory.keyid.slice(0, 12)}: not a targets key.*${t1.keyid.slice(0, 12)}: signature does not verify`))
    } finally {
      await fixture.cleanup()
    }
  })

  it('threshold not met: one valid targets signature where two are required', async () => {
    const fixture = await trustedClient()
    try {
      const [t1] = fixture.keys.targets
      assert.ok(t1 !== undefined)
      await attackerPublishes(fixture, signWith(t1))
      assertRejected(await verify(fixture), 'threshold-not-met', /threshold not met: targets v3 has 1 valid signature\(s\) of the 2 required/)
    } finally {
      await fixture.cleanup()
    }
  })

  it('the same key counted twice: one key\'s signature listed twice', async () => {
    const fixture = await trustedClient()
    try {
      const [t1] = fixture.keys.targets
      assert.ok(t1 !== undefined)
      await attackerPublishes(fixture, signWith(t1))
      const file = join(fixture.outDir, '3.targets.json')
      const json = await readJson(file) as { signatures: unknown[] }
      json.signatures.push(json.signatures[0])
      await writeFile(file, JSON.stringify(json))
      assertRejected(await verify(fixture), 'same-key-twice', new RegExp(`the same key counted twice: key ${t1.keyid.slice(0, 12)} signs the metadata more than once`))
    } finally {
      await fixture.cleanup()
    }
  })

  it('the same key counted twice: a root that lists one key under two keyids (tuf-js alone would count it twice)', async () => {
    const fixture = await trustedClient()
    try {
      const [r1, r2] = fixture.keys.root
      const [t1] = fixture.keys.targets
      assert.ok(r1 !== undefined && r2 !== undefined && t1 !== undefined)
      const alias = 'a'.repeat(64)
      const previous = latestRoot(fixture.repo).signed.toJSON()
      const keys = previous.keys as Record<string, unknown>
      const roles = previous.roles as Record<string, { keyids: string[], threshold: number }>
      const root = new Metadata(Root.fromJSON({
        ...previous, version: 2, spec_version: TUF_SPEC_VERSION,
        keys: { ...keys, [alias]: tufKey(t1.public).toJSON() },
        roles: { ...roles, targets: { keyids: [t1.keyid, alias], threshold: 2 } }
      } as Parameters<typeof Root.fromJSON>[0]))
      for (const key of [r1, r2]) root.sign(tufSigner(key))
      fixture.repo.roots.push(root)
      await attackerPublishes(fixture, repo => {
        signWith(t1)(repo)
        const signature = repo.targets.signatures[t1.keyid]
        assert.ok(signature !== undefined)
        repo.targets.signatures[alias] = new Signature({ keyID: alias, sig: signature.sig })
      })
      assertRejected(await verify(fixture), 'same-key-twice', /the same key counted twice: root v2 lists one public key under keyids/)
    } finally {
      await fixture.cleanup()
    }
  })

  it('a key revoked by root rotation', async () => {
    const fixture = await trustedClient()
    try {
      const [r1, r2] = fixture.keys.root
      const [t1, t2] = fixture.keys.targets
      assert.ok(r1 !== undefined && r2 !== undefined && t1 !== undefined && t2 !== undefined)
      const t4 = releaseKeyFromSeed(seedFrom('targets 4'), 'targets-4')
      rotateRoot(fixture.repo, { changes: { targets: { remove: [t1.keyid], add: [t4] } }, now: () => fixture.now })
      signRole(fixture.repo, 'root', [r1, r2])
      signRole(fixture.repo, 'targets', [t2, t4])
      await publish(fixture)
      assert.equal((await verify(fixture)).verdict, 'verified')
      // t1 leaked; its holder signs an evil release.
      await attackerPublishes(fixture, signWith(t1))
      assertRejected(await verify(fixture), 'revoked-key', new RegExp(`revoked key: targets v3 is signed by ${t1.keyid.slice(0, 12)}, which root v2 revoked for targets`))
    } finally {
      await fixture.cleanup()
    }
  })

  it('rollback to an older version', async () => {
    const fixture = await trustedClient()
    try {
      const oldDir = join(fixture.dir, 'old-publication')
      await cp(fixture.outDir, oldDir, { recursive: true })
      await stageRelease(fixture, '1.1.0')
      await publish(fixture)
      assert.equal((await verify(fixture)).verdict, 'verified')
      assertRejected(await verify(fixture, { source: new DirectorySource(oldDir) }), 'rollback', /rollback: the source offers older metadata.*New timestamp version 3 is less than current version 4/)
    } finally {
      await fixture.cleanup()
    }
  })

  it('frozen metadata: expired by the injected clock', async () => {
    const fixture = await trustedClient()
    try {
      // The timestamp expires after 7 days; the mirror keeps serving it.
      assertRejected(await verify(fixture, { now: new Date(fixture.now.getTime() + 8 * DAY_MS) }), 'frozen', /frozen metadata: timestamp v\d+ expired at /)
      assert.equal((await verify(fixture, { now: new Date(fixture.now.getTime() + 6 * DAY_MS) })).verdict, 'verified')
    } finally {
      await fixture.cleanup()
    }
  })

  it('frozen metadata: expired by the system clock, as tuf-js sees it', async () => {
    const signedAt = new Date(Math.floor((Date.now() - 10 * DAY_MS) / 1000) * 1000)
    const fixture = await createFixture({ now: signedAt })
    try {
      await stageRelease(fixture, '1.0.0')
      await publish(fixture)
      const verdict = await verify(fixture, { now: signedAt })
      assertRejected(verdict, 'frozen', /frozen metadata: timestamp\.json has expired/)
      assert.match(verdict.reasons[1] ?? '', /^tuf-js: Final timestamp\.json is expired/)
    } finally {
      await fixture.cleanup()
    }
  })

  it('mix-and-match of snapshot and targets', async () => {
    const fixture = await createFixture()
    try {
      await stageRelease(fixture, '1.0.0')
      await publish(fixture)
      await stageRelease(fixture, '1.1.0')
      await publish(fixture)
      // Snapshot v3 names targets v3; the mirror serves the (validly signed) targets v2 in its place.
      await writeFile(join(fixture.outDir, '3.targets.json'), await readFile(join(fixture.outDir, '2.targets.json')))
      assertRejected(await verify(fixture), 'mix-and-match', /mix-and-match: metadata from different releases \(Version 2 of targets does not match snapshot version 3\)/)
    } finally {
      await fixture.cleanup()
    }
  })

  it('an oversized download: a bundle longer than signed, a padded timestamp, a source that ignores the cap', async () => {
    const fixture = await createFixture()
    try {
      const name = await stageRelease(fixture, '1.0.0')
      await publish(fixture)
      const file = await bundleFile(fixture, name)
      const bundle = await readFile(file)
      await writeFile(file, Buffer.concat([bundle, Buffer.alloc(1024 * 1024)]))
      assertRejected(await verify(fixture), 'oversized', /is 1052672 bytes, more than the 4096 allowed/)

      await writeFile(file, bundle)
      const lying: ReleaseSource = {
        async fetch (name, maxBytes, signal) {
          const bytes = await new DirectorySource(fixture.outDir).fetch(name, Number.MAX_SAFE_INTEGER, signal)
          return name.startsWith('targets/') ? Buffer.concat([bytes, Buffer.alloc(maxBytes)]) : bytes
        }
      }
      assertRejected(await verify(fixture, { source: lying }), 'oversized', /is 8192 bytes, more than the 4096 allowed/)

      const timestamp = await readFile(join(fixture.outDir, 'timestamp.json'), 'utf8')
      // Whitespace keeps the JSON and its signature valid: only the cap stops endless data.
      await writeFile(join(fixture.outDir, 'timestamp.json'), timestamp + ' '.repeat(20_000))
      assertRejected(await verify(fixture), 'oversized', /timestamp\.json is \d+ bytes, more than the 16384 allowed/)
    } finally {
      await fixture.cleanup()
    }
  })

  it('a bundle whose hash differs from the signed one', async () => {
    const fixture = await createFixture()
    try {
      const name = await stageRelease(fixture, '1.0.0')
      await publish(fixture)
      const file = await bundleFile(fixture, name)
      await writeFile(file, bundleBytes('a different engine', (await readFile(file)).length))
      const downloadDir = join(fixture.dir, 'downloads')
      assertRejected(await verify(fixture, { downloadDir }), 'bundle-hash-mismatch', /the bundle differs from the signed targets metadata \(Expected hash/)
      assert.deepEqual(await readdir(downloadDir), [])
    } finally {
      await fixture.cleanup()
    }
  })

  describe('builder attestations (targets correctly signed)', () => {
    let fixture: Fixture
    const bytes = bundleBytes('evil engine')
    const sha = chunkAddress(bytes)
    const [alice, bob] = ['alice', 'bob'].map(name => releaseKeyFromSeed(seedFrom(`builder ${name}`), `builder ${name}`))
    before(async () => { fixture = await trustedClient() })
    after(async () => { await fixture.cleanup() })

    async function attempt (attestations: Attestation[]): Promise<ReleaseVerdict> {
      // Each attempt starts from the client's last trusted state and a fresh targets version.
      await attackerPublishes(fixture, signWith(...fixture.keys.targets.slice(0, 2)), { bytes, attestations })
      return await verify(fixture, { target: EVIL })
    }

    it('too few attestations: one of the two required', async () => {
      assert.ok(alice !== undefined)
      assertRejected(await attempt([createAttestation({ bundleSha256: sha, engineVersion: '6.6.6', key: alice })]), 'too-few-attestations', /too few matching attestations: 1 of the 2 required/)
    })

    it('too few attestations: one builder attesting twice counts once', async () => {
      assert.ok(alice !== undefined)
      const once = createAttestation({ bundleSha256: sha, engineVersion: '6.6.6', key: alice })
      assertRejected(await attempt([once, once]), 'too-few-attestations', /1 of the 2 required .*each builder counts once/)
    })

    it('mismatching attestations: a pinned builder attested other bytes', async () => {
      assert.ok(alice !== undefined && bob !== undefined)
      const honest = createAttestation({ bundleSha256: chunkAddress(bundleBytes('engine 1.0.0')), engineVersion: '6.6.6', key: alice })
      assertRejected(await attempt([honest, createAttestation({ bundleSha256: sha, engineVersion: '6.6.6', key: bob })]), 'attestation-mismatch', /pinned builder .* attested 6\.6\.6 with SHA-256 .* but the bundle is 6\.6\.6 with SHA-256/)
    })

    it('attestations from builders the client does not pin', async () => {
      const strangers = ['dave', 'erin'].map(name => releaseKeyFromSeed(seedFrom(`stranger ${name}`), name))
      assertRejected(await attempt(strangers.map(key => createAttestation({ bundleSha256: sha, engineVersion: '6.6.6', key }))), 'unknown-builder', /2 attestation\(s\) come from builders this client does not pin/)
    })

    it('an attestation in a pinned builder\'s name that the builder did not sign', async () => {
      assert.ok(alice !== undefined && bob !== undefined)
      const forged = { ...createAttestation({ bundleSha256: sha, engineVersion: '6.6.6', key: mallory }), builder: alice.keyid }
      assertRejected(await attempt([forged, createAttestation({ bundleSha256: sha, engineVersion: '6.6.6', key: bob })]), 'bad-attestation-signature', /does not carry that builder's signature/)
    })
  })
})
