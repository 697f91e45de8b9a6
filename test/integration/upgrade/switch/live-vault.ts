// A live vault for the switch tests: the app's own engine as a real child process under the
// supervisor (and so under the live egress monitor), joined to in-process vaults on loopback, one
// of which stores and reads chunks through it as any peer would.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { createVault, type Vault } from '../../../../node-core/engine/vault.ts'
import { ENGINE_VERSION } from '../../../../node-core/engine/version.ts'
import type { EngineStatus } from '../../../../node-core/engine/rpc/engine-rpc.ts'
import { EngineSupervisor } from '../../../../node-core/host/engine-supervisor.ts'
import type { RunnableEngine } from '../../../../node-core/upgrade/shadow/shadow-runner.ts'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))

export const BUILT_IN: RunnableEngine = {
  engineVersion: ENGINE_VERSION,
  bundleSha256: null,
  rootDir: repo,
  entry: join(repo, 'node-core', 'engine', 'engine-main.ts')
}

export interface LiveVault {
  dataDir: string
  supervisor: EngineSupervisor
  /** In-process vaults on loopback; the first is the bootstrap and the client. */
  peers: Vault[]
  status(): EngineStatus
  put(count: number): Promise<Uint8Array[]>
  assertServes(chunks: Uint8Array[], what: string): Promise<void>
  stop(): Promise<void>
}

/** Resolves with the first status the supervisor reports that satisfies `match`. */
export async function waitForEngineStatus (supervisor: EngineSupervisor, match: (status: EngineStatus) => boolean): Promise<EngineStatus> {
  const current = supervisor.lastStatus
  if (supervisor.state === 'running' && current !== undefined && match(current)) return current
  return await new Promise(resolve => {
    const onStatus = (event: CustomEvent<EngineStatus>): void => {
      if (!match(event.detail)) return
      supervisor.removeEventListener('engine:status', onStatus)
      resolve(event.detail)
    }
    supervisor.addEventListener('engine:status', onStatus)
  })
}

export async function startLiveVault (dir: string, peerCount = 1): Promise<LiveVault> {
  const peers: Vault[] = []
  const first = await createVault({ dataDir: join(dir, 'peer-0'), localNetwork: true })
  peers.push(first)
  await first.start()
  for (let i = 1; i < peerCount; i++) {
    const peer = await createVault({ dataDir: join(dir, `peer-${i}`), localNetwork: true, bootstrap: first.multiaddrs() })
    peers.push(peer)
    await peer.start()
  }
  const dataDir = join(dir, 'live')
  const supervisor = new EngineSupervisor({
    config: () => ({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: first.multiaddrs(), capacityBytes: 64 * 1024 * 1024, localNetwork: true, paused: false }),
    entry: BUILT_IN.entry,
    rootDir: BUILT_IN.rootDir,
    restart: { initialDelayMs: 50 }
  })
  await supervisor.start()

  const status = (): EngineStatus => {
    const last = supervisor.lastStatus
    assert.ok(last !== undefined && supervisor.state === 'running', `the live engine is ${supervisor.state}`)
    return last
  }
  const target = (): ReturnType<typeof multiaddr> => {
    const address = status().listenAddrs[0]
    assert.ok(address !== undefined, 'the live engine listens nowhere')
    return multiaddr(address)
  }
  return {
    dataDir,
    supervisor,
    peers,
    status,
    put: async count => {
      const chunks = Array.from({ length: count }, () => randomBytes(8 * 1024))
      for (const bytes of chunks) await first.chunks.put(target(), bytes)
      return chunks
    },
    assertServes: async (chunks, what) => {
      const from = target()
      for (const bytes of chunks) {
        const read = await first.chunks.get(from, chunkAddress(bytes))
        assert.ok(read !== undefined, `${what}: chunk ${chunkAddress(bytes)} is missing`)
        assert.equal(Buffer.compare(read, bytes), 0, `${what}: chunk ${chunkAddress(bytes)} differs`)
      }
    },
    stop: async () => {
      await supervisor.stop()
      await Promise.allSettled(peers.map(async peer => { await peer.stop() }))
    }
  }
}
