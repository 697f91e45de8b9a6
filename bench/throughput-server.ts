// The serving vault of the throughput benchmark, in its own process as a real remote vault is:
// it holds the chunks, and also serves a bare stream of the same bytes for comparison.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lpStream } from '@libp2p/utils'
import { z } from 'zod'
import { MAX_CHUNK_BYTES } from '../node-core/engine/store/chunk-address.ts'
import { createVault } from '../node-core/engine/vault.ts'

import { BARE_PROTOCOL } from './bare-protocol.ts'

export const ThroughputServerArgsSchema = z.object({
  chunks: z.number().int().positive(),
  encryption: z.enum(['tls-first', 'noise-only', 'noise-pure-js'])
})

const args = ThroughputServerArgsSchema.parse(JSON.parse(process.argv[2] ?? '{}'))
const dir = await mkdtemp(join(tmpdir(), 'vault-bench-server-'))
const vault = await createVault({ dataDir: dir, localNetwork: true, encryption: args.encryption })
await vault.start()
const addresses: string[] = []
for (let i = 0; i < args.chunks; i++) addresses.push((await vault.store.put(randomBytes(MAX_CHUNK_BYTES))).address)

const frame = randomBytes(MAX_CHUNK_BYTES)
const BareRequestSchema = z.object({ count: z.number().int().positive(), source: z.enum(['memory', 'store']) })
await vault.libp2p.handle(BARE_PROTOCOL, async stream => {
  const lp = lpStream(stream, { maxDataLength: MAX_CHUNK_BYTES })
  // The client names how many 1 MiB frames it wants, and whether they are one buffer sent again
  // and again (the transport's ceiling) or the stored chunks read from the store (the same bytes
  // a chunk get moves, without the chunk protocol).
  const request = BareRequestSchema.parse(JSON.parse(new TextDecoder().decode((await lp.read()).subarray())))
  for (let i = 0; i < request.count; i++) {
    const data = request.source === 'memory' ? frame : await vault.store.get(addresses[i % addresses.length] ?? '')
    if (data === undefined) throw new Error('stored chunk missing')
    await lp.write(data)
  }
  await stream.close()
})

process.send?.({ multiaddrs: vault.multiaddrs(), addresses })
process.once('disconnect', () => {
  void vault.stop().then(async () => { await rm(dir, { recursive: true, force: true }) }).then(() => process.exit(0))
})
