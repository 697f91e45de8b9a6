// The age history (issue 3 deliver 7): one entry per name, bounded, started as 'earlier' for a
// vault from before it, and an unreadable file kept aside and reported.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MAX_AGE_HISTORY } from '../../../../contract/host-api.ts'
import { AGE_HISTORY_FILE, openAgeHistory, recordNewName } from '../../../../node-core/engine/identity/age-history.ts'
import { loadOrCreateIdentity, rejoinIdentity, writeIdentity, identityFromSeed } from '../../../../node-core/engine/identity/identity-file.ts'
import { freshDirs } from '../../../helpers/temp-dirs.ts'

/** A name of `age` (its last byte), told apart by `tag`; no key needed for the history. */
function named (tag: number, age: number): { name: Uint8Array, age: number } {
  const name = new Uint8Array(32).fill(tag)
  name[31] = age
  return { name, age }
}
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

describe('age history', () => {
  const freshDir = freshDirs('age-history-test-')
  let clock = 0
  const now = (): number => ++clock * 1000


  it('records a first start as new, then each rejoin with its reason, oldest first', async () => {
    const dir = await freshDir()
    clock = 0
    const first = await loadOrCreateIdentity(dir, { now })
    const relocated = await rejoinIdentity(dir, first.age + 1, { keptAs: 'relocated', now })
    const demoted = await rejoinIdentity(dir, Math.floor(relocated.age / 2), { keptAs: 'demoted', now })
    const history = await openAgeHistory(dir, demoted, { now })
    assert.deepEqual(history, {
      entries: [
        { at: 1000, name: hex(first.name), age: 5, reason: 'new' },
        { at: 2000, name: hex(relocated.name), age: 6, reason: 'relocated' },
        { at: 3000, name: hex(demoted.name), age: 3, reason: 'demoted' }
      ]
    })
    const onDisk: unknown = JSON.parse(await readFile(join(dir, AGE_HISTORY_FILE), 'utf8'))
    assert.deepEqual(onDisk, { version: 1, entries: history.entries })
    // A restart adds nothing: the history already ends with the current name.
    assert.deepEqual(await openAgeHistory(dir, demoted, { now }), history)
  })

  it('loading an existing identity records nothing new', async () => {
    const dir = await freshDir()
    clock = 0
    const identity = await loadOrCreateIdentity(dir, { now })
    await loadOrCreateIdentity(dir, { now })
    assert.deepEqual((await openAgeHistory(dir, identity, { now })).entries.map(entry => entry.reason), ['new'])
  })

  it('starts the history of a vault from before it with its current name, at an unknown time', async () => {
    const dir = await freshDir()
    const current = named(1, 9)
    const history = await openAgeHistory(dir, current, { now })
    assert.deepEqual(history, { entries: [{ at: null, name: hex(current.name), age: 9, reason: 'earlier' }] })
    assert.deepEqual(JSON.parse(await readFile(join(dir, AGE_HISTORY_FILE), 'utf8')), { version: 1, entries: history.entries })
  })

  it('a rejoin of a vault from before the history starts it with the name it gives up', async () => {
    const dir = await freshDir()
    clock = 0
    const old = identityFromSeed(new Uint8Array(32).fill(7))
    await writeIdentity(dir, old)
    const identity = await rejoinIdentity(dir, old.age + 1, { keptAs: 'relocated', now })
    assert.deepEqual((await openAgeHistory(dir, identity, { now })).entries, [
      { at: null, name: hex(old.name), age: old.age, reason: 'earlier' },
      { at: 1000, name: hex(identity.name), age: old.age + 1, reason: 'relocated' }
    ])
  })

  it('adds the current name as earlier when the history lost track of it (a stop between grinding and recording)', async () => {
    const dir = await freshDir()
    clock = 0
    await recordNewName(dir, named(1, 5), 'new', { now })
    const entries = (await openAgeHistory(dir, named(2, 6), { now })).entries
    assert.deepEqual(entries.map(entry => [entry.age, entry.reason, entry.at]), [[5, 'new', 1000], [6, 'earlier', null]])
  })

  it(`keeps the last ${MAX_AGE_HISTORY} names`, async () => {
    const dir = await freshDir()
    clock = 0
    await recordNewName(dir, named(0, 5), 'new', { now })
    for (let i = 1; i <= MAX_AGE_HISTORY + 4; i++) await recordNewName(dir, named(i % 256, 6 + (i % 100)), 'relocated', { now })
    const { entries } = await openAgeHistory(dir, named((MAX_AGE_HISTORY + 4) % 256, 6 + ((MAX_AGE_HISTORY + 4) % 100)), { now })
    assert.equal(entries.length, MAX_AGE_HISTORY)
    // The first five (the 'new' one and four relocations) were dropped, the newest kept.
    assert.equal(entries[0]?.at, 6000)
    assert.equal(entries.at(-1)?.at, (MAX_AGE_HISTORY + 5) * 1000)
    assert.equal(entries.some(entry => entry.reason === 'new'), false)
  })

  it('keeps an unreadable file aside, reports it, and starts again from the current name', async () => {
    const dir = await freshDir()
    const path = join(dir, AGE_HISTORY_FILE)
    await writeFile(path, '{"version":1,"entries":"oops"}')
    // Recording a new name leaves the unreadable file as it is, for the vault to report.
    await recordNewName(dir, named(3, 6), 'relocated', { now: () => 5 })
    assert.equal(await readFile(path, 'utf8'), '{"version":1,"entries":"oops"}')

    const current = named(3, 6)
    const history = await openAgeHistory(dir, current, { now: () => 42 })
    assert.match(history.problem ?? '', /age-history\.json is malformed.*kept as .*age-history\.json\.unreadable-42.*starts again/s)
    assert.deepEqual(history.entries, [{ at: null, name: hex(current.name), age: 6, reason: 'earlier' }])
    assert.equal(await readFile(`${path}.unreadable-42`, 'utf8'), '{"version":1,"entries":"oops"}')
    assert.deepEqual((await readdir(dir)).sort(), [AGE_HISTORY_FILE, `${AGE_HISTORY_FILE}.unreadable-42`])
    // The new history reads back without a problem.
    assert.deepEqual(await openAgeHistory(dir, current, { now: () => 43 }), { entries: history.entries })
  })

  it('reports a file that is not JSON the same way', async () => {
    const dir = await freshDir()
    await writeFile(join(dir, AGE_HISTORY_FILE), 'not json')
    const history = await openAgeHistory(dir, named(4, 5), { now: () => 7 })
    assert.match(history.problem ?? '', /is not valid JSON; it is kept as .*unreadable-7/)
  })
})
