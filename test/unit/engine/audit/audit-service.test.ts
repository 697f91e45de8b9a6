import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { TypedEventTarget } from 'main-event'
import { AuditMaterialSnapshotSchema, type AuditMaterialSnapshot } from '../../../../node-core/engine/audit/audit-material.ts'
import type { AuditResult } from '../../../../node-core/engine/audit/audit-messages.ts'
import { AuditService, type AuditServiceEvents, type AuditServiceInit } from '../../../../node-core/engine/audit/audit-service.ts'
import { AUDIT_PROTOCOL, DEFAULT_AUDIT_CHUNKS_PER_MEMBER, DEFAULT_AUDIT_TIMEOUT_MS } from '../../../../node-core/engine/audit/constants.ts'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { LocalTrust } from '../../../../node-core/engine/network/local-trust.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'
import { ManualSchedule, MemoryNetwork, MemoryStore, scriptedHandler, testPeer, UnreachableError } from './memory-network.ts'

async function once<E extends keyof AuditServiceEvents> (target: TypedEventTarget<AuditServiceEvents>, type: E): Promise<AuditServiceEvents[E]['detail']> {
  return await new Promise(resolve => {
    target.addEventListener(type, event => { resolve(event.detail) }, { once: true })
  })
}

async function setup (init: AuditServiceInit = {}, options: { mayChallenge?: () => boolean, material?: AuditMaterialSnapshot } = {}) {
  const net = new MemoryNetwork()
  const clock = new ManualSchedule()
  const auditorPeer = testPeer('auditor')
  const memberPeer = testPeer('member')
  const stores = new Map<string, MemoryStore>([[auditorPeer.toString(), new MemoryStore()], [memberPeer.toString(), new MemoryStore()]])
  const storeOf = (peer: PeerId): MemoryStore => {
    const store = stores.get(peer.toString())
    if (store === undefined) throw new UnreachableError(`no store for ${peer.toString()}`)
    return store
  }
  const putChunk = async (peer: PeerId, bytes: Uint8Array, { signal }: { signal: AbortSignal }): Promise<boolean> => {
    signal.throwIfAborted()
    await storeOf(peer).put(bytes)
    return true
  }
  const persisted: AuditMaterialSnapshot[] = []
  const auditorTrust = new LocalTrust()
  const memberTrust = new LocalTrust()
  const auditor = new AuditService({
    libp2p: net.node(auditorPeer), trust: auditorTrust, store: storeOf(auditorPeer), putChunk, random: seededRandom('auditor'), schedule: clock.schedule,
    persistMaterial: async snapshot => { persisted.push(snapshot) },
    ...(options.material === undefined ? {} : { material: options.material })
  }, init)
  const member = new AuditService({
    libp2p: net.node(memberPeer), trust: memberTrust, store: storeOf(memberPeer), putChunk, random: seededRandom('member'), schedule: clock.schedule,
    ...(options.mayChallenge === undefined ? {} : { mayChallenge: options.mayChallenge })
  }, init)
  await auditor.start()
  await member.start()
  const results: AuditResult[] = []
  auditor.addEventListener('audit:result', event => { results.push(event.detail) })
  return { net, clock, auditorPeer, memberPeer, stores, storeOf, putChunk, persisted, auditor, member, auditorTrust, memberTrust, results }
}

/** A vault on the network that takes audit chunks but never answers a challenge. */
async function silentMember (t: Awaited<ReturnType<typeof setup>>, label = 'silent'): Promise<{ peer: PeerId, challenged: Promise<void> }> {
  const peer = testPeer(label)
  t.stores.set(peer.toString(), new MemoryStore())
  const { handler, challenged } = scriptedHandler(async (stream: Stream) => {
    await new Promise(resolve => { stream.addEventListener('close', resolve, { once: true }) })
  })
  await t.net.node(peer).handle(AUDIT_PROTOCOL, handler)
  await t.auditor.placeMaterial(peer)
  return { peer, challenged }
}

