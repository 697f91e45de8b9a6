// What the host does alike for every child process it runs (the live engine, the embedded
// local network): remember how it last complained, and stop it without ever hanging on it.
import type { ChildProcess } from 'node:child_process'

const STDERR_TAIL_CHARS = 2000

/** Keeps the end of a child's stderr; returns a reader of its last line, for error messages. */
export function lastStderrLine (child: ChildProcess): () => string {
  let tail = ''
  child.stderr?.on('data', (data: Buffer) => { tail = (tail + data.toString('utf8')).slice(-STDERR_TAIL_CHARS) })
  return () => tail.trim().split('\n').at(-1) ?? ''
}

/**
 * Asks a child to stop (`askToStop`: an RPC or a signal) and waits for it to exit; one that is
 * still running after `graceMs` is killed.
 */
export async function stopChild (child: ChildProcess, askToStop: () => Promise<void> | void, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))
  await Promise.resolve(askToStop()).catch(() => { /* the kill below still stops it */ })
  const killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(killTimer)
}
