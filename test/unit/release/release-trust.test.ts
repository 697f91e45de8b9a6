// The release trust file a live vault is started with: checked with a reason for every way it can
// be wrong, copied into the data dir, and reused from there by later starts.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  installReleaseTrust, readReleaseTrustFile, RELEASE_TRUST_FILE, ReleaseTrustFileError, trustBuilders, trustRoot, type ReleaseTrust
} from '../../../node-core/release/release-trust.ts'
import { createFixture, trustFor, type Fixture } from './release-fixtures.ts'

describe('release trust file', () => {
  let fixture: Fixture
  let trust: ReleaseTrust
  let n = 0

  before(async () => {
    fixture = await createFixture()
    trust = await trustFor(fixture)
  })
  after(async () => { await fixture.cleanup() })

  async function file (content: unknown): Promise<string> {
    const path = join(fixture.dir, `trust-${n++}.json`)
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content))
    return path
  }

  it('reads the root and the pinned builders as verifyRelease takes them', async () => {
    const read = await readReleaseTrustFile(await file(trust))
    assert.equal(trustRoot(read).signed.version, 1)
    assert.deepEqual(trustBuilders(read), { threshold: 2, keys: fixture.builders.map(key => ({ keyid: key.keyid, public: key.public, label: key.label })) })
  })

  it('refuses, with a reason, every file a vault could not follow releases with', async () => {
    const [first] = fixture.builders
    assert.ok(first !== undefined)
    const root = trust.root as { signed: unknown, signatures: unknown[] }
    const cases: Array<[string, unknown, RegExp]> = [
      ['not JSON', '{"version": 1,', /is not JSON/],
      ['another version', { ...trust, version: 2 }, /version/],
      ['a stray field', { ...trust, mirror: 'https://example.org' }, /mirror/],
      ['a root below its threshold', { ...trust, root: { ...root, signatures: root.signatures.slice(0, 1) } }, /root v1 carries 1 valid signature\(s\) of its own root keys; it needs 2/],
      ['no root at all', { ...trust, root: { signed: {} } }, /not TUF root metadata/],
      ['an unreachable threshold', { ...trust, builders: { ...trust.builders, threshold: 4 } }, /threshold is larger than the number of distinct builders/],
      ['a keyid not its key\'s', { ...trust, builders: { threshold: 1, keys: [{ keyid: 'ab'.repeat(32), public: first.public, label: 'x' }] } }, /a builder keyid does not match its public key/],
      ['no builders', { ...trust, builders: { threshold: 1, keys: [] } }, /keys/]
    ]
    for (const [what, content, reason] of cases) {
      const path = await file(content)
      await assert.rejects(readReleaseTrustFile(path), (err: Error) => err instanceof ReleaseTrustFileError && err.message.startsWith(`the release trust file ${path}`) && !err.message.includes('\n') && reason.test(err.message), what)
    }
    await assert.rejects(readReleaseTrustFile(join(fixture.dir, 'missing.json')), { name: 'ReleaseTrustFileError', message: /cannot read the release trust file .*missing\.json: ENOENT/ })
  })

  it('is copied into the data dir, reused by later starts, and a broken copy is a clear error', async () => {
    const dataDir = join(fixture.dir, 'host-data')
    await mkdir(dataDir)
    assert.equal(await installReleaseTrust({ dataDir }), undefined)
    const given = await installReleaseTrust({ dataDir, from: await file(trust) })
    assert.deepEqual(given, trust)
    assert.deepEqual(JSON.parse(await readFile(join(dataDir, RELEASE_TRUST_FILE), 'utf8')), trust)
    assert.deepEqual(await installReleaseTrust({ dataDir }), trust)
    // A bad file given later leaves the copy as it was.
    await assert.rejects(installReleaseTrust({ dataDir, from: await file({ ...trust, version: 2 }) }), ReleaseTrustFileError)
    assert.deepEqual(await installReleaseTrust({ dataDir }), trust)
    await writeFile(join(dataDir, RELEASE_TRUST_FILE), '{')
    await assert.rejects(installReleaseTrust({ dataDir }), (err: Error) => err instanceof ReleaseTrustFileError && /copy of its release trust, .*release-trust\.json is not JSON; give the file again with --release-trust FILE/.test(err.message))
  })
})
