// `vault leave --yes [--data-dir D] [--json]` (issue 3): the vault leaves the network for good. Its
// section decides its Leave, and the host stops it and keeps it stopped; its data stays on disk.
// `vault resume` later starts it again under a new name, at half its age (DESIGN §2, Node Age).
// Without --yes it only says what leaving would cost.
import { parseArgs } from 'node:util'
import { RemoteError } from '../../../contract/host-api.ts'
import { rejoinAge } from '../../section/economy/pause-and-fix.ts'
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-errors.ts'
import { dataDirArg, HOST_COMMAND_OPTIONS } from '../data-dir.ts'
import { fetchStatus, readHostFile } from './status.ts'
import { callHost } from './upgrade.ts'

export const LEAVE_USAGE = 'vault leave --yes [--data-dir DIR] [--json]'

const HELP = `${LEAVE_USAGE}
  the vault leaves the network for good: its section decides its Leave, and the vault stops and
  stays stopped, its data kept on disk. It may come back only under a new name at half its age:
  vault resume starts it so. Without --yes, says what leaving would cost and does nothing.
  Exit 0 once the vault has left, 1 when it cannot (not a member of a section), 2 without --yes
`

/** The engine waits up to a minute for the Leave decision (LEAVE_DECISION_WAIT_MS), the host then stops it. */
const LEAVE_CALL_MS = 120_000

export interface ParsedLeaveArgs { dataDir: string, json: boolean, yes: boolean, help: boolean }

export function parseLeaveArgs (args: string[], cwd: string = process.cwd()): ParsedLeaveArgs {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { ...HOST_COMMAND_OPTIONS, yes: { type: 'boolean', default: false } }
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"; usage: ${LEAVE_USAGE}`)
  return { dataDir: dataDirArg(values['data-dir'], cwd), json: values.json, yes: values.yes, help: values.help }
}

/** What leaving costs a vault of `age`, for the refusal without --yes. */
export function leaveCost (age: number): string {
  return `leaving is for good: this vault of age ${age} could come back only under a new name at age ${rejoinAge(age)}; run again with --yes to leave`
}

/** The lines for a vault that left, and how to farm again. */
export function formatLeft (age: number): string[] {
  return [
    'left the network: the section decided this vault\'s Leave; the vault is stopped, its data kept on disk',
    `to farm again: vault resume starts it under a new name, at age ${rejoinAge(age)}`
  ]
}

export async function leaveCommand (args: string[]): Promise<number> {
  const { dataDir, json, yes, help } = parseLeaveArgs(args)
  if (help) { process.stdout.write(`${HELP.trimEnd()}\n`); return EXIT_OK }
  const hostFile = await readHostFile(dataDir)
  if (!yes) throw new UsageError(leaveCost((await fetchStatus(hostFile)).age))
  try {
    const status = await callHost(hostFile, 'leave', {}, LEAVE_CALL_MS)
    const notice = status.notices.find(item => item.id === 'vault-left') ?? null
    if (json) process.stdout.write(`${JSON.stringify({ left: true, age: status.age, rejoinAge: rejoinAge(status.age), state: status.state, notice }, null, 2)}\n`)
    else process.stdout.write(`${formatLeft(status.age).join('\n')}\n`)
    return EXIT_OK
  } catch (err) {
    if (!(err instanceof RemoteError && err.name === 'NotAMemberError')) throw err
    if (json) process.stdout.write(`${JSON.stringify({ left: false, refusal: { name: err.name, message: err.message } }, null, 2)}\n`)
    process.stderr.write(`vault: cannot leave: ${err.message}\n`)
    return EXIT_FAILURE
  }
}
