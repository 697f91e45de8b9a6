// `vault testnet` as a user runs it: a real child process that starts a local network on
// loopback, prints its bootstrap address, reports its client's traffic and its churn, and stops
// on SIGINT.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { createVault, type Vault } from '../../../node-core/engine/vault.ts'
import { TestnetChurnSchema, TestnetReadySchema } from '../../../node-core/host/embedded-network.ts'

const cli = fileURLToPath(new URL('../../../node-core/cli/vault.ts', import.meta.url))
const ClientLineSchema = z.object({ type: z.literal('client'), stats: z.object({ stored: z.number(), fetched: z.number(), wrongData: z.number() }).loose() })

/** `vault testnet ... --json` as a child process, and the first of its lines that match. */
function testnet (args: string[]): { child: ChildProcess, exited: Promise<number | null>, nextMatching: <T>(schema: z.ZodType<T>, match: (value: T) => boolean) => Promise<T> } {
  const child = spawn(process.execPath, [cli, 'testnet', ...args, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<number | null>(resolve => child.once('exit', resolve))
  const lines = createInterface({ input: child.stdout ?? process.stdin })
  const parsed: unknown[] = []
  let onLine: (() => void) | undefined
  lines.on('line', line => { parsed.push(JSON.parse(line)); onLine?.() })
  const nextMatching = async <T>(schema: z.ZodType<T>, match: (value: T) => boolean): Promise<T> => await new Promise(resolve => {
    const check = (): void => {
      for (const value of parsed) {
        const result = schema.safeParse(value)
        if (result.success && match(result.data)) { onLine = undefined; resolve(result.data); return }
      }
    }
    onLine = check
    check()
  })
  return { child, exited, nextMatching }
}

describe('vault testnet', () => {
  let dir: string
  let joiner: Vault

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-testnet-cli-'))
  })

  after(async () => {
    await joiner?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('starts N vaults, prints a bootstrap address a vault can join, stores and reads data, and stops cleanly', { timeout: 60_000 }, async () => {
    const { child, exited, nextMatching } = testnet(['--nodes', '5', '--data-dir', join(dir, 'net'), '--client-rate', '20', '--chunk-size', '4096'])

    const ready = await nextMatching(TestnetReadySchema, () => true)
    assert.equal(ready.nodes, 5)
    assert.match(ready.bootstrap[0] ?? '', /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3KooW/)
    assert.equal((await readdir(join(dir, 'net'))).filter(name => name.startsWith('vault-')).length, 5)

    joiner = await createVault({ dataDir: join(dir, 'joiner'), localNetwork: true })
    await joiner.start()
    await joiner.libp2p.dial(multiaddr(ready.bootstrap[0] ?? ''))
    assert.ok(joiner.libp2p.getPeers().length > 0)

    const traffic = await nextMatching(ClientLineSchema, line => line.stats.stored >= 3 && line.stats.fetched >= 1)
    assert.equal(traffic.stats.wrongData, 0)

    child.kill('SIGINT')
    assert.equal(await exited, 0)
  })
  it('churns when asked: a new vault joins in a new vault dir, and the churn is printed', { timeout: 30_000 }, async () => {
    const netDir = join(dir, 'churning')
    const { child, exited, nextMatching } = testnet(['--nodes', '8', '--data-dir', netDir, '--client-rate', '0', '--churn-interval', '1', '--audit-interval', '1', '--grace-churns', '2'])
    const ready = await nextMatching(TestnetReadySchema, () => true)
    assert.equal(ready.nodes, 8)
    assert.equal(ready.running, 8)
    const joined = await nextMatching(TestnetChurnSchema, line => line.kind === 'join')
    assert.match(joined.vault, /^12D3KooW/)
    assert.ok(joined.running >= 7, `${joined.running} vaults running`)
    assert.ok((await readdir(netDir)).includes('vault-008'), 'the new vault has its own dir')
    child.kill('SIGINT')
    assert.equal(await exited, 0)
  })
})
