// The shadow runner's own promises (DESIGN §3.4): it never writes the live vault's files, it
// reports progress, it cancels cleanly (no engine left running, no temporary files left), and on
// a machine without a network namespace or the permission model it says so and still catches a
// phone home with the in-process monitor.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import type { ShadowVerdict } from '../../../../contract/upgrade.ts'
import type { ShadowRunner, ShadowRunOptions } from '../../../../node-core/upgrade/shadow/shadow-runner.ts'
import { createShadowRunner } from '../../../../node-core/upgrade/shadow/shadow-runner.ts'
import { SHADOW_NICENESS } from '../../../../node-core/upgrade/shadow/shadow-engine.ts'
import { buildEngineCandidate, type EngineCandidate } from '../../../helpers/engine-candidates.ts'
import { hostileCandidates } from './hostile-patches.ts'
import { keepReading, startLiveVault, type LiveVault } from './live-vault.ts'
import { startLoopbackListeners, type LoopbackListeners } from './loopback-listeners.ts'

/** Every file under `dir` with what a write would change: size, modification time, link count. */
async function fileStates (dir: string): Promise<Map<string, string>> {
  const states = new Map<string, string>()
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    const info = await stat(path)
    states.set(relative(dir, path), `${info.size} ${info.mtimeMs} ${info.nlink}`)
  }
  return states
}

/** Process ids whose command line mentions `text`. */
async function processesMentioning (text: string): Promise<number[]> {
  const found: number[] = []
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes(text)) found.push(Number(pid))
  }
  return found
}

/**
 * What failed the run, if anything. Speed comparisons of runs this short on a shared machine may
 * say "marginal" (the hostile candidates suite judges those); these tests are about the runner.
 */
function criticalReasons (verdict: ShadowVerdict): string[] {
  return verdict.reasons.filter(reason => reason.severity === 'critical').map(reason => reason.message)
}

/** The link count of one live chunk file once the run replays (2: linked into the snapshot; 1: copied). */
function linkCountWhileReplaying (vault: LiveVault): { onProgress: (fraction: number) => void, count: Promise<number> } {
  const [address = ''] = vault.chunks.keys()
  let report: (count: number) => void = () => {}
  const count = new Promise<number>(resolve => { report = resolve })
  let asked = false
  return {
    count,
    onProgress: fraction => {
      if (fraction === 0 || asked) return
      asked = true
      void stat(join(vault.dataDir, 'store', 'chunks', address.slice(0, 2), address)).then(info => { report(info.nlink) })
    }
  }
}

