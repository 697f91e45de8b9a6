import assert from 'node:assert/strict'
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runSelfCheck, SelfCheckReportSchema, type SelfCheckInputs, type SelfCheckName, type SelfCheckReport } from '../../../../node-core/engine/audit/self-check.ts'
import { activeMember, pause, requestResume } from '../../../../node-core/section/economy/pause-and-fix.ts'
import { chunkFilePath, CHUNKS_DIR } from '../../../../node-core/engine/store/chunk-layout.ts'
import { ChunkStore } from '../../../../node-core/engine/store/chunk-store.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'

const GIB = 1024 ** 3

function check (report: SelfCheckReport, name: SelfCheckName): SelfCheckReport['checks'][number] {
  const found = report.checks.find(item => item.name === name)
  assert.ok(found !== undefined, `no ${name} check`)
  return found
}

function failing (report: SelfCheckReport): SelfCheckName[] {
  return report.checks.filter(item => !item.passed).map(item => item.name)
}

describe('self-check', () => {
  let root = ''
  let store: ChunkStore
  let addresses: string[] = []
  const inputs = (overrides: Partial<SelfCheckInputs> = {}): SelfCheckInputs => ({
    store,
    listenAddresses: () => ['/ip4/127.0.0.1/tcp/4001'],
    connectedPeers: () => 3,
    random: seededRandom('self-check'),
    freeBytes: async () => 100 * GIB,
    now: () => 1_700_000_000_000,
    ...overrides
  })

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'self-check-'))
    store = new ChunkStore({ dir: join(root, 'store'), capacityBytes: 10 * GIB })
    await store.start()
    addresses = []
    for (let i = 0; i < 20; i++) addresses.push((await store.put(new TextEncoder().encode(`chunk ${i}`))).address)
  })

  after(async () => {
    await store.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('passes a healthy vault, every check with what it found, in the shape requestResume takes', async () => {
    const report = await runSelfCheck(inputs())
    assert.equal(report.passed, true, JSON.stringify(report, null, 2))
    assert.deepEqual(report.checks.map(item => item.name), ['chunk-folder', 'store-writable', 'chunks-intact', 'free-space', 'listening', 'peers'])
    assert.match(check(report, 'chunks-intact').detail, /20 chunk\(s\) read back intact/)
    assert.equal(SelfCheckReportSchema.safeParse(report).success, true)
    assert.equal(report.at, 1_700_000_000_000)
    const paused = pause(activeMember('05'.repeat(32)), { atChurn: 10, reasons: ['missed-audit x6'] })
    assert.equal(requestResume(paused, { atChurn: 11, selfCheck: report }).status, 'resume-requested')
    // The probe file is gone: only the store's shard folders remain.
    assert.ok((await readdir(join(store.dir, CHUNKS_DIR))).every(name => /^[0-9a-f]{2}$/.test(name)))
  })

  it('fails with the farmer\'s fix when the chunk folder is gone, and passes once it is back', async () => {
    const chunksDir = join(store.dir, CHUNKS_DIR)
    await rename(chunksDir, `${chunksDir}.unplugged`)
    let report: SelfCheckReport
    try {
      report = await runSelfCheck(inputs())
    } finally {
      await rename(`${chunksDir}.unplugged`, chunksDir)
    }
    assert.equal(report.passed, false)
    assert.deepEqual(failing(report), ['chunk-folder', 'store-writable', 'chunks-intact', 'free-space'])
    const folder = check(report, 'chunk-folder')
    assert.ok(!folder.passed)
    assert.equal(folder.fix, `The folder ${chunksDir} is missing: reconnect the drive that holds it, then press Reconnect.`)
    const paused = pause(activeMember('05'.repeat(32)), { atChurn: 10, reasons: ['missed-audit x6'] })
    assert.throws(() => requestResume(paused, { atChurn: 11, selfCheck: report }), { name: 'SelfCheckFailedError', message: /chunk-folder: .* is missing/ })
    assert.equal((await runSelfCheck(inputs())).passed, true)
  })

  it('names the store folder when the whole store is gone', async () => {
    await rename(store.dir, `${store.dir}.unplugged`)
    try {
      const folder = check(await runSelfCheck(inputs()), 'chunk-folder')
      assert.ok(!folder.passed)
      assert.equal(folder.fix, `The folder ${store.dir} is missing: reconnect the drive that holds it, then press Reconnect.`)
    } finally {
      await rename(`${store.dir}.unplugged`, store.dir)
    }
  })

  it('reads back every indexed chunk and the ones it must always check, finding missing and damaged ones', async () => {
    const chunksDir = join(store.dir, CHUNKS_DIR)
    const [damaged, lost] = addresses
    assert.ok(damaged !== undefined && lost !== undefined)
    const damagedPath = chunkFilePath(chunksDir, damaged)
    const lostPath = chunkFilePath(chunksDir, lost)
    await rename(damagedPath, `${damagedPath}.kept`)
    await writeFile(damagedPath, 'not the chunk')
    const damagedOnly = await runSelfCheck(inputs())
    await rename(lostPath, `${lostPath}.kept`)
    try {
      const report = await runSelfCheck(inputs())
      const intact = check(report, 'chunks-intact')
      assert.ok(!intact.passed)
      assert.match(intact.detail, /2 of 20 chunk\(s\) checked failed: 1 missing, 1 damaged/)
      assert.match(intact.fix, /damaged: check the drive for errors/)
      assert.deepEqual(failing(damagedOnly), ['chunks-intact'])
      assert.match(check(damagedOnly, 'chunks-intact').detail, /0 missing, 1 damaged/)
      // A small sample misses them; the chunks it must always check are checked whatever the sample.
      const sampled = await runSelfCheck(inputs({ alwaysCheck: [lost] }), { sampleSize: 0 })
      const sampledIntact = check(sampled, 'chunks-intact')
      assert.ok(!sampledIntact.passed)
      assert.match(sampledIntact.detail, /1 of 1 chunk\(s\) checked failed: 1 missing/)
      assert.match(sampledIntact.fix, /missing from .*put the complete folder back/)
    } finally {
      await rename(`${lostPath}.kept`, lostPath)
      await rename(`${damagedPath}.kept`, damagedPath)
    }
    assert.equal((await runSelfCheck(inputs())).passed, true)
  })

  it('fails when the drive has too little free space for new data, unless the vault\'s own capacity is the limit', async () => {
    const low = await runSelfCheck(inputs({ freeBytes: async () => 1024 ** 2 }))
    const space = check(low, 'free-space')
    assert.ok(!space.passed)
    assert.match(space.fix, /has only 1\.0 MiB free, less than the 64\.0 MiB the vault needs to take new data/)
    const full = new ChunkStore({ dir: store.dir, capacityBytes: store.stats().bytes })
    await full.start()
    assert.equal(check(await runSelfCheck(inputs({ store: full, freeBytes: async () => 0 })), 'free-space').passed, true)
    await full.stop()
    assert.match(check(await runSelfCheck(inputs({ freeBytes: async () => 2 * GIB })), 'free-space').detail, /the drive fills first/)
  })

  it('fails without a listener or without a reachable peer, saying what to check', async () => {
    const report = await runSelfCheck(inputs({ listenAddresses: () => [], connectedPeers: () => 0 }))
    assert.deepEqual(failing(report), ['listening', 'peers'])
    const listening = check(report, 'listening')
    const peers = check(report, 'peers')
    assert.ok(!listening.passed && !peers.passed)
    assert.match(listening.fix, /not listening .* press Reconnect\.$/)
    assert.match(peers.fix, /internet connection/)
  })

  it('measures free space with statfs by default', async () => {
    const { freeBytes: _ignored, ...rest } = inputs()
    const space = check(await runSelfCheck(rest), 'free-space')
    assert.match(space.detail, /free on the drive/)
  })
})
