// `vault resume [--data-dir D] [--json]` (issue 3, deliver 9): asks the running host to reconnect a
// vault its section paused (DESIGN §2, pause, fix, demote). The engine runs its self-check and, once
// it passes, asks the elders to resume it; this prints the self-check and the outcome, or why the
// vault cannot resume, with each fix. A vault that left the network (vault leave) is started again
// instead, under its next name.
import { parseArgs } from 'node:util'
import { failedCheckFixes, RemoteError, type SectionStanding, type SelfCheck, type VaultStatus } from '../../../contract/host-api.ts'
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-errors.ts'
import { dataDirArg, HOST_COMMAND_OPTIONS } from '../data-dir.ts'
import { fetchStatus, readHostFile } from './status.ts'
import { callHost } from './upgrade.ts'

export const RESUME_USAGE = 'vault resume [--data-dir DIR] [--json]'

const HELP = `${RESUME_USAGE}
  a vault its section paused: runs the self-check and, once it passes, asks the elders to resume it;
  they audit it on probation and resume it with its age, or pause it again. A vault that left the
  network starts again, asking to join under a new name at half its age. Exit 0 once the resume
  is requested, 1 when it cannot be (not paused, or a failed check: each with its fix)
`

/** The self-check reads back a sample of the chunks: give it time beyond the host's own request. */
const RECONNECT_CALL_MS = 60_000

/** The engine's refusals (node-core/engine/rpc/engine-rpc.ts, reconnect): anything else is a failure of the call itself. */
const REFUSALS = ['SelfCheckFailedError', 'NotPausedError'] as const
type Refusal = typeof REFUSALS[number]

export interface ParsedResumeArgs { dataDir: string, json: boolean, help: boolean }

export function parseResumeArgs (args: string[], cwd: string = process.cwd()): ParsedResumeArgs {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: HOST_COMMAND_OPTIONS
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"; usage: ${RESUME_USAGE}`)
  return { dataDir: dataDirArg(values['data-dir'], cwd), json: values.json, help: values.help }
}

/** What came of the request: resumed, or refused with the engine's error and the standing it left. */
export type ResumeOutcome =
  | { resumed: true, standing: SectionStanding | null }
  /** A vault that had left the network, started again: it asks to join under a new name at `rejoinAge`. */
  | { resumed: true, rejoinAge: number }
  | { resumed: false, refusal: { name: Refusal, message: string }, standing: SectionStanding | null }

/** Each check on its own line, passed or FAILED in words, a failed one followed by its fix. */
export function formatSelfCheck (selfCheck: SelfCheck): string[] {
  const failed = selfCheck.checks.filter(check => !check.passed).length
  const lines = [`self-check ${selfCheck.passed ? 'passed' : `failed: ${failed} of ${selfCheck.checks.length} checks`}`]
  for (const check of selfCheck.checks) {
    lines.push(`  ${check.passed ? 'passed' : 'FAILED'}  ${check.name}: ${check.detail}`)
    if (!check.passed && check.fix !== undefined) lines.push(`          fix: ${check.fix}`)
  }
  return lines
}

/** The outcome for stdout (the self-check and what was asked) and, when refused, the reasons for stderr. */
export function formatResume (outcome: ResumeOutcome): { out: string[], reasons: string[] } {
  if ('rejoinAge' in outcome) return { out: [`the vault had left the network: started again, it asks to join under a new name, at age ${outcome.rejoinAge}`], reasons: [] }
  const selfCheck = outcome.standing?.selfCheck ?? null
  const out = selfCheck === null ? [] : formatSelfCheck(selfCheck)
  if (outcome.resumed) return { out: [...out, 'resume requested: the elders will audit this vault on probation'], reasons: [] }
  return { out, reasons: refusalReasons(outcome.refusal, outcome.standing) }
}

function refusalReasons (refusal: { name: Refusal, message: string }, standing: SectionStanding | null): string[] {
  switch (refusal.name) {
    case 'SelfCheckFailedError': {
      const fixes = failedCheckFixes(standing?.selfCheck)
      // Without the report the engine's message is the only list of fixes there is.
      if (fixes.length === 0) return [`cannot resume: ${refusal.message}`]
      return ['cannot resume: the self-check failed; fix each of these, then run vault resume again:', ...fixes.map(fix => `  - ${fix}`)]
    }
    case 'NotPausedError':
      // Without the status the engine's word is all there is.
      if (standing === null) return [`cannot resume: ${refusal.message}`]
      switch (standing.state) {
        case 'resume-requested': return ['cannot resume: a resume is already requested; the elders are auditing this vault on probation']
        case 'demoted': return [`cannot resume: the section demoted this vault; it may rejoin at age ${standing.rejoinAge ?? '-'}`]
        case 'active': return ['cannot resume: the section has not paused this vault; there is nothing to resume']
        // Paused again between the refusal and the status read: the engine's word.
        case 'paused': return [`cannot resume: ${refusal.message}`]
        default: {
          const unknownState: never = standing.state
          throw new RangeError(`unknown standing ${String(unknownState)}`)
        }
      }
    default: {
      const unknownRefusal: never = refusal.name
      throw new RangeError(`unknown refusal ${String(unknownRefusal)}`)
    }
  }
}

function isRefusal (err: unknown): err is RemoteError & { name: Refusal } {
  return err instanceof RemoteError && (REFUSALS as readonly string[]).includes(err.name)
}

export async function resumeCommand (args: string[]): Promise<number> {
  const { dataDir, json, help } = parseResumeArgs(args)
  const write = (stream: NodeJS.WriteStream, lines: string[]): void => { if (lines.length > 0) stream.write(`${lines.join('\n')}\n`) }
  if (help) { write(process.stdout, [HELP.trimEnd()]); return EXIT_OK }
  const hostFile = await readHostFile(dataDir)
  let outcome: ResumeOutcome
  try {
    if ((await fetchStatus(hostFile)).state === 'left') {
      const status = await callHost(hostFile, 'resume', {}, RECONNECT_CALL_MS)
      outcome = { resumed: true, rejoinAge: status.age }
    } else {
      const status = await callHost(hostFile, 'reconnect', {}, RECONNECT_CALL_MS)
      outcome = { resumed: true, standing: status.section?.standing ?? null }
    }
  } catch (err) {
    if (!isRefusal(err)) throw err
    // The refusal left the self-check it ran (or the standing that explains it) in the status.
    const status: VaultStatus | undefined = await fetchStatus(hostFile).catch(() => undefined)
    outcome = { resumed: false, refusal: { name: err.name, message: err.message }, standing: status?.section?.standing ?? null }
  }
  if (json) {
    write(process.stdout, [JSON.stringify(outcome, null, 2)])
  } else {
    const { out, reasons } = formatResume(outcome)
    write(process.stdout, out)
    write(process.stderr, reasons.map((line, i) => i === 0 ? `vault: ${line}` : line))
  }
  return outcome.resumed ? EXIT_OK : EXIT_FAILURE
}
