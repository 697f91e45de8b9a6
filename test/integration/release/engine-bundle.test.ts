// The bundle is complete: unpacked on its own, next to the pinned packages (here the checkout's
// node_modules stand in for `npm ci`), its entry point starts a vault as the host would, grinding
// the vault's key in the worker that the engine loads by URL from inside the bundle.
import assert from 'node:assert/strict'
import { fork } from 'node:child_process'
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { EngineMessageSchema, ENGINE_CONFIG_ENV, ENGINE_RPC_VERSION, type EngineMessage } from '../../../node-core/engine/rpc/engine-rpc.ts'
import { assembleEngineBundle } from '../../../node-core/release/bundle/build-engine.ts'
import { verifyEngineBundle, type VerifiedEngineBundle } from '../../../node-core/release/bundle/read-engine-bundle.ts'

const repo = fileURLToPath(new URL('../../../', import.meta.url))

describe('an unpacked engine bundle', () => {
  let dir = ''
  let bundle: VerifiedEngineBundle
  let unpacked = ''

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'engine-bundle-run-'))
    const checkout = join(dir, 'checkout')
    for (const part of ['node-core', 'contract', 'package-lock.json']) await cp(join(repo, part), join(checkout, part), { recursive: true })
    bundle = verifyEngineBundle((await assembleEngineBundle(checkout)).bytes)
    unpacked = join(dir, 'engine')
    for (const [path, bytes] of bundle.files) {
      await mkdir(join(unpacked, path, '..'), { recursive: true })
      await writeFile(join(unpacked, path), bytes)
    }
    await symlink(join(repo, 'node_modules'), join(unpacked, 'node_modules'), 'dir')
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('starts from its entry point, reports the manifest\'s version and protocols, and stops on request', async () => {
    const config = { dataDir: join(dir, 'data'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], capacityBytes: 64 * 1024 * 1024, localNetwork: true, paused: false }
    const child = fork(join(unpacked, bundle.manifest.entryPoint), [], {
      cwd: unpacked,
      env: { [ENGINE_CONFIG_ENV]: JSON.stringify(config) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced'
    })
    let stderr = ''
    child.stderr?.on('data', (data: Buffer) => { stderr += data.toString('utf8') })
    const exited = new Promise<number | null>(resolve => child.on('exit', code => { resolve(code) }))
    const messages: EngineMessage[] = []
    const next = async (match: (message: EngineMessage) => boolean): Promise<EngineMessage> => await new Promise((resolve, reject) => {
      const found = messages.find(match)
      if (found !== undefined) { resolve(found); return }
      const onMessage = (raw: unknown): void => {
        const message = EngineMessageSchema.parse(raw)
        if (!match(message)) return
        child.off('message', onMessage)
        resolve(message)
      }
      child.on('message', onMessage)
      void exited.then(code => { reject(new Error(`the engine exited (${String(code)}) first: ${stderr}`)) })
    })
    child.on('message', (raw: unknown) => { messages.push(EngineMessageSchema.parse(raw)) })
    try {
      const ready = await next(message => 'event' in message && (message.event.type === 'ready' || message.event.type === 'fatal'))
      assert.ok('event' in ready && ready.event.type === 'ready', JSON.stringify(ready))
      assert.equal(ready.event.status.engineVersion, bundle.manifest.engineVersion)
      for (const protocol of bundle.manifest.protocols) assert.ok(ready.event.status.protocols.includes(`${protocol.id}/${protocol.version}`), protocol.id)
      assert.equal(ready.event.status.age, 5, 'a new vault is ground to age 5 by the bundled worker')
      child.send({ rpc: ENGINE_RPC_VERSION, id: 1, method: 'stop' })
      const reply = await next(message => 'id' in message && message.id === 1)
      assert.ok('result' in reply && reply.result.ok, JSON.stringify(reply))
      assert.equal(await exited, 0)
    } finally {
      child.kill()
    }
  })
})
