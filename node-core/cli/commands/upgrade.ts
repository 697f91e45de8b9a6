// `vault upgrade ...` (issue 5, deliver 7): asks the running host (found through host.json) to
// check for, shadow-test, approve, defer or roll back an engine upgrade, or to set the policy.
import { request } from 'node:http'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { unwrapReply, type HostVerb, type VaultStatus, type VerbParams } from '../../../contract/host-api.ts'
import { UpgradePolicySchema, type ShadowVerdict, type UpgradePolicy, type UpgradeStatus } from '../../../contract/upgrade.ts'
import type { HostFile } from '../../host/headless-server.ts'
import { DAY_MS, formatScheduleTime, WEEK_MS } from '../../upgrade/schedule/upgrade-policy.ts'
import { formatShadowReport } from '../../upgrade/verdict/format-report.ts'
import { CliFailure, EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-errors.ts'
import { dataDirArg, HOST_COMMAND_OPTIONS } from '../data-dir.ts'
import { parseInteger } from '../parse.ts'
import { fetchStatus, readHostFile } from './status.ts'

export const UPGRADE_USAGE = 'vault upgrade check|shadow|approve|defer|rollback|policy ... (vault upgrade help)'

const HELP = `vault upgrade: engine upgrades of the running vault (every command takes [--data-dir DIR] [--json])
  vault upgrade check
      looks for a verified release heard through the network and shadow-tests it
  vault upgrade shadow --candidate PATH [--duration S]
      shadow-tests a local engine bundle (.tar.gz) beside the live vault for S seconds (5 to 3600,
      default 60), printing progress to stderr; exit 0 on pass, 1 otherwise (marginal included)
  vault upgrade approve
      approves the candidate: it switches now, or at its turn in the rollout
  vault upgrade defer --until DATE|Nd|Nw
      defers the candidate to an ISO 8601 date (2025-03-08, 2025-03-08T14:00, 2025-03-08T14:00Z),
      or by N days or weeks (1d, 1w); never past a deadline the active era sets
  vault upgrade rollback
      returns to the engine that ran before the last switch, with its data
  vault upgrade policy automatic|ask|manual
      automatic switches at the scheduled time; ask waits for approve or defer; manual only on approve
`

/** A shadow run takes its duration and more (snapshot, start-up, verdict); a switch its health window. */
const LONG_CALL_MS = 3 * 3600 * 1000
const SHORT_CALL_MS = 30_000
const PROGRESS_POLL_MS = 1000

export type UpgradeCommand =
  | { verb: 'help' }
  | { verb: 'check' | 'approve' | 'rollback' }
  | { verb: 'shadow', candidatePath: string, durationSeconds: number | undefined }
  | { verb: 'defer', until: number }
  | { verb: 'policy', policy: UpgradePolicy }

export interface ParsedUpgradeArgs {
  command: UpgradeCommand
  dataDir: string
  json: boolean
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/
const RELATIVE = /^([1-9]\d?)([dw])$/

/**
 * An ISO 8601 date or date-time, strictly: a day that exists, hours to 23, minutes and seconds to
 * 59. Without an offset it is the caller's local time, as ISO 8601 reads it.
 */
export function parseIsoDate (text: string): number | undefined {
  const match = ISO_DATE.exec(text)
  if (match === null) return undefined
  const [, year = '', month = '', day = '', hour = '0', minute = '0', second = '0', millis = '0', offset] = match
  const parts = [Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(millis.padEnd(3, '0'))] as const
  let offsetMinutes = 0
  if (offset !== undefined && offset !== 'Z') {
    const [hours = 0, minutes = 0] = offset.slice(1).split(':').map(Number)
    if (hours > 23 || minutes > 59) return undefined
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes)
  }
  const date = offset === undefined ? new Date(...parts) : new Date(Date.UTC(...parts))
  const fields = offset === undefined
    ? [date.getFullYear(), date.getMonth(), date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()]
    : [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
  // Date rolls 2025-02-30 over into March and 24:00 into the next day: a changed field was out of range.
  if (fields.join() !== parts.slice(0, 6).join()) return undefined
  return date.getTime() - offsetMinutes * 60_000
}

/** `--until`: an ISO 8601 date, or a number of days or weeks from `now`. */
export function parseUntil (text: string, now: number): number {
  const relative = RELATIVE.exec(text)
  if (relative !== null) return now + Number(relative[1]) * (relative[2] === 'd' ? DAY_MS : WEEK_MS)
  const date = parseIsoDate(text)
  if (date === undefined) throw new UsageError(`--until expects an ISO 8601 date (2025-03-08 or 2025-03-08T14:00Z) or a number of days or weeks (1d, 1w), got "${text}"`)
  return date
}

export function parseUpgradeArgs (args: string[], now: number, cwd: string = process.cwd()): ParsedUpgradeArgs {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { ...HOST_COMMAND_OPTIONS, candidate: { type: 'string' }, duration: { type: 'string' }, until: { type: 'string' } }
  })
  const [verb, ...rest] = positionals
  const dataDir = dataDirArg(values['data-dir'], cwd)
  const done = (command: UpgradeCommand): ParsedUpgradeArgs => ({ command, dataDir, json: values.json })
  const refuse = (flag: string, value: unknown): void => { if (value !== undefined) throw new UsageError(`--${flag} does not go with vault upgrade ${verb ?? ''}; see vault upgrade help`) }
  if (values.help || verb === 'help') return done({ verb: 'help' })
  if (verb === undefined) throw new UsageError(`vault upgrade needs a command: ${UPGRADE_USAGE}`)
  const positional = verb === 'policy' ? 1 : 0
  if (rest.length > positional) throw new UsageError(`unexpected argument "${rest[positional] ?? ''}" after vault upgrade ${verb}`)
  if (verb !== 'shadow') { refuse('candidate', values.candidate); refuse('duration', values.duration) }
  if (verb !== 'defer') refuse('until', values.until)
  switch (verb) {
    case 'check':
    case 'approve':
    case 'rollback':
      return done({ verb })
    case 'shadow': {
      if (values.candidate === undefined || values.candidate === '') throw new UsageError('vault upgrade shadow needs --candidate PATH (an engine bundle, .tar.gz)')
      return done({ verb, candidatePath: resolve(cwd, values.candidate), durationSeconds: parseInteger('duration', values.duration, 5, 3600) })
    }
    case 'defer':
      if (values.until === undefined) throw new UsageError('vault upgrade defer needs --until DATE|1d|1w')
      return done({ verb, until: parseUntil(values.until, now) })
    case 'policy': {
      const policy = UpgradePolicySchema.safeParse(rest[0])
      if (!policy.success) throw new UsageError(`vault upgrade policy expects automatic, ask or manual${rest[0] === undefined ? '' : `, got "${rest[0]}"`}`)
      return done({ verb, policy: policy.data })
    }
    default:
      throw new UsageError(`unknown upgrade command "${verb}"; try: check, shadow, approve, defer, rollback, policy`)
  }
}

