// Exit codes of `vault`: 0 ok, 1 failure, 2 usage error; the reason goes to stderr in one line.
import { namedError } from '../../contract/named-error.ts'
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

export class UsageError extends namedError('UsageError') {}

/** A failure the user can act on, reported without a stack trace. */
export class CliFailure extends namedError('CliFailure') {}
