// Worker thread: generates ed25519 keys until the pool has found as many keys with the wanted
// prefix and age byte as were asked for. Workers share one counter, so none overshoots.
import { generateKeyPairSync } from 'node:crypto'
import { parentPort, workerData } from 'node:worker_threads'
import { z } from 'zod'
import { nameHasPrefix } from './name.ts'
import { rawPrivateSeed, rawPublicKey } from './ed25519-raw.ts'

const GrindJobSchema = z.object({
  prefix: z.string().regex(/^[01]{0,64}$/),
  age: z.number().int().min(0).max(255),
  count: z.number().int().positive(),
  /** Int32 [found so far, stop flag] shared by the pool. */
  shared: z.instanceof(SharedArrayBuffer)
})

const FOUND = 0
const STOP = 1
const CHECK_EVERY = 64

const job = GrindJobSchema.parse(workerData)
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
