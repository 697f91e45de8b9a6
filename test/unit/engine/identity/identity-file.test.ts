import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { publicKeyFromSeed } from '../../../../node-core/engine/identity/ed25519-raw.ts'
import {
  IDENTITY_FILE, IdentityFileError, loadOrCreateIdentity, NEW_VAULT_AGE, readIdentity
} from '../../../../node-core/engine/identity/identity-file.ts'
import { ageOfName, nameHasPrefix } from '../../../../node-core/engine/identity/name.ts'
import { AGE_HISTORY_FILE } from '../../../../node-core/engine/identity/age-history.ts'
import { freshDirs } from '../../../helpers/temp-dirs.ts'

describe('loadOrCreateIdentity', () => {
  const freshDir = freshDirs('identity-file-test-')


  it('creates an age-5 identity in an owner-only file, and loads the same one on the next start', async () => {
    const dir = await freshDir()
    const created = await loadOrCreateIdentity(dir)
    assert.equal(NEW_VAULT_AGE, 5)
    assert.equal(created.age, 5)
    assert.equal(ageOfName(created.name), 5)
    assert.deepEqual(publicKeyFromSeed(created.seed), created.name)

    const path = join(dir, IDENTITY_FILE)
    if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600)
    const onDisk: unknown = JSON.parse(await readFile(path, 'utf8'))
    assert.deepEqual(onDisk, { version: 1, seed: Buffer.from(created.seed).toString('hex') })
    // The temp files it wrote through are renamed away, not left behind; the first name starts the age history.
    assert.deepEqual((await readdir(dir)).sort(), [AGE_HISTORY_FILE, IDENTITY_FILE])

    const loaded = await loadOrCreateIdentity(dir)
    assert.deepEqual(loaded.name, created.name)
    assert.deepEqual(loaded.seed, created.seed)
    assert.equal(loaded.age, 5)
  })

  it('creates the data directory when it does not exist', async () => {
    const dir = join(await freshDir(), 'nested', 'data')
    const identity = await loadOrCreateIdentity(dir)
    assert.deepEqual((await readIdentity(dir))?.name, identity.name)
  })

  it('grinds the requested section prefix', async () => {
    const identity = await loadOrCreateIdentity(await freshDir(), { prefix: '01' })
    assert.equal(nameHasPrefix(identity.name, '01'), true)
    assert.equal(identity.age, 5)
  })

  it('gives different vaults different names', async () => {
    const a = await loadOrCreateIdentity(await freshDir())
    const b = await loadOrCreateIdentity(await freshDir())
    assert.notDeepEqual(a.name, b.name)
  })

  const malformed: Array<[string, string]> = [
    ['not JSON', '{"version":1,"seed":'],
    ['the wrong version', JSON.stringify({ version: 2, seed: 'ab'.repeat(32) })],
    ['a short seed', JSON.stringify({ version: 1, seed: 'ab'.repeat(31) })],
    ['an uppercase seed', JSON.stringify({ version: 1, seed: 'AB'.repeat(32) })],
    ['a seed that is not a string', JSON.stringify({ version: 1, seed: 42 })],
    ['an empty file', '']
  ]
  for (const [what, content] of malformed) {
    it(`throws IdentityFileError for ${what} and leaves the file untouched`, async () => {
      const dir = await freshDir()
      const path = join(dir, IDENTITY_FILE)
      await writeFile(path, content, { mode: 0o600 })
      await assert.rejects(loadOrCreateIdentity(dir), (err: unknown) => {
        assert.ok(err instanceof IdentityFileError)
        assert.equal(err.name, 'IdentityFileError')
        assert.ok(err.message.includes(path), err.message)
        return true
      })
      assert.equal(await readFile(path, 'utf8'), content)
      assert.deepEqual(await readdir(dir), [IDENTITY_FILE])
    })
  }
})

describe('readIdentity', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'identity-read-test-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('is undefined when there is no identity file', async () => {
    assert.equal(await readIdentity(dir), undefined)
  })

  it('derives the name and age from the stored seed', async () => {
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i)
    await writeFile(join(dir, IDENTITY_FILE), JSON.stringify({ version: 1, seed: Buffer.from(seed).toString('hex') }))
    const identity = await readIdentity(dir)
    assert.ok(identity !== undefined)
    assert.deepEqual(identity.seed, seed)
    assert.deepEqual(identity.name, publicKeyFromSeed(seed))
    assert.equal(identity.age, identity.name[31])
  })
})
