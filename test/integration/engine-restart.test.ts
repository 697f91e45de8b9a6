// The host keeps the live engine (a real child process) running: a kill -9 during 200 concurrent
// puts loses no acknowledged chunk and never serves a corrupt one; a crash loop stops restarts.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { createVault, type Vault } from '../../node-core/engine/vault.ts'
import { chunkAddress } from '../../node-core/engine/store/chunk-address.ts'
import { createVaultHost, type VaultHost } from '../../node-core/host/vault-host.ts'
import { waitForStatus } from '../helpers/events.ts'

const PUTS = 200
const KILL_AFTER_ACKS = 40

describe('VaultHost with a real engine process', () => {
  let dir: string
  let client: Vault
  let host: VaultHost

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-restart-'))
    client = await createVault({ dataDir: join(dir, 'client'), localNetwork: true })
    await client.start()
    host = createVaultHost({
      dataDir: join(dir, 'host'),
      bootstrap: client.multiaddrs(),
      listenHost: '127.0.0.1',
      restart: { initialDelayMs: 100 }
    })
    await host.start()
  })

  after(async () => {
    await host.stop()
    await client.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('restarts an engine killed during 200 concurrent puts, and every acknowledged chunk reads back intact', async () => {
    const before = await waitForStatus(host, status => status.state === 'active' && status.network.listenAddrs.length > 0, 'an active engine')
    const enginePid = before.engine.pid
    assert.ok(enginePid !== null)
    const target = multiaddr(before.network.listenAddrs[0] ?? '')
    const chunks = Array.from({ length: PUTS }, (_, i) => randomBytes(16 * 1024 + (i * 997) % (48 * 1024)))
    const acknowledged: Uint8Array[] = []
    let killed = false

    await Promise.allSettled(chunks.map(async bytes => {
      await client.chunks.put(target, bytes)
      acknowledged.push(bytes)
      if (!killed && acknowledged.length >= KILL_AFTER_ACKS) {
        killed = true
        process.kill(enginePid, 'SIGKILL')
      }
    }))
    assert.ok(killed, `the engine was killed after ${KILL_AFTER_ACKS} acknowledged puts`)
    assert.ok(acknowledged.length >= KILL_AFTER_ACKS)

    const restarted = await waitForStatus(host, status => status.state === 'active' && status.engine.restarts >= 1 && status.engine.pid !== enginePid, 'the restarted engine')
    assert.equal(restarted.name, before.name, 'the vault keeps its name (and age) across the restart')
    assert.equal(restarted.age, before.age)
    assert.ok(restarted.store.chunks >= acknowledged.length, `index rebuilt with ${restarted.store.chunks} chunks, ${acknowledged.length} acknowledged`)
    assert.deepEqual(await readdir(join(dir, 'host', 'vault', 'store', 'tmp')), [], 'orphan temp files were removed on start')

    const again = multiaddr(restarted.network.listenAddrs[0] ?? '')
    for (const bytes of acknowledged) {
      const read = await client.chunks.get(again, chunkAddress(bytes))
      assert.ok(read !== undefined, `acknowledged chunk ${chunkAddress(bytes)} is missing after the restart`)
      assert.deepEqual(Buffer.from(read), Buffer.from(bytes))
    }
    // Unacknowledged puts may or may not have landed, but whatever is served must be intact:
    // ChunkService.get rejects bytes that do not hash to their address.
    for (const bytes of chunks) {
      const read = await client.chunks.get(again, chunkAddress(bytes))
      if (read !== undefined) assert.equal(chunkAddress(read), chunkAddress(bytes))
    }
    assert.equal(restarted.store.quarantined, 0)
  })
})

describe('VaultHost with an engine that crashes at start', () => {
  it('backs off, then stops restarting and raises a critical notice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-crashloop-'))
    const host = createVaultHost({
      dataDir: dir,
      bootstrap: ['/ip4/127.0.0.1/tcp/9/p2p/12D3KooWBRdeVeD7zngW8VfkYkakQJ75ptSvXYvE3yJQrtxdx64k'],
      engineEntry: new URL('../fixtures/crashing-engine.ts', import.meta.url).pathname,
      restart: { initialDelayMs: 10, maxDelayMs: 40, crashLoopCount: 3 }
    })
    try {
      await assert.rejects(host.start(), /exited during start-up/)
      const failed = await waitForStatus(host, status => status.state === 'failed', 'the crash-loop state')
      assert.equal(failed.engine.restarts, 2, 'three starts in all: the first and two restarts')
      const notice = failed.notices.find(candidate => candidate.id === 'engine-crash-loop')
      assert.ok(notice !== undefined)
      assert.equal(notice.severity, 'critical')
      assert.match(notice.fix ?? '', /Resume/)
    } finally {
      await host.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