describe('audit service', () => {
  it('places audit chunks through the member\'s store and the member proves each, under fresh nonces', async () => {
    const t = await setup()
    const placement = await t.auditor.placeMaterial(t.memberPeer)
    assert.equal(placement.placed.length, DEFAULT_AUDIT_CHUNKS_PER_MEMBER)
    assert.deepEqual(placement.errors, [])
    assert.deepEqual(t.auditor.materialOf(t.memberPeer), placement.placed)
    for (const address of placement.placed) {
      const bytes = t.storeOf(t.memberPeer).chunks.get(address)
      assert.ok(bytes !== undefined, `member does not hold audit chunk ${address}`)
      assert.equal(chunkAddress(bytes), address)
    }
    for (let i = 0; i < 8; i++) {
      const result = await t.auditor.audit(t.memberPeer)
      assert.equal(result.outcome, 'passed', result.reason)
      assert.equal(result.kind, undefined)
      assert.equal(result.source, 'material')
      assert.ok(placement.placed.includes(result.address))
    }
    assert.equal(t.results.length, 8)
    assert.equal(t.results[0]?.member, Buffer.from(t.memberPeer.publicKey?.raw ?? []).toString('hex'))
    assert.equal(t.auditorTrust.score(t.memberPeer.toString()), 0)
    assert.equal(t.memberTrust.score(t.auditorPeer.toString()), 0)
    // A second placement has nothing to add: the member already has its share.
    assert.deepEqual((await t.auditor.placeMaterial(t.memberPeer)).placed, [])
  })

  it('a member that lost the chunk fails as missed-audit', async () => {
    const t = await setup()
    await t.auditor.placeMaterial(t.memberPeer)
    t.storeOf(t.memberPeer).chunks.clear()
    const result = await t.auditor.audit(t.memberPeer)
    assert.equal(result.outcome, 'missing')
    assert.equal(result.kind, 'missed-audit')
    assert.match(result.reason, new RegExp(`audit chunk ${result.address.slice(0, 12)}…: not held`))
    assert.deepEqual(t.results, [result])
  })

  it('a member that proves other bytes fails as wrong-data', async () => {
    const t = await setup()
    const { placed } = await t.auditor.placeMaterial(t.memberPeer)
    for (const address of placed) t.storeOf(t.memberPeer).chunks.set(address, new Uint8Array(100))
    const result = await t.auditor.audit(t.memberPeer)
    assert.equal(result.outcome, 'wrong-proof')
    assert.equal(result.kind, 'wrong-data')
  })

  it('a silent member is unresponsive once the injected clock passes the timeout, not before', async () => {
    const t = await setup()
    const silent = await silentMember(t)
    let settled = false
    const audit = t.auditor.audit(silent.peer).finally(() => { settled = true })
    await silent.challenged
    assert.equal(settled, false)
    assert.equal(t.clock.pending, 1)
    await t.clock.fireAll()
    const result = await audit
    assert.equal(result.outcome, 'unresponsive')
    assert.equal(result.kind, 'unresponsive')
    assert.match(result.reason, new RegExp(`no answer within ${DEFAULT_AUDIT_TIMEOUT_MS} ms`))
  })

  it('a member that cannot be reached is unresponsive at once', async () => {
    const t = await setup()
    await t.auditor.placeMaterial(t.memberPeer)
    await t.member.stop()
    const result = await t.auditor.audit(t.memberPeer)
    assert.equal(result.kind, 'unresponsive')
    assert.match(result.reason, /no answer: DialError/)
  })

  for (const [what, frame, offence] of [
    ['a garbled', new TextEncoder().encode('{"type":"proof","proof":"not hex"}'), 'malformed'],
    ['an oversized', new Uint8Array(600).fill(0x20), 'oversize']
  ] as const) {
    it(`${what} answer is wrong data and costs the member local trust (${offence})`, async () => {
      const t = await setup()
      const peer = testPeer(`liar-${offence}`)
      t.stores.set(peer.toString(), new MemoryStore())
      const { handler } = scriptedHandler(async stream => {
        const lp = lpStream(stream)
        await lp.read()
        await lp.write(frame)
        await stream.close()
      })
      await t.net.node(peer).handle(AUDIT_PROTOCOL, handler)
      await t.auditor.placeMaterial(peer)
      const result = await t.auditor.audit(peer)
      assert.equal(result.outcome, 'wrong-proof')
      assert.equal(result.kind, 'wrong-data')
      assert.match(result.reason, /invalid answer/)
      assert.ok(t.auditorTrust.score(peer.toString()) < 0)
    })
  }

  it('challenges a member on a chunk the auditor holds itself', async () => {
    const t = await setup()
    const both = await t.storeOf(t.auditorPeer).put(new TextEncoder().encode('held by both'))
    const auditorOnly = await t.storeOf(t.auditorPeer).put(new TextEncoder().encode('held by the auditor only'))
    await t.storeOf(t.memberPeer).put(new TextEncoder().encode('held by both'))
    const passed = await t.auditor.audit(t.memberPeer, { address: both })
    assert.deepEqual([passed.outcome, passed.source, passed.address], ['passed', 'held', both])
    const missing = await t.auditor.audit(t.memberPeer, { address: auditorOnly })
    assert.equal(missing.kind, 'missed-audit')
    await assert.rejects(t.auditor.audit(t.memberPeer, { address: chunkAddress(new Uint8Array(1)) }), { name: 'ChunkNotHeldError' })
    assert.equal(t.results.length, 2)
  })

  it('refuses, without a result, audits it cannot run: no material, not started', async () => {
    const t = await setup()
    await assert.rejects(t.auditor.audit(t.memberPeer), { name: 'NoAuditMaterialError' })
    await t.auditor.stop()
    await assert.rejects(t.auditor.audit(t.memberPeer), { name: 'AuditServiceStoppedError' })
    assert.deepEqual(t.results, [])
  })

  it('bounds the audits in flight', async () => {
    const t = await setup({ maxAuditsInFlight: 1 })
    const silent = await silentMember(t)
    const first = t.auditor.audit(silent.peer)
    await silent.challenged
    await assert.rejects(t.auditor.audit(silent.peer), { name: 'AuditsBusyError' })
    await t.clock.fireAll()
    assert.equal((await first).outcome, 'unresponsive')
  })

  it('stopping the auditor ends an audit in flight with no result: it was not the member\'s fault', async () => {
    const t = await setup()
    const silent = await silentMember(t)
    const audit = t.auditor.audit(silent.peer)
    await silent.challenged
    await t.auditor.stop()
    await assert.rejects(audit)
    assert.deepEqual(t.results, [])
  })

  it('keeps its material across a restart through the persist callback', async () => {
    const t = await setup()
    const { placed } = await t.auditor.placeMaterial(t.memberPeer)
    const snapshot = t.persisted.at(-1)
    assert.ok(snapshot !== undefined)
    assert.equal(AuditMaterialSnapshotSchema.safeParse(JSON.parse(JSON.stringify(snapshot))).success, true)
    await t.auditor.stop()
    const restarted = await setup({}, { material: snapshot })
    // The new setup's member is the same vault (same name), holding the same chunks.
    for (const address of placed) {
      const bytes = t.storeOf(t.memberPeer).chunks.get(address)
      assert.ok(bytes !== undefined)
      await restarted.storeOf(restarted.memberPeer).put(bytes)
    }
    assert.deepEqual(restarted.auditor.materialOf(restarted.memberPeer), placed)
    assert.equal((await restarted.auditor.audit(restarted.memberPeer)).outcome, 'passed')
    await restarted.auditor.forgetMember(restarted.memberPeer)
    assert.deepEqual(restarted.persisted.at(-1)?.members, [])
    await assert.rejects(restarted.auditor.audit(restarted.memberPeer), { name: 'NoAuditMaterialError' })
  })

  it('a member that does not take challenges from the auditor refuses: unresponsive', async () => {
    const t = await setup({}, { mayChallenge: () => false })
    await t.auditor.placeMaterial(t.memberPeer)
    const result = await t.auditor.audit(t.memberPeer)
    assert.equal(result.kind, 'unresponsive')
    assert.match(result.reason, /refused/)
  })

  it('as a member, remembers the held chunks it was challenged on, for its self-check', async () => {
    const t = await setup()
    const { placed } = await t.auditor.placeMaterial(t.memberPeer)
    const notHeld = await t.storeOf(t.auditorPeer).put(new TextEncoder().encode('never placed'))
    await t.auditor.audit(t.memberPeer, { address: notHeld })
    const { address } = await t.auditor.audit(t.memberPeer)
    assert.deepEqual(t.member.challengedAddresses(), [address])
    assert.ok(placed.includes(address))
  })

  for (const [what, frame, offence] of [
    ['malformed', new TextEncoder().encode('{"type":"challenge"}'), 'malformed'],
    ['oversized', new Uint8Array(600).fill(0x20), 'oversize']
  ] as const) {
    it(`as a member, a challenge that is ${what} costs its sender local trust`, async () => {
      const t = await setup()
      const rejected = once(t.member, 'audit:rejected')
      const stream = await t.net.node(t.auditorPeer).dialProtocol(t.memberPeer, AUDIT_PROTOCOL)
      await lpStream(stream).write(frame)
      const detail = await rejected
      assert.equal(detail.offence, offence)
      assert.equal(detail.peer, t.auditorPeer.toString())
      assert.ok(t.memberTrust.score(t.auditorPeer.toString()) < 0)
      // And it still answers an honest auditor.
      await t.auditor.placeMaterial(t.memberPeer)
      assert.equal((await t.auditor.audit(t.memberPeer)).outcome, 'passed')
    })
  }
})
