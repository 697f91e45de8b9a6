import assert from 'node:assert/strict'
import { fork } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, it } from 'node:test'
import type { EgressAttempt } from '../../../../contract/upgrade.ts'
import { EGRESS_POLICY_ENV, EgressPolicySchema, MONITOR_FD_ENV, type MonitorLineError } from '../../../../node-core/upgrade/sandbox/monitor-report.ts'
import { LIVE_MONITOR_FD, liveEngineLaunch, watchLiveEgress } from '../../../../node-core/upgrade/switch/live-egress.ts'

describe('liveEngineLaunch', () => {
  it('preloads the host\'s monitor in live mode, writable only in the data dir, reporting on the extra pipe', () => {
    const launch = liveEngineLaunch('/vault/data', { allowedHosts: () => ['updates.example:443'] })
    assert.equal(launch.monitored, true)
    assert.equal(launch.execArgv.at(-2), '--import')
    assert.match(launch.execArgv.at(-1) ?? '', /^file:.*\/node-core\/upgrade\/sandbox\/egress-monitor\.ts$/)
    assert.deepEqual(EgressPolicySchema.parse(JSON.parse(launch.env[EGRESS_POLICY_ENV] ?? '')), { mode: 'live', allowedHosts: ['updates.example:443'], writableDirs: ['/vault/data'] })
    assert.equal(launch.env[MONITOR_FD_ENV], String(LIVE_MONITOR_FD))
    assert.ok(Array.isArray(launch.stdio) && launch.stdio[LIVE_MONITOR_FD] === 'pipe' && launch.stdio[3] === 'ipc')
  })

  it('runs the engine unwatched, and says why, when the monitor is missing or turned off', () => {
    const missing = liveEngineLaunch('/vault/data', { monitorUrl: pathToFileURL('/nonexistent/egress-monitor.ts') })
    assert.equal(missing.monitored, false)
    assert.match(missing.detail, /missing from this build/)
    assert.deepEqual(missing.env, {})
    assert.ok(!missing.execArgv.includes('--import'))
    const off = liveEngineLaunch('/vault/data', false)
    assert.equal(off.monitored, false)
    assert.match(off.detail, /turned off/)
  })
})

describe('watchLiveEgress', () => {
  it('parses what the child writes to the monitor pipe, and reports garbage as invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'live-egress-'))
    try {
      const script = join(dir, 'writer.mjs')
      const attempt = { kind: 'net', target: '203.0.113.9:443', allowed: false, at: 5 }
      await writeFile(script, `import { writeSync } from 'node:fs'\nwriteSync(${LIVE_MONITOR_FD}, ${JSON.stringify(JSON.stringify(attempt) + '\n' + 'not json\n')})\n`)
      const child = fork(script, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc', 'pipe'] })
      const attempts: EgressAttempt[] = []
      const invalid: MonitorLineError[] = []
      const ended = new Promise(resolve => child.stdio[LIVE_MONITOR_FD]?.on('end', resolve))
      watchLiveEgress(child, found => { attempts.push(found) }, err => { invalid.push(err) })
      await ended
      assert.deepEqual(attempts, [attempt])
      assert.equal(invalid.length, 1)
      assert.match(invalid[0]?.message ?? '', /expected JSON/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
