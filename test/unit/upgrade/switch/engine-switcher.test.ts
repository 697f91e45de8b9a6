import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EngineSupervisor } from '../../../../node-core/host/engine-supervisor.ts'
import { EngineSwitcher, type SwitchableSupervisor } from '../../../../node-core/upgrade/switch/engine-switcher.ts'
import {
  EngineNotRunningError, NoPreviousEngineError, SwitchInProgressError, type SwitchOutcome, type SwitchPhase
} from '../../../../node-core/upgrade/switch/switcher.ts'
import { engineStatus, FakeSupervisor, runnable, type EngineScript } from './fake-supervisor.ts'

const WINDOW_MS = 60_000
const START_TIMEOUT_MS = 30_000
const DRAIN_MS = 500

const builtIn = runnable('1.0.0')
const candidate = runnable('1.1.0')
const IDENTITY = '{"version":1,"seed":"11"}\n'

/**
 * The switcher's waits, driven by the test: the drain passes at once, the start timeout once the
 * engine hangs, the health window only when `endWindow` is called; any is cut short by its signal.
 */
function waits (supervisor: FakeSupervisor) {
  let endWindow = (): void => {}
  const delay = async (ms: number, signal: AbortSignal): Promise<void> => {
    if (ms === DRAIN_MS) return
    if (ms === START_TIMEOUT_MS) {
      await until(() => supervisor.hanging || signal.aborted)
      if (signal.aborted) throw new Error('aborted')
      return
    }
    await new Promise<void>((resolve, reject) => {
      if (signal.aborted) { reject(new Error('aborted')); return }
      endWindow = resolve
      signal.addEventListener('abort', () => { reject(new Error('aborted')) }, { once: true })
    })
  }
  return { delay, endWindow: () => { endWindow() } }
}

async function until (check: () => boolean): Promise<void> {
  while (!check()) await new Promise(resolve => setImmediate(resolve))
}

