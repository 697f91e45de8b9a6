// The real engine, forked as the upgrade runner forks it: in shadow mode, under the Node
// permission model (read: the sources and the snapshot; write: its own data dir; no workers), on a
// hard-link snapshot of a live store. The runner's requests go over the engine RPC (issue 5).
import assert from 'node:assert/strict'
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFile, link, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { STORAGE_PROOF_NONCE_BYTES, storageProof, verifyStorageProof } from '../../../node-core/engine/audit/storage-proof.ts'
import { identityFromSeed, IDENTITY_FILE, writeIdentity } from '../../../node-core/engine/identity/identity-file.ts'
import {
  ENGINE_CONFIG_ENV, ENGINE_RPC_VERSION, parseEngineMessage, parseEngineResult,
  type EngineConfig, type EngineMethod, type EngineParams, type EngineResult, type EngineStatus, type ServeReply
} from '../../../node-core/engine/rpc/engine-rpc.ts'
import { chunkAddress } from '../../../node-core/engine/store/chunk-address.ts'
import { ChunkStore } from '../../../node-core/engine/store/chunk-store.ts'
import { createVault, type Vault } from '../../../node-core/engine/vault.ts'
import { EngineSupervisor } from '../../../node-core/host/engine-supervisor.ts'

const repoRoot = resolve(import.meta.dirname, '../../..')
const engineEntry = join(repoRoot, 'node-core/engine/engine-main.ts')
const CAPACITY = 64 * 1024 * 1024

type RpcResult = { ok: true, value: unknown } | { ok: false, error: { name: string, message: string } }

/** The engine RPC as the runner speaks it to a sandboxed engine it forked itself. */
class EngineClient {
  readonly ready: Promise<EngineStatus>
  private readonly child: ChildProcess
  private nextId = 0
  private readonly waiting = new Map<number, (result: RpcResult) => void>()

  constructor (child: ChildProcess) {
    this.child = child
    let stderr = ''
    child.stderr?.on('data', (data: Buffer) => { stderr += data.toString() })
    this.ready = new Promise((resolve, reject) => {
      child.once('exit', code => { reject(new Error(`the engine exited (code ${code}): ${stderr}`)) })
      child.on('message', raw => {
        const message = parseEngineMessage(raw)
        if ('id' in message) {
          this.waiting.get(message.id)?.(message.result)
          this.waiting.delete(message.id)
        } else if (message.event.type === 'ready') {
          resolve(message.event.status)
        }
      })
    })
  }

  async request<M extends EngineMethod> (method: M, params: EngineParams<M>): Promise<EngineResult<M>> {
    const id = this.nextId++
    const result = await new Promise<RpcResult>(resolve => {
      this.waiting.set(id, resolve)
      this.child.send({ rpc: ENGINE_RPC_VERSION, id, method, params })
    })
    if (!result.ok) throw Object.assign(new Error(result.error.message), { name: result.error.name })
    return parseEngineResult(method, result.value)
  }

  async stop (): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise(resolve => this.child.once('exit', resolve))
    this.child.send({ rpc: ENGINE_RPC_VERSION, id: this.nextId++, method: 'stop' })
    await exited
  }
}

/** Hard links of the live store's chunk files (the live store writes by temp file and rename). */
async function snapshotStore (liveStoreDir: string, snapshotDir: string): Promise<void> {
  await mkdir(join(snapshotDir, 'chunks'), { recursive: true })
  for (const shard of await readdir(join(liveStoreDir, 'chunks'))) {
    await mkdir(join(snapshotDir, 'chunks', shard))
    for (const file of await readdir(join(liveStoreDir, 'chunks', shard))) {
      await link(join(liveStoreDir, 'chunks', shard, file), join(snapshotDir, 'chunks', shard, file))
    }
  }
}

