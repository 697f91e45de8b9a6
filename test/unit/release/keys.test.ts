import assert from 'node:assert/strict'
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Metadata, Targets } from '@tufjs/models'
import {
  KeyFileError, KeyFileExistsError, KeyFilePermissionsError, readKeyFile, readPublicKeyFile, releaseKeyFromSeed, signBytes, tufKey, tufSigner,
  verifyBytes, writeKeyFile, writePublicKeyFile
} from '../../../node-core/release/keys.ts'
import { seedFrom } from './release-fixtures.ts'

describe('release keys', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'vault-release-keys-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('computes keyids as TUF does (known answers: the example root.json of the TUF specification v1.0.26)', () => {
    assert.equal(tufKey('72378e5bc588793e58f81c8533da64a2e8f1565c1fcc7f253496394ffc52542c').keyID, '1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3')
    assert.equal(tufKey('68ead6e54a43f8f36f9717b10669d1ef0ebb38cee6b05317669341309f1069cb').keyID, '135c2f50e57ff11e744d234a62cebad8c38daf399604a7655661cc9199c69164')
    assert.throws(() => tufKey('72378E5B'), RangeError)
  })

  it('derives keys and signs like ed25519 (known answer: RFC 8032 section 7.1, TEST 1)', () => {
    const key = releaseKeyFromSeed(Uint8Array.from(Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex')), 'rfc8032')
    assert.equal(key.public, 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
    const signature = signBytes(key, new Uint8Array(0))
    assert.equal(signature, 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b')
    assert.equal(verifyBytes(key.public, new Uint8Array(0), signature), true)
    assert.equal(verifyBytes(key.public, new Uint8Array(1), signature), false)
    assert.throws(() => releaseKeyFromSeed(new Uint8Array(31), 'short'), RangeError)
  })

  it('signs TUF metadata so that @tufjs/models verifies it, and only the bytes it signed', () => {
    const key = releaseKeyFromSeed(seedFrom('targets'), 'targets')
    const metadata = new Metadata(new Targets({ version: 1, specVersion: '1.0.31', expires: '2030-01-01T00:00:00Z' }))
    metadata.sign(tufSigner(key))
    tufKey(key.public).verifySignature(metadata)
    const changed = new Metadata(new Targets({ version: 2, specVersion: '1.0.31', expires: '2030-01-01T00:00:00Z' }), metadata.signatures)
    assert.throws(() => { tufKey(key.public).verifySignature(changed) }, /failed to verify/)
  })

  it('writes key files owner-only, never over another, and reads back the same key', async () => {
    const key = releaseKeyFromSeed(seedFrom('maintainer'), 'maintainer one')
    const file = join(dir, 'maintainer.json')
    await writeKeyFile(file, key)
    assert.equal((await stat(file)).mode & 0o777, 0o600)
    const read = await readKeyFile(file)
    assert.deepEqual({ keyid: read.keyid, public: read.public, label: read.label }, { keyid: key.keyid, public: key.public, label: 'maintainer one' })
    assert.equal(signBytes(read, Buffer.from('x')), signBytes(key, Buffer.from('x')))
    await assert.rejects(writeKeyFile(file, releaseKeyFromSeed(seedFrom('other'), 'other')), KeyFileExistsError)
    assert.equal((await readKeyFile(file)).keyid, key.keyid)
    // The private half never serialises.
    assert.equal(JSON.stringify(key).includes(Buffer.from(seedFrom('maintainer')).toString('hex')), false)

    await writePublicKeyFile(join(dir, 'maintainer.pub.json'), key)
    assert.deepEqual(await readPublicKeyFile(join(dir, 'maintainer.pub.json')), { keyid: key.keyid, public: key.public, label: 'maintainer one' })
    assert.deepEqual(await readPublicKeyFile(file), { keyid: key.keyid, public: key.public, label: 'maintainer one' })
    await assert.rejects(readKeyFile(join(dir, 'maintainer.pub.json')), /holds only a public key/)
  })

  it('refuses key files that are readable by others, inconsistent, or malformed, without echoing their contents', async () => {
    const key = releaseKeyFromSeed(seedFrom('checked'), 'checked')
    const file = join(dir, 'checked.json')
    await writeKeyFile(file, key)
    const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>

    await chmod(file, 0o640)
    await assert.rejects(readKeyFile(file), KeyFilePermissionsError)
    await chmod(file, 0o600)

    const other = releaseKeyFromSeed(seedFrom('someone else'), 'x')
    await writeFile(file, JSON.stringify({ ...json, keyid: other.keyid }), { mode: 0o600 })
    await assert.rejects(readKeyFile(file), /keyid does not match its public key/)
    await writeFile(file, JSON.stringify({ ...json, public: other.public, keyid: other.keyid }), { mode: 0o600 })
    await assert.rejects(readKeyFile(file), /the private key does not match the public key/)

    const secretLooking = 'f'.repeat(63) + 'Z'
    await writeFile(file, JSON.stringify({ ...json, private: secretLooking }), { mode: 0o600 })
    await assert.rejects(readKeyFile(file), (err: Error) => err instanceof KeyFileError && /\(private\)/.test(err.message) && !err.message.includes(secretLooking))
    await assert.rejects(readKeyFile(join(dir, 'missing.json')), /cannot read key file .*ENOENT/)
  })
})
