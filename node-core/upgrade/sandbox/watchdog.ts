// The resource watchdog (DESIGN §3.5: over budget means killed and Fail): polls a process's CPU
// time and memory in /proc and reports the first budget it crosses, soon enough that the sandbox
// kills it well within 2 s (issue 5, deliver 1).
import { readFile } from 'node:fs/promises'

export interface ResourceBudgets {
  /** User plus system CPU time. */
  cpuMs: number
  /** Resident memory. */
  memoryBytes: number
}

export interface ResourceUsage {
  cpuMs: number
  peakRssBytes: number
}

export interface BudgetBreach {
  budget: 'cpu' | 'memory'
  /** Milliseconds for 'cpu', bytes for 'memory'. */
  limit: number
  use: number
  /** The watchdog's measurement, or V8's own heap limit (set from the memory budget) ending the process. */
  enforcedBy: 'watchdog' | 'heap-limit'
}

export interface WatchdogInit {
  pid: number
  budgets: ResourceBudgets
  intervalMs?: number
  onBreach: (breach: BudgetBreach) => void
  /** Reads a /proc file; injectable for tests. */
  readProc?: (path: string) => Promise<string>
}

export interface ResourceWatchdog {
  usage(): ResourceUsage
  stop(): void
}

export const DEFAULT_WATCHDOG_INTERVAL_MS = 200
/** USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux ABI Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100

/** CPU time (utime + stime, fields 14 and 15) from /proc/<pid>/stat, in milliseconds. */
export function parseProcStat (text: string): number {
  // The command name (field 2) is in parentheses and may hold spaces; fields count from after it.
  const fields = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/)
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new RangeError(`"/proc/<pid>/stat" expected utime and stime, got ${JSON.stringify(text.slice(0, 200))}`)
  return (utime + stime) * 1000 / CLOCK_TICKS_PER_SECOND
}

/** Resident and peak resident memory (VmRSS, VmHWM) from /proc/<pid>/status, in bytes. */
export function parseProcStatus (text: string): { rssBytes: number, peakRssBytes: number } {
  const kib = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text)
    return match?.[1] === undefined ? 0 : Number(match[1]) * 1024
  }
  const rssBytes = kib('VmRSS')
  return { rssBytes, peakRssBytes: Math.max(rssBytes, kib('VmHWM')) }
}

export function startWatchdog (init: WatchdogInit): ResourceWatchdog {
  const readProc = init.readProc ?? (async (path: string) => await readFile(path, 'utf8'))
  const usage: ResourceUsage = { cpuMs: 0, peakRssBytes: 0 }
  let stopped = false
  let polling = false

  const poll = async (): Promise<void> => {
    if (polling || stopped) return
    polling = true
    try {
      const [stat, status] = await Promise.all([readProc(`/proc/${init.pid}/stat`), readProc(`/proc/${init.pid}/status`)])
      if (stopped) return
      const cpuMs = parseProcStat(stat)
      const memory = parseProcStatus(status)
      usage.cpuMs = Math.max(usage.cpuMs, cpuMs)
      usage.peakRssBytes = Math.max(usage.peakRssBytes, memory.peakRssBytes)
      const breach: BudgetBreach | undefined =
        memory.rssBytes > init.budgets.memoryBytes ? { budget: 'memory', limit: init.budgets.memoryBytes, use: memory.rssBytes, enforcedBy: 'watchdog' }
          : cpuMs > init.budgets.cpuMs ? { budget: 'cpu', limit: init.budgets.cpuMs, use: cpuMs, enforcedBy: 'watchdog' }
            : undefined
      if (breach !== undefined) {
        stop()
        init.onBreach(breach)
      }
    } catch {
      // The process is gone (its /proc entry with it): the exit is reported elsewhere.
      stop()
    } finally {
      polling = false
    }
  }
  const timer = setInterval(() => { void poll() }, init.intervalMs ?? DEFAULT_WATCHDOG_INTERVAL_MS)
  timer.unref()
  void poll()

  function stop (): void {
    stopped = true
    clearInterval(timer)
  }
  return { usage: () => ({ ...usage }), stop }
}