describe('EngineSwitcher', () => {
  let dir = ''
  let dataDir = ''
  let supervisor: FakeSupervisor
  let switcher: EngineSwitcher
  let control: ReturnType<typeof waits>
  let phases: Array<SwitchPhase | null>
  let outcomes: SwitchOutcome[]

  const setUp = (candidateScript: EngineScript, liveScript: EngineScript = { ready: engineStatus() }): void => {
    supervisor = new FakeSupervisor(builtIn, liveScript)
    supervisor.scripts.set(candidate.entry, candidateScript)
    control = waits(supervisor)
    switcher = new EngineSwitcher({ supervisor }, {
      dataDir, current: builtIn, healthWindowMs: WINDOW_MS, startTimeoutMs: START_TIMEOUT_MS, drainGraceMs: DRAIN_MS, now: supervisor.now, delay: control.delay
    })
    phases = []
    outcomes = []
    switcher.addEventListener('switch:phase', event => { phases.push(event.detail.phase) })
    switcher.addEventListener('switch:outcome', event => { outcomes.push(event.detail) })
  }

  /** Switches to the candidate, ending the health window once it is open unless `endWindow` is false. */
  const switchToCandidate = async (endWindow = true): Promise<SwitchOutcome> => {
    const switching = switcher.switchTo(candidate)
    if (endWindow) void until(() => phases.includes('health-window')).then(control.endWindow)
    return await switching
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'engine-switcher-'))
    dataDir = join(dir, 'vault')
    await mkdir(join(dataDir, 'store', 'chunks'), { recursive: true })
    await writeFile(join(dataDir, 'identity.json'), IDENTITY, { mode: 0o600 })
  })
  afterEach(async () => {
    await switcher.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('accepts the real supervisor', () => {
    setUp({ ready: engineStatus() })
    const real: SwitchableSupervisor = new EngineSupervisor({ config: () => { throw new Error('never started') } })
    assert.equal(real.state, 'stopped')
  })

  it('switches to a healthy engine: drain, stop, back up, start, window; downtime from stop to ready', async () => {
    setUp({ ready: engineStatus({ engineVersion: '1.1.0', chunks: 12 }) })
    const outcome = await switchToCandidate()
    assert.equal(outcome.kind, 'switched')
    assert.deepEqual(outcome.reasons.map(reason => reason.check), ['healthy'])
    assert.deepEqual([outcome.from.engineVersion, outcome.to.engineVersion], ['1.0.0', '1.1.0'])
    assert.equal(outcome.failedVersion, null)
    assert.equal(outcome.running, true)
    assert.equal(outcome.downtimeMs, supervisor.stopMs + supervisor.startMs)
    assert.deepEqual(phases, ['draining', 'stopping', 'backing-up', 'starting', 'health-window', null])
    assert.deepEqual(supervisor.calls, [`prepare ${candidate.entry}`, 'pause', 'status', 'stop (standby kept)', `setEngine ${candidate.entry}`, `start ${candidate.entry}`, 'status'])
    assert.ok(outcome.backupDir?.startsWith(join(dataDir, 'backups')))
    assert.equal(await readFile(join(outcome.backupDir ?? '', 'files', 'identity.json'), 'utf8'), IDENTITY)
    assert.equal(switcher.current, candidate)
    assert.equal(switcher.previousEngine, builtIn)
    assert.deepEqual(outcomes, [outcome])
  })

  it('starts cold an engine that could not be loaded ahead, and the health window judges it', async () => {
    setUp({ ready: 'the engine exited during start-up (code 1)', failsToLoad: true })
    const outcome = await switchToCandidate(false)
    assert.equal(outcome.kind, 'rolled-back')
    assert.equal(outcome.failedVersion, '1.1.0')
    assert.deepEqual(supervisor.calls.slice(0, 4), [`prepare ${candidate.entry}`, 'pause', 'status', 'stop'])
  })

  it('rolls back an engine that fails to start, restoring what it changed, and names it failed', async () => {
    setUp({
      ready: 'the engine exited during start-up (code 1)',
      onStart: async () => { await writeFile(join(dataDir, 'format-v2.json'), '{}') }
    })
    const outcome = await switchToCandidate(false)
    assert.equal(outcome.kind, 'rolled-back')
    assert.deepEqual(outcome.reasons.map(reason => [reason.check, reason.severity]), [['ready', 'critical']])
    assert.match(outcome.reasons[0]?.message ?? '', /1\.1\.0 did not start \(the engine exited during start-up \(code 1\)\)/)
    assert.equal(outcome.failedVersion, '1.1.0')
    assert.deepEqual([outcome.from.engineVersion, outcome.to.engineVersion], ['1.1.0', '1.0.0'])
    assert.equal(outcome.running, true)
    assert.equal(outcome.downtimeMs, supervisor.stopMs + supervisor.startMs + supervisor.stopMs + supervisor.startMs)
    assert.deepEqual(supervisor.calls.slice(-3), ['stop', `setEngine ${builtIn.entry}`, `start ${builtIn.entry}`])
    assert.deepEqual(await readdir(dataDir), ['backups', 'identity.json', 'store'])
    assert.equal(switcher.current, builtIn)
    assert.equal(switcher.previousEngine, undefined)
    assert.deepEqual(phases.slice(-3), ['rolling-back', 'starting', null])
  })

  it('rolls back an engine that changes the identity, and restores the identity file byte for byte', async () => {
    setUp({
      ready: engineStatus({ name: '12D3KooWSomebodyElseEntirely', age: 5 }),
      onStart: async () => { await writeFile(join(dataDir, 'identity.json'), '{"version":1,"seed":"22"}\n') }
    })
    const outcome = await switchToCandidate(false)
    assert.equal(outcome.kind, 'rolled-back')
    assert.deepEqual(outcome.reasons.map(reason => reason.check), ['identity'])
    assert.match(outcome.reasons[0]?.message ?? '', /changed the vault's identity .* loses its age/)
    assert.equal(await readFile(join(dataDir, 'identity.json'), 'utf8'), IDENTITY)
  })

  it('rolls back an engine that lost age or chunks, naming each', async () => {
    setUp({ ready: engineStatus({ age: 6, chunks: 9 }) })
    const outcome = await switchToCandidate(false)
    assert.deepEqual(outcome.reasons.map(reason => reason.check), ['age', 'chunks'])
    assert.match(outcome.reasons[1]?.message ?? '', /holds 9 chunks where the vault held 10/)
  })

  it('ends the window at once when the new engine exits, or later reports a different name', async () => {
    setUp({ ready: engineStatus() })
    let switching = switcher.switchTo(candidate)
    await until(() => phases.includes('health-window'))
    supervisor.exit(null, 'SIGSEGV')
    let outcome = await switching
    assert.deepEqual(outcome.reasons.map(reason => reason.check), ['running'])
    assert.match(outcome.reasons[0]?.message ?? '', /stopped during its health window \(signal SIGSEGV\)/)

    phases = []
    switching = switcher.switchTo(candidate)
    await until(() => phases.includes('health-window'))
    supervisor.status(engineStatus({ name: '12D3KooWAnotherName' }))
    outcome = await switching
    assert.deepEqual(outcome.reasons.map(reason => reason.check), ['identity'])
  })

  it('times out an engine that never becomes ready', async () => {
    setUp({ ready: engineStatus(), hangs: true })
    const outcome = await switchToCandidate(false)
    assert.deepEqual(outcome.reasons.map(reason => reason.check), ['ready'])
    assert.match(outcome.reasons[0]?.message ?? '', /not ready within 30 s/)
  })

  it('rolls back on an egress attempt during the window, ignoring the previous engine\'s attempts', async () => {
    setUp({ ready: engineStatus() })
    const switching = switcher.switchTo(candidate)
    await until(() => phases.includes('health-window'))
    supervisor.egress({ target: '10.0.0.1:80' }, builtIn.entry)
    supervisor.egress({ kind: 'dns', target: 'telemetry.example' })
    const outcome = await switching
    assert.equal(outcome.kind, 'rolled-back')
    assert.deepEqual(outcome.reasons.map(reason => [reason.check, reason.severity]), [['egress', 'critical']])
    assert.match(outcome.reasons[0]?.message ?? '', /tried to reach telemetry\.example \(dns\).*phoning home/)
    assert.deepEqual(outcome.egress.map(attempt => attempt.target), ['telemetry.example'])
    assert.equal(outcome.failedVersion, '1.1.0')
  })

  it('keeps watching after the window: a live attempt rolls the version back on its own', async () => {
    setUp({ ready: engineStatus() })
    assert.equal((await switchToCandidate()).kind, 'switched')
    supervisor.egress({ target: '127.0.0.1:4444' })
    await until(() => outcomes.length === 2)
    const [, rolledBack] = outcomes
    assert.equal(rolledBack?.kind, 'rolled-back')
    assert.equal(rolledBack?.failedVersion, '1.1.0')
    assert.deepEqual(rolledBack?.reasons.map(reason => reason.check), ['egress'])
    assert.equal(rolledBack?.downtimeMs, supervisor.stopMs + supervisor.startMs)
    assert.ok(!supervisor.calls.slice(-4).includes('pause'), 'an engine reaching outside is stopped without a drain')
    assert.equal(switcher.current, builtIn)
    // The built-in engine has nothing to roll back to: its attempts are the host's notices only.
    supervisor.egress({ target: '127.0.0.1:4444' })
    await new Promise(resolve => setImmediate(resolve))
    assert.equal(outcomes.length, 2)
  })

  it('rolls back by hand to the previous engine and its data', async () => {
    setUp({ ready: engineStatus() })
    await assert.rejects(switcher.rollback(), (err: Error) => err.name === NoPreviousEngineError.NAME)
    await switchToCandidate()
    await writeFile(join(dataDir, 'identity.json'), 'rewritten by 1.1.0')
    const outcome = await switcher.rollback()
    assert.equal(outcome.kind, 'manual-rollback')
    assert.deepEqual([outcome.from.engineVersion, outcome.to.engineVersion], ['1.1.0', '1.0.0'])
    assert.equal(outcome.failedVersion, null)
    assert.equal(outcome.downtimeMs, supervisor.stopMs + supervisor.startMs)
    assert.equal(await readFile(join(dataDir, 'identity.json'), 'utf8'), IDENTITY)
    assert.equal(switcher.current, builtIn)
    await assert.rejects(switcher.rollback(), (err: Error) => err.name === NoPreviousEngineError.NAME)
  })

  it('refuses a second switch while one runs, and a switch while the engine is down', async () => {
    setUp({ ready: engineStatus() })
    const switching = switchToCandidate()
    await assert.rejects(switcher.switchTo(candidate), (err: Error) => err.name === SwitchInProgressError.NAME)
    await assert.rejects(switcher.rollback(), (err: Error) => err.name === SwitchInProgressError.NAME)
    await switching
    supervisor.state = 'failed'
    await assert.rejects(switcher.switchTo(runnable('1.2.0')), (err: Error) => err.name === EngineNotRunningError.NAME)
  })
})