/** One HostApi verb over /api/call, with a timeout as long as the verb may take. */
export async function callHost<V extends HostVerb> (hostFile: HostFile, verb: V, params: VerbParams<V>, timeoutMs: number): Promise<VaultStatus> {
  const body = JSON.stringify({ verb, params })
  const text = await new Promise<string>((resolvePromise, reject) => {
    const call = request(`${hostFile.origin}/api/call`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${hostFile.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      timeout: timeoutMs
    }, response => {
      let data = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { data += chunk })
      response.on('end', () => {
        if (response.statusCode === 401) reject(new CliFailure('the vault host refused the token in host.json; restart the vault'))
        else resolvePromise(data)
      })
    })
    call.on('timeout', () => { call.destroy(new CliFailure(`the vault host did not answer ${verb} within ${Math.round(timeoutMs / 1000)} s`)) })
    call.on('error', err => { reject(err instanceof CliFailure ? err : new CliFailure(`the vault host (pid ${hostFile.pid}) does not answer at ${hostFile.origin}; it may have stopped`)) })
    call.end(body)
  })
  let raw: unknown
  try { raw = JSON.parse(text) } catch { throw new CliFailure(`the vault host sent a reply to ${verb} that is not JSON`) }
  return unwrapReply(verb, raw) as VaultStatus
}