/** The nice value of each thread of `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
async function threadNiceness (pid: number): Promise<number[]> {
  const values: number[] = []
  for (const thread of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const stat = await readFile(`/proc/${pid}/task/${thread}/stat`, 'utf8').catch(() => '')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[16] !== undefined) values.push(Number(fields[16]))
  }
  return values
}

describe('the shadow runner', { timeout: 300_000 }, () => {
  let root = ''
  let runs = ''
  let vault: LiveVault
  let engine: EngineCandidate

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'shadow-runner-test-'))
    runs = await mkdtemp(join(root, 'runs-'))
    vault = await startLiveVault(root, 12)
    engine = await buildEngineCandidate('unchanged')
  })
  after(async () => {
    await vault.stop()
    await engine.remove()
    await rm(root, { recursive: true, force: true })
  })

  const options = (extra: Partial<ShadowRunOptions> = {}): ShadowRunOptions => ({
    baseline: engine,
    candidate: engine,
    liveDataDir: vault.dataDir,
    trace: vault.live.trace.entries(),
    durationMs: 1500,
    allowedHosts: [],
    ...extra
  })

  it('leaves the live vault\'s files as they were, serving throughout, and reports progress from 0 to 1', async () => {
    const before = await fileStates(vault.dataDir)
    const reader = keepReading(vault)
    const progress: number[] = []
    const links = linkCountWhileReplaying(vault)
    const verdict = await createShadowRunner({ tempDir: runs, lowPriority: false }).run(options({ onProgress: fraction => { progress.push(fraction); links.onProgress(fraction) } }))
    assert.equal(await links.count, 2, 'the snapshot links the live chunk files while the permission model keeps the engines from writing them')
    const tally = await reader.stop()
    assert.deepEqual(criticalReasons(verdict), [])
    assert.deepEqual(await fileStates(vault.dataDir), before)
    assert.deepEqual(tally.failed, [])
    assert.ok(tally.ok > 0)
    assert.equal(progress[0], 0)
    assert.equal(progress.at(-1), 1)
    assert.ok(progress.every((fraction, i) => i === 0 || fraction >= (progress[i - 1] ?? 0)), JSON.stringify(progress))
    assert.ok(progress.length > 5, JSON.stringify(progress))
    assert.deepEqual(await readdir(runs), [], 'the run\'s temporary directory is gone')
  })

  it('runs both engines, every thread of them, at the lowest priority by default, and says so', async () => {
    const niceness = new Map<number, number[]>()
    let sampled: () => void = () => {}
    const sampledOnce = new Promise<void>(resolve => { sampled = resolve })
    const verdict = await createShadowRunner({ tempDir: runs }).run(options({
      onProgress: fraction => {
        if (fraction === 0 || niceness.size > 0) return
        void (async () => {
          for (const pid of await processesMentioning(engine.entry)) niceness.set(pid, await threadNiceness(pid))
          sampled()
        })()
      }
    }))
    await sampledOnce
    assert.equal(niceness.size, 2, 'baseline and candidate')
    for (const [pid, threads] of niceness) {
      assert.ok(threads.length > 1, `${pid} has threads`)
      assert.deepEqual(threads.filter(nice => nice !== SHADOW_NICENESS), [], `threads of ${pid}`)
    }
    const budgets = verdict.isolation.find(entry => entry.layer === 'resource-budgets')
    assert.match(budgets?.detail ?? '', /lowest priority \(nice 19\)/)
  })

  it('cancels on abort: it rejects, stops both engines and removes its temporary directory', async () => {
    const controller = new AbortController()
    const run = createShadowRunner({ tempDir: runs }).run(options({
      durationMs: 60_000,
      signal: controller.signal,
      onProgress: fraction => { if (fraction > 0) controller.abort() }
    }))
    await assert.rejects(run, { name: 'AbortError' })
    assert.deepEqual(await processesMentioning(engine.rootDir), [])
    assert.deepEqual(await readdir(runs), [])
  })

  it('refuses to start when already aborted, touching nothing', async () => {
    await assert.rejects(createShadowRunner({ tempDir: runs }).run(options({ signal: AbortSignal.abort() })), { name: 'AbortError' })
    assert.deepEqual(await readdir(runs), [])
  })

  describe('on a machine without a network namespace or the permission model', () => {
    let listeners: LoopbackListeners
    let runner: ShadowRunner
    before(async () => {
      listeners = await startLoopbackListeners()
      runner = createShadowRunner({
        tempDir: runs,
        lowPriority: false,
        disableLayers: { 'network-namespace': 'as on a machine that forbids unshare', 'permission-model': 'as on an older Node' }
      })
    })
    after(async () => { await listeners.close() })

    it('says which layers were missing and why, copies the snapshot instead of linking it, and finds nothing critical in the unchanged engine', async () => {
      const links = linkCountWhileReplaying(vault)
      const verdict = await runner.run(options({ onProgress: links.onProgress }))
      assert.equal(await links.count, 1, 'no engine that could write to it is given a live chunk file')
      assert.deepEqual(criticalReasons(verdict), [])
      const layer = (name: string): { active: boolean, detail: string } | undefined => verdict.isolation.find(entry => entry.layer === name)
      assert.deepEqual(layer('network-namespace'), { layer: 'network-namespace', active: false, detail: 'disabled: as on a machine that forbids unshare' })
      assert.equal(layer('permission-model')?.active, false)
      assert.equal(layer('egress-monitor')?.active, true)
    })

    it('catches a phone home with the monitor alone, and blocks it there', async () => {
      const hostile = hostileCandidates({ ...listeners, outsidePath: join(root, 'outside.txt') }).find(entry => entry.label === 'phone-home-net')
      assert.ok(hostile !== undefined)
      const candidate = await buildEngineCandidate(hostile.label, hostile.patch)
      try {
        const verdict = await runner.run(options({ candidate }))
        assert.equal(verdict.result, 'fail')
        assert.deepEqual(verdict.egress.map(attempt => [attempt.kind, attempt.target, attempt.allowed]), [['net', `127.0.0.1:${listeners.tcpPort}`, false]])
        assert.deepEqual(listeners.received(), { tcp: 0, http: 0, udp: 0, dns: 0 })
      } finally {
        await candidate.remove()
      }
    })
  })
})
