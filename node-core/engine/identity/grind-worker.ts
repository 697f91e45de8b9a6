// Worker thread: generates ed25519 keys until one has the wanted prefix and age byte.
// The parent stops every worker through a shared flag as soon as one succeeds.
import { generateKeyPairSync } from 'node:crypto'
import { parentPort, workerData } from 'node:worker_threads'
import { z } from 'zod'
import { nameHasPrefix } from './name.ts'
import { rawPrivateSeed, rawPublicKey } from './ed25519-raw.ts'

const GrindJobSchema = z.object({
  prefix: z.string().regex(/^[01]{0,64}$/),
  age: z.number().int().min(0).max(255),
  stop: z.instanceof(SharedArrayBuffer)
})

const CHECK_STOP_EVERY = 64

const job = GrindJobSchema.parse(workerData)
const stop = new Int32Array(job.stop)
let attempts = 0

while (Atomics.load(stop, 0) === 0) {
  for (let i = 0; i < CHECK_STOP_EVERY; i++) {
    attempts++
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const name = rawPublicKey(publicKey)
    if (name[31] === job.age && nameHasPrefix(name, job.prefix)) {
      if (Atomics.compareExchange(stop, 0, 0, 1) === 0) {
        parentPort?.postMessage({ found: true, seed: rawPrivateSeed(privateKey), name, attempts })
      }
      break
    }
  }
}
parentPort?.postMessage({ found: false, attempts })
