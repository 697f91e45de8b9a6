// The vault's book of the reward records naming it (issue 3 deliver 5): kept on disk and read back
// through its schema, each epoch counted once, a conflicting record refused with the reason, and
// an unreadable file reported and kept aside rather than silently dropped.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EarningsBook, REWARD_RECORDS_FILE } from '../../../../node-core/engine/earnings/earnings-book.ts'
import type { RewardRecord } from '../../../../node-core/section/economy/reward-record.ts'

const SELF = `${'a1'.repeat(31)}08`
const OTHER = `${'b2'.repeat(31)}06`

function record (epoch: number, pool: number, mine: number): RewardRecord {
  return {
    sectionPrefix: '',
    epoch,
    pool,
    shares: [{ name: SELF, age: 8, weight: '256', amount: mine }, { name: OTHER, age: 6, weight: '64', amount: pool - mine }],
    sectionKey: 'c'.repeat(96),
    signature: 'd'.repeat(192)
  }
}

async function withDir (run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'earnings-book-'))
  try {
    await run(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe('the earnings book', () => {
  it('sums the records naming the vault, keeps them across restarts, and counts each epoch once', async () => {
    await withDir(async dir => {
      let clock = 1000
      const book = new EarningsBook({ dataDir: dir, names: [SELF], now: () => clock })
      await book.load()
      assert.deepEqual(await book.keep(record(3, 500, 400)), { kept: true, amount: 400 })
      clock = 2000
      assert.deepEqual(await book.keep(record(4, 100, 80)), { kept: true, amount: 80 })
      assert.deepEqual(await book.keep(record(4, 100, 80)), { kept: false, conflict: false, reason: 'epoch 4 of section "" is already counted' })
      assert.deepEqual(await book.keep(record(4, 100, 90)), { kept: false, conflict: true, reason: 'a different record for epoch 4 of section "" is already counted' })
      assert.deepEqual(await book.keep({ ...record(5, 10, 0), shares: [{ name: OTHER, age: 6, weight: '64', amount: 10 }] }), { kept: false, conflict: false, reason: 'the record does not name this vault' })
      const reopened = new EarningsBook({ dataDir: dir, names: [SELF] })
      await reopened.load()
      assert.deepEqual(reopened.status(), {
        total: '480',
        records: [{ epoch: 3, sectionPrefix: '', amount: 400, pool: 500, signedAt: 1000 }, { epoch: 4, sectionPrefix: '', amount: 80, pool: 100, signedAt: 2000 }]
      })
      assert.equal((await reopened.keep(record(3, 500, 400))).kept, false, 'a replay after a restart still counts once')
    })
  })

  it('still counts what the vault earned under a name it left: relocated or demoted, its records stay its own', async () => {
    await withDir(async dir => {
      // OTHER is the vault's old name, SELF the one it was relocated to.
      const asOld = { ...record(1, 100, 0), shares: [{ name: OTHER, age: 6, weight: '64', amount: 70 }] }
      const asNew = { ...record(2, 100, 0), shares: [{ name: SELF, age: 8, weight: '256', amount: 60 }] }
      const before = new EarningsBook({ dataDir: dir, names: [OTHER] })
      await before.load()
      await before.keep(asOld)
      const relocated = new EarningsBook({ dataDir: dir, names: [SELF, OTHER] })
      await relocated.load()
      assert.deepEqual(await relocated.keep(asNew), { kept: true, amount: 60 })
      assert.equal(relocated.status().total, '130')
      const forgetful = new EarningsBook({ dataDir: dir, names: [SELF] })
      await forgetful.load()
      assert.equal(forgetful.status().total, '60', 'without the old name its record counts nothing')
    })
  })

  it('counts a record only once it is on disk: one whose write failed is not shown, and is kept when it comes again', async () => {
    await withDir(async dir => {
      const book = new EarningsBook({ dataDir: dir, names: [SELF] })
      await book.load()
      // A directory where the file goes: the write fails.
      await mkdir(join(dir, REWARD_RECORDS_FILE))
      const writing = book.keep(record(3, 500, 400))
      assert.equal(book.status().total, '0', 'not shown while it is being written')
      await assert.rejects(writing)
      assert.deepEqual(book.status(), { total: '0', records: [] })
      await rm(join(dir, REWARD_RECORDS_FILE), { recursive: true })
      assert.deepEqual(await book.keep(record(3, 500, 400)), { kept: true, amount: 400 })
      assert.equal(book.status().total, '400')
    })
  })

  it('reports an unreadable file and keeps it aside, starting a new one', async () => {
    await withDir(async dir => {
      await writeFile(join(dir, REWARD_RECORDS_FILE), '{"version":1,"records":"oops"}')
      const book = new EarningsBook({ dataDir: dir, names: [SELF], now: () => 42 })
      await book.load()
      assert.match(book.problem ?? '', /reward-records\.json is malformed.*kept as .*reward-records\.json\.unreadable-42/s)
      assert.equal(await readFile(join(dir, `${REWARD_RECORDS_FILE}.unreadable-42`), 'utf8'), '{"version":1,"records":"oops"}')
      assert.deepEqual(book.status(), { total: '0', records: [], problem: book.problem })
      await book.keep(record(1, 10, 7))
      assert.equal(book.status().total, '7')
      assert.deepEqual((await readdir(dir)).sort(), [REWARD_RECORDS_FILE, `${REWARD_RECORDS_FILE}.unreadable-42`])
    })
  })
})
