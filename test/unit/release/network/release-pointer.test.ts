// The release pointer's signatures: k of n distinct timestamp keys of the trusted root, nothing
// else counted, the domain prefix binding them to pointers only, and no going back in version.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Root } from '@tufjs/models'
import { releaseKeyFromSeed, signBytes } from '../../../../node-core/release/keys.ts'
import { parseRoot } from '../../../../node-core/release/metadata.ts'
import {
  pointerSigningBytes, RELEASE_POINTER_DOMAIN, signReleasePointer, verifyReleasePointer, type ReleasePointer
} from '../../../../node-core/release/network/release-pointer.ts'
import { createFixture, DEFAULT_ROLES, seedFrom, type Fixture } from '../release-fixtures.ts'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

const pointer: ReleasePointer = { version: 7, indexAddress: 'ab'.repeat(32), timestampVersion: 3, publishedAt: '2026-11-21T10:00:00.000Z' }

describe('release pointer', () => {
  let fixture: Fixture
  let root: Root

  before(async () => {
    fixture = await createFixture({ roles: { ...DEFAULT_ROLES, timestamp: { n: 3, k: 2 } } })
    root = parseRoot(JSON.parse(await readFile(join(fixture.clientDir, 'root.json'), 'utf8'))).signed
  })
  after(async () => { await fixture.cleanup() })

  it('accepts k of n timestamp signatures and names the signers', () => {
    const [a, b] = fixture.keys.timestamp
    assert.ok(a !== undefined && b !== undefined)
    const verified = verifyReleasePointer(signReleasePointer(pointer, [a, b]), root)
    assert.deepEqual(verified.pointer, pointer)
    assert.deepEqual(verified.signedBy, [a.keyid, b.keyid].sort())
  })

  it('refuses fewer than the threshold, the same key twice, and keys of other roles or strangers', () => {
    const [a] = fixture.keys.timestamp
    const [targetsKey] = fixture.keys.targets
    assert.ok(a !== undefined && targetsKey !== undefined)
    const stranger = releaseKeyFromSeed(seedFrom('stranger'), 'stranger')
    assert.throws(() => verifyReleasePointer(signReleasePointer(pointer, [a]), root), { name: 'ReleasePointerThresholdError' })
    assert.throws(() => verifyReleasePointer(signReleasePointer(pointer, [a, a]), root), { name: 'ReleasePointerThresholdError' })
    assert.throws(() => verifyReleasePointer(signReleasePointer(pointer, [a, targetsKey]), root), { name: 'ReleasePointerThresholdError' })
    assert.throws(() => verifyReleasePointer(signReleasePointer(pointer, [a, stranger]), root), /not timestamp keys/)
  })

  it('refuses a changed pointer and a signature over the bare JSON without the domain prefix', () => {
    const [a, b] = fixture.keys.timestamp
    assert.ok(a !== undefined && b !== undefined)
    const signed = signReleasePointer(pointer, [a, b])
    assert.throws(() => verifyReleasePointer({ ...signed, pointer: { ...pointer, indexAddress: 'cd'.repeat(32) } }, root), { name: 'ReleasePointerThresholdError' })
    const bare = pointerSigningBytes(pointer).subarray(RELEASE_POINTER_DOMAIN.length)
    const undomained = { pointer, signatures: [a, b].map(key => ({ keyid: key.keyid, sig: signBytes(key, bare) })) }
    assert.throws(() => verifyReleasePointer(undomained, root), { name: 'ReleasePointerThresholdError' })
  })

  it('refuses an older version than the last accepted, not an equal or newer one', () => {
    const [a, b] = fixture.keys.timestamp
    assert.ok(a !== undefined && b !== undefined)
    const signed = signReleasePointer(pointer, [a, b])
    assert.throws(() => verifyReleasePointer(signed, root, { lastVersion: 8 }), { name: 'ReleasePointerRollbackError' })
    assert.equal(verifyReleasePointer(signed, root, { lastVersion: 7 }).pointer.version, 7)
    assert.equal(verifyReleasePointer(signed, root, { lastVersion: 6 }).pointer.version, 7)
  })

  it('refuses malformed pointers and extra fields', () => {
    const [a, b] = fixture.keys.timestamp
    assert.ok(a !== undefined && b !== undefined)
    const signed = signReleasePointer(pointer, [a, b])
    for (const bad of [null, 'x', {}, { ...signed, extra: 1 }, { ...signed, pointer: { ...pointer, version: 0 } }, { ...signed, signatures: [] }]) {
      assert.throws(() => verifyReleasePointer(bad, root), { name: 'ReleasePointerFormatError' })
    }
  })
})
