// The host's side of the egress monitor (DESIGN §3.5, §3.8): the policy it hands the monitor and
// the parsing of what the monitor reports. The monitor itself (egress-monitor.ts) runs inside the
// watched engine and cannot import zod, so everything it writes is validated here, on arrival.
import type { Readable } from 'node:stream'
import { z } from 'zod'
import { namedError } from '../../../contract/named-error.ts'
import { EgressAttemptSchema, type EgressAttempt } from '../../../contract/upgrade.ts'

/** The environment variable carrying the policy (JSON) to the monitor. */
export const EGRESS_POLICY_ENV = 'VAULT_EGRESS_POLICY'
/** The environment variable naming the file descriptor the monitor writes its JSON lines to. */
export const MONITOR_FD_ENV = 'VAULT_MONITOR_FD'
/**
 * `Symbol.for` key of the process-global Set<string> of "host:port" (IPv6 hosts in brackets) the
 * live engine fills with peers learned through the network; in 'live' mode only those are reachable.
 */
export const LEARNED_PEER_ADDRESSES_KEY = 'vault-manager.learned-peer-addresses'

export const EgressPolicySchema = z.object({
  /** 'sandbox': a shadow run, nothing leaves; 'live': the switched-to engine, learned peers only. */
  mode: z.enum(['sandbox', 'live']),
  /** Hosts (or "host:port") the release's signed egress policy allows, in either mode. */
  allowedHosts: z.array(z.string().min(1)),
  /** Absolute directories the engine may write under. */
  writableDirs: z.array(z.string().min(1))
}).strict()
export type EgressPolicy = z.infer<typeof EgressPolicySchema>

/** The preload to pass to `node --import`; the same extension as this module (sources or build). */
export const egressMonitorUrl = new URL(`./egress-monitor${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)

export class MonitorLineError extends namedError('MonitorLineError') {}

/** The environment the monitor needs, writing to `fd` of the child (an extra stdio 'pipe'). */
export function monitorEnv (policy: EgressPolicy, fd: number): Record<string, string> {
  return { [EGRESS_POLICY_ENV]: JSON.stringify(EgressPolicySchema.parse(policy)), [MONITOR_FD_ENV]: String(fd) }
}

/** Parses one line the monitor wrote; a watched engine can write to that descriptor too, so trust nothing. */
export function parseMonitorLine (line: string): EgressAttempt {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    throw new MonitorLineError(`"monitor line" expected JSON, got ${JSON.stringify(line.slice(0, 200))}`)
  }
  const parsed = EgressAttemptSchema.safeParse(raw)
  if (!parsed.success) throw new MonitorLineError(`"monitor line" expected an egress attempt: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

const MAX_LINE_CHARS = 64 * 1024

/** Splits the monitor's stream into lines and parses each; a malformed line goes to `onInvalid`. */
export function readMonitorLines (stream: Readable, onAttempt: (attempt: EgressAttempt) => void, onInvalid: (err: MonitorLineError) => void): void {
  let pending = ''
  const take = (line: string): void => {
    if (line.trim() === '') return
    try {
      onAttempt(parseMonitorLine(line))
    } catch (err) {
      onInvalid(err instanceof MonitorLineError ? err : new MonitorLineError(String(err)))
    }
  }
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    pending += chunk
    let newline = pending.indexOf('\n')
    while (newline !== -1) {
      take(pending.slice(0, newline))
      pending = pending.slice(newline + 1)
      newline = pending.indexOf('\n')
    }
    if (pending.length > MAX_LINE_CHARS) {
      onInvalid(new MonitorLineError(`"monitor line" longer than ${MAX_LINE_CHARS} characters`))
      pending = ''
    }
  })
  stream.on('end', () => { take(pending); pending = '' })
}
