// An elder moved by a churn, in a live section in memory (issue 3 deliver 3; DESIGN §2: a member
// of age A is a candidate when churnId mod 2^A == 0, elders included). The moved elder leaves the
// member list at once, which makes a handover due; it keeps its key share, votes on the handover
// and signs the chain link, so the section keeps its 7 voters, and its vault moves only once the
// new elders hold the key. The elders are of age 1 and the adults of age 0, so that half of all
// churns move elders. With these names the first churn moves three of them at once, leaving four
// elders as members: fewer than the 5 a decision needs, had the moved ones stopped voting.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { AuditOutcome } from '../../../../node-core/engine/section/member-health.ts'
import type { SectionNodeEvents } from '../../../../node-core/engine/section/section-node.ts'
import { verifyChain } from '../../../../node-core/section/crypto/section-chain.ts'
import { ELDER_COUNT } from '../../../../node-core/section/rules/elders.ts'
import { identityOfAge, MemorySection } from './memory-section.ts'

const FOUNDERS = 18
const ELDER_AGE = 1
const ADULT_AGE = 0
/** Churns tried before giving up, should a change of the protocol reshuffle the churn IDs. */
const MAX_CHURNS = 12
const MISSED: AuditOutcome = { passed: false, kind: 'missed-audit', reason: 'chunk 3f2a… missing' }
const PASSED: AuditOutcome = { passed: true, reason: 'proof verified' }

type Relocated = SectionNodeEvents['section:relocated']['detail']

describe('an elder moved by a churn, in a section of 18 vaults in memory', { timeout: 240_000 }, () => {
  const net = new MemorySection()
  const names = Array.from({ length: FOUNDERS }, (_, i) => net.add(identityOfAge(`elder-move-d-${i}`, i < ELDER_COUNT ? ELDER_AGE : ADULT_AGE)).self)
  /** What each vault heard, in order: the handovers it saw and the moves it was told of. */
  const heard = new Map<string, Array<{ type: 'handover', sectionKey: string } | { type: 'relocated', detail: Relocated }>>()
  let moved: { elder: string, sectionKey: string } | undefined

  const elderSet = (): readonly string[] => net.node(names[0] ?? '').membership?.elders ?? []
  const members = (): string[] => names.filter(name => net.node(name).membership?.isMember(name) === true)

  /** The elders holding the key report the same audit outcome of `member`, `times` times. */
  const audited = async (member: string, outcome: AuditOutcome, times = 1): Promise<void> => {
    const voting = names.filter(name => net.node(name).isVotingElder)
    for (let i = 0; i < times; i++) for (const elder of voting) await net.node(elder).noteAudit(member, outcome)
    await net.settle()
  }

  before(async () => {
    for (const name of names) {
      const log: NonNullable<ReturnType<typeof heard.get>> = []
      heard.set(name, log)
      net.node(name).addEventListener('section:handover', event => { log.push({ type: 'handover', sectionKey: event.detail.sectionKey }) })
      net.node(name).addEventListener('section:relocated', event => {
        log.push({ type: 'relocated', detail: event.detail })
        // As its vault does: it stops, to rejoin under a new name.
        if (event.detail.self) net.stop(name)
      })
    }
    await net.connectAll()
    await net.advance(1000)
    assert.equal(elderSet().length, ELDER_COUNT)
    // Churns by pausing and resuming one adult, until one of them moves an elder.
    for (let churn = 0; churn < MAX_CHURNS && moved === undefined; churn++) {
      const observer = members().find(name => !elderSet().includes(name)) ?? ''
      const paused = members().find(name => net.node(name).status().standing.state === 'paused')
      const generation = net.node(observer).generation
      const sectionKey = net.node(observer).membership?.sectionKey ?? ''
      const eldersBefore = [...elderSet()]
      if (paused !== undefined) {
        await net.node(paused).requestResume()
        await net.settle()
        await audited(paused, PASSED)
      } else {
        await audited(observer, MISSED, 6)
      }
      await net.advance(20_000)
      assert.ok(net.node(observer).generation > generation, `churn ${churn} was decided`)
      const elder = (heard.get(observer) ?? []).flatMap(entry => entry.type === 'relocated' && eldersBefore.includes(entry.detail.name) ? [entry.detail.name] : [])[0]
      if (elder !== undefined) moved = { elder, sectionKey }
    }
    assert.ok(moved !== undefined, `no churn of ${MAX_CHURNS} moved an elder, where about half of them should`)
  })

  after(() => { for (const node of net.nodes.values()) node.stop() })

  it('hands the key over to the 7 oldest active members, without the moved elder, under a chain the old key signed', () => {
    assert.ok(moved !== undefined)
    for (const name of members()) {
      const membership = net.node(name).membership
      assert.ok(membership !== undefined)
      assert.equal(membership.isMember(moved.elder), false, 'the moved elder left the member list')
      assert.equal(membership.elders.includes(moved.elder), false, 'and the elders')
      assert.equal(membership.handoverTarget, undefined, 'the elders are the 7 oldest active members')
      assert.equal(membership.pendingHandover, undefined)
      assert.notEqual(membership.sectionKey, moved.sectionKey)
      assert.ok(verifyChain(membership.chain.genesisKey, membership.chain.toData()).ok)
    }
  })

  it('keeps the moved elder voting until then: it signed the chain link with its old share, and moved after the handover', () => {
    assert.ok(moved !== undefined)
    const elder = moved.elder
    assert.ok(net.deliveries.some(d => d.from === elder && d.message.type === 'link-share' && d.receipt.accepted), 'its link share was taken')
    const log = heard.get(elder) ?? []
    const ownMove = log.findIndex(entry => entry.type === 'relocated' && entry.detail.self)
    const handover = log.findIndex(entry => entry.type === 'handover' && entry.sectionKey !== moved?.sectionKey)
    assert.ok(handover !== -1, 'it saw the handover')
    assert.ok(ownMove > handover, 'its vault was told to move only after the handover')
    const move = log[ownMove]
    assert.ok(move?.type === 'relocated')
    assert.deepEqual([move.detail.oldAge, move.detail.newAge], [ELDER_AGE, ELDER_AGE + 1])
  })

  it('blames no vault on the way', () => {
    const blamed = net.deliveries.filter(delivery => !delivery.receipt.accepted && delivery.receipt.misbehaviour)
    assert.deepEqual(blamed.map(({ from, message, receipt }) => ({ from: from.slice(0, 8), type: message.type, receipt })), [])
  })
})
