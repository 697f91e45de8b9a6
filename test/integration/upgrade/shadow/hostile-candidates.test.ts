// Issue 5, "done means": beside a live vault that a client keeps reading from, the shadow runner
// passes the unchanged engine and fails each hostile candidate (the real engine with one change)
// for its own reason, and the live vault answers every request throughout. Every phone home is
// aimed at the test's own loopback listeners; none may reach them while the sandbox's network
// namespace is in force.
import { after, before, describe, it, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { Resolver } from 'node:dns/promises'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ShadowVerdict, VerdictReason } from '../../../../contract/upgrade.ts'
import { createShadowRunner, type ShadowRunner } from '../../../../node-core/upgrade/shadow/shadow-runner.ts'
import { buildEngineCandidate, type EngineCandidate } from '../../../helpers/engine-candidates.ts'
import { hostileCandidates } from './hostile-patches.ts'
import { keepReading, startLiveVault, type LiveVault } from './live-vault.ts'
import { startLoopbackListeners, type LoopbackListeners } from './loopback-listeners.ts'

const RUN_MS = 2500
/** The unchanged engine must pass outright, speed included: a longer run gives its figures more samples. */
const UNCHANGED_RUN_MS = 5000
const STORED_CHUNKS = 24

function criticalCodes (verdict: ShadowVerdict): Array<VerdictReason['code']> {
  return [...new Set(verdict.reasons.filter(reason => reason.severity === 'critical').map(reason => reason.code))].sort()
}

function layerActive (verdict: ShadowVerdict, layer: string): boolean {
  return verdict.isolation.some(entry => entry.layer === layer && entry.active)
}

describe('shadow runs of hostile candidates beside a live vault', { timeout: 900_000 }, () => {
  let root = ''
  let vault: LiveVault
  let listeners: LoopbackListeners
  let baseline: EngineCandidate
  let runner: ShadowRunner
  let reader: ReturnType<typeof keepReading>
  const started = performance.now()

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'hostile-candidates-'))
    vault = await startLiveVault(root, STORED_CHUNKS)
    listeners = await startLoopbackListeners()
    baseline = await buildEngineCandidate('baseline')
    // Normal priority: this suite shares the machine with other suites, and engines at the lowest
    // priority (the product's default, measured by bench/upgrade-shadow.ts) would get only the CPU
    // they leave, too unevenly for two-second runs to compare speeds.
    runner = createShadowRunner({ tempDir: root, requestTimeoutMs: 3000, startupTimeoutMs: 60_000, lowPriority: false })
    reader = keepReading(vault)
  })

  after(async () => {
    await reader.stop()
    await listeners.close()
    await vault.stop()
    await baseline.remove()
    await rm(root, { recursive: true, force: true })
    process.stdout.write(`# hostile candidates suite: ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  })

  async function shadowRun (candidate: EngineCandidate, context: TestContext, durationMs = RUN_MS): Promise<ShadowVerdict> {
    const verdict = await runner.run({
      baseline,
      candidate,
      liveDataDir: vault.dataDir,
      trace: vault.live.trace.entries(),
      durationMs,
      allowedHosts: []
    })
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
    const trace = vault.live.trace.entries()
    assert.ok(['put', 'get', 'has'].every(op => trace.some(entry => entry.op === op)), 'the trace holds real peer requests of every kind')
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

  it('passes the unchanged engine: the same answers, nothing reaching outside, its state kept', async context => {
    const unchanged = await buildEngineCandidate('unchanged')
    try {
      const verdict = await shadowRun(unchanged, context, UNCHANGED_RUN_MS)
      assert.equal(verdict.result, 'pass', JSON.stringify(verdict.reasons))
      assert.deepEqual(verdict.egress.filter(attempt => !attempt.allowed), [])
      assert.ok(verdict.baseline.requests > 20, `only ${verdict.baseline.requests} requests in ${UNCHANGED_RUN_MS} ms`)
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
        // A slower engine may show it in latency or in throughput first: either is its own reason.
        assert.ok([expect, ...consequences].some(code => critical.includes(code)), JSON.stringify(verdict.reasons))
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
