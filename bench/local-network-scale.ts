// Benchmark (c): a 50-vault local network in this process: time until every vault has joined
// (has a peer) and memory per vault, beside a one-vault network started in the same process.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalNetwork } from '../node-core/localnet/local-network.ts'

const NODES = Number(process.env.BENCH_NODES ?? 50)

async function startNetwork (nodes: number, dir: string): Promise<{ network: LocalNetwork, ms: number }> {
  const started = performance.now()
  const network = new LocalNetwork({ nodes, dataDir: dir, clientRate: 0 })
  await network.start()
  return { network, ms: performance.now() - started }
}

function settledRss (): number {
  globalThis.gc?.()
  return process.memoryUsage().rss
}

export async function measureLocalNetwork (): Promise<{ nodes: number, joinMs: number, oneVaultMs: number, rssPerVaultMiB: number, heapPerVaultMiB: number, peersMedian: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'vault-bench-net-'))
  try {
    const one = await startNetwork(1, join(dir, 'one'))
    await one.network.stop()
    const rssBefore = settledRss()
    const heapBefore = process.memoryUsage().heapUsed
    const many = await startNetwork(NODES, join(dir, 'many'))
    const rssAfter = settledRss()
    const heapAfter = process.memoryUsage().heapUsed
    const peers = many.network.vaults.map(vault => vault.libp2p.getPeers().length).sort((a, b) => a - b)
    const peersMedian = peers[Math.floor(peers.length / 2)] ?? 0
    await many.network.stop()
    return {
      nodes: NODES,
      joinMs: many.ms,
      oneVaultMs: one.ms,
      rssPerVaultMiB: (rssAfter - rssBefore) / NODES / 1024 ** 2,
      heapPerVaultMiB: (heapAfter - heapBefore) / NODES / 1024 ** 2,
      peersMedian
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const result = await measureLocalNetwork()
  console.log(`  local network of ${result.nodes} vaults (one process, loopback):`)
  console.log(`    all joined (each connected) in ${(result.joinMs / 1000).toFixed(1)} s, median ${result.peersMedian} peers a vault; one-vault network ${(result.oneVaultMs / 1000).toFixed(2)} s   ratio per vault ${((result.joinMs / result.nodes) / result.oneVaultMs).toFixed(2)}`)
  console.log(`    memory per vault: ${result.rssPerVaultMiB.toFixed(1)} MiB RSS, ${result.heapPerVaultMiB.toFixed(1)} MiB JS heap`)
}
