// The live egress watch (DESIGN §3.8): a candidate may behave while it detects a sandbox and
// misbehave once live, so every live engine runs under the same egress monitor as a shadow run,
// in 'live' mode: it may reach only peers learned through the network and the hosts its release
// names. The supervisor launches the engine with what this module returns and hears its reports.
import type { ChildProcess, StdioOptions } from 'node:child_process'
import { existsSync } from 'node:fs'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { EgressAttempt } from '../../../contract/upgrade.ts'
import { egressMonitorUrl, monitorEnv, readMonitorLines, type MonitorLineError } from '../sandbox/monitor-report.ts'

/** The child's descriptor the monitor writes to: stdio is [stdin, stdout, stderr, ipc, monitor]. */
export const LIVE_MONITOR_FD = 4

export interface LiveEgressInit {
  /** Hosts (or "host:port") the live release's signed egress policy allows. */
  allowedHosts?: () => string[]
  /** The preload; by default the monitor shipped with the host (never the candidate's own copy). */
  monitorUrl?: URL
}

export interface LiveEngineLaunch {
  monitored: boolean
  /** Why the engine is, or is not, watched, for the activity log and the report. */
  detail: string
  execArgv: string[]
  env: Record<string, string>
  stdio: StdioOptions
}

const UNWATCHED_STDIO: StdioOptions = ['ignore', 'inherit', 'pipe', 'ipc']
const WATCHED_STDIO: StdioOptions = ['ignore', 'inherit', 'pipe', 'ipc', 'pipe']

/**
 * How to fork a live engine whose data lives in `dataDir`. The monitor is the host's own code; when
 * it is missing from this build (or turned off) the engine still runs, unwatched, and says so.
 */
export function liveEngineLaunch (dataDir: string, init: LiveEgressInit | false): LiveEngineLaunch {
  if (init === false) return { monitored: false, detail: 'the live egress watch is turned off', execArgv: process.execArgv, env: {}, stdio: UNWATCHED_STDIO }
  const url = init.monitorUrl ?? egressMonitorUrl
  if (!existsSync(fileURLToPath(url))) {
    return { monitored: false, detail: `the egress monitor ${fileURLToPath(url)} is missing from this build: the live engine runs unwatched`, execArgv: process.execArgv, env: {}, stdio: UNWATCHED_STDIO }
  }
  return {
    monitored: true,
    detail: 'the live engine runs under the egress monitor: it may reach only peers it learned through the network',
    execArgv: [...process.execArgv, '--import', url.href],
    env: monitorEnv({ mode: 'live', allowedHosts: init.allowedHosts?.() ?? [], writableDirs: [dataDir] }, LIVE_MONITOR_FD),
    stdio: WATCHED_STDIO
  }
}

/** Reads the monitor's reports from a child forked with a monitored launch. */
export function watchLiveEgress (child: ChildProcess, onAttempt: (attempt: EgressAttempt) => void, onInvalid: (err: MonitorLineError) => void): void {
  const stream = child.stdio[LIVE_MONITOR_FD]
  if (!(stream instanceof Readable)) return
  readMonitorLines(stream, onAttempt, onInvalid)
}
