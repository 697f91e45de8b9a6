// Benchmark (a): chunk get throughput between two vaults (1 MiB chunks), beside a bare libp2p
// stream moving the same bytes over the same connection and a raw TCP loopback transfer, once with
// the default encrypter (TLS first) and once with Noise on its pure-JS cipher (as in Electron).
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { MAX_CHUNK_BYTES } from '../node-core/engine/store/chunk-address.ts'
import { createVault, type Vault } from '../node-core/engine/vault.ts'
import type { EncryptionChoice } from '../node-core/engine/network/libp2p-node.ts'
import { BARE_PROTOCOL } from './bare-protocol.ts'
import { median } from './stats.ts'

const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 64)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

export interface ThroughputResult {
  encryption: EncryptionChoice
  negotiated: string
  chunkGetMiBs: number
  chunkGetSequentialMiBs: number
  /** The stored chunks' bytes, read from the store and sent on one stream without the protocol. */
  bareStreamMiBs: number
  /** One buffer sent again and again on one stream: the transport's ceiling. */
  bareMemoryMiBs: number
  rawTcpMiBs: number
  /** Median over rounds of chunk get (in flight) / bare stream of the same bytes, each pair measured together. */
  ratioToSameBytes: number
  ratioToOneBuffer: number
}

type RoundResult = Omit<ThroughputResult, 'encryption' | 'negotiated' | 'ratioToSameBytes' | 'ratioToOneBuffer'>

const mibPerSecond = (bytes: number, ms: number): number => (bytes / 1024 ** 2) / (ms / 1000)

async function bareStream (client: Vault, server: PeerId, chunks: number, source: 'memory' | 'store'): Promise<number> {
  const started = performance.now()
  const stream = await client.libp2p.dialProtocol(server, BARE_PROTOCOL)
  // The reader buffers what the writer has sent ahead; let it hold the whole run.
  const lp = lpStream(stream, { maxDataLength: MAX_CHUNK_BYTES, maxBufferSize: (chunks + 1) * (MAX_CHUNK_BYTES + 16) })
  await lp.write(new TextEncoder().encode(JSON.stringify({ count: chunks, source })))
  let bytes = 0
  for (let i = 0; i < chunks; i++) bytes += (await lp.read()).byteLength
  const elapsed = performance.now() - started
  await stream.close()
  return mibPerSecond(bytes, elapsed)
}

async function chunkGets (client: Vault, server: PeerId, addresses: string[], concurrency: number): Promise<number> {
  let next = 0
  let bytes = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < addresses.length) {
      const address = addresses[next++] ?? ''
      const data = await client.chunks.get(server, address)
      if (data === undefined) throw new Error(`chunk ${address} missing`)
      bytes += data.length
    }
  }))
  return mibPerSecond(bytes, performance.now() - started)
}

