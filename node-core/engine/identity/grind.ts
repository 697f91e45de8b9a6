// Key grinding (DESIGN §2): to join or relocate, a vault searches for an ed25519 key whose name
// has the section's prefix and the wanted age byte. Expected work: 2^prefixBits * 256 keys.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { z } from 'zod'
import { assertAge, assertPrefix } from './name.ts'

export interface GrindOptions {
  /** Section prefix as bits, '' for any. */
  prefix: string
  age: number
  workers?: number
  signal?: AbortSignal
}

export interface GroundKey {
  /** The ed25519 private key seed (32 bytes). */
  seed: Uint8Array
  /** The public key: the vault's name. */
  name: Uint8Array
  attempts: number
}

export class GrindAbortedError extends Error {
  static readonly NAME = 'GrindAbortedError'
  override name = GrindAbortedError.NAME
}

const WorkerReplySchema = z.union([
  z.object({ found: z.literal(true), seed: z.instanceof(Uint8Array), name: z.instanceof(Uint8Array), attempts: z.number() }),
  z.object({ found: z.literal(false), attempts: z.number() })
])

const workerUrl = new URL(`./grind-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)

export async function grindKey (options: GrindOptions): Promise<GroundKey> {
  assertPrefix(options.prefix)
  assertAge(options.age)
  const workerCount = Math.max(1, options.workers ?? availableParallelism())
  const stop = new SharedArrayBuffer(4)
  const stopFlag = new Int32Array(stop)
  const workers = Array.from({ length: workerCount }, () => new Worker(workerUrl, {
    workerData: { prefix: options.prefix, age: options.age, stop }
  }))

  const onAbort = (): void => { Atomics.store(stopFlag, 0, 1) }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const replies = await Promise.all(workers.map(async worker => await new Promise<z.infer<typeof WorkerReplySchema>[]>((resolve, reject) => {
      const replies: Array<z.infer<typeof WorkerReplySchema>> = []
      worker.on('message', (message: unknown) => { replies.push(WorkerReplySchema.parse(message)) })
      worker.once('error', reject)
      worker.once('exit', () => { resolve(replies) })
    })))
    const all = replies.flat()
    const attempts = all.filter(reply => !reply.found).reduce((sum, reply) => sum + reply.attempts, 0)
    const winner = all.find(reply => reply.found)
    if (winner === undefined || !winner.found) {
      throw new GrindAbortedError(`key grinding for prefix "${options.prefix}" and age ${options.age} was aborted after ${attempts} keys`)
    }
    return { seed: winner.seed, name: winner.name, attempts }
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    await Promise.all(workers.map(async worker => await worker.terminate()))
  }
}
