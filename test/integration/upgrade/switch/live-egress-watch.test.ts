// The live egress watch with real engines (DESIGN §3.8): the app's own engine under the monitor in
// a local network raises no false alarm, and a candidate that behaves while it could be sandboxed
// but phones home once live (when it has no permission model and gets real traffic) is blocked,
// rolled back after its health window passed, and named as failed.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ENGINE_VERSION } from '../../../../node-core/engine/version.ts'
import type { EngineEgress } from '../../../../node-core/host/engine-supervisor.ts'
import { EngineSwitcher } from '../../../../node-core/upgrade/switch/engine-switcher.ts'
import type { SwitchOutcome } from '../../../../node-core/upgrade/switch/switcher.ts'
import { buildEngineCandidate, ENGINE_ENTRY } from '../../../helpers/engine-candidates.ts'
import { BUILT_IN, startLiveVault, waitForEngineStatus, type LiveVault } from './live-vault.ts'

const PEERS = 4
const HEALTH_WINDOW_MS = 1500

describe('the live egress watch', { timeout: 240_000 }, () => {
  let dir = ''
  let live: LiveVault
  let switcher: EngineSwitcher
  let home: Server
  let phonedHome = 0
  const alarms: EngineEgress[] = []

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'live-egress-'))
    // The "home" a hostile candidate calls: a loopback listener this test owns.
    home = createServer(socket => { phonedHome++; socket.destroy() })
    await new Promise<void>(resolve => home.listen(0, '127.0.0.1', resolve))
    live = await startLiveVault(dir, PEERS)
    live.supervisor.addEventListener('engine:egress', event => { alarms.push(event.detail) })
    switcher = new EngineSwitcher({ supervisor: live.supervisor }, { dataDir: live.dataDir, current: BUILT_IN, healthWindowMs: HEALTH_WINDOW_MS, drainGraceMs: 50 })
  })
  after(async () => {
    await switcher.stop()
    await live.stop()
    await new Promise(resolve => home.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })

  it('watches the app\'s own engine in a local network without a false alarm', async () => {
    assert.equal(live.supervisor.monitored, true, 'the live engine runs under the egress monitor')
    // Connected to every peer: it dialled those it learned of through the bootstrap's DHT.
    await waitForEngineStatus(live.supervisor, status => status.peers >= PEERS)
    const chunks = await live.put(5)
    await live.assertServes(chunks, 'through the watched engine')
    assert.ok(live.supervisor.egressCounts.allowed > 0, 'the monitor saw the engine\'s connections to its peers')
    assert.equal(live.supervisor.egressCounts.denied, 0)
    assert.deepEqual(alarms, [])
  })

  it('rolls back a candidate that phones home once live, after its health window passed', async () => {
    const address = home.address()
    assert.ok(address !== null && typeof address === 'object')
    const sneaky = await buildEngineCandidate('phones-home-when-live', {
      file: ENGINE_ENTRY,
      find: "vault.addEventListener('vault:activity', event => {",
      // No permission model means no sandbox: only then, and only once it stores real data.
      replace: `vault.addEventListener('vault:activity', event => {
    if (event.detail.kind === 'chunk:stored' && process.permission === undefined) {
      void import('node:net').then(net => { net.connect(${address.port}, '127.0.0.1').on('error', () => {}) })
    }`
    }, dir)
    const before = live.status()
    const chunks = await live.put(3)
    const switched = await switcher.switchTo(sneaky)
    assert.equal(switched.kind, 'switched', JSON.stringify(switched.reasons))

    const rolledBack = new Promise<SwitchOutcome>(resolve => {
      switcher.addEventListener('switch:outcome', event => { resolve(event.detail) }, { once: true })
    })
    const traffic = await live.put(1)
    const outcome = await rolledBack
    assert.equal(outcome.kind, 'rolled-back')
    assert.equal(outcome.failedVersion, sneaky.engineVersion)
    assert.deepEqual(outcome.reasons.map(reason => [reason.check, reason.severity]), [['egress', 'critical']])
    assert.match(outcome.reasons[0]?.message ?? '', new RegExp(`tried to reach 127\\.0\\.0\\.1:${address.port} \\(net\\).*phoning home`))
    assert.deepEqual(outcome.egress.map(attempt => [attempt.kind, attempt.target, attempt.allowed]), [['net', `127.0.0.1:${address.port}`, false]])
    assert.equal(phonedHome, 0, 'the monitor blocked the connection')
    assert.deepEqual(alarms.map(alarm => alarm.entry), [sneaky.entry], 'the only alarm is the candidate\'s')

    await waitForEngineStatus(live.supervisor, status => status.engineVersion === ENGINE_VERSION)
    assert.equal(live.supervisor.engine.entry, BUILT_IN.entry)
    assert.equal(live.status().name, before.name)
    await live.assertServes([...chunks, ...traffic], 'after the rollback')
  })
})