export async function rawTcp (chunks: number): Promise<number> {
  const frame = randomBytes(MAX_CHUNK_BYTES)
  const server = createServer(socket => {
    let sent = 0
    const pump = (): void => {
      while (sent < chunks) {
        sent++
        if (!socket.write(frame)) { socket.once('drain', pump); return }
      }
      socket.end()
    }
    pump()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const started = performance.now()
  const bytes = await new Promise<number>((resolve, reject) => {
    let received = 0
    const socket = createConnection({ port, host: '127.0.0.1' })
    socket.on('data', (data: Buffer) => { received += data.length })
    socket.on('end', () => { resolve(received) })
    socket.on('error', reject)
  })
  const elapsed = performance.now() - started
  await new Promise(resolve => server.close(resolve))
  return mibPerSecond(bytes, elapsed)
}

/** Starts the serving vault in a child process; resolves with its addresses and chunk list. */
async function startServer (encryption: EncryptionChoice, chunks: number): Promise<{ child: ChildProcess, peer: PeerId, multiaddrs: string[], addresses: string[] }> {
  const child = fork(new URL('./throughput-server.ts', import.meta.url), [JSON.stringify({ chunks, encryption })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const ready = await new Promise<{ multiaddrs: string[], addresses: string[] }>((resolve, reject) => {
    child.once('message', message => { resolve(ServerReadySchema.parse(message)) })
    child.once('exit', code => { reject(new Error(`benchmark server exited with ${code}`)) })
  })
  const peer = peerIdFromString(multiaddr(ready.multiaddrs[0] ?? '').getComponents().find(component => component.name === 'p2p')?.value ?? '')
  return { child, peer, ...ready }
}

const ServerReadySchema = z.object({ multiaddrs: z.array(z.string()).min(1), addresses: z.array(z.string()) })

export async function measureThroughput (encryption: EncryptionChoice, chunks = CHUNKS): Promise<ThroughputResult> {
  const dir = await mkdtemp(join(tmpdir(), 'vault-bench-'))
  const server = await startServer(encryption, chunks)
  const client = await createVault({ dataDir: join(dir, 'client'), localNetwork: true, encryption, bootstrap: server.multiaddrs })
  await client.start()
  try {
    const connection = await client.libp2p.dial(multiaddr(server.multiaddrs[0] ?? ''))
    // Warm up both paths once so neither pays for connection set-up or JIT in its measurement.
    await chunkGets(client, server.peer, server.addresses.slice(0, 4), 1)
    await bareStream(client, server.peer, 4, 'memory')
    // Shared machines are noisy: interleave the runs and keep the median of each figure.
    const rounds: RoundResult[] = []
    for (let round = 0; round < ROUNDS; round++) {
      rounds.push({
        bareStreamMiBs: await bareStream(client, server.peer, chunks, 'store'),
        chunkGetMiBs: await chunkGets(client, server.peer, server.addresses, CONCURRENCY),
        bareMemoryMiBs: await bareStream(client, server.peer, chunks, 'memory'),
        chunkGetSequentialMiBs: await chunkGets(client, server.peer, server.addresses, 1),
        rawTcpMiBs: await rawTcp(chunks)
      })
    }
    const medianOf = (pick: (round: RoundResult) => number): number => median(rounds.map(pick))
    return {
      encryption,
      negotiated: connection.encryption ?? 'unknown',
      chunkGetMiBs: medianOf(round => round.chunkGetMiBs),
      chunkGetSequentialMiBs: medianOf(round => round.chunkGetSequentialMiBs),
      bareStreamMiBs: medianOf(round => round.bareStreamMiBs),
      bareMemoryMiBs: medianOf(round => round.bareMemoryMiBs),
      rawTcpMiBs: medianOf(round => round.rawTcpMiBs),
      ratioToSameBytes: median(rounds.map(round => round.chunkGetMiBs / round.bareStreamMiBs)),
      ratioToOneBuffer: median(rounds.map(round => round.chunkGetMiBs / round.bareMemoryMiBs))
    }
  } finally {
    await client.stop()
    server.child.disconnect()
    await new Promise(resolve => server.child.once('exit', resolve))
    await rm(dir, { recursive: true, force: true })
  }
}

export function formatThroughput (result: ThroughputResult): string {
  const f = (value: number): string => value.toFixed(0).padStart(5)
  return [
    `  ${result.encryption} (negotiated ${result.negotiated}), ${CHUNKS} x 1 MiB, server vault in its own process, median of ${ROUNDS} interleaved rounds:`,
    `    chunk get, ${CONCURRENCY} in flight              ${f(result.chunkGetMiBs)} MiB/s   ratio to bare stream (same bytes) ${result.ratioToSameBytes.toFixed(2)}`,
    `    chunk get, one at a time            ${f(result.chunkGetSequentialMiBs)} MiB/s   ratio to bare stream (same bytes) ${(result.chunkGetSequentialMiBs / result.bareStreamMiBs).toFixed(2)}`,
    `    bare stream, same bytes from the store ${f(result.bareStreamMiBs)} MiB/s`,
    `    bare stream, one buffer resent         ${f(result.bareMemoryMiBs)} MiB/s   chunk get (${CONCURRENCY} in flight) / this ${result.ratioToOneBuffer.toFixed(2)}`,
    `    raw TCP loopback, one buffer resent    ${f(result.rawTcpMiBs)} MiB/s   bare stream (one buffer) / raw TCP ${(result.bareMemoryMiBs / result.rawTcpMiBs).toFixed(2)}`
  ].join('\n')
}

if (import.meta.main) {
  for (const encryption of ['tls-first', 'noise-pure-js'] as const) {
    console.log(formatThroughput(await measureThroughput(encryption)))
  }
}
