// Worker thread: generates ed25519 keys until the pool has found as many keys with the wanted
// prefix and age byte as were asked for. Workers share one counter, so none overshoots.
import { generateKeyPairSync } from 'node:crypto'
import { parentPort, workerData } from 'node:worker_threads'
import { assertAge, assertPrefix, nameHasPrefix } from './name.ts'
import { rawPrivateSeed, rawPublicKey } from './ed25519-raw.ts'

interface GrindJob {
  prefix: string
  age: number
  count: number
  /** Int32 [found so far, stop flag] shared by the pool. */
  shared: SharedArrayBuffer
}

/** Checked by hand, not with zod: loading zod in every worker would double its start-up time. */
function parseJob (data: unknown): GrindJob {
  if (typeof data !== 'object' || data === null) throw new TypeError('"workerData" expected a grind job object')
  const { prefix, age, count, shared } = data as Record<string, unknown>
  if (typeof prefix !== 'string') throw new TypeError(`"prefix" expected a string, got ${typeof prefix}`)
  assertPrefix(prefix)
  if (typeof age !== 'number') throw new TypeError(`"age" expected a number, got ${typeof age}`)
  assertAge(age)
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw new RangeError(`"count" expected a positive integer, got ${String(count)}`)
  if (!(shared instanceof SharedArrayBuffer)) throw new TypeError('"shared" expected a SharedArrayBuffer')
  return { prefix, age, count, shared }
}

const FOUND = 0
const STOP = 1
const CHECK_EVERY = 64

const job = parseJob(workerData)
const shared = new Int32Array(job.shared)
let attempts = 0

while (Atomics.load(shared, STOP) === 0 && Atomics.load(shared, FOUND) < job.count) {
  for (let i = 0; i < CHECK_EVERY; i++) {
    attempts++
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const name = rawPublicKey(publicKey)
    if (name[31] !== job.age || !nameHasPrefix(name, job.prefix)) continue
    if (Atomics.add(shared, FOUND, 1) < job.count) {
      parentPort?.postMessage({ found: true, seed: rawPrivateSeed(privateKey), name })
    }
    break
  }
}
parentPort?.postMessage({ found: false, attempts })
