import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { canonicalize } from '@tufjs/canonical-json'
import {
  ATTESTATION_DOMAIN, AttestationMismatchError, attestBundle, BadAttestationSignatureError, createAttestation, MalformedAttestationError,
  PinnedBuildersFileError, readAttestation, readPinnedBuilders, TooFewAttestationsError, UnknownBuilderError, verifyAttestations,
  writeAttestation, writePinnedBuilders, type PinnedBuilders
} from '../../../node-core/release/attestations.ts'
import { chunkAddress } from '../../../node-core/engine/store/chunk-address.ts'
import { releaseKeyFromSeed, signBytes } from '../../../node-core/release/keys.ts'
import { bundleBytes, seedFrom } from './release-fixtures.ts'

const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(name => releaseKeyFromSeed(seedFrom(`builder ${name}`), name))
if (alice === undefined || bob === undefined || carol === undefined || dave === undefined) throw new Error('four builders')
const pinned: PinnedBuilders = { threshold: 2, keys: [alice, bob, carol] }
const bytes = bundleBytes('bundle')
const sha = chunkAddress(bytes)
const by = (...keys: typeof alice[]): unknown[] => keys.map(key => createAttestation({ bundleSha256: sha, engineVersion: '1.2.3', key }))
const check = (attestations: readonly unknown[], threshold = 2): string[] => verifyAttestations({ attestations, bundleSha256: sha, engineVersion: '1.2.3', pinned: { ...pinned, threshold } })

describe('builder attestations', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'vault-attestations-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('accepts k distinct pinned builders and names them, sorted; extra and unknown ones do not hurt', () => {
    assert.deepEqual(check(by(carol, alice)), [alice.keyid, carol.keyid].sort())
    assert.deepEqual(check(by(dave, alice, bob, carol), 3), [alice.keyid, bob.keyid, carol.keyid].sort())
  })

  it('counts each builder once', () => {
    assert.throws(() => check(by(alice, alice, alice)), (err: Error) => err instanceof TooFewAttestationsError && /1 of the 2 required .*2 duplicate/.test(err.message))
    assert.throws(() => check([]), TooFewAttestationsError)
  })

  it('names unknown builders when they are why too few count', () => {
    assert.throws(() => check(by(dave, alice)), (err: Error) => err instanceof UnknownBuilderError && err.message.includes(dave.keyid.slice(0, 12)))
  })

  it('rejects outright a pinned builder that attested other bytes or another version, even with k others agreeing', () => {
    const other = createAttestation({ bundleSha256: chunkAddress(bundleBytes('other')), engineVersion: '1.2.3', key: carol })
    assert.throws(() => check([...by(alice, bob), other]), AttestationMismatchError)
    const version = createAttestation({ bundleSha256: sha, engineVersion: '1.2.4', key: carol })
    assert.throws(() => check([...by(alice, bob), version]), AttestationMismatchError)
  })

  it('rejects forged signatures, and signatures without the domain prefix', () => {
    const [honest] = by(alice) as Array<{ signature: string }>
    assert.ok(honest !== undefined)
    const flipped = { ...honest, signature: (honest.signature.startsWith('0') ? '1' : '0') + honest.signature.slice(1) }
    assert.throws(() => check([flipped, ...by(bob)]), BadAttestationSignatureError)
    const fields = { version: 1, bundleSha256: sha, engineVersion: '1.2.3', builder: alice.keyid }
    const undomained = { ...fields, signature: signBytes(alice, Buffer.from(canonicalize(fields))) }
    assert.throws(() => check([undomained, ...by(bob)]), BadAttestationSignatureError)
    const domained = { ...fields, signature: signBytes(alice, Buffer.from(ATTESTATION_DOMAIN + canonicalize(fields))) }
    assert.deepEqual(check([domained, ...by(bob)]), [alice.keyid, bob.keyid].sort())
  })

  it('rejects malformed attestations and impossible thresholds', () => {
    assert.throws(() => check([{ version: 1, bundleSha256: sha }]), MalformedAttestationError)
    assert.throws(() => check([{ ...(by(alice)[0] as object), extra: true }]), MalformedAttestationError)
    assert.throws(() => check(by(alice, bob), 0), RangeError)
  })

  it('attests a bundle file and round-trips attestation and pinned builders files', async () => {
    const bundle = join(dir, 'bundle.tar')
    await writeFile(bundle, bytes)
    const attestation = await attestBundle(bundle, '1.2.3', alice)
    assert.equal(attestation.bundleSha256, sha)
    await writeAttestation(join(dir, 'a.json'), attestation)
    assert.deepEqual(await readAttestation(join(dir, 'a.json')), attestation)
    await writePinnedBuilders(join(dir, 'builders.json'), pinned)
    const read = await readPinnedBuilders(join(dir, 'builders.json'))
    assert.equal(read.threshold, 2)
    assert.deepEqual(read.keys.map(key => key.keyid), pinned.keys.map(key => key.keyid))
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ version: 1, threshold: 4, builders: read.keys }))
    await assert.rejects(readPinnedBuilders(join(dir, 'bad.json')), (err: Error) => err instanceof PinnedBuildersFileError && /threshold is larger/.test(err.message))
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ version: 1, threshold: 1, builders: [{ ...read.keys[0], keyid: bob.keyid }] }))
    await assert.rejects(readPinnedBuilders(join(dir, 'bad.json')), /keyid does not match/)
    await assert.rejects(attestBundle(bundle, 'v1', alice), /semantic version/)
  })
})
