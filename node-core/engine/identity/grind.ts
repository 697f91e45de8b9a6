// Key grinding (DESIGN §2): to join or relocate, a vault searches for an ed25519 key whose name
// has the section's prefix and the wanted age byte. Expected work: 2^prefixBits * 256 keys a key.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { z } from 'zod'
import { assertAge, assertPrefix } from './name.ts'
import { namedError } from '../../../contract/named-error.ts'

export interface GrindOptions {
  /** Section prefix as bits, '' for any. */
  prefix: string
  age: number
  /** Threads to grind on; all cores by default. */
  workers?: number
  signal?: AbortSignal
}

export interface GroundKey {
  /** The ed25519 private key seed (32 bytes). */
  seed: Uint8Array
  /** The public key: the vault's name. */
  name: Uint8Array
}

export class GrindAbortedError extends namedError('GrindAbortedError') {}

const WorkerReplySchema = z.union([
  z.object({ found: z.literal(true), seed: z.instanceof(Uint8Array), name: z.instanceof(Uint8Array) }),
  z.object({ found: z.literal(false), attempts: z.number() })
])

const STOP = 1
const workerUrl = new URL(`./grind-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)

export async function grindKey (options: GrindOptions): Promise<GroundKey & { attempts: number }> {
  const { keys, attempts } = await grindKeys(1, options)
  const [key] = keys
  if (key === undefined) throw new GrindAbortedError('key grinding found no key')
  return { ...key, attempts }
}

/** Grinds `count` keys on one pool of worker threads (cheaper than `count` separate pools). */
export async function grindKeys (count: number, options: GrindOptions): Promise<{ keys: GroundKey[], attempts: number }> {
  assertPrefix(options.prefix)
  assertAge(options.age)
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`"count" expected a positive integer, got ${count}`)
  const workerCount = Math.max(1, options.workers ?? availableParallelism())
  const shared = new SharedArrayBuffer(8)
  const flags = new Int32Array(shared)
  const keys: GroundKey[] = []
  let attempts = 0

  const onAbort = (): void => { Atomics.store(flags, STOP, 1) }
  if (options.signal?.aborted === true) onAbort()
  options.signal?.addEventListener('abort', onAbort, { once: true })
  const workers = Array.from({ length: workerCount }, () => new Worker(workerUrl, {
    workerData: { prefix: options.prefix, age: options.age, count, shared }
  }))
  try {
    await Promise.all(workers.map(async worker => { await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        const reply = WorkerReplySchema.parse(message)
        if (reply.found) keys.push({ seed: reply.seed, name: reply.name })
        else attempts += reply.attempts
      })
      worker.once('error', reject)
      worker.once('exit', () => { resolve() })
    }) }))
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    await Promise.all(workers.map(async worker => await worker.terminate()))
  }
  if (keys.length < count) {
    throw new GrindAbortedError(`key grinding for prefix "${options.prefix}" and age ${options.age} was aborted after ${attempts} keys`)
  }
  return { keys, attempts }
}
