// Benchmark: the live vault's throughput while a shadow run tests a candidate beside it, against
// the same without (issue 5: the goal is a ratio of at least 0.9). Three roles in three processes,
// as in use: the live vault (its own engine process), a client reading chunks from it (a remote
// peer), and this process as the host running the shadow runner and its sandboxed engines.
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { createVault } from '../node-core/engine/vault.ts'
import { ENGINE_VERSION } from '../node-core/engine/version.ts'
import { createShadowRunner } from '../node-core/upgrade/shadow/shadow-runner.ts'
import type { RunnableEngine } from '../node-core/upgrade/shadow/shadow-runner.ts'
import { median } from './stats.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 64)
const CHUNK_BYTES = 256 * 1024
const IN_FLIGHT = 4
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 3000)

const repo = fileURLToPath(new URL('../', import.meta.url))
const self = fileURLToPath(import.meta.url)

const LiveReadySchema = z.object({ multiaddrs: z.array(z.string()).min(1), addresses: z.array(z.string()).min(1), dataDir: z.string() }).strict()
const TraceSchema = z.array(z.object({ at: z.number(), op: z.enum(['get', 'put', 'has']), address: z.string() }).strict())
const ReadRequestSchema = z.object({ measureMs: z.number().positive() }).strict()
const ReadResultSchema = z.object({ mibPerSecond: z.number(), failed: z.number().int() }).strict()
const ClientArgsSchema = z.object({ multiaddr: z.string(), addresses: z.array(z.string()).min(1) }).strict()

/** The live vault: stores the chunks, then answers peers and, over IPC, hands over its trace. */
async function liveRole (): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vault-bench-live-'))
  const vault = await createVault({ dataDir, localNetwork: true })
  await vault.start()
  const addresses: string[] = []
  for (let i = 0; i < CHUNKS; i++) addresses.push((await vault.store.put(randomBytes(CHUNK_BYTES))).address)
  process.on('message', () => { process.send?.(vault.trace.entries()) })
  process.send?.({ multiaddrs: vault.multiaddrs(), addresses, dataDir })
  process.once('disconnect', () => {
    void vault.stop().then(async () => { await rm(dataDir, { recursive: true, force: true }) }).then(() => process.exit(0))
  })
}

/** The client: on each request, reads chunks `IN_FLIGHT` at a time for the time asked and reports MiB/s. */
async function clientRole (): Promise<void> {
  const args = ClientArgsSchema.parse(JSON.parse(process.argv[3] ?? '{}'))
  const dataDir = await mkdtemp(join(tmpdir(), 'vault-bench-client-'))
  const client = await createVault({ dataDir, localNetwork: true })
  await client.start()
  const live = multiaddr(args.multiaddr)
  let next = 0
  const read = async (measureMs: number): Promise<z.infer<typeof ReadResultSchema>> => {
    const until = performance.now() + measureMs
    let bytes = 0
    let failed = 0
    const started = performance.now()
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        const data = await client.chunks.get(live, args.addresses[next++ % args.addresses.length] ?? '').catch(() => undefined)
        if (data === undefined) failed++
        else bytes += data.length
      }
    }))
    return { mibPerSecond: bytes / 1024 ** 2 / ((performance.now() - started) / 1000), failed }
  }
  await read(500)
  process.on('message', raw => {
    void read(ReadRequestSchema.parse(raw).measureMs).then(result => { process.send?.(result) })
  })
  process.send?.('ready')
  process.once('disconnect', () => {
    void client.stop().then(async () => { await rm(dataDir, { recursive: true, force: true }) }).then(() => process.exit(0))
  })
}

async function nextMessage (child: ChildProcess): Promise<unknown> {
  return await new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => { reject(new Error(`benchmark process exited with ${code}`)) }
    child.once('exit', onExit)
    child.once('message', message => { child.off('exit', onExit); resolve(message) })
  })
}

async function measure (client: ChildProcess): Promise<z.infer<typeof ReadResultSchema>> {
  const answer = nextMessage(client)
  client.send({ measureMs: MEASURE_MS })
  return ReadResultSchema.parse(await answer)
}

