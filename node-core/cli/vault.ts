#!/usr/bin/env node
// `vault`: the command line of Vault Manager. Exit codes: 0 ok, 1 failure, 2 usage error.
import { leaveCommand, LEAVE_USAGE } from './commands/leave.ts'
import { releaseCommand, RELEASE_USAGE } from './commands/release.ts'
import { resumeCommand, RESUME_USAGE } from './commands/resume.ts'
import { startCommand, START_USAGE } from './commands/start.ts'
import { statusCommand, STATUS_USAGE } from './commands/status.ts'
import { testnetCommand, TESTNET_USAGE } from './commands/testnet.ts'
import { upgradeCommand, UPGRADE_USAGE } from './commands/upgrade.ts'
import { CliFailure, EXIT_FAILURE, EXIT_USAGE, UsageError } from './cli-errors.ts'

const USAGE = `usage:
  ${START_USAGE}
  ${TESTNET_USAGE}
  ${STATUS_USAGE}
  ${RESUME_USAGE}
  ${LEAVE_USAGE}
  ${UPGRADE_USAGE}
  ${RELEASE_USAGE}`

const commands: Record<string, (args: string[]) => Promise<number>> = {
  start: startCommand,
  testnet: testnetCommand,
  status: statusCommand,
  resume: resumeCommand,
  leave: leaveCommand,
  upgrade: upgradeCommand,
  release: releaseCommand
}

function isParseArgsError (err: unknown): err is Error {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')
}

async function main (argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n')
    return name === undefined ? EXIT_USAGE : 0
  }
  const command = commands[name]
  try {
    if (command === undefined) throw new UsageError(`unknown command "${name}"; try: ${Object.keys(commands).join(', ')}`)
    return await command(args)
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      process.stderr.write(`vault: ${err.message.split('\n')[0] ?? ''}\n`)
      return EXIT_USAGE
    }
    const message = err instanceof CliFailure || err instanceof Error ? err.message : String(err)
    process.stderr.write(`vault: ${message.split('\n')[0] ?? ''}\n`)
    return EXIT_FAILURE
  }
}

process.exit(await main(process.argv.slice(2)))
