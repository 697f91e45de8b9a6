// Exit codes of `vault`: 0 ok, 1 failure, 2 usage error; the reason goes to stderr in one line.
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

export class UsageError extends Error {
  static readonly NAME = 'UsageError'
  override name = UsageError.NAME
}

/** A failure the user can act on, reported without a stack trace. */
export class CliFailure extends Error {
  static readonly NAME = 'CliFailure'
  override name = CliFailure.NAME
}
