import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseProcStat, parseProcStatus, startWatchdog, type BudgetBreach } from '../../../../node-core/upgrade/sandbox/watchdog.ts'

/** A /proc/<pid>/stat line whose command name holds spaces and a parenthesis, as a hostile one may. */
const stat = (utime: number, stime: number): string =>
  `4242 (node (evil) x) R 1 4242 4242 0 -1 4194304 100 0 0 0 ${utime} ${stime} 0 0 20 0 11 0 1000 1000000 20000 18446744073709551615\n`
const status = (rssKiB: number, hwmKiB: number): string => `Name:\tnode\nVmPeak:\t 999999 kB\nVmHWM:\t ${hwmKiB} kB\nVmRSS:\t ${rssKiB} kB\nThreads:\t11\n`

describe('parseProcStat and parseProcStatus', () => {
  it('reads CPU time in milliseconds after the command name', () => {
    assert.equal(parseProcStat(stat(150, 50)), 2000)
  })

  it('refuses a line without times', () => {
    assert.throws(() => parseProcStat('4242 (node) R'), RangeError)
  })

  it('reads resident and peak resident memory in bytes', () => {
    assert.deepEqual(parseProcStatus(status(2048, 4096)), { rssBytes: 2048 * 1024, peakRssBytes: 4096 * 1024 })
  })
})

describe('startWatchdog', () => {
  const watch = async (samples: Array<{ stat: string, status: string }>): Promise<{ breach: BudgetBreach, polls: number, usage: { cpuMs: number, peakRssBytes: number } }> => {
    let polls = 0
    return await new Promise(resolve => {
      const watchdog = startWatchdog({
        pid: 4242,
        budgets: { cpuMs: 1000, memoryBytes: 64 * 1024 * 1024 },
        intervalMs: 1,
        readProc: async path => {
          const sample = samples[Math.min(polls, samples.length - 1)]
          assert.ok(sample !== undefined)
          if (path.endsWith('/status')) polls++
          return path.endsWith('/stat') ? sample.stat : sample.status
        },
        onBreach: breach => { resolve({ breach, polls, usage: watchdog.usage() }) }
      })
    })
  }

  it('reports the CPU budget once it is crossed, not before', async () => {
    const { breach, polls, usage } = await watch([
      { stat: stat(40, 10), status: status(1024, 1024) },
      { stat: stat(80, 20), status: status(1024, 1024) },
      { stat: stat(90, 20), status: status(1024, 2048) }
    ])
    assert.deepEqual(breach, { budget: 'cpu', limit: 1000, use: 1100, enforcedBy: 'watchdog' })
    assert.equal(polls, 3)
    assert.deepEqual(usage, { cpuMs: 1100, peakRssBytes: 2048 * 1024 })
  })

  it('reports the memory budget on resident memory', async () => {
    const { breach } = await watch([
      { stat: stat(1, 1), status: status(1024, 1024) },
      { stat: stat(1, 1), status: status(65 * 1024, 65 * 1024) }
    ])
    assert.deepEqual(breach, { budget: 'memory', limit: 64 * 1024 * 1024, use: 65 * 1024 * 1024, enforcedBy: 'watchdog' })
  })
})
