// A live vault for shadow-run tests and benchmarks: a real vault on loopback holding chunks a peer
// stored through the chunk protocol, so its request trace is made of real peer requests, and a
// client that keeps reading from it to measure its availability.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { createVault, type Vault } from '../../../../node-core/engine/vault.ts'

export interface LiveVault {
  live: Vault
  client: Vault
  /** Where the client reaches the live vault. */
  at: Multiaddr
  /** The live vault's data dir, as the runner's `liveDataDir`. */
  dataDir: string
  chunks: Map<string, Uint8Array>
  stop: () => Promise<void>
}

export interface ReadTally {
  ok: number
  failed: string[]
}

/** Starts the live vault and a client under `root`, which stores `count` chunks on it, reads each and asks has. */
export async function startLiveVault (root: string, count: number, chunkBytes: (index: number) => number = index => 2000 + index * 997): Promise<LiveVault> {
  const dataDir = join(root, 'live')
  const live = await createVault({ dataDir, localNetwork: true })
  await live.start()
  const client = await createVault({ dataDir: join(root, 'client'), localNetwork: true })
  await client.start()
  const at = multiaddr(live.multiaddrs()[0] ?? '')
  const chunks = new Map<string, Uint8Array>()
  for (let i = 0; i < count; i++) {
    const bytes = randomBytes(chunkBytes(i))
    chunks.set(chunkAddress(bytes), bytes)
    await client.chunks.put(at, bytes)
  }
  for (const address of chunks.keys()) {
    if (await client.chunks.get(at, address) === undefined) throw new Error(`the live vault lost chunk ${address} at once`)
    await client.chunks.has(at, address)
  }
  return {
    live,
    client,
    at,
    dataDir,
    chunks,
    stop: async () => { await Promise.allSettled([client.stop(), live.stop()]) }
  }
}

/**
 * Reads the stored chunks from the live vault, `inFlight` at a time, until stopped; a read that
 * fails or returns other bytes is a failure.
 */
export function keepReading (vault: LiveVault, inFlight = 1): { stop: () => Promise<ReadTally>, tally: ReadTally } {
  const addresses = [...vault.chunks.keys()]
  const tally: ReadTally = { ok: 0, failed: [] }
  let running = true
  let next = 0
  const reader = async (): Promise<void> => {
    while (running) {
      const address = addresses[next++ % addresses.length] ?? ''
      try {
        const bytes = await vault.client.chunks.get(vault.at, address)
        if (bytes !== undefined && Buffer.compare(bytes, vault.chunks.get(address) ?? new Uint8Array()) === 0) tally.ok++
        else tally.failed.push(`${address}: ${bytes === undefined ? 'not found' : 'other bytes'}`)
      } catch (err) {
        tally.failed.push(`${address}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  }
  const readers = Promise.all(Array.from({ length: inFlight }, reader))
  return { tally, stop: async () => { running = false; await readers; return tally } }
}
