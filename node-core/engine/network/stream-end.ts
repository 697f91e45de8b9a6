// How a stream ended, as lpStream reports it: an end where a new frame would have started is a
// peer done with the stream (or one whose send gave up before its first byte, as a busy vault's
// timed-out send does), not data cut short, so it costs no local trust.

/** The stream ended cleanly where a frame would have started: EOF after 0 of the 1 length byte wanted. */
export function isEndBeforeFrame (err: unknown): boolean {
  return err instanceof Error && err.name === 'UnexpectedEOFError' && / 0\/1 bytes$/.test(err.message)
}