async function tree (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return await Promise.all(entries.map(async entry => {
    const path = join(entry.parentPath, entry.name)
    const info = await stat(path)
    return `${path.slice(dir.length)} ${info.mtimeMs} ${entry.isFile() ? chunkAddress(await readFile(path)) : 'dir'}`
  }))
}

function served (reply: ServeReply): Uint8Array {
  assert.ok(reply.ok && reply.op === 'get' && reply.found, `expected a found get, got ${JSON.stringify(reply)}`)
  return reply.bytes
}

describe('the engine in shadow mode, forked under the permission model', { timeout: 120_000 }, () => {
  let root = ''
  let engine: EngineClient
  let ready: EngineStatus
  const identity = identityFromSeed(Uint8Array.from(randomBytes(32)))
  const liveChunks = [randomBytes(1000), randomBytes(64 * 1024), randomBytes(1024 * 1024)]
  let snapshotBefore: string[] = []
  let snapshotDir = ''
  let shadowDir = ''

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'shadow-engine-test-'))
    const liveDir = join(root, 'live')
    await writeIdentity(liveDir, identity)
    const liveStore = new ChunkStore({ dir: join(liveDir, 'store'), capacityBytes: CAPACITY })
    await liveStore.start()
    for (const bytes of liveChunks) await liveStore.put(bytes)
    await liveStore.stop()

    snapshotDir = join(root, 'snapshot')
    shadowDir = join(root, 'shadow')
    await snapshotStore(join(liveDir, 'store'), snapshotDir)
    await mkdir(shadowDir)
    await copyFile(join(liveDir, IDENTITY_FILE), join(shadowDir, IDENTITY_FILE))
    snapshotBefore = await tree(snapshotDir)

    const config: EngineConfig = {
      dataDir: shadowDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], capacityBytes: CAPACITY, localNetwork: false, paused: false,
      shadow: { snapshotDir }
    }
    const child = fork(engineEntry, [], {
      execArgv: ['--permission', `--allow-fs-read=${repoRoot}`, `--allow-fs-read=${snapshotDir}`, `--allow-fs-read=${shadowDir}`, `--allow-fs-write=${shadowDir}`],
      env: { [ENGINE_CONFIG_ENV]: JSON.stringify(config), PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced'
    })
    engine = new EngineClient(child)
    ready = await engine.ready
  })

  after(async () => {
    await engine.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('reports the live vault\'s name and age and its snapshot\'s chunks, listening on loopback, with no peers', () => {
    assert.equal(ready.age, identity.age)
    assert.equal(ready.store.chunks, liveChunks.length)
    assert.equal(ready.store.bytes, liveChunks.reduce((sum, bytes) => sum + bytes.length, 0))
    assert.equal(ready.peers, 0)
    for (const address of ready.listenAddrs) assert.match(address, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
  })

  it('serves the snapshot\'s chunks byte for byte, and has answers', async () => {
    for (const bytes of liveChunks) {
      const address = chunkAddress(bytes)
      const got = served(await engine.request('serve', { op: 'get', address }))
      assert.equal(Buffer.compare(got, bytes), 0, `chunk ${address}`)
      assert.deepEqual(await engine.request('serve', { op: 'has', address }), { ok: true, op: 'has', found: true })
    }
    assert.deepEqual(await engine.request('serve', { op: 'get', address: chunkAddress(randomBytes(9)) }), { ok: true, op: 'get', found: false })
  })

  it('stores a put in its own data dir and serves it back; a put of a snapshot chunk is already held', async () => {
    const fresh = randomBytes(200_000)
    const address = chunkAddress(fresh)
    assert.deepEqual(await engine.request('serve', { op: 'put', bytes: fresh }), { ok: true, op: 'put', address, added: true })
    assert.equal(Buffer.compare(await readFile(join(shadowDir, 'store', 'chunks', address.slice(0, 2), address)), fresh), 0)
    assert.equal(Buffer.compare(served(await engine.request('serve', { op: 'get', address })), fresh), 0)
    const [first] = liveChunks
    assert.ok(first !== undefined)
    assert.deepEqual(await engine.request('serve', { op: 'put', bytes: first }), { ok: true, op: 'put', address: chunkAddress(first), added: false })
  })

  it('answers audits with storage proofs that verify against the live bytes, for snapshot and new chunks alike', async () => {
    const fresh = randomBytes(5000)
    await engine.request('serve', { op: 'put', bytes: fresh })
    for (const bytes of [...liveChunks, fresh]) {
      const nonce = randomBytes(STORAGE_PROOF_NONCE_BYTES)
      const reply = await engine.request('serve', { op: 'audit', address: chunkAddress(bytes), nonce })
      assert.ok(reply.ok && reply.op === 'audit' && reply.found, JSON.stringify(reply))
      assert.equal(verifyStorageProof(reply.proof, nonce, bytes), true)
      assert.deepEqual(reply.proof, storageProof(nonce, bytes))
    }
    assert.deepEqual(await engine.request('serve', { op: 'audit', address: chunkAddress(randomBytes(4)), nonce: randomBytes(32) }), { ok: true, op: 'audit', found: false })
  })

  it('rejects bad params with a clear error and keeps serving', async () => {
    const bad = { op: 'audit', address: chunkAddress(randomBytes(4)), nonce: randomBytes(16) }
    // @ts-expect-error a nonce of the wrong length, as a broken runner might send it
    await assert.rejects(engine.request('serve', bad), (err: Error) => err.name === 'InvalidEngineParamsError' && /"nonce" expected Uint8Array of 32 bytes, got 16 bytes/.test(err.message))
    assert.equal((await engine.request('status', {})).age, identity.age)
  })

  it('never touched the snapshot', async () => {
    assert.deepEqual(await tree(snapshotDir), snapshotBefore)
  })
})

describe('a live engine records the requests it served to peers and refuses to serve the runner', { timeout: 120_000 }, () => {
  let root = ''
  let supervisor: EngineSupervisor
  let client: Vault

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'live-trace-test-'))
    await writeIdentity(join(root, 'live'), identityFromSeed(Uint8Array.from(randomBytes(32))))
    supervisor = new EngineSupervisor({
      config: () => ({ dataDir: join(root, 'live'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], capacityBytes: CAPACITY, localNetwork: true, paused: false })
    })
    await supervisor.start()
    client = await createVault({ dataDir: join(root, 'client'), identity: identityFromSeed(Uint8Array.from(randomBytes(32))), localNetwork: true })
    await client.start()
  })

  after(async () => {
    await client.stop()
    await supervisor.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('traces each put, get and has a peer sent, oldest first, without bytes', async () => {
    const status = await supervisor.request('status')
    const target = multiaddr(status.listenAddrs[0] ?? '')
    const bytes = randomBytes(3000)
    const address = chunkAddress(bytes)
    const missing = chunkAddress(randomBytes(5))
    assert.equal(await client.chunks.put(target, bytes), true)
    assert.ok((await client.chunks.get(target, address)) !== undefined)
    assert.equal(await client.chunks.has(target, missing), false)
    const trace = await supervisor.request('trace')
    assert.deepEqual(trace.entries.map(entry => [entry.op, entry.address]), [['put', address], ['get', address], ['has', missing]])
    assert.equal(trace.recorded, 3)
    assert.equal(trace.capacity, 2000)
    assert.ok(trace.entries.every(entry => Object.keys(entry).sort().join() === 'address,at,op'))
    assert.deepEqual((await supervisor.request('trace', { limit: 1 })).entries.map(entry => entry.op), ['has'])
  })

  it('answers serve with ShadowModeRequiredError', async () => {
    await assert.rejects(supervisor.request('serve', { op: 'get', address: chunkAddress(randomBytes(3)) }), { name: 'ShadowModeRequiredError' })
  })
})
