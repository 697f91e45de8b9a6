// A vault that leaves (churn, a demoted vault rejoining, a peer going away) closes its connections
// while this process may be opening a stream on one of them: yamux 8.0.1 then writes the new
// stream's window update to the closed connection from a microtask, and that error escapes
// uncaught. The opener's own write fails and is handled where it is made; only the stray throw
// would end the whole process, so that one error is reported and survived, and any other ends it.

export function isClosedStreamRace (err: Error): boolean {
  return err.name === 'StreamStateError' && err.message.startsWith('Cannot write to a stream that is closed')
}

/** Survives the race above (reporting it), and ends the process on any other uncaught error. */
export function surviveClosedStreamRace (report: (message: string) => void, fatal: (err: Error) => void): void {
  process.on('uncaughtException', err => {
    if (isClosedStreamRace(err)) {
      report(`a stream opened as its connection closed (${err.message})`)
      return
    }
    fatal(err)
  })
}