async function hostRole (): Promise<void> {
  const live = fork(self, ['live'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' })
  const ready = LiveReadySchema.parse(await nextMessage(live))
  const client = fork(self, ['client', JSON.stringify({ multiaddr: ready.multiaddrs[0], addresses: ready.addresses })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  await nextMessage(client)
  const runs = await mkdtemp(join(tmpdir(), 'vault-bench-shadow-'))
  const engine: RunnableEngine = { engineVersion: ENGINE_VERSION, bundleSha256: null, rootDir: repo, entry: join(repo, 'node-core', 'engine', 'engine-main.ts') }
  const runners = { low: createShadowRunner({ tempDir: runs }), normal: createShadowRunner({ tempDir: runs, lowPriority: false }) }
  /** Client throughput while a shadow run is replaying, and the run's requests per engine. */
  const during = async (priority: keyof typeof runners): Promise<{ read: z.infer<typeof ReadResultSchema>, shadowRequests: number }> => {
    const traceAnswer = nextMessage(live)
    live.send('trace')
    const trace = TraceSchema.parse(await traceAnswer)
    // Measure once the shadow engines serve (the first progress past 0), for the middle of the run.
    let replaying: () => void = () => {}
    const started = new Promise<void>(resolve => { replaying = resolve })
    const run = runners[priority].run({
      baseline: engine,
      candidate: engine,
      liveDataDir: ready.dataDir,
      trace,
      durationMs: MEASURE_MS + 1000,
      allowedHosts: [],
      onProgress: fraction => { if (fraction > 0) replaying() }
    })
    await Promise.race([started, run])
    const read = await measure(client)
    return { read, shadowRequests: (await run).baseline.requests }
  }
  const rounds: Array<{ without: number, low: number, normal: number, failed: number, lowRequests: number, normalRequests: number }> = []
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const without = await measure(client)
      const low = await during('low')
      const normal = await during('normal')
      rounds.push({
        without: without.mibPerSecond,
        low: low.read.mibPerSecond,
        normal: normal.read.mibPerSecond,
        failed: without.failed + low.read.failed + normal.read.failed,
        lowRequests: low.shadowRequests,
        normalRequests: normal.shadowRequests
      })
    }
  } finally {
    client.disconnect()
    live.disconnect()
    await Promise.all([new Promise(resolve => client.once('exit', resolve)), new Promise(resolve => live.once('exit', resolve))])
    await rm(runs, { recursive: true, force: true })
  }
  const f = (value: number): string => value.toFixed(0).padStart(5)
  const ratios = (pick: (round: typeof rounds[number]) => number): string => {
    const each = rounds.map(round => pick(round) / round.without)
    return `ratio ${median(each).toFixed(2)}   rounds ${each.map(ratio => ratio.toFixed(2)).join(', ')}`
  }
  console.log([
    `  live vault throughput while a shadow run replays (baseline and candidate in sandboxes), ${CHUNKS} x ${CHUNK_BYTES / 1024} KiB, ${IN_FLIGHT} gets in flight, ${MEASURE_MS} ms windows, median of ${ROUNDS} interleaved rounds:`,
    `    without a shadow run                        ${f(median(rounds.map(round => round.without)))} MiB/s`,
    `    with one, engines at the lowest priority    ${f(median(rounds.map(round => round.low)))} MiB/s   ${ratios(round => round.low)} (goal >= 0.9)`,
    `    with one, engines at normal priority        ${f(median(rounds.map(round => round.normal)))} MiB/s   ${ratios(round => round.normal)}`,
    `    shadow requests per engine in a run: ${median(rounds.map(round => round.lowRequests)).toFixed(0)} at the lowest priority, ${median(rounds.map(round => round.normalRequests)).toFixed(0)} at normal; failed live reads ${rounds.reduce((sum, round) => sum + round.failed, 0)}`
  ].join('\n'))
}

switch (process.argv[2]) {
  case 'live': await liveRole(); break
  case 'client': await clientRole(); break
  default: await hostRole()
}
