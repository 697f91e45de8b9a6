import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { describe, it } from 'node:test'
import type { EgressAttempt } from '../../../../contract/upgrade.ts'
import { MonitorLineError, monitorEnv, parseMonitorLine, readMonitorLines } from '../../../../node-core/upgrade/sandbox/monitor-report.ts'

const attempt: EgressAttempt = { kind: 'dns', target: 'phone-home.invalid', allowed: false, at: 1_700_000_000_000 }

describe('parseMonitorLine', () => {
  it('reads an attempt the monitor wrote', () => {
    assert.deepEqual(parseMonitorLine(JSON.stringify(attempt)), attempt)
  })

  it('rejects what a watched engine could forge on the same descriptor', () => {
    for (const line of ['not json', '{"kind":"net"}', JSON.stringify({ ...attempt, kind: 'smoke-signal' }), JSON.stringify({ ...attempt, extra: 1 })]) {
      assert.throws(() => parseMonitorLine(line), (err: unknown) => err instanceof Error && err.name === MonitorLineError.NAME, line)
    }
  })
})

describe('readMonitorLines', () => {
  it('reassembles lines split across chunks and reports malformed ones apart', async () => {
    const stream = new PassThrough()
    const attempts: EgressAttempt[] = []
    const invalid: string[] = []
    readMonitorLines(stream, found => { attempts.push(found) }, err => { invalid.push(err.message) })
    const text = `${JSON.stringify(attempt)}\ngarbage\n${JSON.stringify({ ...attempt, allowed: true })}`
    stream.write(text.slice(0, 10))
    stream.write(text.slice(10, 60))
    stream.end(text.slice(60))
    await new Promise(resolve => stream.once('end', resolve))
    assert.deepEqual(attempts, [attempt, { ...attempt, allowed: true }])
    assert.equal(invalid.length, 1)
  })
})

describe('monitorEnv', () => {
  it('passes a valid policy and the descriptor, and refuses an invalid policy', () => {
    const env = monitorEnv({ mode: 'live', allowedHosts: ['releases.example'], writableDirs: ['/data'] }, 4)
    assert.equal(env.VAULT_MONITOR_FD, '4')
    assert.deepEqual(JSON.parse(env.VAULT_EGRESS_POLICY ?? ''), { mode: 'live', allowedHosts: ['releases.example'], writableDirs: ['/data'] })
    assert.throws(() => monitorEnv({ mode: 'open', allowedHosts: [], writableDirs: [] } as never, 4))
  })
})