export function formatUpgrade (upgrade: UpgradeStatus): string {
  const engine = (view: { engineVersion: string, bundleSha256: string | null }): string => `${view.engineVersion} (${view.bundleSha256 === null ? 'shipped with the app' : `bundle ${view.bundleSha256.slice(0, 12)}`})`
  const lines = [`current    ${engine(upgrade.current)}`, `previous   ${upgrade.previous === null ? '-' : engine(upgrade.previous)}`, `policy     ${upgrade.policy}`]
  const candidate = upgrade.candidate
  if (candidate !== null) {
    const facts = [
      candidate.verification.kind,
      candidate.shadow.state === 'running' ? `shadow run ${Math.round(candidate.shadow.progress * 100)}%` : candidate.verdict?.result ?? 'not tested',
      ...candidate.eligibleAt === null ? [] : [`scheduled ${formatScheduleTime(candidate.eligibleAt)}`],
      ...candidate.deferredUntil === null ? [] : [`deferred until ${formatScheduleTime(candidate.deferredUntil)}`],
      ...candidate.deadline === null ? [] : [`required by ${formatScheduleTime(candidate.deadline)}`],
      ...candidate.approved ? ['approved'] : []
    ]
    lines.push(`candidate  ${candidate.engineVersion}: ${facts.join(', ')}`)
  }
  if (upgrade.switching !== null) lines.push(`switching  ${upgrade.switching.phase}`)
  if (upgrade.failedVersions.length > 0) lines.push(`failed     ${upgrade.failedVersions.join(', ')}`)
  const last = upgrade.history[0]
  if (last !== undefined) lines.push(`last       ${formatScheduleTime(last.at)} ${last.kind} ${last.fromVersion ?? '-'} -> ${last.toVersion ?? '-'}: ${last.detail}`)
  return lines.join('\n')
}

/** What --json prints of a shadow run: the verdict, its reasons, both engines' metrics, isolation and egress. */
export function shadowJson (verdict: ShadowVerdict): unknown {
  const { result, reasons, baseline, candidate, isolation, egress, startedAt, durationMs } = verdict
  return { verdict: result, reasons, metrics: { baseline, candidate }, isolation, egress, startedAt, durationMs }
}

/** Prints the shadow run's progress to stderr once a second while it runs. */
function watchProgress (hostFile: HostFile, report: (line: string) => void): () => void {
  let last = -1
  const timer = setInterval(() => {
    fetchStatus(hostFile).then(status => {
      const shadow = status.upgrade.candidate?.shadow
      const percent = shadow?.state === 'running' ? Math.floor(shadow.progress * 100) : -1
      if (percent >= 0 && percent !== last) report(`shadow run: ${percent}%`)
      last = percent
    }, () => { /* the answer to the call itself says what went wrong */ })
  }, PROGRESS_POLL_MS)
  return () => { clearInterval(timer) }
}

export async function upgradeCommand (args: string[]): Promise<number> {
  const { command, dataDir, json } = parseUpgradeArgs(args, Date.now())
  const out = (text: string): void => { process.stdout.write(text.endsWith('\n') ? text : `${text}\n`) }
  if (command.verb === 'help') { out(HELP); return EXIT_OK }
  const hostFile = await readHostFile(dataDir)
  const started = Date.now()
  let status: VaultStatus
  switch (command.verb) {
    case 'shadow': {
      const stop = watchProgress(hostFile, line => { process.stderr.write(`${line}\n`) })
      try {
        status = await callHost(hostFile, 'shadowUpgrade', { candidatePath: command.candidatePath, ...(command.durationSeconds === undefined ? {} : { durationSeconds: command.durationSeconds }) }, LONG_CALL_MS)
      } finally {
        stop()
      }
      const verdict = status.upgrade.candidate?.verdict
      if (verdict === null || verdict === undefined) throw new CliFailure('the shadow run ended without a verdict')
      out(json ? JSON.stringify(shadowJson(verdict), null, 2) : formatShadowReport(verdict))
      return verdict.result === 'pass' ? EXIT_OK : EXIT_FAILURE
    }
    case 'check': status = await callHost(hostFile, 'checkUpgrade', {}, LONG_CALL_MS); break
    case 'approve': status = await callHost(hostFile, 'approveUpgrade', {}, LONG_CALL_MS); break
    case 'rollback': status = await callHost(hostFile, 'rollbackUpgrade', {}, LONG_CALL_MS); break
    case 'defer': status = await callHost(hostFile, 'deferUpgrade', { until: command.until }, SHORT_CALL_MS); break
    case 'policy': status = await callHost(hostFile, 'setUpgradePolicy', { policy: command.policy }, SHORT_CALL_MS); break
    default: {
      const unknownCommand: never = command
      throw new UsageError(`unknown upgrade command ${JSON.stringify(unknownCommand)}`)
    }
  }
  if (json) { out(JSON.stringify(status.upgrade, null, 2)); return EXIT_OK }
  // What the host said about this request: the check's answer, a switch or rollback on the way.
  const said = status.recentEvents.filter(event => event.at >= started - 1000 && event.kind.startsWith('upgrade:')).reverse()
  out([...said.map(event => event.message), formatUpgrade(status.upgrade)].join('\n'))
  return EXIT_OK
}
