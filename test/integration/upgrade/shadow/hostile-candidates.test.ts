// Issue 5, "done means": beside a live vault that a client keeps reading from, the shadow runner
// passes the unchanged engine and fails each hostile candidate (the real engine with one change)
// for its own reason, and the live vault answers every request throughout. Every phone home is
// aimed at the test's own loopback listeners; none may reach them while the sandbox's network
// namespace is in force.
import { after, before, describe, it, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Resolver } from 'node:dns/promises'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { ShadowVerdict, VerdictReason } from '../../../../contract/upgrade.ts'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { createVault, type Vault } from '../../../../node-core/engine/vault.ts'
import { createShadowRunner, type ShadowRunner } from '../../../../node-core/upgrade/shadow/shadow-runner.ts'
import { buildEngineCandidate, type EngineCandidate } from '../../../helpers/engine-candidates.ts'
import { hostileCandidates } from './hostile-patches.ts'
import { startLoopbackListeners, type LoopbackListeners } from './loopback-listeners.ts'

const RUN_MS = 2500
const STORED_CHUNKS = 24

/** Reads stored chunks from the live vault, one after another, until stopped; counts failures. */
function keepReading (client: Vault, live: Multiaddr, chunks: Map<string, Uint8Array>): { stop: () => Promise<{ ok: number, failed: string[] }> } {
  const addresses = [...chunks.keys()]
  const tally = { ok: 0, failed: [] as string[] }
  let running = true
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const address = addresses[i % addresses.length] ?? ''
      try {
        const bytes = await client.chunks.get(live, address)
        if (bytes !== undefined && Buffer.compare(bytes, chunks.get(address) ?? new Uint8Array()) === 0) tally.ok++
        else tally.failed.push(`${address}: ${bytes === undefined ? 'not found' : 'other bytes'}`)
      } catch (err) {
        tally.failed.push(`${address}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  })()
  return { stop: async () => { running = false; await loop; return tally } }
}

function criticalCodes (verdict: ShadowVerdict): Array<VerdictReason['code']> {
  return [...new Set(verdict.reasons.filter(reason => reason.severity === 'critical').map(reason => reason.code))].sort()
}

function layerActive (verdict: ShadowVerdict, layer: string): boolean {
  return verdict.isolation.some(entry => entry.layer === layer && entry.active)
}

describe('shadow runs of hostile candidates beside a live vault', { timeout: 900_000 }, () => {
  let root = ''
  let live: Vault
  let client: Vault
  let listeners: LoopbackListeners
  let baseline: EngineCandidate
  let runner: ShadowRunner
  let reader: ReturnType<typeof keepReading>
  const chunks = new Map<string, Uint8Array>()
  const started = performance.now()

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'hostile-candidates-'))
    live = await createVault({ dataDir: join(root, 'live'), localNetwork: true })
    await live.start()
    client = await createVault({ dataDir: join(root, 'client'), localNetwork: true })
    await client.start()
    const at = multiaddr(live.multiaddrs()[0] ?? '')
    // The trace the runner replays comes from real peer requests: puts, then reads and has.
    for (let i = 0; i < STORED_CHUNKS; i++) {
      const bytes = randomBytes(2000 + i * 997)
      chunks.set(chunkAddress(bytes), bytes)
      await client.chunks.put(at, bytes)
    }
    for (const address of chunks.keys()) {
      assert.ok(await client.chunks.get(at, address))
      assert.equal(await client.chunks.has(at, address), true)
    }
    listeners = await startLoopbackListeners()
    baseline = await buildEngineCandidate('baseline')
    runner = createShadowRunner({ tempDir: root, requestTimeoutMs: 3000, startupTimeoutMs: 60_000, concurrency: 2 })
    reader = keepReading(client, at, chunks)
  })

  after(async () => {
    await reader.stop().catch(() => {})
    await listeners.close()
    await Promise.allSettled([client.stop(), live.stop()])
    await baseline.remove()
    await rm(root, { recursive: true, force: true })
    process.stdout.write(`# hostile candidates suite: ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  })

  async function shadowRun (candidate: EngineCandidate, context: TestContext): Promise<ShadowVerdict> {
    const verdict = await runner.run({
      baseline,
      candidate,
      liveDataDir: join(root, 'live'),
      trace: live.trace.entries(),
      durationMs: RUN_MS,
      allowedHosts: []
    })
    if (process.env.SHADOW_DEBUG !== undefined) context.diagnostic(JSON.stringify({ b: verdict.baseline.latency, c: verdict.candidate.latency, bc: verdict.baseline.cpuMs, cc: verdict.candidate.cpuMs, bm: verdict.baseline.peakRssBytes, cm: verdict.candidate.peakRssBytes, n: verdict.baseline.requests }))
    context.diagnostic(`${verdict.result}: ${verdict.reasons.map(reason => `[${reason.severity} ${reason.code}] ${reason.message}`).join(' ')}`)
    return verdict
  }

  it('has listeners that count what reaches them, so "received nothing" means something', async () => {
    await new Promise<void>((resolve, reject) => { connect(listeners.tcpPort, '127.0.0.1', resolve).on('error', reject) })
    const resolver = new Resolver()
    resolver.setServers([`127.0.0.1:${listeners.dnsPort}`])
    assert.deepEqual(await resolver.resolve4('self-check.vault.test'), ['127.0.0.1'])
    const response = await fetch(`http://127.0.0.1:${listeners.httpPort}/self-check`)
    assert.equal(await response.text(), 'ok')
    assert.ok(live.trace.entries().some(entry => entry.op === 'put') && live.trace.entries().some(entry => entry.op === 'has'))
    await new Promise<void>(resolve => {
      const check = (): void => {
        const received = listeners.received()
        if (received.tcp >= 1 && received.dns >= 1 && received.http >= 1) resolve()
        else setImmediate(check)
      }
      check()
    })
    listeners.reset()
  })

  it('passes the unchanged engine, with the live vault\'s name and age on both sides', async context => {
    const unchanged = await buildEngineCandidate('unchanged')
    try {
      const verdict = await shadowRun(unchanged, context)
      assert.equal(verdict.result, 'pass', JSON.stringify(verdict.reasons))
      assert.deepEqual(verdict.egress.filter(attempt => !attempt.allowed), [])
      assert.ok(verdict.baseline.requests > 20, `only ${verdict.baseline.requests} requests in ${RUN_MS} ms`)
      assert.equal(verdict.candidate.requests, verdict.baseline.requests)
      assert.equal(verdict.candidate.mismatches, 0)
      for (const operation of ['get', 'put', 'audit']) assert.ok(verdict.candidate.latency.some(entry => entry.operation === operation && entry.count > 0), operation)
    } finally {
      await unchanged.remove()
    }
  })

  const outsidePath = (): string => join(root, 'written-from-the-sandbox.txt')
  // The ports are known only once the listeners run; the labels and reasons are fixed.
  for (const { label, expect, consequences = [] } of hostileCandidates({ tcpPort: 0, httpPort: 0, udpPort: 0, dnsPort: 0, outsidePath: '' })) {
    it(`fails the candidate "${label}" for ${expect}`, async context => {
      const hostile = hostileCandidates({ ...listeners, outsidePath: outsidePath() }).find(entry => entry.label === label)
      assert.ok(hostile !== undefined)
      const candidate = await buildEngineCandidate(label, hostile.patch)
      try {
        listeners.reset()
        const verdict = await shadowRun(candidate, context)
        assert.equal(verdict.result, 'fail', JSON.stringify(verdict.reasons))
        const critical = criticalCodes(verdict)
        assert.ok(critical.includes(expect), JSON.stringify(verdict.reasons))
        assert.deepEqual(critical.filter(code => code !== expect && !consequences.includes(code)), [], JSON.stringify(verdict.reasons))
        if (layerActive(verdict, 'network-namespace')) assert.deepEqual(listeners.received(), { tcp: 0, http: 0, udp: 0, dns: 0 })
        if (expect === 'write-outside-sandbox' && layerActive(verdict, 'permission-model')) {
          await assert.rejects(stat(outsidePath()), { code: 'ENOENT' }, 'the write outside reached the disk')
        }
      } finally {
        await candidate.remove()
      }
    })
  }

  it('kept the live vault answering every read throughout', async () => {
    const tally = await reader.stop()
    assert.deepEqual(tally.failed, [])
    assert.ok(tally.ok > 100, `only ${tally.ok} reads`)
  })
})
