// `vault testnet --nodes N [--data-dir D] [--json] [--client-rate R] [--chunk-size B]`
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { LocalNetwork } from '../../localnet/local-network.ts'
import { MAX_CHUNK_BYTES } from '../../engine/store/chunk-address.ts'
import { parseInteger, parseNumber } from '../parse.ts'

export const TESTNET_USAGE = 'vault testnet --nodes N [--data-dir DIR] [--json] [--client-rate CHUNKS_PER_S] [--chunk-size BYTES]'

export async function testnetCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      nodes: { type: 'string', default: '20' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      'client-rate': { type: 'string', default: '1' },
      'chunk-size': { type: 'string', default: String(64 * 1024) }
    }
  })
  const nodes = parseInteger('nodes', values.nodes, 1, 500) ?? 20
  const clientRate = parseNumber('client-rate', values['client-rate'], 0, 1000) ?? 1
  const chunkBytes = parseInteger('chunk-size', values['chunk-size'], 1, MAX_CHUNK_BYTES) ?? 64 * 1024
  const ownDir = values['data-dir'] === undefined
  const dataDir = ownDir ? await mkdtemp(join(tmpdir(), 'vault-testnet-')) : resolve(values['data-dir'] ?? '')

  const network = new LocalNetwork({ nodes, dataDir, clientRate, chunkBytes })
  const print = (line: unknown): void => { process.stdout.write((values.json ? JSON.stringify(line) : String(line)) + '\n') }
  if (!values.json) {
    network.addEventListener('network:progress', event => { process.stderr.write(`vaults started: ${event.detail.joined}/${event.detail.total}\n`) })
  }
  await network.start()
  const bootstrap = network.bootstrapAddrs()
  if (values.json) {
    print({ type: 'ready', nodes, bootstrap, dataDir })
  } else {
    print(`Local network of ${nodes} vaults is up. Bootstrap address:\n${bootstrap.join('\n')}\nData: ${dataDir}\nPress Ctrl+C to stop.`)
  }
  network.addEventListener('client:stats', event => {
    if (values.json) print({ type: 'client', stats: event.detail })
  })

  await new Promise<void>(resolve => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
    // Run by a host: go when the host goes.
    if (process.connected) process.once('disconnect', resolve)
  })
  await network.stop()
  if (ownDir) await rm(dataDir, { recursive: true, force: true })
  return 0
}
